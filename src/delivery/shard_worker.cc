#include "delivery/shard_worker.h"

#include <simdjson.h>

#include <algorithm>

#include "delivery/error_counts.h"
#include "delivery/error_record.h"
#include "delivery/lake_layout.h"
#include "transform/cdc_flatten.h"

namespace tributary::delivery {

namespace {

// Longest a caught-up worker blocks in WaitForAppend before it re-checks its flush deadline and
// stop flag (so Stop() takes at most this long to be noticed).
constexpr int64_t kMaxWaitMs = 50;
constexpr int64_t kMaxBackoffMs = 5000;

std::string_view TrimRow(std::string_view row) {
  while (!row.empty() && (row.back() == '\n' || row.back() == '\r' || row.back() == ' ' ||
                          row.back() == '\t')) {
    row.remove_suffix(1);
  }
  return row;
}

}  // namespace

DeliveryCounters DeliveryCounters::Create(MetricsRegistry* registry, const std::string& delivery) {
  DeliveryCounters c;
  if (registry == nullptr) return c;
  auto name = [&](std::string_view metric) {
    return "tributary_delivery_" + std::string(metric) + "{delivery=\"" + delivery + "\"}";
  };
  c.records_read = registry->Get(name("records_read_total"));
  c.rows_delivered = registry->Get(name("rows_delivered_total"));
  c.records_failed = registry->Get(name("records_failed_total"));
  c.records_dropped = registry->Get(name("records_dropped_total"));
  c.files_committed = registry->Get(name("files_committed_total"));
  c.bytes_committed = registry->Get(name("bytes_committed_total"));
  c.commits = registry->Get(name("commits_total"));
  c.commit_errors = registry->Get(name("commit_errors_total"));
  c.commit_seconds = registry->GetHistogram(name("commit_seconds"));
  c.latency_seconds = registry->GetHistogram(name("latency_seconds"));
  return c;
}

ShardWorker::ShardWorker(const WorkerContext& ctx, std::string shard_id)
    : ctx_(ctx),
      shard_id_(std::move(shard_id)),
      checkpoint_key_("delivery/" + ctx.options->name + "/" + shard_id_),
      errors_checkpoint_key_(checkpoint_key_ + "/errors"),
      infer_columns_(!ctx.processor->ReportsColumns()),
      active_(std::make_unique<DeliveryBuffer>(*ctx.options)),
      spare_(std::make_unique<DeliveryBuffer>(*ctx.options)),
      committer_(CommitConfig{ctx.options->lake_root, ctx.options->name, ctx.options->table,
                              ctx.options->errors_table(),
                              "stream/" + ctx.stream->name() + "/" + shard_id_, checkpoint_key_,
                              errors_checkpoint_key_, ctx.options->sync,
                              ctx.options->format},
                 *ctx.fs, *ctx.catalog, *ctx.clock) {
  stats_.shard_id = shard_id_;
  if (ctx_.metrics != nullptr) {
    lag_gauge_ = ctx_.metrics->Get("tributary_delivery_millis_behind_latest{delivery=\"" +
                                   ctx_.options->name + "\",shard=\"" + shard_id_ + "\"}");
  }
}

ShardWorker::~ShardWorker() {
  RequestStop(true);
  (void)Join();
}

Status ShardWorker::Open() {
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint,
                        ctx_.catalog->GetCheckpoint(checkpoint_key_));
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> errors_checkpoint,
                        ctx_.catalog->GetCheckpoint(errors_checkpoint_key_));
  if (errors_checkpoint && (!checkpoint || stream::CompareSequenceNumbers(
                                               *errors_checkpoint, *checkpoint) > 0)) {
    skip_errors_through_ = *errors_checkpoint;
    committer_.SkipErrorsThrough(*errors_checkpoint);  // the committer thread starts later
  }
  // Failed-record totals per errorCode survive restarts (error_counts.h).
  TRIB_ASSIGN_OR_RETURN(
      PersistedErrorCounts counts,
      LoadErrorCounts(*ctx_.catalog, *ctx_.fs,
                      ErrorCountsSource{ctx_.options->lake_root, ctx_.options->errors_table(),
                                        "stream/" + ctx_.stream->name() + "/" + shard_id_,
                                        errors_checkpoint_key_}));
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.failed_by_code.clear();
    for (const auto& [code, n] : counts.counts) stats_.failed_by_code[code] = n;
  }
  committer_.SetErrorCounts(std::move(counts));  // the committer thread starts later
  stream::StartPosition start =
      checkpoint ? stream::StartPosition::After(*checkpoint) : ctx_.options->start_position;
  auto reader = ctx_.stream->OpenReader(shard_id_, start);
  if (!reader.ok() && reader.status().code() == StatusCode::kOutOfRange) {
    // The checkpoint's position was trimmed by retention: continue at the oldest record.
    SetError(reader.status().WithContext("checkpoint position trimmed, restarting at TRIM_HORIZON"));
    reader = ctx_.stream->OpenReader(shard_id_, stream::StartPosition::TrimHorizon());
  }
  if (!reader.ok()) return reader.status().WithContext("opening " + shard_id_);
  reader_ = std::move(*reader);
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.last_committed_sequence = checkpoint.value_or("");
  return Status::Ok();
}

void ShardWorker::Start() {
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.running = true;
  }
  committer_thread_ = std::thread([this] { RunCommitter(); });
  thread_ = std::thread([this] { Run(); });
}

void ShardWorker::RequestStop(bool flush) {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (!stop_.load()) flush_on_stop_.store(flush);
    stop_.store(true);
  }
  stop_cv_.notify_all();
}

Status ShardWorker::Join() {
  if (thread_.joinable()) thread_.join();
  // Run() told the committer to exit before returning.
  if (committer_thread_.joinable()) committer_thread_.join();
  return final_status_;
}

ShardStats ShardWorker::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  ShardStats s = stats_;
  s.buffered_records = active_consumed_ + in_flight_consumed_;
  return s;
}

void ShardWorker::SetError(const Status& s) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.last_error = s.ToString();
}

bool ShardWorker::SleepUnlessStopped(int64_t ms) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_.load(); });
  return !stop_.load();
}

bool ShardWorker::FlushDue(int64_t now_ns) const {
  if (!active_->has_pending()) return false;
  const BufferingHints& hints = ctx_.options->buffering;
  return active_->bytes() >= hints.max_bytes || active_->records() >= hints.max_records ||
         now_ns - active_->oldest_mono_ns() >= hints.interval_ms * 1000000;
}

Status ShardWorker::ReopenAtTrimHorizon(const Status& cause) {
  SetError(cause.WithContext("records trimmed before delivery; continuing at TRIM_HORIZON"));
  auto reader = ctx_.stream->OpenReader(shard_id_, stream::StartPosition::TrimHorizon());
  if (!reader.ok()) return reader.status();
  reader_ = std::move(*reader);
  return Status::Ok();
}

Status ShardWorker::WaitForCommitSlot() {
  std::unique_lock<std::mutex> lock(commit_mu_);
  commit_cv_.wait(lock, [this] { return in_flight_ == nullptr; });
  return last_commit_status_;
}

void ShardWorker::SubmitActive() {
  std::swap(active_, spare_);  // spare_ is empty: the previous commit cleared it
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    in_flight_consumed_ = spare_->consumed();
    active_consumed_ = 0;
  }
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    in_flight_ = spare_.get();
  }
  commit_cv_.notify_all();
}

void ShardWorker::Run() {
  while (!stop_.load()) {
    const BufferingHints& hints = ctx_.options->buffering;
    int64_t room = hints.max_records - active_->records();
    auto want = static_cast<size_t>(std::clamp<int64_t>(room, 1, ctx_.options->read_batch_records));
    const uint64_t version = ctx_.stream->append_version();
    // Reuses read_batch_'s strings: no per-record allocation while catching up.
    Status read = reader_->ReadInto(want, &read_batch_);
    if (!read.ok()) {
      Status s = read.code() == StatusCode::kOutOfRange ? ReopenAtTrimHorizon(read) : read;
      if (!s.ok()) {
        SetError(s.WithContext("reading " + shard_id_));
        if (!SleepUnlessStopped(200)) break;
      }
      continue;
    }
    const stream::ReadBatch* batch = &read_batch_;
    if (!batch->records.empty()) ProcessBatch(batch->records);
    if (lag_gauge_ != nullptr) lag_gauge_->Set(batch->millis_behind_latest);
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.millis_behind_latest = batch->millis_behind_latest;
      active_consumed_ = active_->consumed();
    }
    const int64_t now_ns = ctx_.clock->MonotonicNanos();
    if (FlushDue(now_ns)) {
      // Backpressure: one commit in flight at most. The committer retries a failing commit until
      // it succeeds, so a failed status here means it gave up during a stop: commit nothing more.
      if (!WaitForCommitSlot().ok() || stop_.load()) break;  // a stop flushes below
      SubmitActive();
      continue;
    }
    // Caught up (a short but non-empty batch may just be the reader's byte cap): block until an
    // append or the flush deadline.
    if (batch->records.empty()) {
      int64_t wait_ms = kMaxWaitMs;
      if (active_->has_pending()) {
        int64_t left_ns = active_->oldest_mono_ns() + hints.interval_ms * 1000000 - now_ns;
        wait_ms = std::clamp<int64_t>((left_ns + 999999) / 1000000, 1, kMaxWaitMs);
      }
      ctx_.stream->WaitForAppend(version, wait_ms);
    }
  }
  // Stopping: let the commit in flight finish (or be given up), then commit the rest, in order.
  Status final_status = WaitForCommitSlot();
  if (final_status.ok() && flush_on_stop_.load() && active_->has_pending()) {
    SubmitActive();
    final_status = WaitForCommitSlot();
  }
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    committer_exit_ = true;
  }
  commit_cv_.notify_all();
  final_status_ = flush_on_stop_.load() ? final_status : Status::Ok();
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.running = false;
  active_consumed_ = active_->consumed();
}

void ShardWorker::RunCommitter() {
  std::unique_lock<std::mutex> lock(commit_mu_);
  for (;;) {
    commit_cv_.wait(lock, [this] { return in_flight_ != nullptr || committer_exit_; });
    if (in_flight_ == nullptr) return;  // exit requested and nothing left to commit
    DeliveryBuffer* buffer = in_flight_;
    lock.unlock();
    Status s = CommitWithRetry(*buffer);
    lock.lock();
    last_commit_status_ = s;
    in_flight_ = nullptr;
    commit_cv_.notify_all();
  }
}

Status ShardWorker::CommitWithRetry(DeliveryBuffer& buffer) {
  Status s = CommitOnce(buffer);
  int64_t backoff_ms = 100;
  int attempts_while_stopping = 0;
  while (!s.ok()) {
    // Retry the same data (the committer kept the uncommitted part of the buffer), with backoff,
    // until it succeeds: later buffers wait behind it, so nothing is skipped or reordered.
    if (!stop_.load() && SleepUnlessStopped(backoff_ms)) {
      backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
      s = CommitOnce(buffer);
      continue;
    }
    // Stopping: a flushing stop makes a few more immediate attempts; then the batch is left
    // uncommitted (its records are after the checkpoint and are read again on restart).
    if (!flush_on_stop_.load() || !s.retryable() || attempts_while_stopping >= 3) return s;
    ++attempts_while_stopping;
    s = CommitOnce(buffer);
  }
  return s;
}

void ShardWorker::ProcessBatch(const std::vector<stream::StreamRecord>& records) {
  const size_t n = records.size();
  inputs_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const stream::StreamRecord& r = records[i];
    inputs_[i] = transform::ProcessorInput{r.sequence_number, r.data, r.approximate_arrival_ms,
                                           shard_id_, r.partition_key, r.sequence_number};
  }
  transform::ColumnSet* columns = infer_columns_ ? nullptr : &active_->columns();
  Status status = ctx_.processor->Process(inputs_, outputs_, columns);
  int attempts = 1;
  while ((!status.ok() || outputs_.size() != n) && attempts <= ctx_.options->processor_retries) {
    SleepUnlessStopped(100 * attempts);
    status = ctx_.processor->Process(inputs_, outputs_, columns);
    ++attempts;
  }
  const int64_t now_ns = ctx_.clock->MonotonicNanos();
  if (!status.ok() || outputs_.size() != n) {
    std::string message = !status.ok() ? status.ToString()
                                       : "the processor returned " +
                                             std::to_string(outputs_.size()) + " results for " +
                                             std::to_string(n) + " records";
    for (const stream::StreamRecord& r : records) {
      AddFailed(r, kBatchErrorCode, message, attempts, kProcessingFailedType);
      active_->NoteConsumed(r.sequence_number, now_ns);
    }
  } else {
    const bool arrival_time = ctx_.options->time_source == TimeSource::kArrivalTime;
    for (size_t i = 0; i < n; ++i) {
      const stream::StreamRecord& r = records[i];
      transform::ProcessorOutput& out = outputs_[i];
      if (out.record_id != r.sequence_number) {
        AddFailed(r, kOutputErrorCode, "the processor returned a missing or mismatched recordId",
                  attempts, kProcessingFailedType);
      } else if (out.result == transform::ProcessingResult::kDropped) {
        active_->NoteDropped();
      } else if (out.result == transform::ProcessingResult::kProcessingFailed) {
        const std::string_view code = out.error_code.empty()
                                          ? transform::CdcFlattenProcessor::kErrorCode
                                          : std::string_view(out.error_code);
        // Key extraction (metadata-extraction) failures are partitioning failures.
        AddFailed(r, code,
                  out.error_message.empty() ? "the processor returned ProcessingFailed"
                                            : std::string_view(out.error_message),
                  attempts,
                  code.starts_with("DynamicPartitioning.") ? kPartitioningFailedType
                                                           : kProcessingFailedType);
      } else {
        std::string_view row = TrimRow(out.data);
        Status row_status;
        if (infer_columns_) {
          row_status = transform::InferColumns(row, active_->columns());
          if (row_status.ok() && row.find('\n') != std::string_view::npos) {
            minify_scratch_.resize(row.size());
            size_t len = 0;
            if (simdjson::minify(row.data(), row.size(), minify_scratch_.data(), len) ==
                simdjson::SUCCESS) {
              minify_scratch_.resize(len);
              row = minify_scratch_;
            }
          }
          if (!row_status.ok()) {
            AddFailed(r, kOutputErrorCode, "processor output: " + row_status.message(), attempts,
                      kProcessingFailedType);
          }
        }
        if (row_status.ok()) AddRow(r, out, row, arrival_time, attempts);
      }
      active_->NoteConsumed(r.sequence_number, now_ns);
    }
  }
  if (ctx_.counters.records_read != nullptr) ctx_.counters.records_read->Add(static_cast<int64_t>(n));
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.records_read += static_cast<int64_t>(n);
}

void ShardWorker::AddRow(const stream::StreamRecord& r, const transform::ProcessorOutput& out,
                         std::string_view row, bool arrival_time, int attempts) {
  const int64_t event_ms =
      arrival_time ? r.approximate_arrival_ms : out.event_time_ms.value_or(r.approximate_arrival_ms);
  Status s = active_->AddRow(row, out.partition_keys, event_ms, r.sequence_number,
                             r.approximate_arrival_ms);
  if (s.code() == StatusCode::kResourceExhausted &&
      ctx_.options->partition_limit_action == PartitionLimitAction::kFlush) {
    // Too many open partitions: commit what is buffered (records before this one, all consumed)
    // and go on with an empty buffer. If the committer gave up during a stop, keep filling this
    // buffer: it is not committed and its records are read again after a restart.
    if (active_->has_pending() && WaitForCommitSlot().ok()) {
      if (!infer_columns_) spare_->columns() = active_->columns();
      SubmitActive();
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.partition_limit_flushes;
    }
    s = active_->AddRow(row, out.partition_keys, event_ms, r.sequence_number,
                        r.approximate_arrival_ms);
    if (s.code() == StatusCode::kResourceExhausted && active_->open_partitions() == 0) {
      s = Status::Internal("max_open_partitions refused an empty buffer");
    }
  }
  if (s.ok()) return;
  AddFailed(r, active_->failure_code(), s.message(), attempts, kPartitioningFailedType);
}

void ShardWorker::AddFailed(const stream::StreamRecord& record, std::string_view code,
                            std::string_view message, int attempts, std::string_view type) {
  if (!skip_errors_through_.empty()) {
    if (stream::CompareSequenceNumbers(record.sequence_number, skip_errors_through_) <= 0) {
      return;  // already committed to the error table before a restart
    }
    // Records arrive in order and are never processed twice by one worker: past the errors
    // checkpoint of the previous run, no failed record can repeat any more.
    skip_errors_through_.clear();
  }
  FailedRecord f;
  f.attempts_made = attempts;
  f.arrival_ms = record.approximate_arrival_ms;
  f.error_code = code;
  f.error_message = message;
  f.attempt_ending_ms = ctx_.clock->NowMillis();
  f.raw_data = record.data;
  f.lambda_arn = ctx_.processor->arn();
  f.sequence_number = record.sequence_number;
  f.error_output_type = type;
  line_scratch_.clear();
  AppendFailedRecordJson(f, line_scratch_);
  active_->AddError(line_scratch_, record.approximate_arrival_ms, record.sequence_number, type,
                    code);
}

Status ShardWorker::CommitOnce(DeliveryBuffer& buffer) {
  CommitOutcome outcome;
  const std::string committing = buffer.last_sequence();
  const int64_t oldest_ns = buffer.oldest_mono_ns();
  const int64_t start_ns = ctx_.clock->MonotonicNanos();
  Status s = committer_.Commit(buffer, outcome);
  const DeliveryCounters& c = ctx_.counters;
  if (c.commit_seconds != nullptr && s.ok() && outcome.checkpoint_advanced) {
    const int64_t end_ns = ctx_.clock->MonotonicNanos();
    c.commit_seconds->Observe(static_cast<double>(end_ns - start_ns) / 1e9);
    if (oldest_ns > 0) c.latency_seconds->Observe(static_cast<double>(end_ns - oldest_ns) / 1e9);
  }
  if (c.rows_delivered != nullptr) {
    c.rows_delivered->Add(outcome.rows);
    c.records_failed->Add(outcome.error_rows);
    c.records_dropped->Add(outcome.dropped);
    c.files_committed->Add(outcome.data_files + outcome.error_files);
    c.bytes_committed->Add(outcome.bytes);
    if (outcome.checkpoint_advanced) c.commits->Add(1);
    if (!s.ok()) c.commit_errors->Add(1);
  }
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.rows_delivered += outcome.rows;
  stats_.records_failed += outcome.error_rows;
  for (const auto& [code, count] : outcome.error_rows_by_code) {
    stats_.failed_by_code[code] += count;
  }
  stats_.records_dropped += outcome.dropped;
  stats_.files_committed += outcome.data_files + outcome.error_files;
  stats_.bytes_committed += outcome.bytes;
  in_flight_consumed_ = buffer.consumed();  // 0 once committed
  if (outcome.checkpoint_advanced) {
    stats_.commits += 1;
    stats_.last_commit_ms = ctx_.clock->NowMillis();
    if (!committing.empty()) stats_.last_committed_sequence = committing;
  }
  if (!s.ok()) {
    stats_.last_error = s.ToString();
  } else if (!outcome.publish_status.ok()) {
    stats_.last_error = outcome.publish_status.ToString();
  } else if (!outcome.counts_status.ok()) {
    stats_.last_error = outcome.counts_status.WithContext("persisting error counts").ToString();
  }
  return s;
}

}  // namespace tributary::delivery
