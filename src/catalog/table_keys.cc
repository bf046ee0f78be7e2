#include "catalog/table_keys.h"

#include <algorithm>

#include "catalog/partition_spec.h"

namespace tributary::catalog {
namespace {

std::string KeyFor(std::string_view table) { return "table-keys/" + std::string(table); }

}  // namespace

Status RecordKeyColumns(Catalog& catalog, std::string_view table,
                        const std::vector<std::string>& keys) {
  if (std::any_of(keys.begin(), keys.end(), [](const std::string& k) { return k.empty(); })) {
    return Status::InvalidArgument("table " + std::string(table) + ": empty key column name");
  }
  const std::string value = JoinEscaped(keys);
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> current, catalog.GetCheckpoint(KeyFor(table)));
  if (current.value_or("") == value) return Status::Ok();
  return catalog.PutCheckpoint(KeyFor(table), value);
}

Result<std::vector<std::string>> KeyColumns(const Catalog& catalog, std::string_view table) {
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> value, catalog.GetCheckpoint(KeyFor(table)));
  if (!value.has_value() || value->empty()) return std::vector<std::string>{};
  auto keys = SplitEscaped(*value);
  if (!keys.ok()) {
    return Status::DataLoss("catalog: key columns of table " + std::string(table) +
                            " are malformed: " + keys.status().message());
  }
  return keys;
}

}  // namespace tributary::catalog
