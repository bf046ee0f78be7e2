// ColumnType names and the widening rule used by schema evolution.
#include <cctype>
#include <string>

#include "catalog/catalog.h"

namespace tributary::catalog {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kString:
      return "string";
    case ColumnType::kBigint:
      return "bigint";
    case ColumnType::kDouble:
      return "double";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kJson:
      return "json";
  }
  return "json";
}

Result<ColumnType> ParseColumnType(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (ColumnType t : {ColumnType::kString, ColumnType::kBigint, ColumnType::kDouble,
                       ColumnType::kBoolean, ColumnType::kTimestamp, ColumnType::kJson}) {
    if (lower == ColumnTypeName(t)) return t;
  }
  return Status::InvalidArgument("unknown column type '" + std::string(name) +
                                 "' (expected string, bigint, double, boolean, timestamp or json)");
}

ColumnType WidenColumnType(ColumnType a, ColumnType b) {
  if (a == b) return a;
  auto is = [&](ColumnType x, ColumnType y) { return (a == x && b == y) || (a == y && b == x); };
  if (is(ColumnType::kBigint, ColumnType::kDouble)) return ColumnType::kDouble;
  if (is(ColumnType::kTimestamp, ColumnType::kString)) return ColumnType::kString;
  return ColumnType::kJson;
}

}  // namespace tributary::catalog
