#include "streamapi/kinesis_api.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/encoding.h"
#include "core/json_writer.h"
#include "stream/embedded_stream.h"
#include "stream/stream_format.h"
#include "streamapi/api_util.h"
#include "streamapi/base64.h"
#include "streamapi/kinesis_service.h"

namespace tributary::streamapi {
namespace kinesis_detail {

std::variant<std::string, ApiError> KinesisService::StreamNameOf(element req) const {
  KIN_MEMBER(name, OptString(req, "StreamName"));
  KIN_MEMBER(arn, OptString(req, "StreamARN"));
  std::string out;
  if (name) {
    out = std::string(*name);
  } else if (arn) {
    const std::string_view prefix = "arn:aws:kinesis:";
    const size_t slash = arn->find(":stream/");
    if (arn->substr(0, prefix.size()) != prefix || slash == std::string_view::npos) {
      return ValidationError("streamARN", *arn,
                             "Member must satisfy regular expression pattern: "
                             "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
    }
    out = std::string(arn->substr(slash + 8));
  } else {
    return Error("InvalidArgumentException", "Either StreamName or StreamARN should be provided.");
  }
  if (!ValidStreamName(out)) {
    if (out.empty() || out.size() > 128) {
      return ValidationError("streamName", out,
                             out.empty() ? "Member must have length greater than or equal to 1"
                                         : "Member must have length less than or equal to 128");
    }
    return ValidationError("streamName", out, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  return out;
}

std::variant<std::pair<DataStream*, stream::StreamDescription>, ApiError> KinesisService::Find(
    std::string_view name) const {
  auto s = o_.store->GetStream(name);
  auto d = o_.store->DescribeStream(name);
  if (!s.ok() || !d.ok()) return StreamNotFound(name);
  return std::make_pair(*s, *d);
}

void KinesisService::WriteModeDetails(JsonWriter& w, std::string_view name) {
  bool on_demand = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = extras_.find(name); it != extras_.end()) on_demand = it->second.on_demand;
  }
  w.Key("StreamModeDetails");
  w.BeginObject();
  w.Key("StreamMode");
  w.String(on_demand ? "ON_DEMAND" : "PROVISIONED");
  w.EndObject();
}

namespace {

void WriteShard(JsonWriter& w, const stream::ShardInfo& s) {
  w.BeginObject();
  w.Key("ShardId");
  w.String(s.shard_id);
  w.Key("HashKeyRange");
  w.BeginObject();
  w.Key("StartingHashKey");
  w.String(Uint128ToDecimal(s.starting_hash_key));
  w.Key("EndingHashKey");
  w.String(Uint128ToDecimal(s.ending_hash_key));
  w.EndObject();
  w.Key("SequenceNumberRange");
  w.BeginObject();
  w.Key("StartingSequenceNumber");
  w.String(s.starting_sequence_number);
  w.EndObject();
  w.EndObject();
}

// Reads a map of string tags ({"k":"v"}); SerializationException for other shapes.
std::variant<std::map<std::string, std::string>, ApiError> TagsOf(element req, std::string_view key) {
  std::map<std::string, std::string> out;
  KIN_MEMBER(tags, OptObject(req, key));
  if (!tags) return out;
  simdjson::dom::object obj;
  if (tags->get_object().get(obj) != simdjson::SUCCESS) return Error("SerializationException", "Tags must be a map");
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS) {
      return Error("SerializationException", "Tags values must be strings");
    }
    if (field.key.empty() || field.key.size() > 128) {
      return ValidationError("tags", field.key, "Member must have length between 1 and 128");
    }
    if (v.size() > 256) return ValidationError("tags", v, "Member must have length less than or equal to 256");
    out.emplace(std::string(field.key), std::string(v));
  }
  return out;
}

}  // namespace

ApiResult KinesisService::CreateStream(element req) {
  KIN_MEMBER(name_opt, OptString(req, "StreamName"));
  if (!name_opt) return ValidationError("streamName", "null", "Member must not be null");
  const std::string name(*name_opt);
  if (!ValidStreamName(name)) {
    return ValidationError("streamName", name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  KIN_MEMBER(count, OptInt(req, "ShardCount"));
  KIN_MEMBER(mode_details, OptObject(req, "StreamModeDetails"));
  bool on_demand = false;
  if (mode_details) {
    KIN_MEMBER(mode, OptString(*mode_details, "StreamMode"));
    if (!mode || (*mode != "PROVISIONED" && *mode != "ON_DEMAND")) {
      return ValidationError("streamModeDetails.streamMode", mode ? *mode : "null",
                             "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
    }
    on_demand = *mode == "ON_DEMAND";
  }
  if (!count && !on_demand) {
    return Error("InvalidArgumentException", "ShardCount is required for PROVISIONED streams");
  }
  const int64_t shards = count.value_or(4);  // ON_DEMAND streams start with 4 shards on AWS
  if (shards < 1) return ValidationError("shardCount", std::to_string(shards), "Member must have value greater than or equal to 1");
  if (shards > stream::format::kMaxShardCount) {
    return Error("LimitExceededException", "This request would exceed the shard limit for the account " +
                                               o_.account_id + " in " + o_.region + ". Current shard count for the account: 0. Limit: " +
                                               std::to_string(stream::format::kMaxShardCount) + ". Number of additional shards that would have resulted from this request: " +
                                               std::to_string(shards) + ".");
  }
  auto tags = TagsOf(req, "Tags");
  if (auto* e = std::get_if<ApiError>(&tags)) return *e;
  if (std::get<0>(tags).size() > kMaxTagsPerStream) {
    return Error("InvalidArgumentException", "A stream can have at most 50 tags");
  }
  if (o_.store->GetStream(name).ok()) {
    return Error("ResourceInUseException", "Stream " + name + " under account " + o_.account_id + " already exists.");
  }
  auto created = o_.store->CreateStream(name, static_cast<int>(shards), kMinRetentionHours);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kAlreadyExists) {
      return Error("ResourceInUseException", "Stream " + name + " under account " + o_.account_id + " already exists.");
    }
    return Internal(created.status());
  }
  std::lock_guard<std::mutex> lock(mu_);
  StreamExtras& extras = extras_[name];
  extras = StreamExtras{};
  extras.tags = std::move(std::get<0>(tags));
  extras.on_demand = on_demand;
  return std::string("{}");
}

ApiResult KinesisService::DeleteStream(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  if (o_.protected_streams.count(name) != 0 || (o_.stream_in_use && o_.stream_in_use(name))) {
    if (!o_.store->GetStream(name).ok()) return StreamNotFound(name);
    return Error("ResourceInUseException", "Stream " + name + " under account " + o_.account_id +
                                               " is in use by the pipeline (a pipe or a delivery stream reads or "
                                               "writes it); remove that first.");
  }
  Status s = o_.store->DeleteStream(name);
  if (s.code() == StatusCode::kNotFound) return StreamNotFound(name);
  if (!s.ok()) return Internal(s);
  std::lock_guard<std::mutex> lock(mu_);
  extras_.erase(name);
  for (auto it = windows_.lower_bound(name + "/"); it != windows_.end() && it->first.rfind(name + "/", 0) == 0;) {
    it = windows_.erase(it);
  }
  return std::string("{}");
}

ApiResult KinesisService::DescribeStream(element req, bool summary) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  auto [s, d] = std::get<0>(found);
  const std::vector<stream::ShardInfo> shards = s->ListShards();
  size_t begin = 0;
  size_t limit = 100;
  if (!summary) {
    KIN_MEMBER(lim, OptInt(req, "Limit"));
    if (lim && (*lim < 1 || *lim > 10000)) {
      return ValidationError("limit", std::to_string(*lim),
                             *lim < 1 ? "Member must have value greater than or equal to 1"
                                      : "Member must have value less than or equal to 10000");
    }
    if (lim) limit = static_cast<size_t>(*lim);
    KIN_MEMBER(start, OptString(req, "ExclusiveStartShardId"));
    if (start) {
      while (begin < shards.size() && shards[begin].shard_id <= *start) ++begin;
    }
  }
  JsonWriter w;
  w.BeginObject();
  w.Key(summary ? "StreamDescriptionSummary" : "StreamDescription");
  w.BeginObject();
  w.Key("StreamName");
  w.String(name);
  w.Key("StreamARN");
  w.String(Arn(name));
  w.Key("StreamStatus");
  w.String("ACTIVE");
  WriteModeDetails(w, name);
  if (!summary) {
    w.Key("Shards");
    w.BeginArray();
    const size_t end = std::min(shards.size(), begin + limit);
    for (size_t i = begin; i < end; ++i) WriteShard(w, shards[i]);
    w.EndArray();
    w.Key("HasMoreShards");
    w.Bool(end < shards.size());
  }
  w.Key("RetentionPeriodHours");
  w.Int(d.retention_hours);
  w.Key("StreamCreationTimestamp");
  w.Double(EpochSeconds(d.creation_ms));
  w.Key("EnhancedMonitoring");
  w.BeginArray();
  w.BeginObject();
  w.Key("ShardLevelMetrics");
  w.BeginArray();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.Key("EncryptionType");
  w.String("NONE");
  if (summary) {
    w.Key("OpenShardCount");
    w.Int(static_cast<int64_t>(shards.size()));
    w.Key("ConsumerCount");
    w.Int(0);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

ApiResult KinesisService::ListStreams(element req) {
  KIN_MEMBER(lim, OptInt(req, "Limit"));
  if (lim && (*lim < 1 || *lim > 10000)) {
    return ValidationError("limit", std::to_string(*lim), "Member must have value between 1 and 10000");
  }
  KIN_MEMBER(start, OptString(req, "ExclusiveStartStreamName"));
  KIN_MEMBER(token, OptString(req, "NextToken"));
  std::vector<std::string> names = o_.store->ListStreams();
  size_t begin = 0;
  if (token && !token->empty()) {
    auto offset = DecodePageToken(*token, "streams", "");
    if (!offset) return Error("InvalidArgumentException", "Invalid NextToken.");
    begin = std::min<size_t>(*offset, names.size());
  } else if (start) {
    while (begin < names.size() && names[begin] <= *start) ++begin;
  }
  const size_t end = std::min(names.size(), begin + static_cast<size_t>(lim.value_or(100)));
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamNames");
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) w.String(names[i]);
  w.EndArray();
  w.Key("HasMoreStreams");
  w.Bool(end < names.size());
  if (end < names.size()) {
    w.Key("NextToken");
    w.String(EncodePageToken("streams", "", end));
  }
  w.Key("StreamSummaries");
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) {
    auto d = o_.store->DescribeStream(names[i]);
    w.BeginObject();
    w.Key("StreamName");
    w.String(names[i]);
    w.Key("StreamARN");
    w.String(Arn(names[i]));
    w.Key("StreamStatus");
    w.String("ACTIVE");
    WriteModeDetails(w, names[i]);
    w.Key("StreamCreationTimestamp");
    w.Double(EpochSeconds(d.ok() ? d->creation_ms : 0));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

ApiResult KinesisService::ListShards(element req) {
  KIN_MEMBER(token, OptString(req, "NextToken"));
  KIN_MEMBER(given_name, OptString(req, "StreamName"));
  KIN_MEMBER(max_results, OptInt(req, "MaxResults"));
  if (max_results && (*max_results < 1 || *max_results > 10000)) {
    return ValidationError("maxResults", std::to_string(*max_results), "Member must have value between 1 and 10000");
  }
  std::string name;
  size_t begin = 0;
  if (token && !token->empty()) {
    if (given_name) {
      return Error("InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
    }
    // The token names its stream: base64("<stream>|<offset>").
    auto raw = Base64Decode(*token);
    const size_t bar = raw.ok() ? raw->rfind('|') : std::string::npos;
    if (bar == std::string::npos) return Error("InvalidArgumentException", "Invalid NextToken.");
    name = raw->substr(0, bar);
    const std::string digits = raw->substr(bar + 1);
    uint64_t off = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), off);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty() || !ValidStreamName(name)) {
      return Error("InvalidArgumentException", "Invalid NextToken.");
    }
    begin = static_cast<size_t>(off);
  } else {
    auto name_or = StreamNameOf(req);
    if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
    name = std::get<0>(name_or);
  }
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  DataStream* s = std::get<0>(found).first;
  std::vector<stream::ShardInfo> shards = s->ListShards();

  KIN_MEMBER(start, OptString(req, "ExclusiveStartShardId"));
  KIN_MEMBER(filter, OptObject(req, "ShardFilter"));
  std::optional<std::string> after = start ? std::optional<std::string>(std::string(*start)) : std::nullopt;
  if (filter) {
    KIN_MEMBER(type, OptString(*filter, "Type"));
    static const std::set<std::string_view> kTypes = {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
                                                      "AT_LATEST",      "AT_TIMESTAMP",    "FROM_TIMESTAMP"};
    if (!type || kTypes.count(*type) == 0) {
      return ValidationError("shardFilter.type", type ? *type : "null",
                             "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, "
                             "FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]");
    }
    KIN_MEMBER(shard_id, OptString(*filter, "ShardId"));
    KIN_MEMBER(ts, OptTimestampMs(*filter, "Timestamp"));
    if (*type == "AFTER_SHARD_ID") {
      if (!shard_id) return Error("InvalidArgumentException", "Must specify ShardId when ShardFilter type is AFTER_SHARD_ID.");
      after = std::string(*shard_id);
    } else if ((*type == "AT_TIMESTAMP" || *type == "FROM_TIMESTAMP") && !ts) {
      return Error("InvalidArgumentException", "Must specify Timestamp when ShardFilter type is " + std::string(*type) + ".");
    }
    // Every shard of an embedded stream is open and has existed since the stream was created,
    // so the trim-horizon, latest and timestamp filters all select every shard.
  }
  if (after) {
    shards.erase(std::remove_if(shards.begin(), shards.end(),
                                [&](const stream::ShardInfo& sh) { return sh.shard_id <= *after; }),
                 shards.end());
  }
  begin = std::min(begin, shards.size());
  const size_t end = std::min(shards.size(), begin + static_cast<size_t>(max_results.value_or(1000)));
  JsonWriter w;
  w.BeginObject();
  w.Key("Shards");
  w.BeginArray();
  for (size_t i = begin; i < end; ++i) WriteShard(w, shards[i]);
  w.EndArray();
  if (end < shards.size()) {
    w.Key("NextToken");
    w.String(Base64Encode(name + "|" + std::to_string(end)));
  }
  w.EndObject();
  return w.Take();
}

// One Records[] entry (or PutRecord's body), decoded into `data_arena`; `index` names the
// member in validation messages ("records.1.member.data"), empty for PutRecord.
namespace {

std::variant<stream::PutRecordEntry, ApiError> ParseEntry(element rec, std::string_view index, std::string* data_arena,
                                                           uint128* explicit_hash, bool* has_explicit) {
  auto member = [&](std::string_view m) {
    return index.empty() ? std::string(m) : "records." + std::string(index) + ".member." + std::string(m);
  };
  KIN_MEMBER(data, OptString(rec, "Data"));
  KIN_MEMBER(pk, OptString(rec, "PartitionKey"));
  KIN_MEMBER(ehk, OptString(rec, "ExplicitHashKey"));
  if (!data) return ValidationError(member("data"), "null", "Member must not be null");
  if (!pk) return ValidationError(member("partitionKey"), "null", "Member must not be null");
  const size_t pk_chars = stream::format::Utf8CharCount(*pk);
  if (pk_chars < 1) return ValidationError(member("partitionKey"), *pk, "Member must have length greater than or equal to 1");
  if (pk_chars > stream::format::kMaxPartitionKeyChars) {
    return ValidationError(member("partitionKey"), *pk, "Member must have length less than or equal to 256");
  }
  const size_t before = data_arena->size();
  if (!AppendBase64Decoded(*data, data_arena)) {
    data_arena->resize(before);
    return Error("SerializationException", "Data must be base64-encoded bytes");
  }
  const size_t size = data_arena->size() - before;
  if (size > kMaxRecordBytes) {
    return ValidationError(member("data"),
                           "java.nio.HeapByteBuffer[pos=0 lim=" + std::to_string(size) + " cap=" + std::to_string(size) + "]",
                           "Member must have length less than or equal to 1048576");
  }
  *has_explicit = false;
  if (ehk) {
    auto parsed = ParseUint128(*ehk);
    if (!parsed.ok()) {
      return Error("InvalidArgumentException",
                   "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " +
                       std::string(*ehk));
    }
    *explicit_hash = *parsed;
    *has_explicit = true;
  }
  stream::PutRecordEntry entry;  // .data is set by the caller once the arena stops growing
  entry.partition_key = *pk;
  return entry;
}

}  // namespace

std::vector<bool> KinesisService::Admit(std::string_view name, const std::vector<stream::ShardInfo>& shards,
                                        const std::vector<stream::PutRecordEntry>& entries,
                                        std::vector<size_t>* shard_of) {
  std::vector<bool> admitted(entries.size(), true);
  if (o_.shard_records_per_second <= 0) return admitted;
  shard_of->assign(entries.size(), 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    const uint128 h = entries[i].explicit_hash_key ? *entries[i].explicit_hash_key : HashKeyOf(entries[i].partition_key);
    for (size_t k = 0; k < shards.size(); ++k) {
      if (h >= shards[k].starting_hash_key && h <= shards[k].ending_hash_key) {
        (*shard_of)[i] = k;
        break;
      }
    }
  }
  const int64_t second = o_.clock->NowMillis() / 1000;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Window*> windows(shards.size(), nullptr);
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t k = (*shard_of)[i];
    if (windows[k] == nullptr) {
      Window& win = windows_[std::string(name) + "/" + shards[k].shard_id];
      if (win.second != second) win = Window{second, 0};
      windows[k] = &win;
    }
    if (windows[k]->records >= o_.shard_records_per_second) {
      admitted[i] = false;
    } else {
      ++windows[k]->records;
    }
  }
  return admitted;
}

ApiResult KinesisService::PutRecords(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  KIN_MEMBER(records, OptArray(req, "Records"));
  if (!records) return ValidationError("records", "null", "Member must not be null");
  const size_t n = records->size();
  if (n < 1) return ValidationError("records", "[]", "Member must have length greater than or equal to 1");
  if (n > kMaxRecordsPerPutRecords) {
    return ValidationError("records", "[...]", "Member must have length less than or equal to 500");
  }
  // Decode every Data into one arena sized for the largest possible output, so the views stay put.
  size_t encoded = 0;
  for (element rec : *records) {
    std::string_view d;
    if (rec.at_key("Data").get_string().get(d) == simdjson::SUCCESS) encoded += d.size();
  }
  std::string arena;
  arena.reserve(encoded / 4 * 3 + 3 * n + 16);
  std::vector<stream::PutRecordEntry> entries;
  entries.reserve(n);
  std::vector<std::pair<size_t, size_t>> spans;  // offset, size in arena
  spans.reserve(n);
  size_t total_bytes = 0;
  size_t i = 0;
  for (element rec : *records) {
    ++i;
    if (rec.type() != simdjson::dom::element_type::OBJECT) {
      return Error("SerializationException", "Records entries must be objects");
    }
    uint128 ehk = 0;
    bool has_ehk = false;
    const size_t before = arena.size();
    auto entry = ParseEntry(rec, std::to_string(i), &arena, &ehk, &has_ehk);
    if (auto* e = std::get_if<ApiError>(&entry)) return *e;
    stream::PutRecordEntry out = std::get<0>(entry);
    if (has_ehk) out.explicit_hash_key = ehk;
    spans.emplace_back(before, arena.size() - before);
    total_bytes += arena.size() - before + out.partition_key.size();
    entries.push_back(out);
  }
  if (total_bytes > kMaxPutRecordsBytes) {
    return Error("InvalidArgumentException", "Records size exceeds 5 MB limit");
  }
  for (size_t k = 0; k < n; ++k) entries[k].data = std::string_view(arena).substr(spans[k].first, spans[k].second);

  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  DataStream* s = std::get<0>(found).first;
  std::vector<stream::ShardInfo> shards;
  std::vector<size_t> shard_of;
  if (o_.shard_records_per_second > 0) shards = s->ListShards();
  const std::vector<bool> admitted = Admit(name, shards, entries, &shard_of);
  std::vector<stream::PutRecordEntry> to_write;
  const bool all = std::all_of(admitted.begin(), admitted.end(), [](bool b) { return b; });
  if (!all) {
    for (size_t k = 0; k < n; ++k) {
      if (admitted[k]) to_write.push_back(entries[k]);
    }
  }
  std::vector<stream::PutRecordResult> results;
  if (all || !to_write.empty()) {
    auto put = s->PutRecords(all ? std::span<const stream::PutRecordEntry>(entries)
                                 : std::span<const stream::PutRecordEntry>(to_write));
    if (!put.ok()) {
      if (put.status().code() == StatusCode::kNotFound) return StreamNotFound(name);
      if (put.status().code() == StatusCode::kInvalidArgument) {
        return Error("InvalidArgumentException", put.status().message());
      }
      return Internal(put.status());
    }
    results = std::move(put).value();
  }
  int64_t failed = 0;
  JsonWriter w;
  w.BeginObject();
  w.Key("FailedRecordCount");
  const size_t failed_pos = w.str().size();
  w.Raw("0000");  // patched below; keeps one pass over the entries
  w.Key("Records");
  w.BeginArray();
  size_t r = 0;
  for (size_t k = 0; k < n; ++k) {
    w.BeginObject();
    if (admitted[k]) {
      const stream::PutRecordResult& res = results[r++];
      w.Key("SequenceNumber");
      w.String(res.sequence_number);
      w.Key("ShardId");
      w.String(res.shard_id);
    } else {
      ++failed;
      w.Key("ErrorCode");
      w.String("ProvisionedThroughputExceededException");
      w.Key("ErrorMessage");
      w.String("Rate exceeded for shard " + shards[shard_of[k]].shard_id + " in stream " + name + " under account " +
               o_.account_id + ".");
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("EncryptionType");
  w.String("NONE");
  w.EndObject();
  std::string body = w.Take();
  std::string count = std::to_string(failed);
  body.replace(failed_pos, 4, count);
  return body;
}

ApiResult KinesisService::PutRecord(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  std::string arena;
  uint128 ehk = 0;
  bool has_ehk = false;
  auto entry_or = ParseEntry(req, "", &arena, &ehk, &has_ehk);
  if (auto* e = std::get_if<ApiError>(&entry_or)) return *e;
  stream::PutRecordEntry entry = std::get<0>(entry_or);
  entry.data = arena;
  if (has_ehk) entry.explicit_hash_key = ehk;
  KIN_MEMBER(ordering, OptString(req, "SequenceNumberForOrdering"));
  (void)ordering;  // a stream's writes are serialized: records of a partition key keep their order anyway
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  DataStream* s = std::get<0>(found).first;
  std::vector<stream::PutRecordEntry> one = {entry};
  if (o_.shard_records_per_second > 0) {
    std::vector<size_t> shard_of;
    const std::vector<stream::ShardInfo> shards = s->ListShards();
    if (!Admit(name, shards, one, &shard_of)[0]) {
      return Error("ProvisionedThroughputExceededException",
                   "Rate exceeded for shard " + shards[shard_of[0]].shard_id + " in stream " + name +
                       " under account " + o_.account_id + ".");
    }
  }
  auto put = s->PutRecords(one);
  if (!put.ok()) {
    if (put.status().code() == StatusCode::kNotFound) return StreamNotFound(name);
    if (put.status().code() == StatusCode::kInvalidArgument) return Error("InvalidArgumentException", put.status().message());
    return Internal(put.status());
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("ShardId");
  w.String((*put)[0].shard_id);
  w.Key("SequenceNumber");
  w.String((*put)[0].sequence_number);
  w.Key("EncryptionType");
  w.String("NONE");
  w.EndObject();
  return w.Take();
}

ApiResult KinesisService::ChangeRetention(element req, bool increase) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  KIN_MEMBER(hours, OptInt(req, "RetentionPeriodHours"));
  if (!hours) return ValidationError("retentionPeriodHours", "null", "Member must not be null");
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  const stream::StreamDescription d = std::get<0>(found).second;
  if (*hours < kMinRetentionHours) {
    return Error("InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (" +
                                                 std::to_string(*hours) + " hours) is too short.");
  }
  if (*hours > kMaxRetentionHours) {
    return Error("InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period (" +
                                                 std::to_string(*hours) + " hours) is too long.");
  }
  if (increase && *hours < d.retention_hours) {
    return Error("InvalidArgumentException", "Requested retention period (" + std::to_string(*hours) +
                                                 " hours) for stream " + name +
                                                 " can not be shorter than existing retention period (" +
                                                 std::to_string(d.retention_hours) +
                                                 " hours). Use DecreaseRetentionPeriod API.");
  }
  if (!increase && *hours > d.retention_hours) {
    return Error("InvalidArgumentException", "Requested retention period (" + std::to_string(*hours) +
                                                 " hours) for stream " + name +
                                                 " can not be longer than existing retention period (" +
                                                 std::to_string(d.retention_hours) +
                                                 " hours). Use IncreaseRetentionPeriod API.");
  }
  Status s = o_.store->SetRetentionHours(name, static_cast<int>(*hours));
  if (s.code() == StatusCode::kNotFound) return StreamNotFound(name);
  if (!s.ok()) return Internal(s);
  return std::string("{}");
}

ApiResult KinesisService::AddTags(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  auto tags = TagsOf(req, "Tags");
  if (auto* e = std::get_if<ApiError>(&tags)) return *e;
  const auto& add = std::get<0>(tags);
  if (add.empty()) return ValidationError("tags", "{}", "Member must have length greater than or equal to 1");
  if (add.size() > kMaxTagsPerCall) {
    return Error("InvalidArgumentException", "Failed to add tags to stream " + name + " under account " + o_.account_id +
                                                 " because a given request cannot have more than 10 tags associated "
                                                 "with it.");
  }
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  std::lock_guard<std::mutex> lock(mu_);
  StreamExtras& extras = extras_[name];
  std::map<std::string, std::string> merged = extras.tags;
  for (const auto& [k, v] : add) merged[k] = v;
  if (merged.size() > kMaxTagsPerStream) {
    return Error("InvalidArgumentException", "Failed to add tags to stream " + name + " under account " + o_.account_id +
                                                 " because a given stream cannot have more than 50 tags associated "
                                                 "with it.");
  }
  extras.tags = std::move(merged);
  return std::string("{}");
}

ApiResult KinesisService::ListTags(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  KIN_MEMBER(start, OptString(req, "ExclusiveStartTagKey"));
  KIN_MEMBER(limit, OptInt(req, "Limit"));
  if (limit && (*limit < 1 || *limit > 50)) {
    return ValidationError("limit", std::to_string(*limit), "Member must have value between 1 and 50");
  }
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  std::map<std::string, std::string> tags;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = extras_.find(name); it != extras_.end()) tags = it->second.tags;
  }
  auto begin = start ? tags.upper_bound(std::string(*start)) : tags.begin();
  const size_t max = static_cast<size_t>(limit.value_or(50));
  JsonWriter w;
  w.BeginObject();
  w.Key("Tags");
  w.BeginArray();
  size_t count = 0;
  auto it = begin;
  for (; it != tags.end() && count < max; ++it, ++count) {
    w.BeginObject();
    w.Key("Key");
    w.String(it->first);
    w.Key("Value");
    w.String(it->second);
    w.EndObject();
  }
  w.EndArray();
  w.Key("HasMoreTags");
  w.Bool(it != tags.end());
  w.EndObject();
  return w.Take();
}

ApiResult KinesisService::RemoveTags(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  KIN_MEMBER(keys, OptArray(req, "TagKeys"));
  if (!keys) return ValidationError("tagKeys", "null", "Member must not be null");
  if (keys->size() < 1 || keys->size() > 10) {
    return ValidationError("tagKeys", "[...]", "Member must have length between 1 and 10");
  }
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  std::lock_guard<std::mutex> lock(mu_);
  StreamExtras& extras = extras_[name];
  for (element k : *keys) {
    std::string_view key;
    if (k.get_string().get(key) != simdjson::SUCCESS) return Error("SerializationException", "TagKeys must be strings");
    extras.tags.erase(std::string(key));
  }
  return std::string("{}");
}

}  // namespace kinesis_detail

std::string KinesisStreamArn(std::string_view region, std::string_view account_id, std::string_view name) {
  return "arn:aws:kinesis:" + std::string(region) + ":" + std::string(account_id) + ":stream/" + std::string(name);
}

void RegisterKinesis(dynamodb::OperationRegistry& registry, const KinesisOptions& options) {
  using kinesis_detail::KinesisService;
  using simdjson::dom::element;
  auto service = std::make_shared<KinesisService>(options);
  auto add = [&](std::string_view op, auto method) {
    registry.Add(std::string(kKinesisTargetPrefix) + std::string(op),
                 [service, method](element req, dynamodb::ApiContext&) { return method(*service, req); });
  };
  add("CreateStream", [](KinesisService& s, element r) { return s.CreateStream(r); });
  add("DeleteStream", [](KinesisService& s, element r) { return s.DeleteStream(r); });
  add("DescribeStream", [](KinesisService& s, element r) { return s.DescribeStream(r, false); });
  add("DescribeStreamSummary", [](KinesisService& s, element r) { return s.DescribeStream(r, true); });
  add("ListStreams", [](KinesisService& s, element r) { return s.ListStreams(r); });
  add("ListShards", [](KinesisService& s, element r) { return s.ListShards(r); });
  add("PutRecord", [](KinesisService& s, element r) { return s.PutRecord(r); });
  add("PutRecords", [](KinesisService& s, element r) { return s.PutRecords(r); });
  add("GetShardIterator", [](KinesisService& s, element r) { return s.GetShardIterator(r); });
  add("GetRecords", [](KinesisService& s, element r) { return s.GetRecords(r); });
  add("IncreaseStreamRetentionPeriod", [](KinesisService& s, element r) { return s.ChangeRetention(r, true); });
  add("DecreaseStreamRetentionPeriod", [](KinesisService& s, element r) { return s.ChangeRetention(r, false); });
  add("AddTagsToStream", [](KinesisService& s, element r) { return s.AddTags(r); });
  add("ListTagsForStream", [](KinesisService& s, element r) { return s.ListTags(r); });
  add("RemoveTagsFromStream", [](KinesisService& s, element r) { return s.RemoveTags(r); });
}

}  // namespace tributary::streamapi
