#include "core/metrics.h"

namespace tributary {

Counter* MetricsRegistry::Get(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = counters_[name];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

std::map<std::string, int64_t> MetricsRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> out;
  for (const auto& [name, c] : counters_) out[name] = c->value();
  return out;
}

std::string MetricsRegistry::PrometheusText() const {
  std::string out;
  for (const auto& [name, value] : Snapshot()) {
    out += name;
    out.push_back(' ');
    out += std::to_string(value);
    out.push_back('\n');
  }
  return out;
}

MetricsRegistry* MetricsRegistry::Default() {
  static MetricsRegistry registry;
  return &registry;
}

}  // namespace tributary
