#include "delivery/recovery.h"

#include <set>

#include "delivery/lake_layout.h"

namespace tributary::delivery {

Result<RecoveryReport> RecoverTempFiles(LakeFs& fs, const catalog::Catalog& catalog,
                                        const std::string& lake_root,
                                        const std::vector<std::string>& dirs,
                                        std::string_view delivery_name, bool sync) {
  RecoveryReport report;
  std::set<std::string> touched_dirs;
  const std::string root_slash = lake_root + "/";
  for (const std::string& dir : dirs) {
    TRIB_ASSIGN_OR_RETURN(std::vector<std::string> files,
                          fs.ListFilesRecursive(root_slash + dir));
    for (const std::string& abs : files) {
      size_t slash = abs.rfind('/');
      std::string_view base = std::string_view(abs).substr(slash + 1);
      if (!IsOwnTempFileName(base, delivery_name)) continue;
      if (!abs.starts_with(root_slash)) continue;
      std::string parent_rel = abs.substr(root_slash.size(), slash - root_slash.size());
      std::string final_rel = parent_rel + "/" + std::string(FinalNameOfTemp(base));
      TRIB_ASSIGN_OR_RETURN(bool registered, catalog.IsFileRegistered(final_rel));
      if (registered) {
        TRIB_RETURN_IF_ERROR(fs.Rename(abs, root_slash + final_rel));
        report.renamed += 1;
        report.renamed_paths.push_back(final_rel);
      } else {
        TRIB_RETURN_IF_ERROR(fs.Remove(abs));
        report.deleted += 1;
        report.deleted_paths.push_back(parent_rel + "/" + std::string(base));
      }
      touched_dirs.insert(abs.substr(0, slash));
    }
  }
  if (sync) {
    for (const std::string& dir : touched_dirs) TRIB_RETURN_IF_ERROR(fs.SyncDir(dir));
  }
  return report;
}

}  // namespace tributary::delivery
