#include "pipe/pipe.h"

#include <algorithm>
#include <vector>

namespace tributary::pipe {

namespace {
constexpr size_t kMaxPartitionKeyChars = 256;
constexpr size_t kMaxRecordDataBytes = 1024 * 1024;  // Kinesis' record data limit
constexpr size_t kMaxBatchBytes = 6 * 1000 * 1000;   // Pipes closes a batch at 6 MB
constexpr size_t kRecordFramingBytes = 400;          // a record's JSON beyond its item bytes
}  // namespace

std::string Pipe::CheckpointKey(std::string_view pipe_name, std::string_view shard_id) {
  std::string k = "pipe/";
  k += pipe_name;
  k += '/';
  k += shard_id;
  return k;
}

Result<std::unique_ptr<Pipe>> Pipe::Create(PipeOptions options, const capture::Source* source,
                                           stream::DataStream* target, MetricsRegistry* metrics) {
  if (options.name.empty()) return Status::InvalidArgument("pipe name is empty");
  if (options.batch_size == 0 || options.batch_size > 10000) {
    return Status::InvalidArgument("pipe batch_size must be within 1..10000");
  }
  if (options.maximum_batching_window_ms < 0 || options.maximum_batching_window_ms > 300000) {
    return Status::InvalidArgument("pipe maximum batching window must be within 0..300 s");
  }
  TRIB_ASSIGN_OR_RETURN(PartitionKeyPath path, PartitionKeyPath::Parse(options.partition_key_path));
  TRIB_ASSIGN_OR_RETURN(FilterCriteria filters, FilterCriteria::Compile(options.filters));
  std::optional<InputTemplate> input_template;
  if (!options.input_template.empty()) {
    TRIB_ASSIGN_OR_RETURN(input_template, InputTemplate::Parse(options.input_template));
  }
  return std::unique_ptr<Pipe>(new Pipe(std::move(options), std::move(path), std::move(filters),
                                        std::move(input_template), source, target, metrics));
}

Pipe::Pipe(PipeOptions options, PartitionKeyPath path, FilterCriteria filters,
           std::optional<InputTemplate> input_template, const capture::Source* source,
           stream::DataStream* target, MetricsRegistry* metrics)
    : options_(std::move(options)),
      path_(std::move(path)),
      filters_(std::move(filters)),
      input_template_(std::move(input_template)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock::Default()),
      context_(options_.context),
      source_(source),
      target_(target) {
  if (context_.pipe_name.empty()) context_.pipe_name = options_.name;
  if (context_.source_arn.empty()) context_.source_arn = source_->source_arn();
  if (metrics) {
    moved_counter_ = metrics->Get("tributary_pipe_records_total{pipe=\"" + options_.name + "\"}");
    filtered_counter_ =
        metrics->Get("tributary_pipe_filtered_records_total{pipe=\"" + options_.name + "\"}");
    dead_letter_counter_ =
        metrics->Get("tributary_pipe_dead_letter_records_total{pipe=\"" + options_.name + "\"}");
  }
}

Pipe::~Pipe() { Stop(); }

Result<std::string> Pipe::Position(const std::string& shard_id, bool at_start) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = positions_.find(shard_id);
    if (it != positions_.end()) return it->second;
  }
  TRIB_ASSIGN_OR_RETURN(auto stored, target_->ReadProducerCheckpoint(CheckpointKey(options_.name, shard_id)));
  std::string pos;
  if (stored) {
    pos = *stored;
  } else if (options_.start_at_latest && at_start) {
    TRIB_ASSIGN_OR_RETURN(pos, LatestPosition(shard_id));
  }
  std::lock_guard<std::mutex> lock(mu_);
  positions_[shard_id] = pos;
  stats_.positions[shard_id] = pos;
  return pos;
}

// LATEST for a pipe without a checkpoint: the newest record now in the shard, recorded as the
// checkpoint so a restart does not skip what arrived in between.
Result<std::string> Pipe::LatestPosition(const std::string& shard_id) {
  std::string pos;
  for (;;) {
    TRIB_ASSIGN_OR_RETURN(std::vector<ChangeRecord> records, source_->Read(shard_id, pos, 10000));
    if (records.empty()) break;
    pos = records.back().sequence_number;
  }
  if (!pos.empty()) {
    stream::ProducerCheckpoint checkpoint{CheckpointKey(options_.name, shard_id), pos};
    auto put = target_->PutRecords({}, &checkpoint);
    if (!put.ok()) return put.status().WithContext("pipe " + options_.name + ": LATEST checkpoint");
  }
  return pos;
}

Status Pipe::MoveShard(const std::string& shard_id, bool force, int64_t* moved) {
  // A shard first seen after the pipe started (a new child shard) is read from its start.
  TRIB_ASSIGN_OR_RETURN(std::string position, Position(shard_id, /*at_start=*/!started_.load()));
  TRIB_ASSIGN_OR_RETURN(std::vector<ChangeRecord> records,
                        source_->Read(shard_id, position, options_.batch_size));
  if (records.empty()) {
    waiting_since_ms_.erase(shard_id);
    return Status::Ok();
  }
  // Pipes closes a batch at 6 MB: keep the longest prefix within it (always at least one record),
  // sized by the records' DynamoDB sizes plus their JSON framing.
  size_t batch_bytes = 0;
  size_t keep = 0;
  for (; keep < records.size(); ++keep) {
    batch_bytes += static_cast<size_t>(std::max<int64_t>(records[keep].size_bytes, 0)) +
                   kRecordFramingBytes;
    if (keep > 0 && batch_bytes > kMaxBatchBytes) break;
  }
  const bool full = keep < records.size() || records.size() >= options_.batch_size;
  records.resize(keep);
  // Batching window: a partial batch waits until its first record has waited long enough.
  if (!force && options_.maximum_batching_window_ms > 0 && !full) {
    const int64_t now = clock_->NowMillis();
    auto [it, fresh] = waiting_since_ms_.try_emplace(shard_id, now);
    if (fresh || now - it->second < options_.maximum_batching_window_ms) return Status::Ok();
  }
  waiting_since_ms_.erase(shard_id);

  const std::string arn = context_.source_arn;
  const size_t read = records.size();
  const std::string last_sequence = records.back().sequence_number;
  // Drop what the filters reject; the checkpoint below still moves past it.
  if (!filters_.empty()) {
    size_t kept = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].event_source_arn = arn;  // filters see the event as the target would
      if (!filters_.Matches(records[i])) continue;
      if (kept != i) records[kept] = std::move(records[i]);
      ++kept;
    }
    records.resize(kept);
  }
  const size_t filtered = read - records.size();

  // Each kept record becomes the target's data (its event JSON, or the input template's output)
  // and a partition key; one the target would refuse goes to the dead-letter queue.
  std::vector<std::string> payloads;
  std::vector<std::string> keys;
  std::vector<std::string> dead_letters;
  payloads.reserve(records.size());
  keys.reserve(records.size());
  const int64_t now_ms = clock_->NowMillis();
  JsonWriter w;
  for (ChangeRecord& r : records) {
    r.event_source_arn = arn;
    w.Clear();
    r.AppendJson(w);
    std::string event = w.Take();
    Status rejected = Status::Ok();
    std::string key;
    if (auto k = path_.Evaluate(r, event); k.ok()) {
      key = std::move(*k);
    } else {
      rejected = k.status();
    }
    if (rejected.ok() && input_template_) {
      auto rendered = input_template_->Render(event, context_, now_ms);
      if (rendered.ok()) {
        if (rendered->size() > kMaxRecordDataBytes) {
          rejected = Status::InvalidArgument("the input template's output is " +
                                             std::to_string(rendered->size()) +
                                             " bytes, more than Kinesis' 1 MiB");
        }
      } else {
        rejected = rendered.status();
      }
      if (rejected.ok()) event = std::move(*rendered);
    } else if (rejected.ok() && event.size() > kMaxRecordDataBytes) {
      rejected = Status::InvalidArgument("the event is " + std::to_string(event.size()) +
                                         " bytes, more than Kinesis' 1 MiB");
    }
    if (!rejected.ok()) {
      if (options_.dead_letter == nullptr) {
        return rejected.WithContext("pipe " + options_.name + ": record " + r.sequence_number +
                                    " of shard " + shard_id);
      }
      w.Clear();
      r.AppendJson(w);
      dead_letters.push_back(DeadLetterEntry(context_, shard_id, r, w.str(),
                                             StatusCodeName(rejected.code()), rejected.message(),
                                             now_ms));
      continue;
    }
    payloads.push_back(std::move(event));
    keys.push_back(std::move(key));
  }
  if (!dead_letters.empty()) {
    // Before the checkpoint moves past them: at least once.
    TRIB_RETURN_IF_ERROR(options_.dead_letter->Write(dead_letters, shard_id));
  }
  std::vector<stream::PutRecordEntry> entries(payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    entries[i].data = payloads[i];
    if (keys[i].size() > kMaxPartitionKeyChars) {
      // Kinesis caps partition keys at 256 characters; keep per-item routing by hashing the
      // whole key explicitly.
      entries[i].explicit_hash_key = HashKeyOf(keys[i]);
      entries[i].partition_key = std::string_view(keys[i]).substr(0, kMaxPartitionKeyChars);
    } else {
      entries[i].partition_key = keys[i];
    }
  }
  // With every record filtered out this writes the checkpoint alone.
  stream::ProducerCheckpoint checkpoint{CheckpointKey(options_.name, shard_id), last_sequence};
  auto put = target_->PutRecords(entries, &checkpoint);
  if (!put.ok()) return put.status().WithContext("pipe " + options_.name + ": PutRecords");

  const auto n_moved = static_cast<int64_t>(entries.size());
  const auto n_filtered = static_cast<int64_t>(filtered);
  const auto n_dead = static_cast<int64_t>(dead_letters.size());
  *moved += static_cast<int64_t>(read);
  if (moved_counter_ && n_moved > 0) moved_counter_->Add(n_moved);
  if (filtered_counter_ && n_filtered > 0) filtered_counter_->Add(n_filtered);
  if (dead_letter_counter_ && n_dead > 0) dead_letter_counter_->Add(n_dead);
  std::lock_guard<std::mutex> lock(mu_);
  positions_[shard_id] = checkpoint.value;
  stats_.positions[shard_id] = checkpoint.value;
  stats_.records_moved += n_moved;
  stats_.records_filtered += n_filtered;
  stats_.records_dead_lettered += n_dead;
  if (n_moved > 0) stats_.batches += 1;
  return Status::Ok();
}

Status Pipe::RunPass(bool force, int64_t* moved) {
  *moved = 0;
  TRIB_ASSIGN_OR_RETURN(std::vector<std::string> shards, source_->ListShards());
  for (const auto& shard : shards) TRIB_RETURN_IF_ERROR(MoveShard(shard, force, moved));
  return Status::Ok();
}

Status Pipe::RunOnce(int64_t* moved) { return RunPass(/*force=*/false, moved); }

Status Pipe::Drain() {
  for (;;) {
    int64_t moved = 0;
    TRIB_RETURN_IF_ERROR(RunPass(/*force=*/true, &moved));
    if (moved == 0) return Status::Ok();
  }
}

void Pipe::Loop() {
  while (!stop_.load()) {
    uint64_t version = source_->change_version();
    int64_t moved = 0;
    Status s = RunOnce(&moved);
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.errors += 1;
      stats_.last_error = s.ToString();
    }
    if (stop_.load()) break;
    // Moved a full batch somewhere: go again at once. Otherwise wait for new changes.
    if (s.ok() && moved > 0) continue;
    source_->WaitForChanges(version, s.ok() ? options_.idle_wait_ms : 1000);
  }
}

Status Pipe::Start() {
  if (thread_.joinable()) return Status::FailedPrecondition("pipe already started");
  // Fix each shard's starting position now (LATEST means: after what exists when Start returns).
  TRIB_ASSIGN_OR_RETURN(std::vector<std::string> shards, source_->ListShards());
  for (const auto& shard : shards) TRIB_RETURN_IF_ERROR(Position(shard, /*at_start=*/true).status());
  stop_ = false;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Pipe::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

PipeStats Pipe::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tributary::pipe
