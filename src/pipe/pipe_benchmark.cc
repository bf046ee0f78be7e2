// Micro benchmarks of the pipe's filters:
//   BM_FilterRecord   5 EventBridge patterns matched over a ChangeRecord's fields (what the pipe does)
//   BM_FilterJson     the same after writing the record's JSON and parsing it (the naive way)
//   BM_PipeThroughput the whole pipe (in-memory source -> filters -> embedded stream, 2 shards),
//                     arg 0: number of filters (0 or 5). Every record passes all 5 filters' work:
//                     only the 5th pattern matches, so each record is tested against all five.
//
//   cmake --build build --target pipe_benchmark && ./build/src/pipe/pipe_benchmark

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "pipe/pipe.h"
#include "stream/embedded_stream.h"

namespace tributary::pipe {
namespace {

constexpr int kRecords = 20000;

// Five realistic patterns; only the last matches the generated records.
const std::vector<std::string>& FivePatterns() {
  static const std::vector<std::string> kPatterns = {
      R"({"eventName": ["REMOVE"]})",
      R"({"dynamodb": {"NewImage": {"status": {"S": ["CANCELLED", "REFUNDED"]}}}})",
      R"({"awsRegion": [{"prefix": "eu-"}], "eventName": ["INSERT"]})",
      R"({"dynamodb": {"Keys": {"order_id": {"S": [{"wildcard": "x-*-9"}]}}}})",
      R"({"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"status": {"S": [{"anything-but": "DRAFT"}]}}}})",
  };
  return kPatterns;
}

ChangeRecord MakeRecord(int i) {
  ChangeRecord r;
  r.event_id = "event-" + std::to_string(i);
  r.event_name = i % 3 == 0 ? EventName::kInsert : EventName::kModify;
  r.approximate_creation_date_time = 1700000000 + i;
  r.keys["order_id"] = AttributeValue::S("o-" + std::to_string(i * 7919 % 100000));
  AttributeMap image = r.keys;
  image["customer_id"] = AttributeValue::S("c-" + std::to_string(i % 977));
  image["status"] = AttributeValue::S(i % 2 == 0 ? "SHIPPED" : "NEW");
  image["quantity"] = AttributeValue::N(int64_t{1 + i % 9});
  image["unit_price"] = *AttributeValue::N("19.99");
  image["product"] = AttributeValue::S("widget-" + std::to_string(i % 50));
  image["updated_at"] = AttributeValue::S("2024-05-01T09:00:00.123Z");
  r.new_image = image;
  if (r.event_name == EventName::kModify) r.old_image = image;
  r.sequence_number = std::to_string(100000000 + i);
  r.size_bytes = 250;
  r.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/x";
  return r;
}

void BM_FilterRecord(benchmark::State& state) {
  auto filters = FilterCriteria::Compile(FivePatterns());
  if (!filters.ok()) std::abort();
  std::vector<ChangeRecord> records;
  for (int i = 0; i < 1000; ++i) records.push_back(MakeRecord(i));
  int64_t kept = 0;
  for (auto _ : state) {
    for (const ChangeRecord& r : records) kept += filters->Matches(r) ? 1 : 0;
  }
  benchmark::DoNotOptimize(kept);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(records.size()));
}
BENCHMARK(BM_FilterRecord);

void BM_FilterJson(benchmark::State& state) {
  auto filters = FilterCriteria::Compile(FivePatterns());
  if (!filters.ok()) std::abort();
  std::vector<ChangeRecord> records;
  for (int i = 0; i < 1000; ++i) records.push_back(MakeRecord(i));
  int64_t kept = 0;
  for (auto _ : state) {
    for (const ChangeRecord& r : records) {
      // Each pattern parses the JSON again, as a matcher over JSON text would.
      auto m = filters->MatchesJson(r.ToJson());
      kept += m.ok() && *m ? 1 : 0;
    }
  }
  benchmark::DoNotOptimize(kept);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(records.size()));
}
BENCHMARK(BM_FilterJson);

// An in-memory change feed with one shard.
class MemorySource final : public capture::Source {
 public:
  explicit MemorySource(std::vector<ChangeRecord> records) : records_(std::move(records)) {}
  std::string source_arn() const override { return "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/x"; }
  Result<std::vector<std::string>> ListShards() const override { return std::vector<std::string>{"shard-0"}; }
  Result<std::vector<ChangeRecord>> Read(std::string_view, std::string_view after, size_t max) const override {
    size_t start = 0;
    if (!after.empty()) start = static_cast<size_t>(std::stoll(std::string(after)) - 100000000 + 1);
    std::vector<ChangeRecord> out;
    for (size_t i = start; i < records_.size() && out.size() < max; ++i) out.push_back(records_[i]);
    return out;
  }
  uint64_t change_version() const override { return 0; }
  bool WaitForChanges(uint64_t, int64_t) const override { return false; }

 private:
  std::vector<ChangeRecord> records_;
};

void BM_PipeThroughput(benchmark::State& state) {
  std::vector<ChangeRecord> records;
  for (int i = 0; i < kRecords; ++i) records.push_back(MakeRecord(i));
  MemorySource source(std::move(records));
  int64_t run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    char templ[] = "/tmp/tributary-pipe-bench-XXXXXX";
    std::string dir = mkdtemp(templ);
    auto store = stream::EmbeddedStreamStore::Open(dir, SystemClock::Default(), {});
    if (!store.ok()) std::abort();
    auto target = (*store)->CreateStream("bench", 2);
    if (!target.ok()) std::abort();
    PipeOptions options{.name = "bench-" + std::to_string(run++), .batch_size = 500};
    if (state.range(0) == 5) options.filters = FivePatterns();
    auto pipe = Pipe::Create(options, &source, *target, nullptr);
    if (!pipe.ok()) std::abort();
    state.ResumeTiming();
    if (!(*pipe)->Drain().ok()) std::abort();
    state.PauseTiming();
    if ((*pipe)->stats().records_moved != kRecords) std::abort();  // all pass the 5th filter
    pipe->reset();
    store->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_PipeThroughput)->Arg(0)->Arg(5)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tributary::pipe
