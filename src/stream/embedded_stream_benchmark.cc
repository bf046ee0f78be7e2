// Micro benchmarks of the embedded stream: PutRecords batches of 500 x 300-byte records, and
// sequential Read of one shard.
//
//   cmake --build build --target stream_benchmark && ./build/src/stream/stream_benchmark

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "stream/embedded_stream.h"

namespace tributary::stream {
namespace {

constexpr int kBatch = 500;
constexpr size_t kRecordBytes = 300;

// A store in a fresh directory under /tmp, removed afterwards.
class BenchStore {
 public:
  explicit BenchStore(bool sync_writes) {
    char templ[] = "/tmp/tributary-stream-bench-XXXXXX";
    dir_ = mkdtemp(templ);
    EmbeddedStreamOptions options;
    options.sync_writes = sync_writes;
    auto store = EmbeddedStreamStore::Open(dir_, SystemClock::Default(), options);
    if (!store.ok()) std::abort();
    store_ = std::move(*store);
  }
  ~BenchStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  EmbeddedStreamStore& store() { return *store_; }

 private:
  std::string dir_;
  std::unique_ptr<EmbeddedStreamStore> store_;
};

struct Payload {
  std::vector<std::string> keys;
  std::string data;
  std::vector<PutRecordEntry> entries;
  Payload() : data(kRecordBytes, 'x') {
    for (int i = 0; i < kBatch; ++i) keys.push_back("order-" + std::to_string(i * 7919));
    for (int i = 0; i < kBatch; ++i) entries.push_back({data, keys[i], std::nullopt});
  }
};

// Arg 0: shard count; arg 1: sync_writes.
void BM_PutRecords(benchmark::State& state) {
  BenchStore bench(state.range(1) != 0);
  DataStream* stream = *bench.store().CreateStream("bench", static_cast<int>(state.range(0)));
  Payload payload;
  for (auto _ : state) {
    auto results = stream->PutRecords(payload.entries);
    if (!results.ok()) state.SkipWithError(results.status().ToString().c_str());
    benchmark::DoNotOptimize(results);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * kBatch * static_cast<int64_t>(kRecordBytes));
}
BENCHMARK(BM_PutRecords)
    ->Args({1, 0})
    ->Args({4, 0})
    ->Args({4, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// With a producer checkpoint in the same batch (the pipe's exactly-once write).
void BM_PutRecordsWithCheckpoint(benchmark::State& state) {
  BenchStore bench(false);
  DataStream* stream = *bench.store().CreateStream("bench", 4);
  Payload payload;
  int64_t n = 0;
  for (auto _ : state) {
    const ProducerCheckpoint cp{"pipe", std::to_string(++n)};
    auto results = stream->PutRecords(payload.entries, &cp);
    if (!results.ok()) state.SkipWithError(results.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_PutRecordsWithCheckpoint)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Arg 0: records per Read. One shard prefilled with 200k records; the reader restarts from
// TRIM_HORIZON when it reaches the end.
void BM_Read(benchmark::State& state) {
  BenchStore bench(false);
  DataStream* stream = *bench.store().CreateStream("bench", 1);
  Payload payload;
  constexpr int kPrefillBatches = 400;
  for (int i = 0; i < kPrefillBatches; ++i) {
    if (!stream->PutRecords(payload.entries).ok()) std::abort();
  }
  const std::string shard = stream->ListShards()[0].shard_id;
  std::unique_ptr<ShardReader> reader =
      stream->OpenReader(shard, StartPosition::TrimHorizon()).value();
  const size_t per_read = static_cast<size_t>(state.range(0));
  int64_t records = 0;
  for (auto _ : state) {
    auto batch = reader->Read(per_read);
    if (!batch.ok()) state.SkipWithError(batch.status().ToString().c_str());
    if (batch->records.empty()) {
      state.PauseTiming();
      reader = stream->OpenReader(shard, StartPosition::TrimHorizon()).value();
      state.ResumeTiming();
      continue;
    }
    records += static_cast<int64_t>(batch->records.size());
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(records * static_cast<int64_t>(kRecordBytes));
}
BENCHMARK(BM_Read)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Polling an idle, caught-up reader (the consumer's steady state between appends).
void BM_ReadAtTip(benchmark::State& state) {
  BenchStore bench(false);
  DataStream* stream = *bench.store().CreateStream("bench", 1);
  Payload payload;
  if (!stream->PutRecords(payload.entries).ok()) std::abort();
  std::unique_ptr<ShardReader> reader =
      stream->OpenReader(stream->ListShards()[0].shard_id, StartPosition::Latest()).value();
  for (auto _ : state) {
    auto batch = reader->Read(1000);
    benchmark::DoNotOptimize(batch);
  }
}
BENCHMARK(BM_ReadAtTip);

}  // namespace
}  // namespace tributary::stream
