// ColumnType names, the widening rule used by schema evolution, and schema change descriptions.
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
  if (a == ColumnType::kJson || b == ColumnType::kJson) return ColumnType::kJson;
  return ColumnType::kString;
}

std::string_view GlueTypeName(ColumnType type) {
  return type == ColumnType::kJson ? "string" : ColumnTypeName(type);
}

std::string DescribeColumnChange(const ColumnChange& change) {
  std::string out;
  switch (change.kind) {
    case ColumnChange::Kind::kAdded:
      out = "added " + change.column + " " + std::string(ColumnTypeName(change.type));
      break;
    case ColumnChange::Kind::kWidened:
      if (!(change.previous_type == ColumnType::kBigint && change.type == ColumnType::kDouble)) {
        // A conflict that fell back to string or json (bigint -> double is the only widening).
        out = change.column + ": " + std::string(ColumnTypeName(change.previous_type)) +
              " conflicts with " + std::string(ColumnTypeName(change.observed_type)) + " -> " +
              std::string(ColumnTypeName(change.type));
      } else {
        out = "widened " + change.column + " " +
              std::string(ColumnTypeName(change.previous_type)) + " -> " +
              std::string(ColumnTypeName(change.type));
      }
      break;
  }
  return out;
}

}  // namespace tributary::catalog
