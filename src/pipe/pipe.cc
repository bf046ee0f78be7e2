#include "pipe/pipe.h"

#include <vector>

namespace tributary::pipe {

namespace {
constexpr size_t kMaxPartitionKeyChars = 256;
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
  TRIB_ASSIGN_OR_RETURN(PartitionKeyPath path, PartitionKeyPath::Parse(options.partition_key_path));
  TRIB_ASSIGN_OR_RETURN(FilterCriteria filters, FilterCriteria::Compile(options.filters));
  return std::unique_ptr<Pipe>(new Pipe(std::move(options), std::move(path), std::move(filters),
                                        source, target, metrics));
}

Pipe::Pipe(PipeOptions options, PartitionKeyPath path, FilterCriteria filters,
           const capture::Source* source, stream::DataStream* target, MetricsRegistry* metrics)
    : options_(std::move(options)),
      path_(std::move(path)),
      filters_(std::move(filters)),
      source_(source),
      target_(target) {
  if (metrics) {
    moved_counter_ = metrics->Get("tributary_pipe_records_total{pipe=\"" + options_.name + "\"}");
    filtered_counter_ =
        metrics->Get("tributary_pipe_filtered_records_total{pipe=\"" + options_.name + "\"}");
  }
}

Pipe::~Pipe() { Stop(); }

Result<std::string> Pipe::Position(const std::string& shard_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = positions_.find(shard_id);
    if (it != positions_.end()) return it->second;
  }
  TRIB_ASSIGN_OR_RETURN(auto stored, target_->ReadProducerCheckpoint(CheckpointKey(options_.name, shard_id)));
  std::string pos = stored.value_or("");
  std::lock_guard<std::mutex> lock(mu_);
  positions_[shard_id] = pos;
  stats_.positions[shard_id] = pos;
  return pos;
}

Status Pipe::MoveShard(const std::string& shard_id, int64_t* moved) {
  TRIB_ASSIGN_OR_RETURN(std::string position, Position(shard_id));
  TRIB_ASSIGN_OR_RETURN(std::vector<ChangeRecord> records,
                        source_->Read(shard_id, position, options_.batch_size));
  if (records.empty()) return Status::Ok();

  const std::string arn = source_->source_arn();
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

  std::vector<std::string> payloads;
  std::vector<std::string> keys;
  payloads.reserve(records.size());
  keys.reserve(records.size());
  std::vector<stream::PutRecordEntry> entries(records.size());
  JsonWriter w;
  for (size_t i = 0; i < records.size(); ++i) {
    ChangeRecord& r = records[i];
    r.event_source_arn = arn;
    w.Clear();
    r.AppendJson(w);
    payloads.push_back(w.Take());
    TRIB_ASSIGN_OR_RETURN(std::string key, path_.Evaluate(r, payloads.back()));
    keys.push_back(std::move(key));
  }
  for (size_t i = 0; i < records.size(); ++i) {
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

  *moved += static_cast<int64_t>(read);
  if (moved_counter_ && !records.empty()) moved_counter_->Add(static_cast<int64_t>(records.size()));
  if (filtered_counter_ && filtered > 0) filtered_counter_->Add(static_cast<int64_t>(filtered));
  std::lock_guard<std::mutex> lock(mu_);
  positions_[shard_id] = checkpoint.value;
  stats_.positions[shard_id] = checkpoint.value;
  stats_.records_moved += static_cast<int64_t>(records.size());
  stats_.records_filtered += static_cast<int64_t>(filtered);
  if (!records.empty()) stats_.batches += 1;
  return Status::Ok();
}

Status Pipe::RunOnce(int64_t* moved) {
  *moved = 0;
  TRIB_ASSIGN_OR_RETURN(std::vector<std::string> shards, source_->ListShards());
  for (const auto& shard : shards) TRIB_RETURN_IF_ERROR(MoveShard(shard, moved));
  return Status::Ok();
}

Status Pipe::Drain() {
  for (;;) {
    int64_t moved = 0;
    TRIB_RETURN_IF_ERROR(RunOnce(&moved));
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
  stop_ = false;
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
