#include "stream/kinesis_stream.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "core/crash_point.h"
#include "core/encoding.h"
#include "core/json_writer.h"

namespace tributary::stream {

namespace {

constexpr std::string_view kPrefix = "Kinesis_20131202.";
constexpr size_t kMaxRequestRecords = 500;
constexpr size_t kMaxRequestBytes = 5 * 1024 * 1024;

std::string Target(std::string_view op) {
  std::string t(kPrefix);
  t += op;
  return t;
}

Status Malformed(std::string_view op, std::string_view what) {
  return Status::Internal("malformed " + std::string(op) + " response: " + std::string(what));
}

std::string_view Str(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

// Epoch seconds (JSON number, fractions allowed) -> ms.
int64_t SecondsToMs(simdjson::dom::element e) {
  double d = 0;
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return i * 1000;
  if (e.get_double().get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d * 1000.0);
  return 0;
}

std::string_view IteratorTypeName(IteratorType t) {
  switch (t) {
    case IteratorType::kTrimHorizon:
      return "TRIM_HORIZON";
    case IteratorType::kLatest:
      return "LATEST";
    case IteratorType::kAtSequenceNumber:
      return "AT_SEQUENCE_NUMBER";
    case IteratorType::kAfterSequenceNumber:
      return "AFTER_SEQUENCE_NUMBER";
    case IteratorType::kAtTimestamp:
      return "AT_TIMESTAMP";
  }
  return "TRIM_HORIZON";
}

Result<std::string> GetIterator(AwsJsonCaller& api, const std::string& stream, std::string_view shard,
                                const StartPosition& start) {
  JsonWriter w;
  w.BeginObject();
  w.Key("StreamName");
  w.String(stream);
  w.Key("ShardId");
  w.String(shard);
  w.Key("ShardIteratorType");
  w.String(IteratorTypeName(start.type));
  if (start.type == IteratorType::kAtSequenceNumber || start.type == IteratorType::kAfterSequenceNumber) {
    w.Key("StartingSequenceNumber");
    w.String(start.sequence_number);
  }
  if (start.type == IteratorType::kAtTimestamp) {
    w.Key("Timestamp");
    w.Double(static_cast<double>(start.timestamp_ms) / 1000.0);
  }
  w.EndObject();
  TRIB_ASSIGN_OR_RETURN(std::string body, api.Call(Target("GetShardIterator"), w.Take()));
  simdjson::dom::parser p;
  std::string_view it;
  if (p.parse(body).get_object()["ShardIterator"].get_string().get(it) != simdjson::SUCCESS) {
    return Malformed("GetShardIterator", "no ShardIterator");
  }
  return std::string(it);
}

struct GetRecordsPage {
  std::vector<StreamRecord> records;
  std::string next_iterator;  // "" once a closed shard is drained
  int64_t millis_behind_latest = 0;
};

Result<GetRecordsPage> GetRecordsCall(AwsJsonCaller& api, const std::string& iterator, size_t limit) {
  JsonWriter w;
  w.BeginObject();
  w.Key("ShardIterator");
  w.String(iterator);
  w.Key("Limit");
  w.Int(static_cast<int64_t>(std::clamp<size_t>(limit, 1, 10000)));
  w.EndObject();
  TRIB_ASSIGN_OR_RETURN(std::string body, api.Call(Target("GetRecords"), w.Take()));
  simdjson::dom::parser p;
  simdjson::dom::object resp;
  if (p.parse(body).get_object().get(resp) != simdjson::SUCCESS) return Malformed("GetRecords", "not an object");
  GetRecordsPage page;
  simdjson::dom::array records;
  if (resp["Records"].get_array().get(records) == simdjson::SUCCESS) {
    page.records.reserve(records.size());
    for (simdjson::dom::element e : records) {
      simdjson::dom::object r;
      if (e.get_object().get(r) != simdjson::SUCCESS) return Malformed("GetRecords", "record is not an object");
      StreamRecord out;
      out.sequence_number = std::string(Str(r, "SequenceNumber"));
      out.partition_key = std::string(Str(r, "PartitionKey"));
      simdjson::dom::element t;
      if (r["ApproximateArrivalTimestamp"].get(t) == simdjson::SUCCESS) out.approximate_arrival_ms = SecondsToMs(t);
      TRIB_ASSIGN_OR_RETURN(out.data, Base64Decode(Str(r, "Data")));
      page.records.push_back(std::move(out));
    }
  }
  page.next_iterator = std::string(Str(resp, "NextShardIterator"));
  int64_t behind = 0;
  if (resp["MillisBehindLatest"].get_int64().get(behind) == simdjson::SUCCESS) page.millis_behind_latest = behind;
  return page;
}

// Reads one shard with GetRecords, renewing expired iterators after the last record read.
class KinesisShardReader final : public ShardReader {
 public:
  KinesisShardReader(KinesisDataStream* stream, std::string shard, StartPosition start)
      : stream_(stream), shard_(std::move(shard)), start_(std::move(start)) {}

  Status Open() {
    TRIB_ASSIGN_OR_RETURN(iterator_, GetIterator(stream_->api(), stream_->name(), shard_, start_));
    return Status::Ok();
  }

  Result<ReadBatch> Read(size_t max_records) override {
    ReadBatch batch;
    if (drained_) return batch;
    // GetRecords allows 5 calls per second per shard.
    const int64_t now = stream_->clock().MonotonicNanos();
    if (last_call_ns_ != 0 && now - last_call_ns_ < kMinGapNs) {
      stream_->Sleep((kMinGapNs - (now - last_call_ns_)) / 1000000 + 1);
    }
    last_call_ns_ = stream_->clock().MonotonicNanos();
    for (int attempt = 0;; ++attempt) {
      if (iterator_.empty()) {
        TRIB_ASSIGN_OR_RETURN(iterator_, GetIterator(stream_->api(), stream_->name(), shard_, Resume()));
      }
      auto page = GetRecordsCall(stream_->api(), iterator_, max_records);
      if (!page.ok()) {
        iterator_.clear();
        if (AwsErrorCode(page.status()) == "ExpiredIteratorException" && attempt < 2) continue;
        return page.status().WithContext("GetRecords " + stream_->name() + "/" + shard_);
      }
      batch.records = std::move(page->records);
      batch.millis_behind_latest = page->millis_behind_latest;
      iterator_ = std::move(page->next_iterator);
      drained_ = iterator_.empty();
      break;
    }
    if (!batch.records.empty()) last_sequence_ = batch.records.back().sequence_number;
    return batch;
  }

  std::optional<StartPosition> ResumePosition() const override { return Resume(); }

 private:
  static constexpr int64_t kMinGapNs = 200'000'000;
  StartPosition Resume() const { return last_sequence_.empty() ? start_ : StartPosition::After(last_sequence_); }

  KinesisDataStream* stream_;
  const std::string shard_;
  const StartPosition start_;
  std::string iterator_;
  std::string last_sequence_;
  bool drained_ = false;
  int64_t last_call_ns_ = 0;
};

}  // namespace

uint128 RecordDigest(std::string_view partition_key, std::string_view data) {
  std::string buf;
  buf.reserve(partition_key.size() + 1 + data.size());
  buf.append(partition_key);
  buf.push_back('\x1f');
  buf.append(data);
  return HashKeyOf(buf);
}

KinesisDataStream::KinesisDataStream(KinesisStreamOptions options, AwsJsonCaller* api)
    : options_(std::move(options)), api_(api), clock_(options_.clock ? options_.clock : SystemClock::Default()) {
  if (options_.metrics) {
    const std::string label = "{stream=\"" + options_.name + "\"}";
    put_records_counter_ = options_.metrics->Get("tributary_kinesis_put_records_total" + label);
    put_retries_counter_ = options_.metrics->Get("tributary_kinesis_put_retries_total" + label);
  }
}

void KinesisDataStream::Sleep(int64_t ms) const {
  if (ms <= 0) return;
  if (options_.sleep) {
    options_.sleep(ms);
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

int64_t KinesisDataStream::Backoff(int attempt) const {
  const int64_t cap = std::min<int64_t>(options_.backoff_cap_ms, options_.backoff_base_ms << std::min(attempt, 20));
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_int_distribution<int64_t>(cap / 2, std::max<int64_t>(cap, 1))(rng);
}

Result<std::unique_ptr<KinesisDataStream>> KinesisDataStream::Open(KinesisStreamOptions options,
                                                                   AwsJsonCaller* api) {
  if (api == nullptr) return Status::InvalidArgument("no Kinesis client");
  if (options.name.empty()) return Status::InvalidArgument("kinesis stream name is empty");
  if (options.records_per_shard_second < 1 || options.bytes_per_shard_second < 1) {
    return Status::InvalidArgument("kinesis per-shard rate limits must be positive");
  }
  std::unique_ptr<KinesisDataStream> s(new KinesisDataStream(std::move(options), api));
  TRIB_RETURN_IF_ERROR(s->EnsureActive());
  return s;
}

Status KinesisDataStream::EnsureActive() {
  bool created = false;
  for (int i = 0; i < 600; ++i) {
    JsonWriter w;
    w.BeginObject();
    w.Key("StreamName");
    w.String(options_.name);
    w.EndObject();
    auto body = api_->Call(Target("DescribeStreamSummary"), w.Take());
    if (!body.ok() && body.status().code() == StatusCode::kNotFound && options_.create_shards > 0 && !created) {
      JsonWriter c;
      c.BeginObject();
      c.Key("StreamName");
      c.String(options_.name);
      c.Key("ShardCount");
      c.Int(options_.create_shards);
      c.EndObject();
      auto made = api_->Call(Target("CreateStream"), c.Take());
      if (!made.ok() && AwsErrorCode(made.status()) != "ResourceInUseException") {
        return made.status().WithContext("CreateStream " + options_.name);
      }
      created = true;
      continue;
    }
    if (!body.ok()) return body.status().WithContext("DescribeStreamSummary " + options_.name);
    simdjson::dom::parser p;
    simdjson::dom::object summary;
    if (p.parse(*body).get_object()["StreamDescriptionSummary"].get_object().get(summary) != simdjson::SUCCESS) {
      return Malformed("DescribeStreamSummary", "no StreamDescriptionSummary");
    }
    const std::string_view status = Str(summary, "StreamStatus");
    if (status == "ACTIVE" || status == "UPDATING") return Status::Ok();
    if (status == "DELETING") return Status::FailedPrecondition("kinesis stream " + options_.name + " is being deleted");
    Sleep(100);  // CREATING
  }
  return Status::DeadlineExceeded("kinesis stream " + options_.name + " did not become ACTIVE");
}

Result<KinesisDataStream::Listing> KinesisDataStream::Refresh() const {
  Listing out;
  std::string token;
  simdjson::dom::parser p;
  for (int page = 0; page < 100000; ++page) {
    JsonWriter w;
    w.BeginObject();
    if (token.empty()) {
      w.Key("StreamName");
      w.String(options_.name);
    } else {
      w.Key("NextToken");
      w.String(token);
    }
    w.EndObject();
    auto body = api_->Call(Target("ListShards"), w.Take());
    if (!body.ok()) return body.status().WithContext("ListShards " + options_.name);
    simdjson::dom::object resp;
    if (p.parse(*body).get_object().get(resp) != simdjson::SUCCESS) return Malformed("ListShards", "not an object");
    simdjson::dom::array shards;
    if (resp["Shards"].get_array().get(shards) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : shards) {
        simdjson::dom::object s;
        if (e.get_object().get(s) != simdjson::SUCCESS) return Malformed("ListShards", "shard is not an object");
        ShardInfo info;
        info.shard_id = std::string(Str(s, "ShardId"));
        simdjson::dom::object range;
        if (s["HashKeyRange"].get_object().get(range) == simdjson::SUCCESS) {
          TRIB_ASSIGN_OR_RETURN(info.starting_hash_key, ParseUint128(Str(range, "StartingHashKey")));
          TRIB_ASSIGN_OR_RETURN(info.ending_hash_key, ParseUint128(Str(range, "EndingHashKey")));
        }
        KinesisShardLineage lineage;
        lineage.shard_id = info.shard_id;
        lineage.parent_shard_id = std::string(Str(s, "ParentShardId"));
        lineage.adjacent_parent_shard_id = std::string(Str(s, "AdjacentParentShardId"));
        simdjson::dom::object seq;
        if (s["SequenceNumberRange"].get_object().get(seq) == simdjson::SUCCESS) {
          info.starting_sequence_number = std::string(Str(seq, "StartingSequenceNumber"));
          lineage.closed = !Str(seq, "EndingSequenceNumber").empty();
        }
        out.shards.push_back(std::move(info));
        out.lineage.push_back(std::move(lineage));
      }
    }
    token = std::string(Str(resp, "NextToken"));
    if (token.empty()) break;
  }
  out.at_ms = clock_->NowMillis();
  return out;
}

Result<KinesisDataStream::Listing> KinesisDataStream::CurrentListing() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (listing_.at_ms >= 0 && clock_->NowMillis() - listing_.at_ms < options_.list_interval_ms) return listing_;
  }
  TRIB_ASSIGN_OR_RETURN(Listing fresh, Refresh());
  std::lock_guard<std::mutex> lock(mu_);
  listing_ = fresh;
  return fresh;
}

std::vector<ShardInfo> KinesisDataStream::ListShards() const {
  auto l = CurrentListing();
  return l.ok() ? l->shards : std::vector<ShardInfo>{};
}

Result<std::vector<ShardInfo>> KinesisDataStream::ListShardsOrError() const {
  TRIB_ASSIGN_OR_RETURN(Listing l, CurrentListing());
  return l.shards;
}

Result<std::vector<KinesisShardLineage>> KinesisDataStream::Lineage() const {
  TRIB_ASSIGN_OR_RETURN(Listing l, CurrentListing());
  return l.lineage;
}

void KinesisDataStream::Pace(const std::map<std::string, std::pair<int64_t, int64_t>>& per_shard) {
  const double rps = static_cast<double>(options_.records_per_shard_second);
  const double bps = static_cast<double>(options_.bytes_per_shard_second);
  for (;;) {
    int64_t wait_ms = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const int64_t now = clock_->MonotonicNanos();
      for (const auto& [shard, need] : per_shard) {
        Bucket& b = buckets_[shard];
        if (b.at_ns == 0) {
          b.records = rps;
          b.bytes = bps;
        } else {
          const double secs = static_cast<double>(now - b.at_ns) / 1e9;
          b.records = std::min(rps, b.records + secs * rps);
          b.bytes = std::min(bps, b.bytes + secs * bps);
        }
        b.at_ns = now;
        // A request bigger than one second's budget waits for a full bucket, then goes.
        const double want_records = std::min(static_cast<double>(need.first), rps);
        const double want_bytes = std::min(static_cast<double>(need.second), bps);
        const double short_r = want_records - b.records;
        const double short_b = want_bytes - b.bytes;
        const double secs = std::max({0.0, short_r / rps, short_b / bps});
        wait_ms = std::max(wait_ms, static_cast<int64_t>(secs * 1000.0) + (secs > 0 ? 1 : 0));
      }
      if (wait_ms == 0) {
        for (const auto& [shard, need] : per_shard) {
          Bucket& b = buckets_[shard];
          b.records -= static_cast<double>(need.first);
          b.bytes -= static_cast<double>(need.second);
        }
        return;
      }
      put_stats_.throttle_waits_ms += wait_ms;
    }
    Sleep(wait_ms);
  }
}

Status KinesisDataStream::PutWave(std::span<const PutRecordEntry> all, const std::vector<size_t>& wave,
                                  std::vector<PutRecordResult>& results, std::set<uint128>* dedup,
                                  std::vector<uint128>* succeeded_digests) {
  std::vector<size_t> pending;
  for (size_t idx : wave) {
    if (dedup != nullptr && !dedup->empty()) {
      auto it = dedup->find(RecordDigest(all[idx].partition_key, all[idx].data));
      if (it != dedup->end()) {
        dedup->erase(it);
        std::lock_guard<std::mutex> lock(mu_);
        put_stats_.entries_deduplicated += 1;
        continue;
      }
    }
    pending.push_back(idx);
  }
  auto listing = CurrentListing();
  std::vector<std::pair<uint128, const ShardInfo*>> open;  // routing for pacing
  if (listing.ok()) {
    for (size_t i = 0; i < listing->shards.size(); ++i) {
      if (!listing->lineage[i].closed) open.push_back({0, &listing->shards[i]});
    }
  }
  auto shard_of = [&](const PutRecordEntry& e) -> std::string {
    const uint128 h = e.explicit_hash_key ? *e.explicit_hash_key : HashKeyOf(e.partition_key);
    for (const auto& [unused, s] : open) {
      if (h >= s->starting_hash_key && h <= s->ending_hash_key) return s->shard_id;
    }
    return "?";
  };
  for (int attempt = 0; !pending.empty(); ++attempt) {
    std::vector<size_t> failed;
    Status last_error;
    size_t next = 0;
    while (next < pending.size()) {
      // One request: up to 500 entries and 5 MiB.
      std::vector<size_t> req;
      size_t bytes = 0;
      std::map<std::string, std::pair<int64_t, int64_t>> per_shard;
      while (next < pending.size() && req.size() < kMaxRequestRecords) {
        const PutRecordEntry& e = all[pending[next]];
        const size_t sz = e.data.size() + e.partition_key.size();
        if (!req.empty() && bytes + sz > kMaxRequestBytes) break;
        bytes += sz;
        auto& ps = per_shard[shard_of(e)];
        ps.first += 1;
        ps.second += static_cast<int64_t>(sz);
        req.push_back(pending[next++]);
      }
      if (!open.empty()) Pace(per_shard);
      JsonWriter w;
      w.BeginObject();
      w.Key("StreamName");
      w.String(options_.name);
      w.Key("Records");
      w.BeginArray();
      for (size_t idx : req) {
        const PutRecordEntry& e = all[idx];
        w.BeginObject();
        w.Key("Data");
        w.String(Base64Encode(e.data));
        w.Key("PartitionKey");
        w.String(e.partition_key);
        if (e.explicit_hash_key) {
          w.Key("ExplicitHashKey");
          w.String(Uint128ToDecimal(*e.explicit_hash_key));
        }
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      {
        std::lock_guard<std::mutex> lock(mu_);
        put_stats_.requests += 1;
      }
      auto body = api_->Call(Target("PutRecords"), w.Take());
      if (!body.ok()) {
        // The client already retried what is retryable; the entries' fate is unknown to us.
        return body.status().WithContext("PutRecords " + options_.name);
      }
      simdjson::dom::parser p;
      simdjson::dom::array recs;
      if (p.parse(*body).get_object()["Records"].get_array().get(recs) != simdjson::SUCCESS || recs.size() != req.size()) {
        return Malformed("PutRecords", "Records does not match the request");
      }
      size_t k = 0;
      for (simdjson::dom::element e : recs) {
        simdjson::dom::object r;
        const size_t idx = req[k++];
        if (e.get_object().get(r) != simdjson::SUCCESS) return Malformed("PutRecords", "entry is not an object");
        const std::string_view code = Str(r, "ErrorCode");
        if (!code.empty()) {
          failed.push_back(idx);
          last_error = Status::ResourceExhausted(std::string(code) + ": " + std::string(Str(r, "ErrorMessage")));
          continue;
        }
        results[idx].shard_id = std::string(Str(r, "ShardId"));
        results[idx].sequence_number = std::string(Str(r, "SequenceNumber"));
        if (succeeded_digests) succeeded_digests->push_back(RecordDigest(all[idx].partition_key, all[idx].data));
      }
      if (put_records_counter_) put_records_counter_->Add(static_cast<int64_t>(req.size() - (failed.size())));
    }
    if (failed.empty()) break;
    if (put_retries_counter_) put_retries_counter_->Add(static_cast<int64_t>(failed.size()));
    {
      std::lock_guard<std::mutex> lock(mu_);
      put_stats_.entries_retried += static_cast<int64_t>(failed.size());
    }
    if (attempt + 1 >= options_.max_put_attempts) {
      return last_error.WithContext("PutRecords " + options_.name + ": " + std::to_string(failed.size()) +
                                    " entries still failing after " + std::to_string(attempt + 1) + " attempts");
    }
    Sleep(Backoff(attempt));
    pending = std::move(failed);
  }
  return Status::Ok();
}

Result<std::vector<PutRecordResult>> KinesisDataStream::PutRecords(std::span<const PutRecordEntry> records,
                                                                   const ProducerCheckpoint* checkpoint) {
  std::lock_guard<std::mutex> put_lock(put_mu_);
  const std::string dedup_key = checkpoint ? checkpoint->key : std::string();
  if (checkpoint) {
    if (options_.checkpoints == nullptr) {
      return Status::FailedPrecondition("kinesis stream " + options_.name + " has no checkpoint store");
    }
    TRIB_RETURN_IF_ERROR(Recover(checkpoint->key));
    TRIB_RETURN_IF_ERROR(options_.checkpoints->Put(IntentKey(checkpoint->key), std::to_string(clock_->NowMillis())));
  }
  // Waves: the n-th record of a partition key goes in wave n.
  std::vector<std::vector<size_t>> waves;
  {
    std::map<std::string_view, size_t> seen;
    for (size_t i = 0; i < records.size(); ++i) {
      const size_t n = seen[records[i].partition_key]++;
      if (waves.size() <= n) waves.resize(n + 1);
      waves[n].push_back(i);
    }
  }
  std::set<uint128> dedup;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dedup = std::move(dedup_[dedup_key]);
    dedup_[dedup_key].clear();
  }
  const size_t dedup_before = dedup.size();
  std::vector<PutRecordResult> results(records.size());
  std::vector<uint128> succeeded;
  for (const auto& wave : waves) {
    Status s = PutWave(records, wave, results, &dedup, &succeeded);
    if (!s.ok()) {
      // The caller retries this batch: remember what already landed so it is not put twice.
      std::lock_guard<std::mutex> lock(mu_);
      auto& remembered = dedup_[dedup_key];
      remembered = std::move(dedup);
      remembered.insert(succeeded.begin(), succeeded.end());
      return s;
    }
  }
  {
    // Keep the recovery digests while batches still match them; drop them after one that
    // matched nothing.
    std::lock_guard<std::mutex> lock(mu_);
    if (dedup.size() != dedup_before && !dedup.empty()) dedup_[dedup_key] = std::move(dedup);
  }
  if (checkpoint) {
    CrashPoint("kinesis.after_put");  // records in Kinesis, checkpoint not yet written
    TRIB_RETURN_IF_ERROR(options_.checkpoints->Put(checkpoint->key, checkpoint->value));
    TRIB_RETURN_IF_ERROR(options_.checkpoints->Put(IntentKey(checkpoint->key), ""));
  }
  return results;
}

Status KinesisDataStream::Recover(std::string_view key) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (recovered_.count(std::string(key))) return Status::Ok();
  }
  if (options_.checkpoints == nullptr) return Status::Ok();
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> intent, options_.checkpoints->Get(IntentKey(key)));
  std::set<uint128> digests;
  if (intent && !intent->empty()) {
    int64_t since_ms = 0;
    try {
      since_ms = std::stoll(*intent) - options_.recovery_margin_ms;
    } catch (...) {
      return Status::DataLoss("bad producer intent '" + *intent + "' for " + std::string(key));
    }
    TRIB_ASSIGN_OR_RETURN(Listing listing, Refresh());
    for (const ShardInfo& shard : listing.shards) {
      auto it = GetIterator(*api_, options_.name, shard.shard_id, StartPosition::AtTimestamp(std::max<int64_t>(since_ms, 0)));
      if (!it.ok()) return it.status().WithContext("recovery scan of " + options_.name + "/" + shard.shard_id);
      std::string iterator = std::move(it).value();
      for (int i = 0; i < 1000000 && !iterator.empty(); ++i) {
        TRIB_ASSIGN_OR_RETURN(GetRecordsPage page, GetRecordsCall(*api_, iterator, 10000));
        for (const StreamRecord& r : page.records) digests.insert(RecordDigest(r.partition_key, r.data));
        iterator = std::move(page.next_iterator);
        if (page.records.empty() && page.millis_behind_latest == 0) break;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!digests.empty()) dedup_[std::string(key)].insert(digests.begin(), digests.end());
  recovered_.insert(std::string(key));
  return Status::Ok();
}

Result<std::optional<std::string>> KinesisDataStream::ReadProducerCheckpoint(std::string_view key) const {
  if (options_.checkpoints == nullptr) return std::optional<std::string>();
  TRIB_RETURN_IF_ERROR(Recover(key));
  return options_.checkpoints->Get(key);
}

Result<std::unique_ptr<ShardReader>> KinesisDataStream::OpenReader(std::string_view shard_id,
                                                                   const StartPosition& start) {
  auto reader = std::make_unique<KinesisShardReader>(this, std::string(shard_id), start);
  TRIB_RETURN_IF_ERROR(reader->Open());
  return std::unique_ptr<ShardReader>(std::move(reader));
}

Result<std::string> KinesisDataStream::LatestSequenceNumber(std::string_view shard_id) const {
  return Status::Unimplemented("kinesis stream " + options_.name + ": no latest sequence number for " +
                               std::string(shard_id));
}

KinesisDataStream::PutStats KinesisDataStream::put_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return put_stats_;
}

}  // namespace tributary::stream
