// Processors: the transform stage of delivery, in the Firehose Lambda record contract. A processor
// receives a batch of stream records and returns, for each one, a result (Ok | Dropped |
// ProcessingFailed), the output row bytes and the partition keys (Firehose's
// metadata.partitionKeys). On the C++ path `data` is the stream record's bytes as they are (no
// base64 round trip); the external Lambda-handler processor adds base64 at its process boundary.
//
// Processors are created by `type:` name from a ProcessorRegistry with a string parameter map
// (Firehose's ProcessorParameter list, or a YAML mapping) and a ProcessorEnv (which delivery
// stream they serve, where they may keep files). A delivery runs a chain of them
// (ChainProcessor, chain.h); the built-in types are:
//   cdc-flatten (cdc_flatten.h), jq and metadata-extraction (jq_processor.h), lambda
//   (lambda_processor.h), append-delimiter and decompress (simple_processors.h).
//
// Thread-safety: a Processor is immutable after creation; Process() is const and may be called
// concurrently from several delivery workers (each passes its own output vector and ColumnSet).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "transform/column_set.h"

namespace tributary::transform {

// One input record: Firehose's {recordId, data, approximateArrivalTimestamp,
// kinesisRecordMetadata{shardId, partitionKey, sequenceNumber}}. Views borrow the caller's
// buffers for the duration of Process().
struct ProcessorInput {
  std::string_view record_id;
  std::string_view data;
  int64_t approximate_arrival_ms = 0;
  std::string_view shard_id;
  std::string_view partition_key;
  std::string_view sequence_number;
};

enum class ProcessingResult : uint8_t { kOk, kDropped, kProcessingFailed };
std::string_view ProcessingResultName(ProcessingResult r);  // "Ok" | "Dropped" | "ProcessingFailed"
Result<ProcessingResult> ParseProcessingResult(std::string_view text);

// A small insertion-ordered string map that keeps its strings' storage across Clear(), so a
// reused ProcessorOutput sets its partition keys without allocating.
class PartitionKeys {
 public:
  void Clear() { size_ = 0; }
  // Overwrites the value of `key`, or appends it.
  void Set(std::string_view key, std::string_view value);
  // Appends a key known to be absent (precondition); reuses the slot's storage without searching.
  void Append(std::string_view key, std::string_view value);
  // nullptr when absent.
  const std::string* Find(std::string_view key) const;
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::pair<std::string, std::string>& at(size_t i) const { return entries_[i]; }
  // Find() that first tries position `hint` (keys usually come in the table's order).
  const std::string* FindAt(size_t hint, std::string_view key) const {
    if (hint < size_ && entries_[hint].first == key) return &entries_[hint].second;
    return Find(key);
  }
  std::map<std::string, std::string> ToMap() const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // [0, size_) live
  size_t size_ = 0;
};

// One output record. Reused across batches: processors assign into the strings so steady-state
// processing does not allocate.
struct ProcessorOutput {
  std::string record_id;
  ProcessingResult result = ProcessingResult::kOk;
  std::string data;  // Ok: the output row (one JSON object, no trailing newline)
  PartitionKeys partition_keys;
  // ProcessingFailed: Firehose-style errorCode (e.g. "Processor.ProcessingFailed") and a precise
  // human-readable reason.
  std::string error_code;
  std::string error_message;
  // Event time of the row when the processor knows it (cdc-flatten: ApproximateCreationDateTime);
  // otherwise delivery uses the arrival time.
  std::optional<int64_t> event_time_ms;
};

class Processor {
 public:
  virtual ~Processor() = default;

  // The registry type name ("cdc-flatten").
  virtual std::string_view type() const = 0;
  // What Firehose error records name in "lambdaArn": a Lambda's ARN, or "builtin:<type>".
  virtual std::string_view arn() const = 0;
  // True when Process() reports the columns of its Ok rows into `columns`; otherwise the caller
  // infers them from the row JSON (InferColumns).
  virtual bool ReportsColumns() const { return false; }
  // True when an Ok output row has the same columns as its input (the step adds partition keys
  // or a trailing delimiter only), so a chain may keep an earlier step's reported columns.
  virtual bool KeepsColumns() const { return false; }
  // How often delivery retries a batch whose Process() failed as a whole (Firehose's
  // NumberOfRetries of a Lambda); nullopt: delivery's default.
  virtual std::optional<int> BatchRetries() const { return std::nullopt; }

  // Resizes `outputs` to inputs.size() (keeping existing elements' buffers) and fills outputs[i]
  // for inputs[i]; every input gets an output. Per-record problems are ProcessingFailed results,
  // never a non-ok Status; a non-ok Status means the whole batch failed (e.g. the handler process
  // died) and nothing in `outputs` is meaningful. `columns` may be nullptr.
  virtual Status Process(std::span<const ProcessorInput> inputs,
                         std::vector<ProcessorOutput>& outputs, ColumnSet* columns) const = 0;
};

using ProcessorParams = std::map<std::string, std::string, std::less<>>;

// What a processor knows about the delivery stream it serves (the Lambda event's ARNs) and the
// directories it may use. Defaults suit tests.
struct ProcessorEnv {
  std::string delivery_name = "delivery";
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string source_stream_name;  // "" -> no sourceKinesisStreamArn
  // A private directory for files the processor writes (the Lambda adapter, handler logs);
  // created on demand. "" -> a directory under the system temp dir.
  std::string work_dir;
  // Relative paths in parameters (a Lambda's `code`) are relative to this; "" -> the working
  // directory.
  std::string base_dir;

  std::string DeliveryStreamArn() const;  // arn:aws:firehose:<region>:<account>:deliverystream/<name>
  std::string SourceStreamArn() const;    // arn:aws:kinesis:...:stream/<name>, "" when none
};

using ProcessorFactory = std::function<Result<std::unique_ptr<Processor>>(
    const ProcessorParams& params, const ProcessorEnv& env)>;

// Processor factories by type name. Thread-safe.
class ProcessorRegistry {
 public:
  // A registry holding the built-in processors (cdc-flatten, jq, metadata-extraction, lambda,
  // append-delimiter, decompress).
  static ProcessorRegistry& Default();

  // AlreadyExists if `type` is taken.
  Status Register(std::string type, ProcessorFactory factory);
  // NotFound (listing the known types) for an unknown type; the factory's error for bad params.
  Result<std::unique_ptr<Processor>> Create(std::string_view type,
                                            const ProcessorParams& params = {},
                                            const ProcessorEnv& env = {}) const;
  std::vector<std::string> Types() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, ProcessorFactory, std::less<>> factories_;  // guarded by mu_
};

// InvalidArgument naming the first key of `params` not in `allowed`, for factories.
Status CheckParams(std::string_view type, const ProcessorParams& params,
                   std::initializer_list<std::string_view> allowed);

// InvalidArgument "processor '<type>' parameter '<param>': <what>" for a bad parameter value;
// ParamErrorName() gives the parameter back so a config loader can point at its YAML line.
Status ParamError(std::string_view type, std::string_view param, std::string_view what);
std::optional<std::string> ParamErrorName(const Status& status);

}  // namespace tributary::transform
