// RegisterStreams: the DynamoDB Streams API (DynamoDBStreams_20120810.*) over StreamAdmin:
// ListStreams, DescribeStream, GetShardIterator, GetRecords. Shard iterators are encoded and
// checked in streams_iterator.cc.
#include <cinttypes>
#include <cstdio>

#include "core/clock.h"
#include "core/json_writer.h"
#include "dynamodb/api.h"
#include "dynamodb/streams_iterator.h"
#include "table/table_engine.h"
#include "table/table_stream.h"
#include "table/table_stream_admin.h"

namespace tributary::dynamodb {

namespace {

using table::ShardPosition;
using table::StreamAdmin;
using table::StreamInfo;

constexpr size_t kMaxRecordsBytes = 1024 * 1024;

// Collects "Value ... at '<field>' failed to satisfy constraint: ..." errors as DynamoDB words
// them: "1 validation error detected: ..." / "2 validation errors detected: ...; ...".
class Violations {
 public:
  void Add(std::string_view value_text, std::string_view field, std::string_view constraint) {
    items_.push_back("Value " + std::string(value_text) + " at '" + std::string(field) +
                     "' failed to satisfy constraint: " + std::string(constraint));
  }
  bool empty() const { return items_.empty(); }
  ApiError Error() const {
    std::string msg = std::to_string(items_.size()) +
                      (items_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < items_.size(); ++i) {
      if (i > 0) msg += "; ";
      msg += items_[i];
    }
    return ApiError::Validation(std::move(msg));
  }

 private:
  std::vector<std::string> items_;
};

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

ApiError WrongType(std::string_view member) {
  return ApiError::Service("SerializationException",
                           "Unexpected value type in payload for member " + std::string(member));
}

// Reads an optional string member; false with *error set when it has the wrong type.
bool GetString(simdjson::dom::element request, std::string_view member, std::optional<std::string>* out,
               std::optional<ApiError>* error) {
  simdjson::dom::element e;
  if (request[member].get(e) != simdjson::SUCCESS || e.is_null()) return true;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) {
    *error = WrongType(member);
    return false;
  }
  *out = std::string(s);
  return true;
}

bool GetInt(simdjson::dom::element request, std::string_view member, std::optional<int64_t>* out,
            std::optional<ApiError>* error) {
  simdjson::dom::element e;
  if (request[member].get(e) != simdjson::SUCCESS || e.is_null()) return true;
  int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) {
    *error = WrongType(member);
    return false;
  }
  *out = v;
  return true;
}

void CheckRequired(const std::optional<std::string>& value, std::string_view field, Violations* v) {
  if (!value) v->Add("null", field, "Member must not be null");
}

void CheckLength(const std::optional<std::string>& value, std::string_view field, size_t min, size_t max,
                 Violations* v) {
  if (!value) return;
  if (value->size() < min) {
    v->Add(Quoted(*value), field, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value->size() > max) {
    v->Add(Quoted(*value), field, "Member must have length less than or equal to " + std::to_string(max));
  }
}

void CheckRange(const std::optional<int64_t>& value, std::string_view field, int64_t min, int64_t max,
                Violations* v) {
  if (!value) return;
  if (*value < min) {
    v->Add(Quoted(std::to_string(*value)), field,
           "Member must have value greater than or equal to " + std::to_string(min));
  } else if (*value > max) {
    v->Add(Quoted(std::to_string(*value)), field,
           "Member must have value less than or equal to " + std::to_string(max));
  }
}

ApiError FromEngine(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound: return ApiError::ResourceNotFound(s.message());
    case StatusCode::kOutOfRange: return ApiError::Dynamo("TrimmedDataAccessException", s.message());
    default: return ApiError::FromStatus(s);
  }
}

// Iterator times follow the engine's Clock (the one that stamps and trims records).
int64_t NowMillis(const ApiContext& ctx) {
  if (ctx.engine->options().clock != nullptr) return ctx.engine->options().clock->NowMillis();
  if (ctx.clock != nullptr) return ctx.clock->NowMillis();
  return SystemClock::Default()->NowMillis();
}

// Epoch seconds with milliseconds, as a JSON number (1700000000.123).
std::string EpochSeconds(int64_t ms) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
  return buf;
}

ApiResult ListStreams(simdjson::dom::element request, ApiContext& ctx) {
  std::optional<ApiError> error;
  std::optional<std::string> table_name, exclusive_start;
  std::optional<int64_t> limit;
  if (!GetString(request, "TableName", &table_name, &error) ||
      !GetString(request, "ExclusiveStartStreamArn", &exclusive_start, &error) ||
      !GetInt(request, "Limit", &limit, &error)) {
    return *error;
  }
  Violations v;
  CheckRange(limit, "limit", 1, 100, &v);
  CheckLength(table_name, "tableName", 3, 255, &v);
  CheckLength(exclusive_start, "exclusiveStartStreamArn", 37, 1024, &v);
  if (!v.empty()) return v.Error();

  std::vector<std::string> tables;
  if (table_name) {
    tables.push_back(*table_name);
  } else {
    auto listed = ctx.engine->ListTables();
    if (!listed.ok()) return FromEngine(listed.status());
    tables = std::move(listed->table_names);
  }
  std::vector<StreamInfo> streams;
  for (const std::string& t : tables) {
    auto found = StreamAdmin::ListTableStreams(*ctx.engine, t);
    if (!found.ok()) {
      if (found.status().code() != StatusCode::kNotFound) return FromEngine(found.status());
      if (table_name) return ApiError::ResourceNotFound("Requested resource not found: Table: " + t + " not found");
      continue;  // deleted meanwhile
    }
    for (auto& s : *found) streams.push_back(std::move(s));
  }
  size_t begin = 0;
  if (exclusive_start) {
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].stream_arn == *exclusive_start) begin = i + 1;
    }
  }
  const size_t max = static_cast<size_t>(limit.value_or(100));
  JsonWriter w;
  w.BeginObject();
  size_t end = std::min(streams.size(), begin + max);
  if (end < streams.size() && end > begin) {
    w.Key("LastEvaluatedStreamArn");
    w.String(streams[end - 1].stream_arn);
  }
  w.Key("Streams");
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) {
    w.BeginObject();
    w.Key("StreamArn");
    w.String(streams[i].stream_arn);
    w.Key("StreamLabel");
    w.String(streams[i].stream_label);
    w.Key("TableName");
    w.String(streams[i].table_name);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

ApiResult DescribeStream(simdjson::dom::element request, ApiContext& ctx) {
  std::optional<ApiError> error;
  std::optional<std::string> arn, exclusive_start;
  std::optional<int64_t> limit;
  if (!GetString(request, "StreamArn", &arn, &error) ||
      !GetString(request, "ExclusiveStartShardId", &exclusive_start, &error) ||
      !GetInt(request, "Limit", &limit, &error)) {
    return *error;
  }
  Violations v;
  CheckRequired(arn, "streamArn", &v);
  CheckLength(arn, "streamArn", 37, 1024, &v);
  CheckRange(limit, "limit", 1, 100, &v);
  CheckLength(exclusive_start, "exclusiveStartShardId", 28, 65, &v);
  if (!v.empty()) return v.Error();

  auto info = StreamAdmin::DescribeStream(*ctx.engine, *arn);
  if (!info.ok()) return FromEngine(info.status());
  const StreamInfo& s = *info;
  size_t begin = 0;
  if (exclusive_start) {
    for (size_t i = 0; i < s.shards.size(); ++i) {
      if (s.shards[i].shard_id == *exclusive_start) begin = i + 1;
    }
  }
  const size_t max = static_cast<size_t>(limit.value_or(100));
  const size_t end = std::min(s.shards.size(), begin + max);

  JsonWriter w;
  w.BeginObject();
  w.Key("StreamDescription");
  w.BeginObject();
  w.Key("CreationRequestDateTime");
  w.Raw(EpochSeconds(s.creation_ms));
  w.Key("KeySchema");
  w.BeginArray();
  w.BeginObject();
  w.Key("AttributeName");
  w.String(s.hash_key.name);
  w.Key("KeyType");
  w.String("HASH");
  w.EndObject();
  if (s.range_key) {
    w.BeginObject();
    w.Key("AttributeName");
    w.String(s.range_key->name);
    w.Key("KeyType");
    w.String("RANGE");
    w.EndObject();
  }
  w.EndArray();
  if (end < s.shards.size() && end > begin) {
    w.Key("LastEvaluatedShardId");
    w.String(s.shards[end - 1].shard_id);
  }
  w.Key("Shards");
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) {
    const auto& shard = s.shards[i];
    w.BeginObject();
    if (!shard.parent_shard_id.empty()) {
      w.Key("ParentShardId");
      w.String(shard.parent_shard_id);
    }
    w.Key("SequenceNumberRange");
    w.BeginObject();
    if (!shard.ending_sequence_number.empty()) {
      w.Key("EndingSequenceNumber");
      w.String(shard.ending_sequence_number);
    }
    w.Key("StartingSequenceNumber");
    w.String(shard.starting_sequence_number);
    w.EndObject();
    w.Key("ShardId");
    w.String(shard.shard_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("StreamArn");
  w.String(s.stream_arn);
  w.Key("StreamLabel");
  w.String(s.stream_label);
  w.Key("StreamStatus");
  w.String(s.enabled ? "ENABLED" : "DISABLED");
  w.Key("StreamViewType");
  w.String(StreamViewTypeName(s.view_type));
  w.Key("TableName");
  w.String(s.table_name);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

ApiResult GetShardIterator(simdjson::dom::element request, ApiContext& ctx) {
  std::optional<ApiError> error;
  std::optional<std::string> arn, shard_id, type, sequence;
  if (!GetString(request, "StreamArn", &arn, &error) || !GetString(request, "ShardId", &shard_id, &error) ||
      !GetString(request, "ShardIteratorType", &type, &error) ||
      !GetString(request, "SequenceNumber", &sequence, &error)) {
    return *error;
  }
  Violations v;
  CheckRequired(arn, "streamArn", &v);
  CheckLength(arn, "streamArn", 37, 1024, &v);
  CheckRequired(shard_id, "shardId", &v);
  CheckLength(shard_id, "shardId", 28, 65, &v);
  CheckRequired(type, "shardIteratorType", &v);
  if (type && *type != "TRIM_HORIZON" && *type != "LATEST" && *type != "AT_SEQUENCE_NUMBER" &&
      *type != "AFTER_SEQUENCE_NUMBER") {
    v.Add(Quoted(*type), "shardIteratorType",
          "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
  }
  CheckLength(sequence, "sequenceNumber", 21, 40, &v);
  if (!v.empty()) return v.Error();

  const bool by_sequence = *type == "AT_SEQUENCE_NUMBER" || *type == "AFTER_SEQUENCE_NUMBER";
  if (by_sequence && !sequence) {
    return ApiError::Validation("Must provide a SequenceNumber for ShardIteratorType " + *type);
  }
  if (!by_sequence && sequence) {
    return ApiError::Validation("SequenceNumber must not be provided for ShardIteratorType " + *type);
  }
  // The stream and shard must exist.
  auto info = StreamAdmin::DescribeStream(*ctx.engine, *arn);
  if (!info.ok()) return FromEngine(info.status());
  const table::StreamShardInfo* shard = nullptr;
  for (const auto& s : info->shards) {
    if (s.shard_id == *shard_id) shard = &s;
  }
  if (shard == nullptr) {
    return ApiError::ResourceNotFound("Requested resource not found: Shard does not exist: " + *shard_id);
  }
  ShardPosition position;
  if (*type == "LATEST") {
    auto latest = StreamAdmin::LatestPosition(*ctx.engine, *arn, *shard_id);
    if (!latest.ok()) return FromEngine(latest.status());
    position = *latest;
  } else if (by_sequence) {
    auto counter = table::ParseSequenceNumber(*sequence);
    if (!counter.ok()) return ApiError::Validation("Invalid SequenceNumber: " + *sequence);
    if (!shard->ending_sequence_number.empty() && *sequence > shard->ending_sequence_number) {
      return ApiError::Validation("SequenceNumber " + *sequence + " is beyond the end of shard " + *shard_id);
    }
    position.trim_horizon = false;
    position.after = *type == "AT_SEQUENCE_NUMBER" ? (*counter > 0 ? *counter - 1 : 0) : *counter;
  }
  ShardIteratorState state{*arn, *shard_id, position, NowMillis(ctx)};
  JsonWriter w;
  w.BeginObject();
  w.Key("ShardIterator");
  w.String(EncodeShardIterator(state));
  w.EndObject();
  return w.Take();
}

ApiResult GetRecords(simdjson::dom::element request, ApiContext& ctx) {
  std::optional<ApiError> error;
  std::optional<std::string> iterator;
  std::optional<int64_t> limit;
  if (!GetString(request, "ShardIterator", &iterator, &error) || !GetInt(request, "Limit", &limit, &error)) {
    return *error;
  }
  Violations v;
  CheckRequired(iterator, "shardIterator", &v);
  CheckLength(iterator, "shardIterator", 1, 2048, &v);
  CheckRange(limit, "limit", 1, 1000, &v);
  if (!v.empty()) return v.Error();

  auto state = DecodeShardIterator(*iterator);
  if (!state.ok()) return ApiError::Validation("Invalid ShardIterator");
  const int64_t now = NowMillis(ctx);
  if (now - state->created_ms > kShardIteratorLifetimeMs) {
    return ApiError::Dynamo("ExpiredIteratorException", ExpiredIteratorMessage(state->created_ms, now));
  }
  auto read = StreamAdmin::ReadShard(*ctx.engine, state->stream_arn, state->shard_id, state->position,
                                     static_cast<int>(limit.value_or(1000)));
  if (!read.ok()) return FromEngine(read.status());

  JsonWriter records;
  records.BeginArray();
  size_t bytes = 0;
  size_t taken = 0;
  JsonWriter one;
  for (auto& r : read->records) {
    r.aws_region = ctx.region;
    one.Clear();
    r.AppendJson(one);
    if (taken > 0 && bytes + one.str().size() > kMaxRecordsBytes) break;
    bytes += one.str().size();
    records.Raw(one.str());
    ++taken;
  }
  records.EndArray();
  ShardPosition next = read->next;
  bool drained = read->closed_and_drained;
  if (taken < read->records.size()) {  // cut by the 1 MB cap: resume after the last one sent
    auto counter = table::ParseSequenceNumber(read->records[taken - 1].sequence_number);
    if (!counter.ok()) return ApiError::Internal(counter.status().message());
    next = ShardPosition{false, *counter};
    drained = false;
  }
  JsonWriter w;
  w.BeginObject();
  if (!drained) {
    w.Key("NextShardIterator");
    w.String(EncodeShardIterator(ShardIteratorState{state->stream_arn, state->shard_id, next, now}));
  }
  w.Key("Records");
  w.Raw(records.str());
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterStreams(OperationRegistry& registry) {
  const std::string p(kStreamsTargetPrefix);
  registry.Add(p + "ListStreams", ListStreams);
  registry.Add(p + "DescribeStream", DescribeStream);
  registry.Add(p + "GetShardIterator", GetShardIterator);
  registry.Add(p + "GetRecords", GetRecords);
}

}  // namespace tributary::dynamodb
