// RegisterControlPlane: see api.h for the operations this group serves.
#include "dynamodb/api.h"

namespace tributary::dynamodb {

void RegisterControlPlane(OperationRegistry& registry) {
  (void)registry;  // operations are added as they are implemented
}

}  // namespace tributary::dynamodb
