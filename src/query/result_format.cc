#include "query/result_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "core/json_writer.h"

namespace tributary::query {
namespace {

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Number of code points in UTF-8 text (continuation bytes do not count).
size_t DisplayWidth(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Control characters would break the table's lines: show them escaped.
std::string EscapeForTable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// JSON number grammar (RFC 8259): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&]() {
    const size_t begin = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > begin;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

enum class JsonKind { kString, kNumber, kBoolean, kJson };

std::vector<JsonKind> JsonKinds(const QueryResult& result) {
  std::vector<JsonKind> kinds;
  for (const std::string& type : result.column_types) {
    if (IsNumericType(type)) {
      kinds.push_back(JsonKind::kNumber);
    } else if (type == "BOOLEAN") {
      kinds.push_back(JsonKind::kBoolean);
    } else if (type == "JSON") {
      kinds.push_back(JsonKind::kJson);
    } else {
      kinds.push_back(JsonKind::kString);
    }
  }
  return kinds;
}

void WriteRowObject(JsonWriter& w, const QueryResult& result, const std::vector<JsonKind>& kinds,
                    const std::vector<std::optional<std::string>>& row) {
  w.BeginObject();
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    w.Key(result.column_names[c]);
    const std::optional<std::string>& value = c < row.size() ? row[c] : std::nullopt;
    if (!value.has_value()) {
      w.Null();
      continue;
    }
    const JsonKind kind = c < kinds.size() ? kinds[c] : JsonKind::kString;
    if (kind == JsonKind::kNumber && IsJsonNumber(*value)) {
      w.Raw(*value);
    } else if (kind == JsonKind::kBoolean && (*value == "true" || *value == "false")) {
      w.Raw(*value);
    } else if (kind == JsonKind::kJson && !value->empty()) {
      w.Raw(*value);
    } else {
      w.String(*value);
    }
  }
  w.EndObject();
}

void AppendCsvField(std::string& out, std::string_view field, bool quote_if_empty) {
  const bool quote =
      field.find_first_of(",\"\r\n") != std::string_view::npos || (quote_if_empty && field.empty());
  if (!quote) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

Result<ResultFormat> ParseResultFormat(std::string_view name) {
  const std::string lower = Lowercase(name);
  if (lower == "table" || lower == "text") return ResultFormat::kTable;
  if (lower == "csv") return ResultFormat::kCsv;
  if (lower == "json") return ResultFormat::kJson;
  if (lower == "jsonl" || lower == "ndjson" || lower == "jsonlines")
    return ResultFormat::kJsonLines;
  return Status::InvalidArgument("unknown output format '" + std::string(name) +
                                 "' (expected table, csv, json or jsonl)");
}

std::string FormatResult(const QueryResult& result, ResultFormat format) {
  switch (format) {
    case ResultFormat::kTable:
      return FormatTable(result);
    case ResultFormat::kCsv:
      return FormatCsv(result);
    case ResultFormat::kJson:
      return FormatJson(result);
    case ResultFormat::kJsonLines:
      return FormatJsonLines(result);
  }
  return FormatTable(result);
}

std::string FormatTable(const QueryResult& result) {
  const size_t columns = result.column_names.size();
  std::vector<std::string> header(columns);
  std::vector<size_t> width(columns);
  std::vector<bool> right(columns);
  for (size_t c = 0; c < columns; ++c) {
    header[c] = EscapeForTable(result.column_names[c]);
    width[c] = DisplayWidth(header[c]);
    right[c] = c < result.column_types.size() && IsNumericType(result.column_types[c]);
  }
  std::vector<std::vector<std::string>> cells;
  cells.reserve(result.rows.size());
  for (const auto& row : result.rows) {
    std::vector<std::string>& line = cells.emplace_back(columns);
    for (size_t c = 0; c < columns; ++c) {
      line[c] = c < row.size() && row[c].has_value() ? EscapeForTable(*row[c]) : "NULL";
      width[c] = std::max(width[c], DisplayWidth(line[c]));
    }
  }

  std::string out;
  auto append_line = [&](const std::vector<std::string>& values) {
    for (size_t c = 0; c < columns; ++c) {
      out += c == 0 ? " " : " | ";
      const std::string padding(width[c] - DisplayWidth(values[c]), ' ');
      if (right[c]) out += padding;
      out += values[c];
      if (!right[c] && c + 1 < columns) out += padding;
    }
    out += '\n';
  };
  if (columns > 0) {
    append_line(header);
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) out += '+';
      out += std::string(width[c] + 2, '-');
    }
    out += '\n';
    for (const auto& line : cells) append_line(line);
  }
  const size_t n = result.rows.size();
  out += "(" + std::to_string(n) + (n == 1 ? " row" : " rows");
  if (result.truncated) out += ", truncated";
  out += ")\n";
  return out;
}

std::string FormatCsv(const QueryResult& result) {
  std::string out;
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    if (c > 0) out += ',';
    AppendCsvField(out, result.column_names[c], /*quote_if_empty=*/true);
  }
  out += '\n';
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < result.column_names.size(); ++c) {
      if (c > 0) out += ',';
      if (c < row.size() && row[c].has_value()) {
        AppendCsvField(out, *row[c], /*quote_if_empty=*/true);
      }
    }
    out += '\n';
  }
  return out;
}

std::string FormatJson(const QueryResult& result) {
  const std::vector<JsonKind> kinds = JsonKinds(result);
  JsonWriter w;
  w.BeginArray();
  for (const auto& row : result.rows) WriteRowObject(w, result, kinds, row);
  w.EndArray();
  return w.Take() + "\n";
}

std::string FormatJsonLines(const QueryResult& result) {
  const std::vector<JsonKind> kinds = JsonKinds(result);
  std::string out;
  JsonWriter w;
  for (const auto& row : result.rows) {
    w.Clear();
    WriteRowObject(w, result, kinds, row);
    out += w.str();
    out += '\n';
  }
  return out;
}

bool IsNumericType(std::string_view type) {
  static constexpr std::string_view kNumeric[] = {
      "TINYINT",  "SMALLINT", "INTEGER",  "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
      "UINTEGER", "UBIGINT",  "UHUGEINT", "FLOAT",  "DOUBLE",  "BIGNUM"};
  if (StartsWith(type, "DECIMAL")) return true;
  return std::find(std::begin(kNumeric), std::end(kNumeric), type) != std::end(kNumeric);
}

std::string TrinoTypeName(std::string_view type) {
  if (type.size() > 2 && type.substr(type.size() - 2) == "[]") {
    return "array(" + TrinoTypeName(type.substr(0, type.size() - 2)) + ")";
  }
  if (type == "FLOAT") return "real";
  if (type == "HUGEINT") return "decimal(38,0)";
  if (type == "BLOB") return "varbinary";
  if (StartsWith(type, "STRUCT")) return "row" + Lowercase(type.substr(6));
  if (StartsWith(type, "MAP")) return "map" + Lowercase(type.substr(3));
  return Lowercase(type);
}

}  // namespace tributary::query
