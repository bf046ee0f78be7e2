// RegisterControlPlane: see api.h for the operations this group serves. Tables are in
// control_plane_tables.cc, TTL and tags in control_plane_ttl_tags.cc, the TableDescription JSON
// in table_description_json.cc.
#include "dynamodb/api.h"
#include "dynamodb/control_plane_internal.h"

namespace tributary::dynamodb {

void RegisterControlPlane(OperationRegistry& registry) {
  control::RegisterTables(registry);
  control::RegisterTtlAndTags(registry);
  control::RegisterTransactions(registry);
  control::RegisterAccount(registry);
}

}  // namespace tributary::dynamodb
