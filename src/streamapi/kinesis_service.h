// Internal to src/streamapi: the Kinesis Data Streams service behind RegisterKinesis
// (kinesis_api.h), split over kinesis_api.cc (streams, shards, puts, retention, tags) and
// kinesis_iterators.cc (GetShardIterator, GetRecords).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/json_writer.h"
#include "stream/stream.h"
#include "stream/stream_format.h"
#include "streamapi/api_util.h"
#include "streamapi/kinesis_api.h"

namespace tributary::streamapi::kinesis_detail {

using simdjson::dom::element;
using stream::DataStream;

// Unwraps a Member<T> into `var`, returning the ApiError from the handler.
#define KIN_MEMBER(var, expr)                                          \
  auto var##_member = (expr);                                          \
  if (auto* var##_error = std::get_if<ApiError>(&var##_member)) {      \
    return *var##_error;                                               \
  }                                                                    \
  auto var = std::get<0>(std::move(var##_member))

inline constexpr size_t kMaxRecordsPerPutRecords = 500;
inline constexpr size_t kMaxPutRecordsBytes = 5 << 20;
inline constexpr size_t kMaxRecordBytes = 1 << 20;
inline constexpr int kMinRetentionHours = 24;
inline constexpr int kMaxRetentionHours = 8760;
inline constexpr size_t kMaxTagsPerCall = 10;
inline constexpr size_t kMaxTagsPerStream = 50;

struct StreamExtras {
  std::map<std::string, std::string> tags;
  bool on_demand = false;
};

class KinesisService {
 public:
  explicit KinesisService(KinesisOptions options) : o_(std::move(options)) {
    if (o_.clock == nullptr) o_.clock = SystemClock::Default();
  }

  ApiResult CreateStream(element req);
  ApiResult DeleteStream(element req);
  ApiResult DescribeStream(element req, bool summary);
  ApiResult ListStreams(element req);
  ApiResult ListShards(element req);
  ApiResult PutRecord(element req);
  ApiResult PutRecords(element req);
  ApiResult GetShardIterator(element req);
  ApiResult GetRecords(element req);
  ApiResult ChangeRetention(element req, bool increase);
  ApiResult AddTags(element req);
  ApiResult ListTags(element req);
  ApiResult RemoveTags(element req);

 private:
  std::string Arn(std::string_view name) const { return KinesisStreamArn(o_.region, o_.account_id, name); }
  ApiError StreamNotFound(std::string_view name) const {
    return Error("ResourceNotFoundException",
                 "Stream " + std::string(name) + " under account " + o_.account_id + " not found.");
  }
  ApiError ShardNotFound(std::string_view name, std::string_view shard) const {
    return Error("ResourceNotFoundException", "Shard " + std::string(shard) + " in stream " + std::string(name) +
                                                  " under account " + o_.account_id + " does not exist");
  }
  ApiError Internal(const Status& s) const { return Error("InternalFailure", s.message(), 500); }

  // StreamName or StreamARN, validated.
  std::variant<std::string, ApiError> StreamNameOf(element req) const;
  // The stream and its description; ResourceNotFoundException when absent.
  std::variant<std::pair<DataStream*, stream::StreamDescription>, ApiError> Find(std::string_view name) const;
  void WriteModeDetails(JsonWriter& w, std::string_view name);
  // For each entry, whether the shard's per-second budget still has room (all true when there
  // is no limit); consumes the budget of the admitted ones.
  std::vector<bool> Admit(std::string_view name, const std::vector<stream::ShardInfo>& shards,
                          const std::vector<stream::PutRecordEntry>& entries, std::vector<size_t>* shard_of);

  KinesisOptions o_;
  std::mutex mu_;
  std::map<std::string, StreamExtras, std::less<>> extras_;  // guarded by mu_
  struct Window {
    int64_t second = -1;
    int64_t records = 0;
  };
  std::map<std::string, Window, std::less<>> windows_;  // "<stream>/<shard>", guarded by mu_
};

inline bool ValidStreamName(std::string_view name) { return stream::format::IsValidStreamName(name); }

}  // namespace tributary::streamapi::kinesis_detail
