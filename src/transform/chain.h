// ChainProcessor: a delivery's processors run one after another as one Processor, so delivery
// keeps calling a single Process(). For each record:
//   - the Ok output data of step k is the input data of step k+1 (record id, arrival time and
//     Kinesis metadata stay those of the original record);
//   - Dropped or ProcessingFailed at any step ends that record there (the step's errorCode and
//     message are kept);
//   - partition keys accumulate: every step's keys are merged, a later step overwriting a key of
//     the same name; the event time is the last one a step reported;
//   - a step that returns a wrong or missing record id fails that record
//     (errorCode "Processor.InvalidOutput").
// A step that fails as a whole (non-ok Status) fails the whole batch, with the step named.
//
// Columns: the chain reports columns when some step reports them and every later step keeps
// them (KeepsColumns, e.g. append-delimiter, metadata-extraction); that step alone is given the
// ColumnSet. Otherwise delivery infers the columns from the final rows.
//
// Thread-safety: immutable; Process() may run concurrently (scratch space is per call).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "transform/processor.h"

namespace tributary::transform {

class ChainProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "chain";
  static constexpr std::string_view kInvalidOutputCode = "Processor.InvalidOutput";

  // InvalidArgument for an empty chain.
  static Result<std::unique_ptr<ChainProcessor>> Create(
      std::vector<std::unique_ptr<Processor>> steps);

  std::string_view type() const override { return kType; }
  // The first step's ARN that is not built in (a Lambda's), else the last step's.
  std::string_view arn() const override { return arn_; }
  bool ReportsColumns() const override { return columns_step_ >= 0; }
  bool KeepsColumns() const override;
  // The largest of the steps' BatchRetries.
  std::optional<int> BatchRetries() const override;
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;

  size_t size() const { return steps_.size(); }
  const Processor& step(size_t i) const { return *steps_[i]; }

 private:
  explicit ChainProcessor(std::vector<std::unique_ptr<Processor>> steps);

  std::vector<std::unique_ptr<Processor>> steps_;
  std::string arn_;
  int columns_step_ = -1;  // the step given the ColumnSet, -1: none
};

}  // namespace tributary::transform
