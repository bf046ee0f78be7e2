#include "transform/chain.h"

#include <utility>

namespace tributary::transform {

Result<std::unique_ptr<ChainProcessor>> ChainProcessor::Create(
    std::vector<std::unique_ptr<Processor>> steps) {
  if (steps.empty()) return Status::InvalidArgument("a processor chain needs at least one step");
  for (const auto& s : steps) {
    if (s == nullptr) return Status::InvalidArgument("a processor chain step is null");
  }
  return std::unique_ptr<ChainProcessor>(new ChainProcessor(std::move(steps)));
}

ChainProcessor::ChainProcessor(std::vector<std::unique_ptr<Processor>> steps)
    : steps_(std::move(steps)) {
  for (const auto& s : steps_) {
    if (!s->arn().starts_with("builtin:")) {
      arn_ = std::string(s->arn());
      break;
    }
  }
  if (arn_.empty()) arn_ = std::string(steps_.back()->arn());
  for (int k = static_cast<int>(steps_.size()) - 1; k >= 0; --k) {
    if (steps_[static_cast<size_t>(k)]->ReportsColumns()) {
      columns_step_ = k;
      break;
    }
    if (!steps_[static_cast<size_t>(k)]->KeepsColumns()) break;
  }
}

bool ChainProcessor::KeepsColumns() const {
  for (const auto& s : steps_) {
    if (!s->KeepsColumns()) return false;
  }
  return true;
}

std::optional<int> ChainProcessor::BatchRetries() const {
  std::optional<int> out;
  for (const auto& s : steps_) {
    if (auto r = s->BatchRetries(); r && (!out || *r > *out)) out = r;
  }
  return out;
}

namespace {

void Fail(ProcessorOutput& out, std::string_view code, std::string message) {
  out.result = ProcessingResult::kProcessingFailed;
  out.data.clear();
  out.partition_keys.Clear();
  out.event_time_ms.reset();
  out.error_code.assign(code);
  out.error_message = std::move(message);
}

}  // namespace

Status ChainProcessor::Process(std::span<const ProcessorInput> inputs,
                               std::vector<ProcessorOutput>& outputs, ColumnSet* columns) const {
  if (steps_.size() == 1) return steps_[0]->Process(inputs, outputs, columns);

  const size_t n = inputs.size();
  outputs.resize(n);
  for (size_t i = 0; i < n; ++i) {
    ProcessorOutput& out = outputs[i];
    out.record_id.assign(inputs[i].record_id);
    out.result = ProcessingResult::kOk;
    out.data.clear();
    out.partition_keys.Clear();
    out.error_code.clear();
    out.error_message.clear();
    out.event_time_ms.reset();
  }

  // live[j]: the original index of the j-th record still going through the chain.
  std::vector<size_t> live(n);
  for (size_t i = 0; i < n; ++i) live[i] = i;
  std::vector<ProcessorInput> step_inputs;
  std::vector<ProcessorOutput> prev, cur;

  for (size_t k = 0; k < steps_.size() && !live.empty(); ++k) {
    const Processor& step = *steps_[k];
    std::span<const ProcessorInput> in = inputs;
    if (k > 0) {
      step_inputs.resize(live.size());
      for (size_t j = 0; j < live.size(); ++j) {
        step_inputs[j] = inputs[live[j]];
        step_inputs[j].data = prev[j].data;
      }
      in = step_inputs;
    }
    ColumnSet* step_columns = static_cast<int>(k) == columns_step_ ? columns : nullptr;
    Status s = step.Process(in, cur, step_columns);
    if (!s.ok()) {
      return s.WithContext("processor step " + std::to_string(k + 1) + " (" +
                           std::string(step.type()) + ")");
    }
    if (cur.size() != in.size()) {
      return Status::Internal("processor step " + std::to_string(k + 1) + " (" +
                              std::string(step.type()) + ") returned " +
                              std::to_string(cur.size()) + " results for " +
                              std::to_string(in.size()) + " records");
    }
    size_t kept = 0;
    for (size_t j = 0; j < live.size(); ++j) {
      const size_t i = live[j];
      ProcessorOutput& o = cur[j];
      ProcessorOutput& final_out = outputs[i];
      if (o.record_id != inputs[i].record_id) {
        Fail(final_out, kInvalidOutputCode,
             "processor step " + std::to_string(k + 1) + " (" + std::string(step.type()) +
                 ") returned a missing or mismatched recordId");
        continue;
      }
      if (o.result == ProcessingResult::kDropped) {
        final_out.result = ProcessingResult::kDropped;
        final_out.data.clear();
        continue;
      }
      if (o.result == ProcessingResult::kProcessingFailed) {
        Fail(final_out, o.error_code, o.error_message);
        continue;
      }
      for (size_t p = 0; p < o.partition_keys.size(); ++p) {
        final_out.partition_keys.Set(o.partition_keys.at(p).first, o.partition_keys.at(p).second);
      }
      if (o.event_time_ms) final_out.event_time_ms = o.event_time_ms;
      if (kept != j) std::swap(cur[kept], cur[j]);
      live[kept++] = i;
    }
    live.resize(kept);
    std::swap(prev, cur);
  }
  for (size_t j = 0; j < live.size(); ++j) std::swap(outputs[live[j]].data, prev[j].data);
  return Status::Ok();
}

}  // namespace tributary::transform
