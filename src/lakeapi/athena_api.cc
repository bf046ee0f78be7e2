#include "lakeapi/athena_api.h"

#include <cctype>
#include <charconv>

#include "core/json_writer.h"
#include "lakeapi/athena_csv.h"
#include "lakeapi/request.h"

namespace tributary::lakeapi {

namespace {

using dynamodb::ApiError;
using dynamodb::ApiResult;

constexpr size_t kMaxQueryLength = 262144;

ApiError InvalidRequest(std::string message) {
  ApiError e = ServiceError("InvalidRequestException", std::move(message));
  e.extra_json = ",\"AthenaErrorCode\":\"INVALID_INPUT\"";
  return e;
}

ApiError FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return InvalidRequest(s.message());
    case StatusCode::kResourceExhausted:
      return ServiceError("TooManyRequestsException", s.message());
    default:
      return ServiceError("InternalServerException", s.message(), 500);
  }
}

bool IsCaseSensitive(const std::string& name) { return name == "varchar" || name == "char" || name == "json"; }

void WriteExecution(JsonWriter& w, const QueryExecutionInfo& e) {
  w.BeginObject();
  w.Key("QueryExecutionId");
  w.String(e.id);
  w.Key("Query");
  w.String(e.sql);
  w.Key("StatementType");
  w.String(e.statement_type);
  w.Key("ResultConfiguration");
  w.BeginObject();
  w.Key("OutputLocation");
  w.String(e.output_location);
  w.EndObject();
  w.Key("ResultReuseConfiguration");
  w.BeginObject();
  w.Key("ResultReuseByAgeConfiguration");
  w.BeginObject();
  w.Key("Enabled");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  w.Key("QueryExecutionContext");
  w.BeginObject();
  w.Key("Database");
  w.String(e.database);
  w.Key("Catalog");
  w.String("awsdatacatalog");
  w.EndObject();
  w.Key("Status");
  w.BeginObject();
  w.Key("State");
  w.String(QueryStateName(e.state));
  if (!e.state_change_reason.empty()) {
    w.Key("StateChangeReason");
    w.String(e.state_change_reason);
  }
  w.Key("SubmissionDateTime");
  w.Double(EpochSeconds(e.submitted_ms));
  if (e.completed_ms > 0) {
    w.Key("CompletionDateTime");
    w.Double(EpochSeconds(e.completed_ms));
  }
  if (e.state == QueryState::kFailed) {
    w.Key("AthenaError");
    w.BeginObject();
    w.Key("ErrorCategory");
    w.Int(e.user_error ? 2 : 1);  // 1 system, 2 user
    w.Key("ErrorType");
    w.Int(e.user_error ? 1006 : 401);
    w.Key("Retryable");
    w.Bool(!e.user_error);
    w.Key("ErrorMessage");
    w.String(e.state_change_reason);
    w.EndObject();
  }
  w.EndObject();
  w.Key("Statistics");
  w.BeginObject();
  const int64_t end = e.completed_ms > 0 ? e.completed_ms : 0;
  const int64_t queue_ms = e.started_ms > 0 ? e.started_ms - e.submitted_ms : (end > 0 ? end - e.submitted_ms : 0);
  w.Key("EngineExecutionTimeInMillis");
  w.Int(e.engine_ms);
  w.Key("DataScannedInBytes");
  w.Int(e.data_scanned_bytes);
  w.Key("TotalExecutionTimeInMillis");
  w.Int(end > 0 ? end - e.submitted_ms : 0);
  w.Key("QueryQueueTimeInMillis");
  w.Int(queue_ms);
  w.Key("ServicePreProcessingTimeInMillis");
  w.Int(0);
  w.Key("QueryPlanningTimeInMillis");
  w.Int(0);
  w.Key("ServiceProcessingTimeInMillis");
  w.Int(end > 0 && e.started_ms > 0 ? std::max<int64_t>(0, end - e.started_ms - e.engine_ms) : 0);
  w.Key("ResultReuseInformation");
  w.BeginObject();
  w.Key("ReusedPreviousResult");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  w.Key("WorkGroup");
  w.String(e.workgroup);
  w.Key("EngineVersion");
  w.BeginObject();
  w.Key("SelectedEngineVersion");
  w.String("AUTO");
  w.Key("EffectiveEngineVersion");
  w.String("Athena engine version 3");
  w.EndObject();
  w.EndObject();
}

std::variant<std::string, ApiError> RequiredId(simdjson::dom::element req) {
  auto id = OptString(req, "QueryExecutionId");
  if (!id.ok()) return InvalidRequest(id.status().message());
  if (!*id || (*id)->empty()) return InvalidRequest("QueryExecutionId is required");
  return **id;
}

ApiResult StartQueryExecution(const AthenaOptions& o, simdjson::dom::element req) {
  auto query = OptString(req, "QueryString");
  if (!query.ok()) return InvalidRequest(query.status().message());
  if (!*query || (*query)->empty()) return InvalidRequest("QueryString is required");
  if ((*query)->size() > kMaxQueryLength) {
    return InvalidRequest("QueryString is longer than " + std::to_string(kMaxQueryLength) + " characters");
  }
  QuerySubmission s;
  s.sql = **query;
  auto workgroup = OptString(req, "WorkGroup");
  if (!workgroup.ok()) return InvalidRequest(workgroup.status().message());
  if (*workgroup && !(*workgroup)->empty()) {
    if (**workgroup != "primary") return InvalidRequest("WorkGroup " + **workgroup + " is not found.");
  }
  auto context = OptObject(req, "QueryExecutionContext");
  if (!context.ok()) return InvalidRequest(context.status().message());
  if (*context) {
    auto db = OptString(**context, "Database");
    if (!db.ok()) return InvalidRequest(db.status().message());
    if (*db && !(*db)->empty()) s.database = **db;
    auto catalog = OptString(**context, "Catalog");
    if (!catalog.ok()) return InvalidRequest(catalog.status().message());
    if (*catalog && !(*catalog)->empty()) {
      std::string lower = **catalog;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower != "awsdatacatalog") return InvalidRequest("Catalog " + **catalog + " is not found.");
    }
  }
  s.output_location = o.default_output_location;
  auto result_config = OptObject(req, "ResultConfiguration");
  if (!result_config.ok()) return InvalidRequest(result_config.status().message());
  if (*result_config) {
    auto location = OptString(**result_config, "OutputLocation");
    if (!location.ok()) return InvalidRequest(location.status().message());
    if (*location && !(*location)->empty()) s.output_location = **location;
  }
  auto token = OptString(req, "ClientRequestToken");
  if (!token.ok()) return InvalidRequest(token.status().message());
  if (*token) {
    if ((*token)->size() < 32 || (*token)->size() > 128) {
      return InvalidRequest("ClientRequestToken must be 32 to 128 characters long");
    }
    s.client_request_token = **token;
  }
  auto id = o.executor->Submit(s);
  if (!id.ok()) return FromStatus(id.status());
  JsonWriter w;
  w.BeginObject();
  w.Key("QueryExecutionId");
  w.String(*id);
  w.EndObject();
  return w.Take();
}

ApiResult GetQueryExecution(const AthenaOptions& o, simdjson::dom::element req) {
  auto id = RequiredId(req);
  if (auto* e = std::get_if<ApiError>(&id)) return *e;
  auto info = o.executor->Get(std::get<std::string>(id));
  if (!info.ok()) return FromStatus(info.status());
  JsonWriter w;
  w.BeginObject();
  w.Key("QueryExecution");
  WriteExecution(w, *info);
  w.EndObject();
  return w.Take();
}

ApiResult BatchGetQueryExecution(const AthenaOptions& o, simdjson::dom::element req) {
  auto ids = OptStringList(req, "QueryExecutionIds");
  if (!ids.ok()) return InvalidRequest(ids.status().message());
  if (!*ids || (*ids)->empty() || (*ids)->size() > 50) {
    return InvalidRequest("QueryExecutionIds must hold 1 to 50 ids");
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("QueryExecutions");
  w.BeginArray();
  std::vector<std::pair<std::string, std::string>> missing;
  for (const auto& id : **ids) {
    auto info = o.executor->Get(id);
    if (info.ok()) {
      WriteExecution(w, *info);
    } else {
      missing.emplace_back(id, info.status().message());
    }
  }
  w.EndArray();
  w.Key("UnprocessedQueryExecutionIds");
  w.BeginArray();
  for (const auto& [id, message] : missing) {
    w.BeginObject();
    w.Key("QueryExecutionId");
    w.String(id);
    w.Key("ErrorCode");
    w.String("INVALID_INPUT");
    w.Key("ErrorMessage");
    w.String(message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

ApiResult StopQueryExecution(const AthenaOptions& o, simdjson::dom::element req) {
  auto id = RequiredId(req);
  if (auto* e = std::get_if<ApiError>(&id)) return *e;
  Status s = o.executor->Stop(std::get<std::string>(id));
  if (!s.ok()) return FromStatus(s);
  return std::string("{}");
}

ApiResult ListQueryExecutions(const AthenaOptions& o, simdjson::dom::element req) {
  auto max = OptInt(req, "MaxResults");
  if (!max.ok()) return InvalidRequest(max.status().message());
  if (*max && (**max < 0 || **max > 50)) return InvalidRequest("MaxResults must be between 0 and 50");
  const size_t page = static_cast<size_t>(max->value_or(50) == 0 ? 50 : max->value_or(50));
  auto workgroup = OptString(req, "WorkGroup");
  if (!workgroup.ok()) return InvalidRequest(workgroup.status().message());
  const std::string wg = workgroup->value_or("primary");
  if (wg != "primary") return InvalidRequest("WorkGroup " + wg + " is not found.");
  // The token records the id to start from, so new queries do not shift the pages.
  auto token = OptString(req, "NextToken");
  if (!token.ok()) return InvalidRequest(token.status().message());
  std::vector<std::string> ids = o.executor->List(wg);
  size_t start = 0;
  if (*token && !(*token)->empty()) {
    auto raw = DecodePageToken(**token, "ListQueryExecutions", wg);
    if (!raw.ok()) return InvalidRequest(raw.status().message());
    start = ids.size();
    // The offset counts from the oldest query (ids are newest first).
    const uint64_t from_oldest = *raw;
    if (from_oldest < ids.size()) start = ids.size() - 1 - from_oldest;
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("QueryExecutionIds");
  w.BeginArray();
  size_t i = start;
  for (; i < ids.size() && i < start + page; ++i) w.String(ids[i]);
  w.EndArray();
  if (i < ids.size()) {
    w.Key("NextToken");
    w.String(EncodePageToken("ListQueryExecutions", wg, ids.size() - 1 - i));
  }
  w.EndObject();
  return w.Take();
}

ApiResult GetQueryResults(const AthenaOptions& o, simdjson::dom::element req) {
  auto id_or = RequiredId(req);
  if (auto* e = std::get_if<ApiError>(&id_or)) return *e;
  const std::string& id = std::get<std::string>(id_or);
  auto max = OptInt(req, "MaxResults");
  if (!max.ok()) return InvalidRequest(max.status().message());
  if (*max && (**max < 1 || **max > 1000)) return InvalidRequest("MaxResults must be between 1 and 1000");
  const size_t page = static_cast<size_t>(max->value_or(1000));
  auto info = o.executor->Get(id);
  if (!info.ok()) return FromStatus(info.status());
  if (info->state == QueryState::kQueued || info->state == QueryState::kRunning) {
    return InvalidRequest("Query has not yet finished. Current state: " + std::string(QueryStateName(info->state)));
  }
  if (info->state != QueryState::kSucceeded) {
    return InvalidRequest("Query did not finish successfully. Final query state: " +
                          std::string(QueryStateName(info->state)) + ". " + info->state_change_reason);
  }
  auto token = OptString(req, "NextToken");
  if (!token.ok()) return InvalidRequest(token.status().message());
  uint64_t offset = 0;
  if (*token && !(*token)->empty()) {
    auto off = DecodePageToken(**token, "GetQueryResults", id);
    if (!off.ok()) return InvalidRequest(off.status().message());
    offset = *off;
  }
  auto reader = CsvRowReader::Open(info->result_path, offset);
  if (!reader.ok()) {
    return reader.status().code() == StatusCode::kNotFound
               ? ServiceError("InternalServerException", "the result file " + info->output_location + " is gone", 500)
               : InvalidRequest("NextToken is invalid or belongs to another request");
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("UpdateCount");
  w.Int(0);
  w.Key("ResultSet");
  w.BeginObject();
  w.Key("Rows");
  w.BeginArray();
  size_t n = 0;
  bool more = false;
  while (true) {
    auto row = reader->Next();
    if (!row.ok()) return ServiceError("InternalServerException", row.status().message(), 500);
    if (!*row) break;
    if (n == page) {
      more = true;
      break;
    }
    w.BeginObject();
    w.Key("Data");
    w.BeginArray();
    for (const auto& v : **row) {
      w.BeginObject();
      if (v) {
        w.Key("VarCharValue");
        w.String(*v);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    offset = reader->offset();
    ++n;
  }
  w.EndArray();
  w.Key("ResultSetMetadata");
  w.BeginObject();
  w.Key("ColumnInfo");
  w.BeginArray();
  for (size_t c = 0; c < info->column_names.size(); ++c) {
    const AthenaType t = AthenaTypeOf(c < info->column_types.size() ? info->column_types[c] : "VARCHAR");
    w.BeginObject();
    w.Key("CatalogName");
    w.String("hive");
    w.Key("SchemaName");
    w.String("");
    w.Key("TableName");
    w.String("");
    w.Key("Name");
    w.String(info->column_names[c]);
    w.Key("Label");
    w.String(info->column_names[c]);
    w.Key("Type");
    w.String(t.name);
    w.Key("Precision");
    w.Int(t.precision);
    w.Key("Scale");
    w.Int(t.scale);
    w.Key("Nullable");
    w.String("UNKNOWN");
    w.Key("CaseSensitive");
    w.Bool(IsCaseSensitive(t.name));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  if (more) {
    w.Key("NextToken");
    w.String(EncodePageToken("GetQueryResults", id, offset));
  }
  w.EndObject();
  return w.Take();
}

void WriteWorkGroup(JsonWriter& w, const AthenaOptions& o, bool summary) {
  w.BeginObject();
  w.Key("Name");
  w.String("primary");
  w.Key("State");
  w.String("ENABLED");
  w.Key("Description");
  w.String("Tributary's only workgroup");
  w.Key("CreationTime");
  w.Double(0);
  if (summary) {
    w.Key("EngineVersion");
  } else {
    w.Key("Configuration");
    w.BeginObject();
    w.Key("ResultConfiguration");
    w.BeginObject();
    w.Key("OutputLocation");
    w.String(o.default_output_location);
    w.EndObject();
    w.Key("EnforceWorkGroupConfiguration");
    w.Bool(false);
    w.Key("PublishCloudWatchMetricsEnabled");
    w.Bool(false);
    w.Key("RequesterPaysEnabled");
    w.Bool(false);
    w.Key("EngineVersion");
  }
  w.BeginObject();
  w.Key("SelectedEngineVersion");
  w.String("AUTO");
  w.Key("EffectiveEngineVersion");
  w.String("Athena engine version 3");
  w.EndObject();
  if (!summary) w.EndObject();
  w.EndObject();
}

ApiResult GetWorkGroup(const AthenaOptions& o, simdjson::dom::element req) {
  auto name = OptString(req, "WorkGroup");
  if (!name.ok()) return InvalidRequest(name.status().message());
  if (!*name || (*name)->empty()) return InvalidRequest("WorkGroup is required");
  if (**name != "primary") return InvalidRequest("WorkGroup " + **name + " is not found.");
  JsonWriter w;
  w.BeginObject();
  w.Key("WorkGroup");
  WriteWorkGroup(w, o, false);
  w.EndObject();
  return w.Take();
}

ApiResult ListWorkGroups(const AthenaOptions& o, simdjson::dom::element) {
  JsonWriter w;
  w.BeginObject();
  w.Key("WorkGroups");
  w.BeginArray();
  WriteWorkGroup(w, o, true);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace

AthenaType AthenaTypeOf(std::string_view t) {
  if (t.empty()) return {"varchar", 2147483647, 0};
  if (t.back() == ']') return {"array", 0, 0};
  if (t.substr(0, 6) == "STRUCT") return {"row", 0, 0};
  if (t.substr(0, 3) == "MAP") return {"map", 0, 0};
  if (t.substr(0, 5) == "UNION") return {"varchar", 2147483647, 0};
  if (t.substr(0, 7) == "DECIMAL") {
    AthenaType d{"decimal", 18, 3};
    const size_t open = t.find('('), comma = t.find(',');
    if (open != std::string_view::npos && comma != std::string_view::npos) {
      std::from_chars(t.data() + open + 1, t.data() + comma, d.precision);
      std::from_chars(t.data() + comma + 1, t.data() + t.size() - 1, d.scale);
    }
    return d;
  }
  if (t == "VARCHAR") return {"varchar", 2147483647, 0};
  if (t == "BIGINT" || t == "UBIGINT") return {"bigint", 19, 0};
  if (t == "INTEGER" || t == "UINTEGER") return {"integer", 10, 0};
  if (t == "SMALLINT" || t == "USMALLINT") return {"smallint", 5, 0};
  if (t == "TINYINT" || t == "UTINYINT") return {"tinyint", 3, 0};
  if (t == "HUGEINT" || t == "UHUGEINT") return {"decimal", 38, 0};
  if (t == "DOUBLE") return {"double", 17, 0};
  if (t == "FLOAT") return {"float", 17, 0};
  if (t == "BOOLEAN") return {"boolean", 0, 0};
  if (t == "DATE") return {"date", 0, 0};
  if (t == "TIMESTAMP" || t == "TIMESTAMP_MS" || t == "TIMESTAMP_NS" || t == "TIMESTAMP_S") return {"timestamp", 3, 0};
  if (t == "TIMESTAMP WITH TIME ZONE") return {"timestamp with time zone", 3, 0};
  if (t == "TIME") return {"time", 3, 0};
  if (t == "INTERVAL") return {"interval day to second", 0, 0};
  if (t == "BLOB") return {"varbinary", 1073741824, 0};
  if (t == "JSON") return {"json", 0, 0};
  if (t == "UUID") return {"uuid", 0, 0};
  return {"varchar", 2147483647, 0};
}

void RegisterAthena(dynamodb::OperationRegistry& registry, const AthenaOptions& options) {
  auto add = [&](std::string_view op, ApiResult (*fn)(const AthenaOptions&, simdjson::dom::element)) {
    registry.Add(std::string(kAthenaTargetPrefix) + std::string(op),
                 [options, fn](simdjson::dom::element req, dynamodb::ApiContext&) { return fn(options, req); });
  };
  add("StartQueryExecution", StartQueryExecution);
  add("GetQueryExecution", GetQueryExecution);
  add("BatchGetQueryExecution", BatchGetQueryExecution);
  add("GetQueryResults", GetQueryResults);
  add("ListQueryExecutions", ListQueryExecutions);
  add("StopQueryExecution", StopQueryExecution);
  add("GetWorkGroup", GetWorkGroup);
  add("ListWorkGroups", ListWorkGroups);
}

}  // namespace tributary::lakeapi
