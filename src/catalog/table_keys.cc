#include "catalog/table_keys.h"

#include <algorithm>

#include "catalog/partition_spec.h"

namespace tributary::catalog {

Status RecordKeyColumns(Catalog& catalog, std::string_view table,
                        const std::vector<std::string>& keys) {
  if (std::any_of(keys.begin(), keys.end(), [](const std::string& k) { return k.empty(); })) {
    return Status::InvalidArgument("table " + std::string(table) + ": empty key column name");
  }
  const std::string value = JoinEscaped(keys);
  TRIB_ASSIGN_OR_RETURN(TableDef def, catalog.GetTable(table));
  auto it = def.parameters.find(std::string(kKeyColumnsParameter));
  if ((it == def.parameters.end() ? std::string() : it->second) == value) return Status::Ok();
  return catalog.SetTableParameters(table, {{std::string(kKeyColumnsParameter), value}});
}

Result<std::vector<std::string>> KeyColumns(const Catalog& catalog, std::string_view table) {
  TRIB_ASSIGN_OR_RETURN(TableDef def, catalog.GetTable(table));
  auto it = def.parameters.find(std::string(kKeyColumnsParameter));
  if (it == def.parameters.end() || it->second.empty()) return std::vector<std::string>{};
  auto keys = SplitEscaped(it->second);
  if (!keys.ok()) {
    return Status::DataLoss("catalog: key columns of table " + std::string(table) +
                            " are malformed: " + keys.status().message());
  }
  return keys;
}

}  // namespace tributary::catalog
