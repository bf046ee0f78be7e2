#include "transform/processor.h"

#include "transform/cdc_flatten.h"
#include "transform/jq_processor.h"
#include "transform/lambda_processor.h"
#include "transform/simple_processors.h"

namespace tributary::transform {

std::string_view ProcessingResultName(ProcessingResult r) {
  switch (r) {
    case ProcessingResult::kOk: return "Ok";
    case ProcessingResult::kDropped: return "Dropped";
    case ProcessingResult::kProcessingFailed: return "ProcessingFailed";
  }
  return "ProcessingFailed";
}

Result<ProcessingResult> ParseProcessingResult(std::string_view text) {
  if (text == "Ok") return ProcessingResult::kOk;
  if (text == "Dropped") return ProcessingResult::kDropped;
  if (text == "ProcessingFailed") return ProcessingResult::kProcessingFailed;
  return Status::InvalidArgument("invalid record result '" + std::string(text) +
                                 "' (expected Ok, Dropped or ProcessingFailed)");
}

void PartitionKeys::Set(std::string_view key, std::string_view value) {
  for (size_t i = 0; i < size_; ++i) {
    if (entries_[i].first == key) {
      entries_[i].second.assign(value);
      return;
    }
  }
  if (size_ == entries_.size()) entries_.emplace_back();
  entries_[size_].first.assign(key);
  entries_[size_].second.assign(value);
  ++size_;
}

void PartitionKeys::Append(std::string_view key, std::string_view value) {
  if (size_ == entries_.size()) entries_.emplace_back();
  auto& entry = entries_[size_++];
  if (entry.first != key) entry.first.assign(key);
  entry.second.assign(value);
}

const std::string* PartitionKeys::Find(std::string_view key) const {
  for (size_t i = 0; i < size_; ++i) {
    if (entries_[i].first == key) return &entries_[i].second;
  }
  return nullptr;
}

std::map<std::string, std::string> PartitionKeys::ToMap() const {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < size_; ++i) out[entries_[i].first] = entries_[i].second;
  return out;
}

std::string ProcessorEnv::DeliveryStreamArn() const {
  return "arn:aws:firehose:" + region + ":" + account_id + ":deliverystream/" + delivery_name;
}

std::string ProcessorEnv::SourceStreamArn() const {
  if (source_stream_name.empty()) return "";
  return "arn:aws:kinesis:" + region + ":" + account_id + ":stream/" + source_stream_name;
}

ProcessorRegistry& ProcessorRegistry::Default() {
  static ProcessorRegistry* registry = [] {
    auto* r = new ProcessorRegistry();
    // None of these can collide in a fresh registry.
    (void)r->Register(std::string(CdcFlattenProcessor::kType),
                      [](const ProcessorParams& p, const ProcessorEnv&) {
                        return CdcFlattenProcessor::Create(p);
                      });
    (void)r->Register(std::string(AppendDelimiterProcessor::kType),
                      [](const ProcessorParams& p, const ProcessorEnv&) {
                        return AppendDelimiterProcessor::Create(p);
                      });
    (void)r->Register(std::string(DecompressProcessor::kType),
                      [](const ProcessorParams& p, const ProcessorEnv&) {
                        return DecompressProcessor::Create(p);
                      });
    (void)r->Register(std::string(JqProcessor::kType),
                      [](const ProcessorParams& p, const ProcessorEnv&) {
                        return JqProcessor::Create(p);
                      });
    (void)r->Register(std::string(MetadataExtractionProcessor::kType),
                      [](const ProcessorParams& p, const ProcessorEnv&) {
                        return MetadataExtractionProcessor::Create(p);
                      });
    (void)r->Register(std::string(LambdaProcessor::kType),
                      [](const ProcessorParams& p, const ProcessorEnv& env) {
                        return LambdaProcessor::Create(p, env);
                      });
    return r;
  }();
  return *registry;
}

Status ProcessorRegistry::Register(std::string type, ProcessorFactory factory) {
  std::lock_guard<std::mutex> lock(mu_);
  if (factories_.count(type) != 0) {
    return Status::AlreadyExists("processor type '" + type + "' is already registered");
  }
  factories_.emplace(std::move(type), std::move(factory));
  return Status::Ok();
}

Result<std::unique_ptr<Processor>> ProcessorRegistry::Create(std::string_view type,
                                                             const ProcessorParams& params,
                                                             const ProcessorEnv& env) const {
  ProcessorFactory factory;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = factories_.find(type);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& [name, f] : factories_) known += (known.empty() ? "" : ", ") + name;
      return Status::NotFound("unknown processor type '" + std::string(type) + "' (known: " +
                              known + ")");
    }
    factory = it->second;
  }
  return factory(params, env);
}

std::vector<std::string> ProcessorRegistry::Types() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

Status CheckParams(std::string_view type, const ProcessorParams& params,
                   std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : params) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || key == a;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::InvalidArgument("processor '" + std::string(type) +
                                     "': unknown parameter '" + key + "' (allowed: " +
                                     (list.empty() ? "none" : list) + ")");
    }
  }
  return Status::Ok();
}

Status ParamError(std::string_view type, std::string_view param, std::string_view what) {
  return Status::InvalidArgument("processor '" + std::string(type) + "' parameter '" +
                                 std::string(param) + "': " + std::string(what));
}

std::optional<std::string> ParamErrorName(const Status& status) {
  const std::string& m = status.message();
  if (!m.starts_with("processor '")) return std::nullopt;
  const size_t type_end = m.find('\'', 11);
  constexpr std::string_view kParam = "' parameter '";
  if (type_end == std::string::npos || m.compare(type_end, kParam.size(), kParam) != 0) {
    return std::nullopt;
  }
  const size_t start = type_end + kParam.size();
  const size_t end = m.find('\'', start);
  if (end == std::string::npos) return std::nullopt;
  return m.substr(start, end - start);
}

}  // namespace tributary::transform
