#include "capture/dynamodb_streams_source.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/dynamo_json.h"
#include "core/json_writer.h"

namespace tributary::capture {

namespace {

constexpr std::string_view kStreamsPrefix = "DynamoDBStreams_20120810.";
constexpr std::string_view kDynamoPrefix = "DynamoDB_20120810.";
constexpr std::string_view kBackfillSeqPrefix = "b:";

std::string Target(std::string_view prefix, std::string_view op) {
  std::string t(prefix);
  t += op;
  return t;
}

Status Malformed(std::string_view what, std::string_view op) {
  return Status::Internal("malformed " + std::string(op) + " response: " + std::string(what));
}

std::string_view StringField(simdjson::dom::object obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

std::string BackfillShardId(int segment, int total) {
  return "backfill-" + std::to_string(segment) + "-of-" + std::to_string(total);
}

// "backfill-3-of-8" -> 3 (or -1).
int BackfillSegment(std::string_view id, int total) {
  for (int i = 0; i < total; ++i) {
    if (id == BackfillShardId(i, total)) return i;
  }
  return -1;
}

}  // namespace

DynamoDbStreamsSource::DynamoDbStreamsSource(DynamoDbStreamsSourceOptions options,
                                             AwsJsonCaller* streams, AwsJsonCaller* dynamodb)
    : options_(std::move(options)),
      streams_(streams),
      dynamodb_(dynamodb),
      clock_(options_.clock ? options_.clock : SystemClock::Default()),
      table_(options_.table) {
  if (options_.metrics) {
    const std::string label = "{source=\"" + options_.name + "\"}";
    trimmed_counter_ = options_.metrics->Get("tributary_source_trimmed_total" + label);
    records_counter_ = options_.metrics->Get("tributary_source_records_total" + label);
    backfilled_counter_ = options_.metrics->Get("tributary_source_backfilled_total" + label);
  }
}

Result<std::unique_ptr<DynamoDbStreamsSource>> DynamoDbStreamsSource::Create(
    DynamoDbStreamsSourceOptions options, AwsJsonCaller* streams, AwsJsonCaller* dynamodb) {
  if (streams == nullptr) return Status::InvalidArgument("no DynamoDB Streams client");
  if (options.stream_arn.empty() && options.table.empty()) {
    return Status::InvalidArgument("a dynamodb-streams source needs a table or a stream_arn");
  }
  if (options.backfill_segments < 0 || options.backfill_segments > 1000) {
    return Status::InvalidArgument("backfill segments must be within 0..1000");
  }
  if ((options.stream_arn.empty() || options.backfill_segments > 0) && dynamodb == nullptr) {
    return Status::InvalidArgument("no DynamoDB client (needed to resolve the table or backfill)");
  }
  if (options.poll_interval_ms < 1) options.poll_interval_ms = 1;
  if (options.max_poll_interval_ms < options.poll_interval_ms) {
    options.max_poll_interval_ms = options.poll_interval_ms;
  }
  std::unique_ptr<DynamoDbStreamsSource> source(
      new DynamoDbStreamsSource(std::move(options), streams, dynamodb));
  TRIB_RETURN_IF_ERROR(source->ResolveStream());
  TRIB_RETURN_IF_ERROR(source->Describe());
  return source;
}

// The stream ARN (DescribeTable's LatestStreamArn when only a table is given), the table name
// and, for backfill, the key attribute names.
Status DynamoDbStreamsSource::ResolveStream() {
  stream_arn_ = options_.stream_arn;
  if (stream_arn_.empty() || options_.backfill_segments > 0) {
    if (table_.empty()) {
      // Backfill with only a stream ARN: the table is named in the stream's description.
      JsonWriter w;
      w.BeginObject();
      w.Key("StreamArn");
      w.String(stream_arn_);
      w.Key("Limit");
      w.Int(1);
      w.EndObject();
      TRIB_ASSIGN_OR_RETURN(std::string body, streams_->Call(Target(kStreamsPrefix, "DescribeStream"), w.Take()));
      simdjson::dom::parser parser;
      simdjson::dom::object desc;
      if (parser.parse(body).get_object()["StreamDescription"].get_object().get(desc) != simdjson::SUCCESS) {
        return Malformed("no StreamDescription", "DescribeStream");
      }
      table_ = std::string(StringField(desc, "TableName"));
      if (table_.empty()) return Malformed("no TableName", "DescribeStream");
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("TableName");
    w.String(table_);
    w.EndObject();
    auto body = dynamodb_->Call(Target(kDynamoPrefix, "DescribeTable"), w.Take());
    if (!body.ok()) return body.status().WithContext("DescribeTable " + table_);
    simdjson::dom::parser parser;
    simdjson::dom::object table;
    if (parser.parse(*body).get_object()["Table"].get_object().get(table) != simdjson::SUCCESS) {
      return Malformed("no Table", "DescribeTable");
    }
    if (stream_arn_.empty()) {
      stream_arn_ = std::string(StringField(table, "LatestStreamArn"));
      simdjson::dom::object spec;
      bool enabled = false;
      if (table["StreamSpecification"].get_object().get(spec) == simdjson::SUCCESS) {
        if (spec["StreamEnabled"].get_bool().get(enabled) != simdjson::SUCCESS) enabled = false;
      }
      if (stream_arn_.empty() || !enabled) {
        return Status::FailedPrecondition("table '" + table_ + "' has no stream enabled");
      }
    }
    simdjson::dom::array key_schema;
    if (table["KeySchema"].get_array().get(key_schema) == simdjson::SUCCESS) {
      std::string hash, range;
      for (simdjson::dom::element k : key_schema) {
        simdjson::dom::object ko;
        if (k.get_object().get(ko) != simdjson::SUCCESS) continue;
        (StringField(ko, "KeyType") == "RANGE" ? range : hash) = std::string(StringField(ko, "AttributeName"));
      }
      if (!hash.empty()) key_names_.push_back(hash);
      if (!range.empty()) key_names_.push_back(range);
    }
    if (options_.backfill_segments > 0 && key_names_.empty()) {
      return Malformed("no KeySchema", "DescribeTable");
    }
  }
  for (int i = 0; i < options_.backfill_segments; ++i) {
    backfill_done_[BackfillShardId(i, options_.backfill_segments)] = false;
  }
  return Status::Ok();
}

// DescribeStream, every page; merges new shards into shards_ and marks closed ones.
Status DynamoDbStreamsSource::Describe() const {
  struct Listed {
    std::string id, parent;
    bool closed;
  };
  std::vector<Listed> listed;
  std::string start_after;
  simdjson::dom::parser parser;
  for (int page = 0; page < 10000; ++page) {
    JsonWriter w;
    w.BeginObject();
    w.Key("StreamArn");
    w.String(stream_arn_);
    w.Key("Limit");
    w.Int(100);
    if (!start_after.empty()) {
      w.Key("ExclusiveStartShardId");
      w.String(start_after);
    }
    w.EndObject();
    auto body = streams_->Call(Target(kStreamsPrefix, "DescribeStream"), w.Take());
    if (!body.ok()) return body.status().WithContext("DescribeStream " + stream_arn_);
    simdjson::dom::object desc;
    if (parser.parse(*body).get_object()["StreamDescription"].get_object().get(desc) != simdjson::SUCCESS) {
      return Malformed("no StreamDescription", "DescribeStream");
    }
    simdjson::dom::array shards;
    if (desc["Shards"].get_array().get(shards) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : shards) {
        simdjson::dom::object s;
        if (e.get_object().get(s) != simdjson::SUCCESS) return Malformed("shard is not an object", "DescribeStream");
        Listed l;
        l.id = std::string(StringField(s, "ShardId"));
        if (l.id.empty()) return Malformed("shard without ShardId", "DescribeStream");
        l.parent = std::string(StringField(s, "ParentShardId"));
        simdjson::dom::object range;
        l.closed = s["SequenceNumberRange"].get_object().get(range) == simdjson::SUCCESS &&
                   !StringField(range, "EndingSequenceNumber").empty();
        listed.push_back(std::move(l));
      }
    }
    start_after = std::string(StringField(desc, "LastEvaluatedShardId"));
    if (start_after.empty()) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (Listed& l : listed) {
    auto [it, inserted] = shards_.try_emplace(l.id);
    ShardState& st = it->second;
    if (inserted) {
      st.parent = l.parent;
      st.open_at_first_sight = !described_once_ && !l.closed;
      shard_order_.push_back(l.id);
    }
    st.closed = st.closed || l.closed;
  }
  described_once_ = true;
  described_at_ms_ = NowMs();
  return Status::Ok();
}

Result<std::vector<std::string>> DynamoDbStreamsSource::ListShards() const {
  bool stale;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stale = NowMs() - described_at_ms_ >= options_.describe_interval_ms;
  }
  if (stale) TRIB_RETURN_IF_ERROR(Describe());
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, done] : backfill_done_) {
    if (!done) out.push_back(id);
  }
  for (const std::string& id : shard_order_) {
    const ShardState& st = shards_.at(id);
    if (st.drained) continue;  // nothing more will ever come from it
    auto parent = shards_.find(st.parent);
    // Lineage: hold a child back while its parent is listed and not yet read to its end.
    if (!st.parent.empty() && parent != shards_.end() && !parent->second.drained) continue;
    out.push_back(id);
  }
  return out;
}

Result<std::string> DynamoDbStreamsSource::NewIterator(const std::string& shard_id,
                                                       std::string_view after,
                                                       bool trim_horizon) const {
  std::string type;
  if (!after.empty()) {
    type = "AFTER_SEQUENCE_NUMBER";
  } else if (trim_horizon) {
    type = "TRIM_HORIZON";
  } else {
    type = "LATEST";
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamArn");
  w.String(stream_arn_);
  w.Key("ShardId");
  w.String(shard_id);
  w.Key("ShardIteratorType");
  w.String(type);
  if (!after.empty()) {
    w.Key("SequenceNumber");
    w.String(after);
  }
  w.EndObject();
  TRIB_ASSIGN_OR_RETURN(std::string body, streams_->Call(Target(kStreamsPrefix, "GetShardIterator"), w.Take()));
  simdjson::dom::parser parser;
  std::string_view it;
  if (parser.parse(body).get_object()["ShardIterator"].get_string().get(it) != simdjson::SUCCESS) {
    return Malformed("no ShardIterator", "GetShardIterator");
  }
  return std::string(it);
}

Status DynamoDbStreamsSource::TrimmedError(const std::string& shard_id, std::string_view after,
                                           const Status& cause) const {
  if (trimmed_counter_) trimmed_counter_->Add(1);
  std::string msg = "TrimmedDataAccessException: source '" + options_.name + "' shard " + shard_id +
                    " position '" + std::string(after) + "' of " + stream_arn_ +
                    " is older than the stream's retention (24 h): the records after it that "
                    "were trimmed are LOST (" + cause.message() + ")";
  std::fprintf(stderr, "tributary: error: %s%s\n", msg.c_str(),
               options_.on_trimmed == TrimmedPolicy::kFail
                   ? "; the shard is stopped (on_trimmed: fail)"
                   : "; continuing at TRIM_HORIZON (on_trimmed: restart-at-trim-horizon)");
  return Status::OutOfRange(std::move(msg));
}

Result<std::vector<ChangeRecord>> DynamoDbStreamsSource::ReadStreamShard(const std::string& shard_id,
                                                                         std::string_view after,
                                                                         size_t max) const {
  std::shared_ptr<std::mutex> read_mu;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = shards_.find(shard_id);
    if (it == shards_.end()) return Status::NotFound("shard " + shard_id + " is not in " + stream_arn_);
    read_mu = it->second.read_mu;
  }
  std::lock_guard<std::mutex> read_lock(*read_mu);  // one GetRecords in flight per shard

  // The iterator to use: the cached one when it continues after `after`, else a new one.
  std::string iterator;
  bool trim_horizon = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ShardState& st = shards_.at(shard_id);
    if (st.drained) return std::vector<ChangeRecord>{};
    if (!st.iterator.empty() && st.iterator_after == after &&
        NowMs() - st.iterator_taken_ms < options_.iterator_max_age_ms) {
      iterator = st.iterator;
    }
    if (after.empty() && options_.starting_position == StartingPosition::kLatest) {
      auto parent = shards_.find(st.parent);
      const bool parent_read = parent != shards_.end() && parent->second.consumed;
      if (!parent_read && !st.consumed) {
        if (!st.open_at_first_sight) {
          st.drained = st.closed;  // closed before we started: LATEST skips it entirely
          if (st.drained) return std::vector<ChangeRecord>{};
        }
        trim_horizon = !st.open_at_first_sight;
      }
    }
  }

  simdjson::dom::parser parser;
  std::string body;
  bool restarted_at_trim_horizon = false;
  for (int attempt = 0;; ++attempt) {
    if (iterator.empty()) {
      auto fresh = NewIterator(shard_id, restarted_at_trim_horizon ? "" : after,
                               trim_horizon || restarted_at_trim_horizon);
      if (!fresh.ok() && AwsErrorCode(fresh.status()) == "TrimmedDataAccessException" &&
          !restarted_at_trim_horizon) {
        Status err = TrimmedError(shard_id, after, fresh.status());
        if (options_.on_trimmed == TrimmedPolicy::kFail) return err;
        restarted_at_trim_horizon = true;
        continue;
      }
      if (!fresh.ok()) return fresh.status().WithContext("GetShardIterator " + shard_id);
      iterator = std::move(fresh).value();
      std::lock_guard<std::mutex> lock(mu_);
      ShardState& st = shards_.at(shard_id);
      st.consumed = true;
      st.iterator_taken_ms = NowMs();
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("ShardIterator");
    w.String(iterator);
    w.Key("Limit");
    w.Int(static_cast<int64_t>(std::clamp<size_t>(max, 1, 1000)));
    w.EndObject();
    auto got = streams_->Call(Target(kStreamsPrefix, "GetRecords"), w.Take());
    if (got.ok()) {
      body = std::move(got).value();
      break;
    }
    const std::string_view code = AwsErrorCode(got.status());
    if (code == "ExpiredIteratorException" && attempt < 2) {
      iterator.clear();  // renew AFTER_SEQUENCE_NUMBER the same position, once or twice
      continue;
    }
    if (code == "TrimmedDataAccessException" && !restarted_at_trim_horizon) {
      Status err = TrimmedError(shard_id, after, got.status());
      if (options_.on_trimmed == TrimmedPolicy::kFail) return err;
      restarted_at_trim_horizon = true;
      iterator.clear();
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      shards_.at(shard_id).iterator.clear();
    }
    return got.status().WithContext("GetRecords " + shard_id);
  }

  simdjson::dom::object resp;
  if (parser.parse(body).get_object().get(resp) != simdjson::SUCCESS) {
    return Malformed("not an object", "GetRecords");
  }
  std::vector<ChangeRecord> out;
  simdjson::dom::array records;
  if (resp["Records"].get_array().get(records) == simdjson::SUCCESS) {
    out.reserve(records.size());
    for (simdjson::dom::element e : records) {
      // FromJson uses the thread's own parser; `parser` here keeps `resp` alive meanwhile.
      auto r = ChangeRecord::FromJson(simdjson::minify(e));
      if (!r.ok()) return r.status().WithContext("GetRecords " + shard_id + ": bad record");
      out.push_back(std::move(r).value());
    }
  }
  std::string_view next;
  const bool has_next = resp["NextShardIterator"].get_string().get(next) == simdjson::SUCCESS && !next.empty();
  // Some endpoints (moto) ignore Limit: keep `max` and continue after the last one kept with a
  // new AFTER_SEQUENCE_NUMBER iterator instead of the NextShardIterator.
  const bool truncated = out.size() > std::max<size_t>(max, 1);
  if (truncated) out.resize(std::max<size_t>(max, 1));
  bool closed_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ShardState& st = shards_.at(shard_id);
    if (truncated) {
      st.iterator.clear();
    } else if (has_next) {
      st.iterator = std::string(next);
      if (!out.empty()) st.iterator_after = out.back().sequence_number;
      else if (!restarted_at_trim_horizon) st.iterator_after = std::string(after);
      else st.iterator.clear();  // an empty restart: take TRIM_HORIZON again next time
    } else {
      // A closed shard read to its end: its children may start.
      st.iterator.clear();
      st.drained = true;
      closed_now = !st.closed;
      st.closed = true;
    }
  }
  if (closed_now) {
    std::lock_guard<std::mutex> lock(mu_);
    described_at_ms_ = 0;  // look for the children at the next ListShards
  }
  if (!out.empty()) {
    version_.fetch_add(1);
    empty_polls_.store(0);
    if (records_counter_) records_counter_->Add(static_cast<int64_t>(out.size()));
  }
  return out;
}

Result<std::vector<ChangeRecord>> DynamoDbStreamsSource::ReadBackfill(const std::string& segment_id,
                                                                      std::string_view after,
                                                                      size_t max) const {
  const int total = options_.backfill_segments;
  const int segment = BackfillSegment(segment_id, total);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (backfill_done_.at(segment_id)) return std::vector<ChangeRecord>{};
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("TableName");
  w.String(table_);
  w.Key("Segment");
  w.Int(segment);
  w.Key("TotalSegments");
  w.Int(total);
  w.Key("ConsistentRead");
  w.Bool(true);
  w.Key("Limit");
  w.Int(static_cast<int64_t>(std::clamp<size_t>(max, 1, 1000)));
  if (!after.empty()) {
    if (after.rfind(kBackfillSeqPrefix, 0) != 0) {
      return Status::InvalidArgument("backfill position '" + std::string(after) + "' is not a backfill key");
    }
    w.Key("ExclusiveStartKey");
    w.Raw(after.substr(kBackfillSeqPrefix.size()));
  }
  w.EndObject();
  const int64_t requested_s = NowMs() / 1000;
  auto body = dynamodb_->Call(Target(kDynamoPrefix, "Scan"), w.Take());
  if (!body.ok()) return body.status().WithContext("backfill Scan of " + table_ + " segment " + std::to_string(segment));
  simdjson::dom::parser parser;
  simdjson::dom::object resp;
  if (parser.parse(*body).get_object().get(resp) != simdjson::SUCCESS) return Malformed("not an object", "Scan");
  std::vector<ChangeRecord> out;
  simdjson::dom::array items;
  if (resp["Items"].get_array().get(items) == simdjson::SUCCESS) {
    int64_t k = 0;
    for (simdjson::dom::element e : items) {
      TRIB_ASSIGN_OR_RETURN(AttributeMap item, ItemFromDom(e));
      ChangeRecord r;
      r.event_name = EventName::kInsert;
      r.approximate_creation_date_time = requested_s;
      for (const std::string& name : key_names_) {
        auto v = item.find(name);
        if (v == item.end()) return Status::Internal("scanned item lacks key attribute " + name);
        r.keys.emplace(name, v->second);
      }
      r.sequence_number = std::string(kBackfillSeqPrefix) + ItemToJson(r.keys);
      r.event_id = segment_id + "-" + std::to_string(requested_s) + "-" + std::to_string(k++);
      r.size_bytes = static_cast<int64_t>(ItemSizeBytes(item));
      r.new_image = std::move(item);
      out.push_back(std::move(r));
    }
  }
  simdjson::dom::element last;
  const bool more = resp["LastEvaluatedKey"].get(last) == simdjson::SUCCESS;
  if (!more) {
    std::lock_guard<std::mutex> lock(mu_);
    backfill_done_[segment_id] = true;
  }
  if (!out.empty()) {
    version_.fetch_add(1);
    if (backfilled_counter_) backfilled_counter_->Add(static_cast<int64_t>(out.size()));
  }
  return out;
}

Result<std::vector<ChangeRecord>> DynamoDbStreamsSource::Read(std::string_view shard_id,
                                                              std::string_view after_position,
                                                              size_t max_records) const {
  const std::string id(shard_id);
  if (IsBackfillShard(shard_id)) {
    bool known;
    {
      std::lock_guard<std::mutex> lock(mu_);
      known = backfill_done_.count(id) > 0;
    }
    if (!known) return Status::NotFound("no backfill segment " + id);
    return ReadBackfill(id, after_position, max_records);
  }
  bool known;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known = shards_.count(id) > 0;
  }
  if (!known) TRIB_RETURN_IF_ERROR(Describe());
  auto records = ReadStreamShard(id, after_position, max_records);
  if (records.ok() && records->empty()) empty_polls_.fetch_add(1);
  return records;
}

bool DynamoDbStreamsSource::WaitForChanges(uint64_t seen_version, int64_t timeout_ms) const {
  if (version_.load() != seen_version) return true;
  // Back off while polls keep coming back empty: interval * 2^(empty polls / 8), capped.
  int64_t wait = options_.poll_interval_ms;
  const int empty = empty_polls_.load();
  for (int i = 0; i < empty / 8 && wait < options_.max_poll_interval_ms; ++i) wait *= 2;
  wait = std::min({wait, options_.max_poll_interval_ms, std::max<int64_t>(timeout_ms, 1)});
  std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  return true;
}

}  // namespace tributary::capture
