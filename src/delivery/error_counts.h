// Failed records per errorCode, persisted so `tributary status` keeps them across restarts.
//
// Each shard worker's committer writes, right after every errors commit, the catalog key
// "<errors checkpoint key>/counts" (ErrorCountsKey) with its running totals and the errors
// checkpoint they reflect:
//
//   {"through":"<sequence number>","counts":{"Lambda.ProcessingFailed":3,...}}
//
// That write is not in the errors commit's transaction (Catalog::CommitFiles takes one
// checkpoint), so a crash between the two can leave the totals one flush behind. LoadErrorCounts
// repairs that at start: when the errors checkpoint is past "through" (or there are no totals
// yet, e.g. a lake written by an older version), it counts the failed records of this shard
// with sequence numbers in (through, errors checkpoint] from the committed error files
// themselves (each line carries errorCode and sequenceNumber), so the totals are exact.
//
// Thread-safety: pure functions over the given catalog and file system.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "core/status.h"
#include "delivery/lake_fs.h"

namespace tributary::delivery {

using ErrorCounts = std::map<std::string, int64_t, std::less<>>;

struct PersistedErrorCounts {
  std::string through;  // errors checkpoint the counts include ("" = none)
  ErrorCounts counts;
};

std::string ErrorCountsKey(std::string_view errors_checkpoint_key);
std::string ErrorCountsJson(const PersistedErrorCounts& counts);
// InvalidArgument for text that is not ErrorCountsJson's shape.
Result<PersistedErrorCounts> ParseErrorCounts(std::string_view json);

struct ErrorCountsSource {
  std::string lake_root;              // absolute
  std::string errors_table;           // "<table>_errors"
  std::string source;                 // "stream/<stream>/<shard>": this shard's files
  std::string errors_checkpoint_key;  // "delivery/<name>/<shard>/errors"
};

// The shard's totals through its errors checkpoint (see above); empty when it has none.
Result<PersistedErrorCounts> LoadErrorCounts(const catalog::Catalog& catalog, LakeFs& fs,
                                             const ErrorCountsSource& where);

}  // namespace tributary::delivery
