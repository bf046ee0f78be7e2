#include "core/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace tributary {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Checks `text` against the Prometheus text format 0.0.4 rules a scraper enforces: every line
// is a HELP/TYPE comment or `name{labels} value`; one TYPE per family, before its samples; the
// samples of a family are contiguous; histogram buckets are cumulative, end with le="+Inf" and
// equal _count. Returns the family -> type map.
std::map<std::string, std::string> CheckExposition(const std::string& text) {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? (-?[0-9.eE+-]+|\+Inf|NaN)$)");
  static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  std::map<std::string, std::string> types;
  std::set<std::string> finished;  // families whose samples have ended
  std::string current;
  std::map<std::string, std::vector<int64_t>> buckets;  // histogram series -> cumulative counts
  std::map<std::string, int64_t> counts;
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  for (const std::string& line : Lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) continue;
    if (std::regex_match(line, m, kType)) {
      EXPECT_EQ(types.count(m[1]), 0u) << "second TYPE for " << m[1];
      types[m[1]] = m[2];
      if (!current.empty()) finished.insert(current);
      current = m[1];
      continue;
    }
    if (!std::regex_match(line, m, kSample)) {
      ADD_FAILURE() << "not a sample line: '" << line << "'";
      continue;
    }
    std::string name = m[1];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (types.count(current) && types[current] == "histogram" && name == current + s) family = current;
    }
    EXPECT_EQ(family, current) << "sample of " << family << " outside its family block: " << line;
    EXPECT_EQ(finished.count(family), 0u) << family << " samples are not contiguous";
    if (types[current] == "histogram") {
      std::string labels = m[2];  // "{...}" or ""
      if (!labels.empty()) labels = labels.substr(1, labels.size() - 2);
      const int64_t value = std::stoll(m[7]);
      if (name == current + "_bucket") {
        std::smatch le;
        if (!std::regex_search(labels, le, std::regex(R"(le="([^"]+)\")"))) {
          ADD_FAILURE() << "bucket without le: " << line;
          continue;
        }
        const std::string key = current + "|" + std::regex_replace(labels, std::regex(R"(,?le="[^"]+\")"), "");
        auto& b = buckets[key];
        if (!b.empty()) {
          EXPECT_GE(value, b.back()) << "buckets not cumulative: " << line;
        }
        b.push_back(value);
        if (le[1] == "+Inf") counts[key] = value;
      } else if (name == current + "_count") {
        const std::string key = current + "|" + labels;
        EXPECT_EQ(counts.count(key), 1u) << "no +Inf bucket before " << line;
        EXPECT_EQ(counts[key], value) << "+Inf bucket != _count for " << key;
      }
    }
  }
  return types;
}

TEST(MetricsTest, CountersGaugesAndTypes) {
  MetricsRegistry reg;
  reg.Get("b_total")->Add(2);
  reg.Get("a_total")->Add();
  reg.Get("b_total")->Add(3);
  reg.Get("lag_ms{shard=\"1\"}")->Set(40);
  reg.Get("lag_ms{shard=\"0\"}")->Set(7);
  reg.Describe("b_total", "Things counted.\nSecond line \\ slash");
  EXPECT_EQ(reg.PrometheusText(),
            "# TYPE a_total counter\n"
            "a_total 1\n"
            "# HELP b_total Things counted.\\nSecond line \\\\ slash\n"
            "# TYPE b_total counter\n"
            "b_total 5\n"
            "# TYPE lag_ms gauge\n"
            "lag_ms{shard=\"0\"} 7\n"
            "lag_ms{shard=\"1\"} 40\n");
  CheckExposition(reg.PrometheusText());
}

TEST(MetricsTest, FamiliesStayContiguousWhateverTheSortOrder) {
  // "x" < "x_y" < "x{a=...}" in byte order: a naive sorted dump splits family x.
  MetricsRegistry reg;
  reg.Get("x")->Set(1);
  reg.Get("x_y")->Set(2);
  reg.Get("x{a=\"1\"}")->Set(3);
  reg.Describe("x_y", "y", MetricsRegistry::Type::kCounter);
  auto types = CheckExposition(reg.PrometheusText());
  EXPECT_EQ(types["x"], "gauge");
  EXPECT_EQ(types["x_y"], "counter");
}

TEST(MetricsTest, HistogramExposition) {
  MetricsRegistry reg;
  Histogram* h = reg.GetHistogram("req_seconds{route=\"/api\"}", {0.01, 0.1, 1});
  EXPECT_EQ(reg.GetHistogram("req_seconds{route=\"/api\"}"), h);
  for (double v : {0.005, 0.01, 0.05, 0.5, 0.7, 3.0}) h->Observe(v);
  reg.GetHistogram("req_seconds", {0.01, 0.1, 1})->Observe(0.2);
  reg.Describe("req_seconds", "Request latency.");
  const std::string text = reg.PrometheusText();
  EXPECT_THAT(text, HasSubstr("# HELP req_seconds Request latency.\n# TYPE req_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("req_seconds_bucket{route=\"/api\",le=\"0.01\"} 2\n"
                              "req_seconds_bucket{route=\"/api\",le=\"0.1\"} 3\n"
                              "req_seconds_bucket{route=\"/api\",le=\"1\"} 5\n"
                              "req_seconds_bucket{route=\"/api\",le=\"+Inf\"} 6\n"
                              "req_seconds_sum{route=\"/api\"} 4.265\n"
                              "req_seconds_count{route=\"/api\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("req_seconds_bucket{le=\"+Inf\"} 1\nreq_seconds_sum 0.2\nreq_seconds_count 1\n"));
  auto types = CheckExposition(text);
  EXPECT_EQ(types["req_seconds"], "histogram");
}

TEST(MetricsTest, HistogramQuantiles) {
  Histogram h({1, 2, 4});
  EXPECT_EQ(h.Take().Quantile(0.5), 0);
  for (int i = 0; i < 10; ++i) h.Observe(0.5);  // bucket (0, 1]
  for (int i = 0; i < 10; ++i) h.Observe(3);    // bucket (2, 4]
  auto s = h.Take();
  EXPECT_EQ(s.count, 20);
  EXPECT_DOUBLE_EQ(s.sum, 35);
  EXPECT_DOUBLE_EQ(s.Quantile(0.25), 0.5);  // halfway through (0, 1]
  EXPECT_DOUBLE_EQ(s.Quantile(0.75), 3);    // halfway through (2, 4]
  h.Observe(100);                          // +Inf bucket reports the last bound
  EXPECT_DOUBLE_EQ(h.Take().Quantile(0.99), 4);
}

TEST(MetricsTest, ConcurrentObservations) {
  MetricsRegistry reg;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        reg.GetHistogram("h")->Observe(0.001 * (i % 7));
        reg.Get("c_total")->Add();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(reg.HistogramSnapshot()["h"].count, 40000);
  EXPECT_EQ(reg.Snapshot()["c_total"], 40000);
  CheckExposition(reg.PrometheusText());
}

}  // namespace
}  // namespace tributary
