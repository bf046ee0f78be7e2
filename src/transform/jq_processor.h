// jq processors, on libjq 1.6 (the engine Firehose names "JQ-1.6"):
//
//   jq: transforms each record with a jq program (parameter `program`). The record's data is
//     parsed as JSON and the program runs on it: no output -> Dropped; one output -> Ok with that
//     value as compact JSON; more than one output, a runtime error (`error("...")`, `.a.b` on a
//     string, ...) or data that is not JSON -> ProcessingFailed (errorCode
//     "Processor.ProcessingFailed", the jq message in errorMessage).
//
//   metadata-extraction (Firehose MetadataExtraction, JsonParsingEngine JQ-1.6): runs `query`, a jq
//     program producing an object such as {customer: .customer_id, year: .ts|strftime("%Y")},
//     and sets each key as a partition key (partitionKeyFromQuery) without changing the data.
//     Strings are taken as they are, numbers and booleans as their JSON text. A record whose
//     query fails, yields no object, or yields a key whose value is null, missing, an object or an
//     array is ProcessingFailed with errorCode "DynamicPartitioning.MetadataExtractionFailed".
//     Parameter `json_parsing_engine` must be "JQ-1.6" (the default).
//
// The program is compiled when the processor is created; a program that does not compile is an
// InvalidArgument ParamError carrying jq's own message, so the config loader points at its line.
//
// Thread-safety: a compiled jq_state is not thread-safe, so each processor keeps a pool of them
// and every Process() call takes one for itself (compiling another one when all are in use) and
// gives it back afterwards; no jq_state is ever used by two threads at once.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "transform/processor.h"

namespace tributary::transform {

namespace internal {
class JqPool;
}  // namespace internal

class JqProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "jq";
  static constexpr std::string_view kErrorCode = "Processor.ProcessingFailed";
  static Result<std::unique_ptr<Processor>> Create(const ProcessorParams& params);
  ~JqProcessor() override;

  std::string_view type() const override { return kType; }
  std::string_view arn() const override { return "builtin:jq"; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;

 private:
  explicit JqProcessor(std::unique_ptr<internal::JqPool> pool);
  std::unique_ptr<internal::JqPool> pool_;
};

class MetadataExtractionProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "metadata-extraction";
  static constexpr std::string_view kErrorCode = "DynamicPartitioning.MetadataExtractionFailed";
  static Result<std::unique_ptr<Processor>> Create(const ProcessorParams& params);
  ~MetadataExtractionProcessor() override;

  std::string_view type() const override { return kType; }
  std::string_view arn() const override { return "builtin:metadata-extraction"; }
  bool KeepsColumns() const override { return true; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;

 private:
  explicit MetadataExtractionProcessor(std::unique_ptr<internal::JqPool> pool);
  std::unique_ptr<internal::JqPool> pool_;
};

}  // namespace tributary::transform
