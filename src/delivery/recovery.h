// Recovery: finishes or discards what a crash left half done in the lake for one delivery
// stream. Every temp file "_<name>-1-YYYY-MM-DD-HH-MM-SS-<id>.json" below the given folders is
//   - renamed to its final name when the catalog lists that final path (the crash fell between
//     the catalog commit and the rename: the commit is the truth, so finish it);
//   - deleted otherwise (the crash fell before the commit: the rows are still after the shard's
//     checkpoint in the stream and will be delivered again).
// Files of other delivery streams (other name) and final-named files are never touched.
//
// Must not run while a worker of the same delivery stream is committing (DeliveryStream::Start
// runs it before starting its workers).
//
// Thread-safety: a free function; safe to call concurrently for different delivery streams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "delivery/lake_fs.h"

namespace tributary::delivery {

struct RecoveryReport {
  int64_t renamed = 0;
  int64_t deleted = 0;
  std::vector<std::string> renamed_paths;  // lake-relative final paths
  std::vector<std::string> deleted_paths;  // lake-relative temp paths
};

// `dirs`: lake-relative folders to scan (the table location and the error location).
Result<RecoveryReport> RecoverTempFiles(LakeFs& fs, const catalog::Catalog& catalog,
                                        const std::string& lake_root,
                                        const std::vector<std::string>& dirs,
                                        std::string_view delivery_name, bool sync);

}  // namespace tributary::delivery
