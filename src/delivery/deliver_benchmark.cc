// Micro benchmarks for the delivery hot path.
//
//   BM_CdcFlatten        cdc-flatten alone on realistic ~500-byte sales change records
//                        (records/s = items_per_second).
//   BM_CdcFlattenBuffer  cdc-flatten + partition buffering (what a shard worker does per record
//                        before the commit).
//   BM_DeliverEndToEnd   the deliver scenario: an embedded stream pre-filled with N change records
//                        -> one DeliveryStream (1 shard: worker + committer thread) ->
//                        committed JSON-lines files in a temp lake + SQLite catalog. Arg: sync
//                        (1 = fdatasync files). records_per_cpu_second divides by the process's
//                        CPU time (worker + committer + RocksDB + SQLite).
//
// Run: build-*/src/delivery/delivery_benchmark --benchmark_filter=CdcFlatten
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <thread>

#include <time.h>

#include "core/change_record.h"
#include "delivery/delivery_stream.h"
#include "stream/embedded_stream.h"
#include "transform/cdc_flatten.h"

namespace tributary::delivery {
namespace {

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A change record shaped like the seed's sales table (INSERT, or MODIFY with both images).
std::string SalesChange(int i, bool modify) {
  static const char* kProducts[] = {"Wireless Mouse", "USB-C Hub 7-in-1", "Mechanical Keyboard",
                                    "27in 4K Monitor", "Noise Cancelling Headphones"};
  static const char* kStatus[] = {"PENDING", "PAID", "SHIPPED", "DELIVERED"};
  ChangeRecord r;
  r.event_id = "c7a1f2e4b" + std::to_string(100000 + i) + "d3e8f";
  r.event_name = modify ? EventName::kModify : EventName::kInsert;
  r.event_source_arn =
      "arn:aws:dynamodb:us-east-1:123456789012:table/sales/stream/2024-05-01T09:00:00.000";
  r.approximate_creation_date_time = 1714554000 + i / 100;
  std::string order_id = "ORD-" + std::to_string(1000000 + i);
  r.keys = {{"order_id", AttributeValue::S(order_id)}};
  AttributeMap image = {
      {"order_id", AttributeValue::S(order_id)},
      {"product_name", AttributeValue::S(kProducts[i % 5])},
      {"quantity", AttributeValue::N(int64_t{1 + i % 7})},
      {"price", *AttributeValue::N(std::to_string(10 + i % 90) + ".99")},
      {"customer_id", AttributeValue::S("CUST-" + std::to_string(50000 + i % 977))},
      {"status", AttributeValue::S(kStatus[i % 4])},
      {"order_timestamp", AttributeValue::S("2024-05-01T09:" + std::to_string(10 + i % 50) +
                                            ":00Z")}};
  r.new_image = image;
  if (modify) {
    image["status"] = AttributeValue::S("PENDING");
    r.old_image = image;
  }
  r.sequence_number = std::to_string(100000000000000000ULL + i);
  r.size_bytes = 180;
  return r.ToJson();
}

std::vector<std::string> SalesChanges(int n, double modify_fraction) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(SalesChange(i, (i % 100) < modify_fraction * 100));
  return out;
}

void BM_CdcFlatten(benchmark::State& state) {
  const bool modify = state.range(0) != 0;
  auto datas = SalesChanges(1000, modify ? 1.0 : 0.0);
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(std::to_string(100000000000000000ULL + i));
  std::vector<transform::ProcessorInput> inputs(datas.size());
  size_t bytes = 0;
  for (size_t i = 0; i < datas.size(); ++i) {
    inputs[i] = {ids[i], datas[i], 1714554000000, "shardId-000000000000", ids[i], ids[i]};
    bytes += datas[i].size();
  }
  auto processor = std::move(transform::CdcFlattenProcessor::Create({})).value();
  std::vector<transform::ProcessorOutput> outputs;
  transform::ColumnSet columns;
  for (auto _ : state) {
    Status s = processor->Process(inputs, outputs, &columns);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(outputs.data());
  }
  for (const auto& o : outputs) {
    if (o.result != transform::ProcessingResult::kOk) state.SkipWithError("record failed");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(inputs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.counters["input_bytes"] = static_cast<double>(bytes) / static_cast<double>(datas.size());
  state.counters["row_bytes"] = static_cast<double>(outputs[0].data.size());
}
BENCHMARK(BM_CdcFlatten)->ArgName("modify")->Arg(0)->Arg(1);

void BM_CdcFlattenBuffer(benchmark::State& state) {
  auto datas = SalesChanges(1000, 0.3);
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(std::to_string(100000000000000000ULL + i));
  std::vector<transform::ProcessorInput> inputs(datas.size());
  for (size_t i = 0; i < datas.size(); ++i) {
    inputs[i] = {ids[i], datas[i], 1714554000000, "shardId-000000000000", ids[i], ids[i]};
  }
  auto processor = std::move(transform::CdcFlattenProcessor::Create({})).value();
  std::vector<transform::ProcessorOutput> outputs;
  DeliveryBuffer buffer("sales", {"year", "month", "day", "hour"}, "errors/");
  int64_t n = 0;
  for (auto _ : state) {
    (void)processor->Process(inputs, outputs, &buffer.columns());
    for (size_t i = 0; i < outputs.size(); ++i) {
      (void)buffer.AddRow(outputs[i].data, outputs[i].partition_keys, *outputs[i].event_time_ms,
                          ids[i]);
      buffer.NoteConsumed(ids[i], 0);
    }
    if (++n % 20 == 0) buffer.Clear();  // a flush every 20k records
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(inputs.size()));
}
BENCHMARK(BM_CdcFlattenBuffer);

void BM_DeliverEndToEnd(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  const int kRecords = 200000;
  auto datas = SalesChanges(kRecords, 0.3);
  int64_t total = 0;
  double cpu_seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() /
        ("trib-deliver-bench-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    {
      auto store = std::move(stream::EmbeddedStreamStore::Open((dir / "stream").string(), nullptr))
                       .value();
      stream::DataStream* s = *store->CreateStream("sales-stream", 1);
      std::vector<stream::PutRecordEntry> entries;
      for (int i = 0; i < kRecords; ++i) entries.push_back({datas[i], "pk", std::nullopt});
      for (size_t off = 0; off < entries.size(); off += 5000) {
        size_t n = std::min<size_t>(5000, entries.size() - off);
        (void)s->PutRecords(std::span(entries).subspan(off, n));
      }
      auto catalog = std::move(catalog::Catalog::Open((dir / "catalog.db").string())).value();
      auto processor = std::move(transform::CdcFlattenProcessor::Create({})).value();
      DeliveryOptions o;
      o.name = "sales-delivery";
      o.table = "sales";
      o.lake_root = (dir / "lake").string();
      o.sync = sync;
      // The run ends with one partial buffer that waits out the interval; keep that tail short
      // so the figure is the delivery rate, not the default 200 ms latency.
      o.buffering.interval_ms = 20;
      auto d = std::move(DeliveryStream::Create(o, *s, *catalog, *processor)).value();
      state.ResumeTiming();
      const double cpu_start = ProcessCpuSeconds();
      (void)d->Start();
      while (d->Stats().Totals().rows_delivered < kRecords) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      cpu_seconds += ProcessCpuSeconds() - cpu_start;
      state.PauseTiming();
      (void)d->Stop();
      total += kRecords;
    }
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(total);
  // Records per second of process CPU (worker + RocksDB + SQLite threads): the one-core rate,
  // independent of other load on the machine.
  state.counters["records_per_cpu_second"] = static_cast<double>(total) / cpu_seconds;
}
BENCHMARK(BM_DeliverEndToEnd)->ArgName("sync")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
    ->Iterations(2)->UseRealTime();

}  // namespace
}  // namespace tributary::delivery
