#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace tributary {

namespace {

// Shortest round-trip text of a double, as Prometheus parses it ("0.005", "12", "+Inf").
std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

// `family` + `suffix` + {labels[,extra]}
std::string SampleName(std::string_view family, std::string_view suffix, std::string_view labels,
                       std::string_view extra = {}) {
  std::string out(family);
  out += suffix;
  if (labels.empty() && extra.empty()) return out;
  out.push_back('{');
  out += labels;
  if (!labels.empty() && !extra.empty()) out.push_back(',');
  out += extra;
  out.push_back('}');
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

void SplitMetricName(std::string_view name, std::string_view* family, std::string_view* labels) {
  const size_t brace = name.find('{');
  if (brace == std::string_view::npos) {
    *family = name;
    *labels = {};
    return;
  }
  *family = name.substr(0, brace);
  std::string_view rest = name.substr(brace + 1);
  if (!rest.empty() && rest.back() == '}') rest.remove_suffix(1);
  *labels = rest;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<int64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Take() const {
  Snapshot s;
  s.bounds = bounds_;
  s.counts.resize(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) s.counts[i] = counts_[i].load(std::memory_order_relaxed);
  // count is the sum of the buckets read, so the exposition is consistent (+Inf == _count).
  for (int64_t c : s.counts) s.count += c;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

double Histogram::Snapshot::Quantile(double q) const {
  if (count == 0 || bounds.empty()) return 0;
  const double rank = q * static_cast<double>(count);
  int64_t below = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (static_cast<double>(below + counts[i]) >= rank && counts[i] > 0) {
      if (i == bounds.size()) return bounds.back();  // the +Inf bucket
      const double lower = i == 0 ? 0 : bounds[i - 1];
      const double upper = bounds[i];
      return lower + (upper - lower) * (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
    }
    below += counts[i];
  }
  return bounds.back();
}

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,   0.5,   1,      2.5,   5,    10,    30};
  return kBuckets;
}

Counter* MetricsRegistry::Get(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = counters_[name];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = histograms_[name];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return slot.get();
}

void MetricsRegistry::Describe(const std::string& family, std::string help, Type type) {
  std::lock_guard<std::mutex> lock(mu_);
  descriptions_[family] = Description{std::move(help), type};
}

std::map<std::string, int64_t> MetricsRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> out;
  for (const auto& [name, c] : counters_) out[name] = c->value();
  return out;
}

std::map<std::string, Histogram::Snapshot> MetricsRegistry::HistogramSnapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, Histogram::Snapshot> out;
  for (const auto& [name, h] : histograms_) out[name] = h->Take();
  return out;
}

std::string MetricsRegistry::PrometheusText() const {
  std::map<std::string, Description> descriptions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    descriptions = descriptions_;
  }
  // Samples grouped by family, so each family's HELP/TYPE comes once, before all its samples.
  struct Family {
    std::string type;
    std::vector<std::string> lines;
  };
  std::map<std::string, Family, std::less<>> families;
  auto family_of = [&](std::string_view family, const char* default_type) -> Family& {
    auto it = families.find(family);
    if (it == families.end()) {
      std::string type = default_type;
      if (auto d = descriptions.find(std::string(family)); d != descriptions.end()) {
        if (d->second.type == Type::kCounter) type = "counter";
        if (d->second.type == Type::kGauge) type = "gauge";
      }
      it = families.emplace(std::string(family), Family{std::move(type), {}}).first;
    }
    return it->second;
  };
  for (const auto& [name, value] : Snapshot()) {
    std::string_view family, labels;
    SplitMetricName(name, &family, &labels);
    Family& f = family_of(family, EndsWith(family, "_total") ? "counter" : "gauge");
    f.lines.push_back(name + " " + std::to_string(value));
  }
  for (const auto& [name, h] : HistogramSnapshot()) {
    std::string_view family, labels;
    SplitMetricName(name, &family, &labels);
    Family& f = family_of(family, "histogram");
    f.type = "histogram";
    int64_t cumulative = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
      cumulative += h.counts[i];
      const std::string le = i < h.bounds.size() ? FormatDouble(h.bounds[i]) : "+Inf";
      f.lines.push_back(SampleName(family, "_bucket", labels, "le=\"" + le + "\"") + " " +
                        std::to_string(cumulative));
    }
    f.lines.push_back(SampleName(family, "_sum", labels) + " " + FormatDouble(h.sum));
    f.lines.push_back(SampleName(family, "_count", labels) + " " + std::to_string(h.count));
  }
  std::string out;
  for (const auto& [family, f] : families) {
    if (auto d = descriptions.find(family); d != descriptions.end() && !d->second.help.empty()) {
      out += "# HELP " + family + " ";
      for (char c : d->second.help) {  // HELP escapes backslash and newline
        if (c == '\\') {
          out += "\\\\";
        } else if (c == '\n') {
          out += "\\n";
        } else {
          out.push_back(c);
        }
      }
      out.push_back('\n');
    }
    out += "# TYPE " + family + " " + f.type + "\n";
    for (const std::string& line : f.lines) {
      out += line;
      out.push_back('\n');
    }
  }
  return out;
}

MetricsRegistry* MetricsRegistry::Default() {
  static MetricsRegistry registry;
  return &registry;
}

}  // namespace tributary
