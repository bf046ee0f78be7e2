#include "lakeapi/glue_api.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

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

struct Partition {
  std::vector<std::string> values;
  std::string folder;  // lake-relative folder of its files
  int64_t created_ms = 0;
  int64_t files = 0, rows = 0, bytes = 0;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string FileUri(const GlueOptions& o, std::string_view relative_folder) {
  std::string uri = "file://" + o.lake_root;
  if (!relative_folder.empty()) uri += "/" + std::string(relative_folder);
  uri += "/";
  return uri;
}

struct FormatInfo {
  const char* classification;
  const char* input_format;
  const char* output_format;
  const char* serde;
};

FormatInfo FormatFor(std::string_view format) {
  if (format == "parquet") {
    return {"parquet", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"};
  }
  if (format == "csv") {
    return {"csv", "org.apache.hadoop.mapred.TextInputFormat",
            "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"};
  }
  return {"json", "org.apache.hadoop.mapred.TextInputFormat",
          "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "org.openx.data.jsonserde.JsonSerDe"};
}

void WriteStorageDescriptor(JsonWriter& w, const catalog::TableDef& t, const std::string& location,
                            bool include_columns) {
  const FormatInfo f = FormatFor(t.format);
  w.Key("StorageDescriptor");
  w.BeginObject();
  if (include_columns) {
    w.Key("Columns");
    w.BeginArray();
    for (const auto& c : t.columns) {
      w.BeginObject();
      w.Key("Name");
      w.String(c.name);
      w.Key("Type");
      w.String(catalog::GlueTypeName(c.type));
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("Location");
  w.String(location);
  w.Key("InputFormat");
  w.String(f.input_format);
  w.Key("OutputFormat");
  w.String(f.output_format);
  w.Key("Compressed");
  w.Bool(false);
  w.Key("NumberOfBuckets");
  w.Int(-1);
  w.Key("SerdeInfo");
  w.BeginObject();
  w.Key("SerializationLibrary");
  w.String(f.serde);
  w.Key("Parameters");
  w.BeginObject();
  if (std::string_view(f.classification) == "json") {
    std::string paths;
    for (const auto& c : t.columns) paths += (paths.empty() ? "" : ",") + c.name;
    w.Key("paths");
    w.String(paths);
  } else if (std::string_view(f.classification) == "csv") {
    w.Key("field.delim");
    w.String(",");
  } else {
    w.Key("serialization.format");
    w.String("1");
  }
  w.EndObject();
  w.EndObject();
  w.Key("BucketColumns");
  w.BeginArray();
  w.EndArray();
  w.Key("SortColumns");
  w.BeginArray();
  w.EndArray();
  w.Key("Parameters");
  w.BeginObject();
  w.Key("classification");
  w.String(f.classification);
  w.EndObject();
  w.Key("StoredAsSubDirectories");
  w.Bool(false);
  w.EndObject();
}

void WriteTable(JsonWriter& w, const GlueOptions& o, const catalog::TableDef& t, const catalog::TableStats* stats) {
  const FormatInfo f = FormatFor(t.format);
  w.BeginObject();
  w.Key("Name");
  w.String(t.name);
  w.Key("DatabaseName");
  w.String(t.database);
  w.Key("Owner");
  w.String("tributary");
  w.Key("CreateTime");
  w.Double(EpochSeconds(t.created_ms));
  w.Key("UpdateTime");
  w.Double(EpochSeconds(t.updated_ms));
  w.Key("LastAccessTime");
  w.Double(EpochSeconds(t.updated_ms));
  w.Key("Retention");
  w.Int(0);
  WriteStorageDescriptor(w, t, FileUri(o, t.location), true);
  w.Key("PartitionKeys");
  w.BeginArray();
  for (const auto& k : t.partition_keys) {
    w.BeginObject();
    w.Key("Name");
    w.String(k);
    w.Key("Type");
    w.String("string");
    w.EndObject();
  }
  w.EndArray();
  w.Key("TableType");
  w.String("EXTERNAL_TABLE");
  w.Key("Parameters");
  w.BeginObject();
  w.Key("EXTERNAL");
  w.String("TRUE");
  w.Key("classification");
  w.String(f.classification);
  w.Key("compressionType");
  w.String("none");
  w.Key("typeOfData");
  w.String("file");
  if (stats != nullptr) {
    w.Key("recordCount");
    w.String(std::to_string(stats->rows));
    w.Key("objectCount");
    w.String(std::to_string(stats->files));
    w.Key("sizeKey");
    w.String(std::to_string(stats->bytes));
    w.Key("averageRecordSize");
    w.String(std::to_string(stats->rows > 0 ? stats->bytes / stats->rows : 0));
  }
  w.Key("tributary.schemaVersion");
  w.String(std::to_string(t.schema_version));
  w.EndObject();
  w.Key("CreatedBy");
  w.String("tributary");
  w.Key("IsRegisteredWithLakeFormation");
  w.Bool(false);
  w.Key("CatalogId");
  w.String(o.account_id);
  w.Key("VersionId");
  w.String(std::to_string(t.schema_version));
  w.EndObject();
}

void WritePartition(JsonWriter& w, const GlueOptions& o, const catalog::TableDef& t, const Partition& p,
                    bool include_columns) {
  w.BeginObject();
  w.Key("Values");
  w.BeginArray();
  for (const auto& v : p.values) w.String(v);
  w.EndArray();
  w.Key("DatabaseName");
  w.String(t.database);
  w.Key("TableName");
  w.String(t.name);
  w.Key("CreationTime");
  w.Double(EpochSeconds(p.created_ms));
  w.Key("LastAccessTime");
  w.Double(EpochSeconds(p.created_ms));
  WriteStorageDescriptor(w, t, FileUri(o, p.folder), include_columns);
  w.Key("Parameters");
  w.BeginObject();
  w.Key("recordCount");
  w.String(std::to_string(p.rows));
  w.Key("objectCount");
  w.String(std::to_string(p.files));
  w.Key("sizeKey");
  w.String(std::to_string(p.bytes));
  w.EndObject();
  w.Key("CatalogId");
  w.String(o.account_id);
  w.EndObject();
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

Result<std::vector<Partition>> ListPartitions(const catalog::Catalog& catalog, const catalog::TableDef& t) {
  TRIB_ASSIGN_OR_RETURN(auto files, catalog.ListFiles(t.name));
  std::map<std::vector<std::string>, Partition> by_values;
  for (const auto& f : files) {
    std::vector<std::string> values;
    for (const auto& kv : f.partition_values) values.push_back(kv.second);
    Partition& p = by_values[values];
    if (p.files == 0) {
      p.values = values;
      size_t slash = f.path.rfind('/');
      p.folder = slash == std::string::npos ? std::string() : f.path.substr(0, slash);
      p.created_ms = f.committed_ms;
    }
    p.created_ms = std::min(p.created_ms, f.committed_ms);
    ++p.files;
    p.rows += f.row_count;
    p.bytes += f.size_bytes;
  }
  std::vector<Partition> out;
  if (t.partition_keys.empty()) return out;  // an unpartitioned table has no partitions in Glue
  for (auto& [k, p] : by_values) out.push_back(std::move(p));
  return out;
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

ApiResult GetDatabases(const GlueOptions& o, simdjson::dom::element req) {
  auto dbs = Databases(*o.catalog);
  if (!dbs.ok()) return Internal(dbs.status());
  auto paging = Paging(req, "GetDatabases", "", 100);
  if (auto* e = std::get_if<ApiError>(&paging)) return *e;
  auto [offset, max] = std::get<std::pair<size_t, size_t>>(paging);
  std::vector<std::string> names(dbs->begin(), dbs->end());
  JsonWriter w;
  w.BeginObject();
  w.Key("DatabaseList");
  w.BeginArray();
  for (size_t i = offset; i < names.size() && i < offset + max; ++i) {
    w.BeginObject();
    w.Key("Name");
    w.String(names[i]);
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
  w.EndArray();
  if (offset + max < names.size()) {
    w.Key("NextToken");
    w.String(EncodePageToken("GetDatabases", "", offset + max));
  }
  w.EndObject();
  return w.Take();
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
    w.BeginObject();
    w.Key("Name");
    w.String(db);
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
  JsonWriter w;
  w.BeginObject();
  w.Key("TableList");
  w.BeginArray();
  for (size_t i = offset; i < matching.size() && i < offset + max; ++i) {
    auto stats = o.catalog->GetTableStats(matching[i]->name);
    WriteTable(w, o, *matching[i], stats.ok() ? &*stats : nullptr);
  }
  w.EndArray();
  if (offset + max < matching.size()) {
    w.Key("NextToken");
    w.String(EncodePageToken("GetTables", Lower(**db), offset + max));
  }
  w.EndObject();
  return w.Take();
}

ApiResult GetTable(const GlueOptions& o, simdjson::dom::element req) {
  auto found = FindTable(o, req, "Name");
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const auto& t = std::get<catalog::TableDef>(found);
  auto stats = o.catalog->GetTableStats(t.name);
  JsonWriter w;
  w.BeginObject();
  w.Key("Table");
  WriteTable(w, o, t, stats.ok() ? &*stats : nullptr);
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
  std::vector<const Partition*> matching;
  for (size_t i = 0; i < partitions->size(); ++i) {
    if (i % total_segments != segment) continue;
    if (expression->Matches((*partitions)[i].values)) matching.push_back(&(*partitions)[i]);
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("Partitions");
  w.BeginArray();
  for (size_t i = offset; i < matching.size() && i < offset + max; ++i) {
    WritePartition(w, o, t, *matching[i], !exclude_columns);
  }
  w.EndArray();
  if (offset + max < matching.size()) {
    w.Key("NextToken");
    w.String(EncodePageToken("GetPartitions", scope, offset + max));
  }
  w.EndObject();
  return w.Take();
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
    if (p.values != **values) continue;
    JsonWriter w;
    w.BeginObject();
    w.Key("Partition");
    WritePartition(w, o, t, p, true);
    w.EndObject();
    return w.Take();
  }
  return NotFound("Cannot find partition.");
}

}  // namespace

std::string GlueTypeName(catalog::ColumnType type) { return std::string(catalog::GlueTypeName(type)); }

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
}

}  // namespace tributary::lakeapi
