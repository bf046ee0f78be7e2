// Micro benchmarks of the table engine's hot paths (no fsync, stream on, NEW_AND_OLD_IMAGES).
//   cmake --build build --target table_benchmark && ./build/src/table/table_benchmark
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include <unistd.h>

#include "table/table_engine.h"

namespace tributary::table {
namespace {

// One engine per benchmark run in a fresh temp directory.
class BenchEngine {
 public:
  explicit BenchEngine(bool stream) {
    dir_ = std::filesystem::temp_directory_path() /
           ("tributary-table-bench-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    engine_ = std::move(TableEngine::Open(dir_.string(), {})).value();
    TableSpec spec;
    spec.name = "orders";
    spec.hash_key = {"pk", AttributeType::kS};
    if (stream) spec.stream_view_type = StreamViewType::kNewAndOldImages;
    if (!engine_->CreateTable(spec).ok()) std::abort();
  }
  ~BenchEngine() {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  TableEngine& engine() { return *engine_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<TableEngine> engine_;
};

// A small order-like item (~100 bytes, 6 attributes).
Item OrderItem(uint64_t i) {
  Item item;
  item["pk"] = AttributeValue::S("order-" + std::to_string(i));
  item["customer"] = AttributeValue::S("customer-" + std::to_string(i % 1000));
  item["amount"] = AttributeValue::N(static_cast<int64_t>(i % 100000));
  item["status"] = AttributeValue::S("PENDING");
  item["qty"] = AttributeValue::N(static_cast<int64_t>(i % 7 + 1));
  item["region"] = AttributeValue::S("eu-west-1");
  return item;
}

void BM_PutItemNew(benchmark::State& state) {
  BenchEngine bench(state.range(0) != 0);
  uint64_t i = 0;
  for (auto _ : state) {
    auto r = bench.engine().PutItem("orders", OrderItem(i++));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PutItemNew)->Arg(1)->Arg(0)->ArgName("stream");

void BM_BatchWriteItem(benchmark::State& state) {
  BenchEngine bench(true);
  const int64_t n = state.range(0);
  uint64_t i = 0;
  for (auto _ : state) {
    std::vector<WriteRequest> batch;
    batch.reserve(n);
    for (int64_t k = 0; k < n; ++k) batch.push_back(WriteRequest::Put(OrderItem(i++)));
    auto r = bench.engine().BatchWriteItem("orders", std::move(batch));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_BatchWriteItem)->Arg(25)->Arg(100);

void BM_PutItemOverwrite(benchmark::State& state) {
  BenchEngine bench(true);
  uint64_t i = 0;
  for (auto _ : state) {
    Item item = OrderItem(i % 10000);
    item["amount"] = AttributeValue::N(static_cast<int64_t>(i++));
    auto r = bench.engine().PutItem("orders", std::move(item));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PutItemOverwrite);

void BM_UpdateItemPreparsed(benchmark::State& state) {
  BenchEngine bench(true);
  for (uint64_t i = 0; i < 10000; ++i) (void)bench.engine().PutItem("orders", OrderItem(i));
  ExpressionAttributeNames names{{"#s", "status"}};
  AttributeMap values{{":one", AttributeValue::N(1)}, {":s", AttributeValue::S("SHIPPED")}};
  ExpressionContext ctx(names, values);
  auto parsed = ParseUpdateExpression("SET qty = qty + :one, #s = :s", &ctx).value();
  uint64_t i = 0;
  for (auto _ : state) {
    Item key{{"pk", AttributeValue::S("order-" + std::to_string(i++ % 10000))}};
    auto r = bench.engine().UpdateItem("orders", key, parsed);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UpdateItemPreparsed);

void BM_UpdateItem(benchmark::State& state) {
  BenchEngine bench(true);
  for (uint64_t i = 0; i < 10000; ++i) (void)bench.engine().PutItem("orders", OrderItem(i));
  UpdateSpec spec{"SET qty = qty + :one, #s = :s",
                  {{"#s", "status"}},
                  {{":one", AttributeValue::N(1)}, {":s", AttributeValue::S("SHIPPED")}}};
  uint64_t i = 0;
  for (auto _ : state) {
    Item key{{"pk", AttributeValue::S("order-" + std::to_string(i++ % 10000))}};
    auto r = bench.engine().UpdateItem("orders", key, spec);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UpdateItem);

void BM_GetItem(benchmark::State& state) {
  BenchEngine bench(true);
  for (uint64_t i = 0; i < 100000; ++i) (void)bench.engine().PutItem("orders", OrderItem(i));
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    Item key{{"pk", AttributeValue::S("order-" + std::to_string(rng() % 100000))}};
    auto r = bench.engine().GetItem("orders", key);
    if (!r.ok() || !r->has_value()) state.SkipWithError("missing item");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetItem);

}  // namespace
}  // namespace tributary::table
