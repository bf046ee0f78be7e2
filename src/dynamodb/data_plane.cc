// RegisterDataPlane: see api.h for the operations this group serves. The operations live in
// data_plane_items.cc (Put/Get/Update/DeleteItem), data_plane_query.cc (Query, Scan),
// data_plane_batch.cc (BatchWriteItem, BatchGetItem); data_plane_legacy.cc translates the
// pre-expression parameters; request_json.h holds the shared request/response helpers.
#include "dynamodb/api.h"
#include "dynamodb/data_plane_internal.h"

namespace tributary::dynamodb {

void RegisterDataPlane(OperationRegistry& registry) {
  data_plane::RegisterItemOperations(registry);
  data_plane::RegisterQueryOperations(registry);
  data_plane::RegisterBatchOperations(registry);
}

}  // namespace tributary::dynamodb
