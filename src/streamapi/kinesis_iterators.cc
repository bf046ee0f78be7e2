// Kinesis shard iterators (GetShardIterator, GetRecords) of the service in kinesis_service.h.

#include <charconv>
#include <optional>
#include <string>

#include "core/encoding.h"
#include "core/json_writer.h"
#include "stream/embedded_stream.h"
#include "stream/stream_format.h"
#include "streamapi/base64.h"
#include "streamapi/kinesis_service.h"

namespace tributary::streamapi::kinesis_detail {

namespace {

// ---- shard iterators: base64("1/<issued ms>/<stream creation ms>/<shard>/<sequence>/<stream>")

struct Iterator {
  int64_t issued_ms = 0;
  int64_t creation_ms = 0;
  std::string shard_id;
  std::string sequence_number;  // the next record to read (AT_SEQUENCE_NUMBER)
  std::string stream;
};

std::string EncodeIterator(const Iterator& it) {
  return Base64Encode("1/" + std::to_string(it.issued_ms) + "/" + std::to_string(it.creation_ms) + "/" + it.shard_id +
                      "/" + it.sequence_number + "/" + it.stream);
}

std::optional<Iterator> DecodeIterator(std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw.ok() || raw->rfind("1/", 0) != 0) return std::nullopt;
  std::vector<std::string_view> parts;
  std::string_view rest = std::string_view(*raw).substr(2);
  for (int k = 0; k < 4; ++k) {
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    parts.push_back(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
  }
  Iterator it;
  auto num = [](std::string_view s, int64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  if (!num(parts[0], &it.issued_ms) || !num(parts[1], &it.creation_ms)) return std::nullopt;
  it.shard_id = std::string(parts[2]);
  it.sequence_number = std::string(parts[3]);
  it.stream = std::string(rest);
  if (!stream::format::ParseShardId(it.shard_id) || !ValidStreamName(it.stream)) return std::nullopt;
  return it;
}

}  // namespace

ApiResult KinesisService::GetShardIterator(element req) {
  auto name_or = StreamNameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  KIN_MEMBER(shard_id, OptString(req, "ShardId"));
  KIN_MEMBER(type, OptString(req, "ShardIteratorType"));
  KIN_MEMBER(seq, OptString(req, "StartingSequenceNumber"));
  KIN_MEMBER(ts, OptTimestampMs(req, "Timestamp"));
  if (!shard_id) return ValidationError("shardId", "null", "Member must not be null");
  if (!type) return ValidationError("shardIteratorType", "null", "Member must not be null");
  stream::StartPosition start;
  if (*type == "TRIM_HORIZON") {
    start = stream::StartPosition::TrimHorizon();
  } else if (*type == "LATEST") {
    start = stream::StartPosition::Latest();
  } else if (*type == "AT_SEQUENCE_NUMBER" || *type == "AFTER_SEQUENCE_NUMBER") {
    if (!seq) {
      return Error("InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                                               "and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                               "StartingSequenceNumber. Request specified " + std::string(*type) +
                                               " and no StartingSequenceNumber.");
    }
    start = *type == "AT_SEQUENCE_NUMBER" ? stream::StartPosition::At(std::string(*seq))
                                          : stream::StartPosition::After(std::string(*seq));
  } else if (*type == "AT_TIMESTAMP") {
    if (!ts) {
      return Error("InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type "
                                               "AT_TIMESTAMP. Current request has no timestamp parameter.");
    }
    const int64_t now = o_.clock->NowMillis();
    if (*ts > now) {
      return Error("InvalidArgumentException", "The timestampInMillis parameter cannot be greater than the "
                                               "currentTimestampInMillis. timestampInMillis: " + std::to_string(*ts) +
                                               ", currentTimestampInMillis: " + std::to_string(now));
    }
    start = stream::StartPosition::AtTimestamp(*ts);
  } else {
    return ValidationError("shardIteratorType", *type,
                           "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, "
                           "AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
  }
  if (seq && start.type != stream::IteratorType::kAtSequenceNumber &&
      start.type != stream::IteratorType::kAfterSequenceNumber) {
    return Error("InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                                             "and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                             "StartingSequenceNumber. Request specified " + std::string(*type) +
                                             " and also a StartingSequenceNumber.");
  }
  auto found = Find(name);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  auto [s, d] = std::get<0>(found);
  if (!stream::format::ParseShardId(*shard_id)) return ShardNotFound(name, *shard_id);
  auto reader = s->OpenReader(*shard_id, start);
  if (!reader.ok() && reader.status().code() == StatusCode::kOutOfRange) {
    // Kinesis starts a position older than the retention at the oldest record kept.
    reader = s->OpenReader(*shard_id, stream::StartPosition::TrimHorizon());
  }
  if (!reader.ok()) {
    if (reader.status().code() == StatusCode::kNotFound) {
      return reader.status().message().find("shard") != std::string::npos ? ShardNotFound(name, *shard_id)
                                                                           : StreamNotFound(name);
    }
    if (reader.status().code() == StatusCode::kInvalidArgument) {
      return Error("InvalidArgumentException", "Invalid StartingSequenceNumber. " + reader.status().message());
    }
    return Internal(reader.status());
  }
  std::optional<stream::StartPosition> pos = (*reader)->ResumePosition();
  if (!pos) return Internal(Status::Internal("the stream cannot express a shard iterator position"));
  Iterator it{o_.clock->NowMillis(), d.creation_ms, std::string(*shard_id), pos->sequence_number, name};
  JsonWriter w;
  w.BeginObject();
  w.Key("ShardIterator");
  w.String(EncodeIterator(it));
  w.EndObject();
  return w.Take();
}

ApiResult KinesisService::GetRecords(element req) {
  KIN_MEMBER(token, OptString(req, "ShardIterator"));
  KIN_MEMBER(limit, OptInt(req, "Limit"));
  if (!token) return ValidationError("shardIterator", "null", "Member must not be null");
  if (token->size() < 1 || token->size() > 512) {
    return ValidationError("shardIterator", *token, "Member must have length less than or equal to 512");
  }
  if (limit && (*limit < 1 || *limit > 10000)) {
    return ValidationError("limit", std::to_string(*limit),
                           *limit < 1 ? "Member must have value greater than or equal to 1"
                                      : "Member must have value less than or equal to 10000");
  }
  std::optional<Iterator> it = DecodeIterator(*token);
  if (!it) return Error("InvalidArgumentException", "Invalid ShardIterator.");
  const int64_t now = o_.clock->NowMillis();
  if (now - it->issued_ms > o_.iterator_ttl_ms) {
    return Error("ExpiredIteratorException", "Iterator expired. The iterator was created at time " +
                                                 AmzUtcString(it->issued_ms) + " while right now it is " +
                                                 AmzUtcString(now) +
                                                 " which is further in the future than the tolerated delay of " +
                                                 std::to_string(o_.iterator_ttl_ms) + " milliseconds.");
  }
  auto found = Find(it->stream);
  if (std::holds_alternative<ApiError>(found)) return ShardNotFound(it->stream, it->shard_id);
  auto [s, d] = std::get<0>(found);
  if (d.creation_ms != it->creation_ms) return ShardNotFound(it->stream, it->shard_id);
  auto reader = s->OpenReader(it->shard_id, stream::StartPosition::At(it->sequence_number));
  if (!reader.ok() && reader.status().code() == StatusCode::kOutOfRange) {
    reader = s->OpenReader(it->shard_id, stream::StartPosition::TrimHorizon());
  }
  if (!reader.ok()) {
    if (reader.status().code() == StatusCode::kNotFound) return ShardNotFound(it->stream, it->shard_id);
    if (reader.status().code() == StatusCode::kInvalidArgument) {
      return Error("InvalidArgumentException", "Invalid ShardIterator.");
    }
    return Internal(reader.status());
  }
  stream::ReadBatch batch;
  Status read = (*reader)->ReadInto(static_cast<size_t>(limit.value_or(10000)), &batch);
  if (read.code() == StatusCode::kOutOfRange) {
    reader = s->OpenReader(it->shard_id, stream::StartPosition::TrimHorizon());
    if (!reader.ok()) return Internal(reader.status());
    read = (*reader)->ReadInto(static_cast<size_t>(limit.value_or(10000)), &batch);
  }
  if (!read.ok()) {
    if (read.code() == StatusCode::kNotFound) return ShardNotFound(it->stream, it->shard_id);
    return Internal(read);
  }
  std::optional<stream::StartPosition> pos = (*reader)->ResumePosition();
  if (!pos) return Internal(Status::Internal("the stream cannot express a shard iterator position"));
  Iterator next{now, it->creation_ms, it->shard_id, pos->sequence_number, it->stream};
  JsonWriter w;
  std::string b64;
  w.BeginObject();
  w.Key("Records");
  w.BeginArray();
  for (const stream::StreamRecord& r : batch.records) {
    w.BeginObject();
    w.Key("SequenceNumber");
    w.String(r.sequence_number);
    w.Key("ApproximateArrivalTimestamp");
    w.Double(EpochSeconds(r.approximate_arrival_ms));
    w.Key("Data");
    b64.clear();
    AppendBase64Encoded(r.data, &b64);
    w.String(b64);
    w.Key("PartitionKey");
    w.String(r.partition_key);
    w.EndObject();
  }
  w.EndArray();
  w.Key("NextShardIterator");
  w.String(EncodeIterator(next));
  w.Key("MillisBehindLatest");
  w.Int(batch.millis_behind_latest);
  w.EndObject();
  return w.Take();
}

}  // namespace tributary::streamapi::kinesis_detail
