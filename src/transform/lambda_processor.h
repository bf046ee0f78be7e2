// lambda: runs a user's unchanged Python Lambda handler (Firehose's Lambda transform) in
// long-lived worker processes (LambdaWorker + the embedded lambda_adapter.py).
//
// Parameters (docs/configuration.md, docs/lambda-handlers.md):
//   handler            required   "<module>.<function>", e.g. lambda_function.lambda_handler
//   code               required   the directory holding the module (relative to the config file)
//   runtime            python3    python3 or python3.N (the local python3 runs either way)
//   function_name      <delivery>-transform   the context's function_name and the ARN's name
//   timeout_seconds    60         1..300 per invocation (Firehose caps an invocation at 5 min)
//   number_of_retries  3          0..300: delivery retries a failed invocation's batch this often
//   buffer_size_mb     1          0.2..3: record data per invocation (Firehose BufferSizeInMBs)
//   max_workers        2          1..64 worker processes (concurrent invocations)
//
// Each batch is split into invocations of at most buffer_size_mb of record data whose request
// JSON stays within 6 MB (a record that cannot fit alone fails with Lambda.RequestTooLarge). An
// invocation gets the exact Firehose event: invocationId, deliveryStreamArn, region,
// sourceKinesisStreamArn, records[{recordId, approximateArrivalTimestamp (ms), data (base64),
// kinesisRecordMetadata{shardId, partitionKey, approximateArrivalTimestamp, sequenceNumber,
// subsequenceNumber}}].
//
// The response is honoured record by record: Ok (data base64-decoded, metadata.partitionKeys as
// partition keys), Dropped, ProcessingFailed (errorCode Lambda.ProcessingFailed). A record whose id
// is missing from the response fails with Lambda.MissingRecordId, one returned twice with
// Lambda.DuplicatedRecordId, one with a bad result, data or partitionKeys with
// Lambda.InvalidRecordResult. An invocation that fails as a whole — the handler raised (the
// message carries the traceback), timed out (the worker is killed and restarted), crashed (the
// worker is restarted), answered over 6 MB or not with {"records": [...]} — fails Process() with a
// non-ok Status; delivery retries the batch number_of_retries times, then sends every record to
// the error prefix.
//
// Files: the adapter and the handler's log (stdout/stderr, print() included) are written to
// ProcessorEnv::work_dir: lambda_adapter.py and <function_name>.log.
//
// Thread-safety: Process() may run concurrently; each call takes a worker of its own from the
// pool (starting one up to max_workers, else waiting).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "transform/lambda_worker.h"
#include "transform/processor.h"

namespace tributary::transform {

// The adapter script's text, embedded at build time.
std::string_view LambdaAdapterSource();

class LambdaProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "lambda";
  static constexpr size_t kMaxPayloadBytes = 6 * 1024 * 1024;  // Lambda's synchronous limit

  struct Options {
    std::string handler;
    std::string code_dir;  // absolute
    std::string executable = "python3";
    std::string function_name;
    int64_t timeout_ms = 60000;
    int number_of_retries = 3;
    size_t buffer_bytes = 1024 * 1024;
    int max_workers = 2;
    std::string work_dir;  // adapter + log
    // Upper bound of one request's JSON; kMaxPayloadBytes except in tests.
    size_t max_request_bytes = kMaxPayloadBytes;
  };

  // Starts one worker to check that the handler imports (ParamError on 'handler' with the
  // traceback if not).
  static Result<std::unique_ptr<Processor>> Create(const ProcessorParams& params,
                                                   const ProcessorEnv& env);
  static Result<std::unique_ptr<LambdaProcessor>> CreateWithOptions(Options options,
                                                                    const ProcessorEnv& env);
  ~LambdaProcessor() override;

  std::string_view type() const override { return kType; }
  std::string_view arn() const override { return arn_; }
  std::optional<int> BatchRetries() const override { return options_.number_of_retries; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;

  const Options& options() const { return options_; }
  std::string log_path() const;
  // Worker processes started so far (restarts included), and pids of the idle ones, for tests.
  int WorkerStarts() const;
  std::vector<int> IdleWorkerPids() const;

 private:
  LambdaProcessor(Options options, const ProcessorEnv& env);
  std::unique_ptr<LambdaWorker> NewWorker() const;
  std::unique_ptr<LambdaWorker> AcquireWorker() const;
  void ReleaseWorker(std::unique_ptr<LambdaWorker> w) const;
  // One invocation for inputs[begin, end); fills their outputs.
  Status Invoke(LambdaWorker& worker, std::span<const ProcessorInput> inputs,
                const std::vector<std::string>& records, size_t begin, size_t end,
                std::vector<ProcessorOutput>& outputs) const;

  const Options options_;
  const std::string arn_;
  const std::string delivery_arn_;
  const std::string source_arn_;
  const std::string region_;
  std::string settings_json_;
  std::string adapter_path_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::vector<std::unique_ptr<LambdaWorker>> idle_;  // guarded by mu_
  mutable int workers_ = 0;                                  // created, guarded by mu_
  mutable int retired_starts_ = 0;                           // guarded by mu_
};

}  // namespace tributary::transform
