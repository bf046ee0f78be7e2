#include "lakeapi/glue_api.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

#include "catalog/glue_json.h"
#include "core/json_writer.h"
#include "lakeapi/glue_expression.h"
#include "lakeapi/request.h"

namespace tributary::lakeapi {

namespace {

using dynamodb::ApiError;
using dynamodb::ApiResult;

ApiError InvalidInput(std::string message) { return ServiceError("InvalidInputException", std::move(message)); }
ApiError NotFound(std::string message) { return ServiceError("EntityNotFoundException", std::move(message)); }
ApiError Internal(const Status& s) { return ServiceError("InternalServiceException", s.message(), 500); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

catalog::GlueJsonOptions JsonOptions(const GlueOptions& o) {
  catalog::GlueJsonOptions j;
  j.location_root = "file://" + o.lake_root;
  j.epoch_seconds = true;
  j.catalog_id = o.account_id;
  return j;
}

std::string FileUri(const GlueOptions& o, std::string_view relative_folder) {
  return catalog::GlueLocation(relative_folder, JsonOptions(o));
}

// GetTable's Table, with the facts (stats, compression of the files) the catalog knows.
void WriteTable(JsonWriter& w, const GlueOptions& o, const catalog::TableDef& t) {
  catalog::GlueTableFacts facts;
  if (auto stats = o.catalog->GetTableStats(t.name); stats.ok()) facts.stats = *stats;
  if (auto files = o.catalog->ListFiles(t.name); files.ok()) facts.compression = catalog::CompressionOfFiles(*files);
  catalog::WriteGlueTable(w, t, facts, JsonOptions(o));
}

// compressionType of a table's files ("none" when they cannot be listed).
std::string CompressionOf(const GlueOptions& o, const catalog::TableDef& t) {
  auto files = o.catalog->ListFiles(t.name);
  return files.ok() ? catalog::CompressionOfFiles(*files) : "none";
}

// The catalog's databases: every TableDef::database, plus "default".
Result<std::set<std::string>> Databases(const catalog::Catalog& catalog) {
  TRIB_ASSIGN_OR_RETURN(auto tables, catalog.ListTables());
  std::set<std::string> out = {"default"};
  for (const auto& t : tables) out.insert(t.database);
  return out;
}

// Glue compares database and table names case-insensitively (it stores them lower-cased).
std::variant<catalog::TableDef, ApiError> FindTable(const GlueOptions& o, simdjson::dom::element req,
                                                    std::string_view name_key) {
  auto db = OptString(req, "DatabaseName");
  if (!db.ok()) return InvalidInput(db.status().message());
  auto name = OptString(req, name_key);
  if (!name.ok()) return InvalidInput(name.status().message());
  if (!*db || (*db)->empty()) return InvalidInput("DatabaseName is required");
  if (!*name || (*name)->empty()) return InvalidInput(std::string(name_key) + " is required");
  auto tables = o.catalog->ListTables();
  if (!tables.ok()) return Internal(tables.status());
  bool db_seen = Lower(**db) == "default";
  for (const auto& t : *tables) {
    if (Lower(t.database) != Lower(**db)) continue;
    db_seen = true;
    if (Lower(t.name) == Lower(**name)) return t;
  }
  if (!db_seen) return NotFound("Database " + **db + " not found.");
  return NotFound("Table " + **name + " not found.");
}

std::vector<std::string> ValuesOf(const catalog::PartitionInfo& p) {
  std::vector<std::string> values;
  for (const auto& kv : p.values) values.push_back(kv.second);
  return values;
}

// An unpartitioned table has no partitions in Glue.
Result<std::vector<catalog::PartitionInfo>> ListPartitions(const catalog::Catalog& catalog, const catalog::TableDef& t) {
  if (t.partition_keys.empty()) return std::vector<catalog::PartitionInfo>();
  return catalog.ListPartitions(t.name);
}

// MaxResults within [1, max] (default `max`), NextToken decoded.
std::variant<std::pair<size_t, size_t>, ApiError> Paging(simdjson::dom::element req, std::string_view kind,
                                                         std::string_view scope, int64_t max) {
  auto mr = OptInt(req, "MaxResults");
  if (!mr.ok()) return InvalidInput(mr.status().message());
  if (*mr && (**mr < 1 || **mr > max)) {
    return InvalidInput("1 validation error detected: Value '" + std::to_string(**mr) +
                        "' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and " +
                        std::to_string(max));
  }
  auto token = OptString(req, "NextToken");
  if (!token.ok()) return InvalidInput(token.status().message());
  size_t offset = 0;
  if (*token && !(*token)->empty()) {
    auto off = DecodePageToken(**token, kind, scope);
    if (!off.ok()) return InvalidInput(off.status().message());
    offset = *off;
  }
  return std::make_pair(offset, static_cast<size_t>(mr->value_or(max)));
}

// GetTables' Expression: Glue/Hive name patterns: alternatives separated by '|', '*' for any
// run of characters (".*" also works), matched case-insensitively against the whole name.
std::variant<std::regex, ApiError> TablePattern(const std::string& expression) {
  if (expression.size() > 2048) return InvalidInput("Expression is longer than 2048 characters");
  std::string re;
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (c == '*' && (i == 0 || expression[i - 1] != '.')) {
      re += ".*";
    } else {
      re += c;
    }
  }
  try {
    return std::regex(re, std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error& e) {
    return InvalidInput("Expression '" + expression + "' is not a valid table name pattern: " + e.what());
  }
}

// One Glue Database object.
void WriteDatabase(JsonWriter& w, const GlueOptions& o, const std::string& name) {
  w.BeginObject();
  w.Key("Name");
  w.String(name);
  w.Key("LocationUri");
  w.String(FileUri(o, ""));
  w.Key("Parameters");
  w.BeginObject();
  w.EndObject();
  w.Key("CreateTableDefaultPermissions");
  w.BeginArray();
  w.EndArray();
  w.Key("CatalogId");
  w.String(o.account_id);
  w.EndObject();
}

// {"<list_key>": [items[offset, offset+max)], "NextToken": ...} with the token only when more
// items follow; `write_item` writes one element.
template <typename T, typename WriteItem>
std::string PagedList(std::string_view list_key, std::string_view kind, std::string_view scope,
                      const std::vector<T>& items, size_t offset, size_t max,
                      WriteItem&& write_item) {
  JsonWriter w;
  w.BeginObject();
  w.Key(list_key);
  w.BeginArray();
  for (size_t i = offset; i < items.size() && i < offset + max; ++i) write_item(w, items[i]);
  w.EndArray();
  if (offset + max < items.size()) {
    w.Key("NextToken");
    w.String(EncodePageToken(kind, scope, offset + max));
  }
  w.EndObject();
  return w.Take();
}

ApiResult GetDatabases(const GlueOptions& o, simdjson::dom::element req) {
  auto dbs = Databases(*o.catalog);
  if (!dbs.ok()) return Internal(dbs.status());
  auto paging = Paging(req, "GetDatabases", "", 100);
  if (auto* e = std::get_if<ApiError>(&paging)) return *e;
  auto [offset, max] = std::get<std::pair<size_t, size_t>>(paging);
  std::vector<std::string> names(dbs->begin(), dbs->end());
  return PagedList("DatabaseList", "GetDatabases", "", names, offset, max,
                   [&](JsonWriter& w, const std::string& name) { WriteDatabase(w, o, name); });
}

ApiResult GetDatabase(const GlueOptions& o, simdjson::dom::element req) {
  auto name = OptString(req, "Name");
  if (!name.ok()) return InvalidInput(name.status().message());
  if (!*name || (*name)->empty()) return InvalidInput("Name is required");
  auto dbs = Databases(*o.catalog);
  if (!dbs.ok()) return Internal(dbs.status());
  for (const auto& db : *dbs) {
    if (Lower(db) != Lower(**name)) continue;
    JsonWriter w;
    w.BeginObject();
    w.Key("Database");
    WriteDatabase(w, o, db);
    w.EndObject();
    return w.Take();
  }
  return NotFound("Database " + **name + " not found.");
}

ApiResult GetTables(const GlueOptions& o, simdjson::dom::element req) {
  auto db = OptString(req, "DatabaseName");
  if (!db.ok()) return InvalidInput(db.status().message());
  if (!*db || (*db)->empty()) return InvalidInput("DatabaseName is required");
  auto expression = OptString(req, "Expression");
  if (!expression.ok()) return InvalidInput(expression.status().message());
  std::optional<std::regex> pattern;
  if (*expression && !(*expression)->empty()) {
    auto p = TablePattern(**expression);
    if (auto* e = std::get_if<ApiError>(&p)) return *e;
    pattern = std::move(std::get<std::regex>(p));
  }
  auto paging = Paging(req, "GetTables", Lower(**db), 100);
  if (auto* e = std::get_if<ApiError>(&paging)) return *e;
  auto [offset, max] = std::get<std::pair<size_t, size_t>>(paging);
  auto tables = o.catalog->ListTables();
  if (!tables.ok()) return Internal(tables.status());
  bool db_seen = Lower(**db) == "default";
  std::vector<const catalog::TableDef*> matching;
  for (const auto& t : *tables) {
    if (Lower(t.database) != Lower(**db)) continue;
    db_seen = true;
    if (pattern && !std::regex_match(t.name, *pattern)) continue;
    matching.push_back(&t);
  }
  if (!db_seen) return NotFound("Database " + **db + " not found.");
  std::sort(matching.begin(), matching.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return PagedList("TableList", "GetTables", Lower(**db), matching, offset, max,
                   [&](JsonWriter& w, const catalog::TableDef* t) { WriteTable(w, o, *t); });
}

ApiResult GetTable(const GlueOptions& o, simdjson::dom::element req) {
  auto found = FindTable(o, req, "Name");
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const auto& t = std::get<catalog::TableDef>(found);
  JsonWriter w;
  w.BeginObject();
  w.Key("Table");
  WriteTable(w, o, t);
  w.EndObject();
  return w.Take();
}

ApiResult GetPartitions(const GlueOptions& o, simdjson::dom::element req) {
  auto found = FindTable(o, req, "TableName");
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const auto& t = std::get<catalog::TableDef>(found);
  auto expression_text = OptString(req, "Expression");
  if (!expression_text.ok()) return InvalidInput(expression_text.status().message());
  auto expression = GlueExpression::Parse(expression_text->value_or(""), t.partition_keys);
  if (!expression.ok()) return InvalidInput(expression.status().message());
  auto exclude = req["ExcludeColumnSchema"];
  bool exclude_columns = false;
  if (exclude.error() == simdjson::SUCCESS && !exclude.value().is_null() &&
      exclude.get_bool().get(exclude_columns) != simdjson::SUCCESS) {
    return InvalidInput("ExcludeColumnSchema must be a boolean");
  }
  size_t segment = 0, total_segments = 1;
  auto seg = OptObject(req, "Segment");
  if (!seg.ok()) return InvalidInput(seg.status().message());
  if (*seg) {
    auto number = OptInt(**seg, "SegmentNumber");
    auto total = OptInt(**seg, "TotalSegments");
    if (!number.ok() || !total.ok() || !*number || !*total) {
      return InvalidInput("Segment needs integer SegmentNumber and TotalSegments");
    }
    if (**total < 1 || **total > 10) return InvalidInput("TotalSegments must be between 1 and 10");
    if (**number < 0 || **number >= **total) return InvalidInput("SegmentNumber must be in [0, TotalSegments)");
    segment = static_cast<size_t>(**number);
    total_segments = static_cast<size_t>(**total);
  }
  const std::string scope = Lower(t.database) + "." + Lower(t.name) + "." + std::to_string(segment) + "/" +
                            std::to_string(total_segments);
  auto paging = Paging(req, "GetPartitions", scope, 1000);
  if (auto* e = std::get_if<ApiError>(&paging)) return *e;
  auto [offset, max] = std::get<std::pair<size_t, size_t>>(paging);
  auto partitions = ListPartitions(*o.catalog, t);
  if (!partitions.ok()) return Internal(partitions.status());
  std::vector<const catalog::PartitionInfo*> matching;
  for (size_t i = 0; i < partitions->size(); ++i) {
    if (i % total_segments != segment) continue;
    if (expression->Matches(ValuesOf((*partitions)[i]))) matching.push_back(&(*partitions)[i]);
  }
  // ExcludeColumnSchema: the StorageDescriptor's Columns come back empty.
  catalog::TableDef shape = t;
  if (exclude_columns) shape.columns.clear();
  const std::string compression = CompressionOf(o, t);
  return PagedList("Partitions", "GetPartitions", scope, matching, offset, max,
                   [&](JsonWriter& w, const auto* partition) {
                     catalog::WriteGluePartition(w, shape, *partition, JsonOptions(o), compression);
                   });
}

ApiResult GetPartition(const GlueOptions& o, simdjson::dom::element req) {
  auto found = FindTable(o, req, "TableName");
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const auto& t = std::get<catalog::TableDef>(found);
  auto values = OptStringList(req, "PartitionValues");
  if (!values.ok()) return InvalidInput(values.status().message());
  if (!*values) return InvalidInput("PartitionValues is required");
  auto partitions = ListPartitions(*o.catalog, t);
  if (!partitions.ok()) return Internal(partitions.status());
  for (const auto& p : *partitions) {
    if (ValuesOf(p) != **values) continue;
    JsonWriter w;
    w.BeginObject();
    w.Key("Partition");
    catalog::WriteGluePartition(w, t, p, JsonOptions(o), CompressionOf(o, t));
    w.EndObject();
    return w.Take();
  }
  return NotFound("Cannot find partition.");
}

ApiResult GetTableVersions(const GlueOptions& o, simdjson::dom::element req) {
  auto found = FindTable(o, req, "TableName");
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const auto& t = std::get<catalog::TableDef>(found);
  const std::string scope = Lower(t.database) + "." + Lower(t.name);
  auto paging = Paging(req, "GetTableVersions", scope, 100);
  if (auto* e = std::get_if<ApiError>(&paging)) return *e;
  auto [offset, max] = std::get<std::pair<size_t, size_t>>(paging);
  auto versions = o.catalog->ListSchemaVersions(t.name);
  if (!versions.ok()) return Internal(versions.status());
  std::vector<const catalog::SchemaVersion*> newest_first;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) newest_first.push_back(&*it);
  return PagedList("TableVersions", "GetTableVersions", scope, newest_first, offset, max,
                   [&](JsonWriter& w, const catalog::SchemaVersion* version) {
                     catalog::WriteGlueTableVersion(w, t, *version, JsonOptions(o));
                   });
}

ApiResult GetTableVersion(const GlueOptions& o, simdjson::dom::element req) {
  auto found = FindTable(o, req, "TableName");
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const auto& t = std::get<catalog::TableDef>(found);
  auto version_id = OptString(req, "VersionId");
  if (!version_id.ok()) return InvalidInput(version_id.status().message());
  auto versions = o.catalog->ListSchemaVersions(t.name);
  if (!versions.ok()) return Internal(versions.status());
  const catalog::SchemaVersion* chosen = versions->empty() ? nullptr : &versions->back();
  if (*version_id && !(*version_id)->empty()) {
    chosen = nullptr;
    for (const auto& v : *versions) {
      if (std::to_string(v.version) == **version_id) chosen = &v;
    }
  }
  if (chosen == nullptr) return NotFound("Version " + version_id->value_or("") + " of table " + t.name + " not found.");
  JsonWriter w;
  w.BeginObject();
  w.Key("TableVersion");
  catalog::WriteGlueTableVersion(w, t, *chosen, JsonOptions(o));
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterGlue(dynamodb::OperationRegistry& registry, const GlueOptions& options) {
  auto add = [&](std::string_view op, ApiResult (*fn)(const GlueOptions&, simdjson::dom::element)) {
    registry.Add(std::string(kGlueTargetPrefix) + std::string(op),
                 [options, fn](simdjson::dom::element req, dynamodb::ApiContext&) { return fn(options, req); });
  };
  add("GetDatabases", GetDatabases);
  add("GetDatabase", GetDatabase);
  add("GetTables", GetTables);
  add("GetTable", GetTable);
  add("GetPartitions", GetPartitions);
  add("GetPartition", GetPartition);
  add("GetTableVersions", GetTableVersions);
  add("GetTableVersion", GetTableVersion);
}

}  // namespace tributary::lakeapi
