// Throughput of each processor type on the same records, to compare them with cdc-flatten (the
// built-in seed Lambda): 1000 DynamoDB stream records shaped like the seed's sales changes
// (~560 bytes, INSERT), one Process() call per iteration (a delivery batch), records/s =
// items_per_second.
//
//   BM_CdcFlatten            cdc-flatten (the baseline of the ratios in docs/performance.md)
//   BM_Jq                    jq flattening NewImage into a row (what cdc-flatten does, in jq)
//   BM_MetadataExtraction    {customer, year} partition keys from the stream record (JQ-1.6)
//   BM_Lambda/<workers>      a Python Firehose handler flattening NewImage (base64, json, one
//                            worker process; batches split at buffer_size_mb = 1)
//   BM_Chain                 cdc-flatten -> metadata-extraction -> append-delimiter
//   BM_AppendDelimiter, BM_Decompress (gzip'd records)
//
// Run: build/src/transform/processor_benchmark [--benchmark_min_time=0.5s]
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "core/change_record.h"
#include "transform/cdc_flatten.h"
#include "transform/chain.h"
#include "transform/jq_processor.h"
#include "transform/lambda_processor.h"
#include "transform/simple_processors.h"

namespace tributary::transform {
namespace {

std::string SalesChange(int i) {
  static const char* kProducts[] = {"Wireless Mouse", "USB-C Hub 7-in-1", "Mechanical Keyboard",
                                    "27in 4K Monitor", "Noise Cancelling Headphones"};
  ChangeRecord r;
  r.event_id = "c7a1f2e4b" + std::to_string(100000 + i) + "d3e8f";
  r.event_name = EventName::kInsert;
  r.event_source_arn =
      "arn:aws:dynamodb:us-east-1:123456789012:table/sales/stream/2024-05-01T09:00:00.000";
  r.approximate_creation_date_time = 1714554000 + i / 100;
  const std::string order_id = "ORD-" + std::to_string(1000000 + i);
  r.keys = {{"order_id", AttributeValue::S(order_id)}};
  r.new_image = {{"order_id", AttributeValue::S(order_id)},
                 {"product_name", AttributeValue::S(kProducts[i % 5])},
                 {"quantity", AttributeValue::N(int64_t{1 + i % 7})},
                 {"price", *AttributeValue::N(std::to_string(10 + i % 90) + ".99")},
                 {"customer_id", AttributeValue::S("CUST-" + std::to_string(50000 + i % 977))},
                 {"status", AttributeValue::S("PAID")}};
  r.sequence_number = std::to_string(100000000000000000ULL + i);
  r.size_bytes = 180;
  return r.ToJson();
}

struct Batch {
  std::vector<std::string> datas, ids;
  std::vector<ProcessorInput> inputs;
  size_t bytes = 0;
  explicit Batch(bool gzip = false) {
    for (int i = 0; i < 1000; ++i) {
      datas.push_back(SalesChange(i));
      ids.push_back(std::to_string(100000000000000000ULL + i));
    }
    if (gzip) {
      for (std::string& d : datas) {
        uLongf len = compressBound(d.size()) + 32;
        std::string out(len, '\0');
        z_stream zs{};
        deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY);
        zs.next_in = reinterpret_cast<Bytef*>(d.data());
        zs.avail_in = static_cast<uInt>(d.size());
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = static_cast<uInt>(out.size());
        deflate(&zs, Z_FINISH);
        out.resize(zs.total_out);
        deflateEnd(&zs);
        d = std::move(out);
      }
    }
    inputs.resize(datas.size());
    for (size_t i = 0; i < datas.size(); ++i) {
      inputs[i] = {ids[i], datas[i], 1714554000000, "shardId-000000000000", ids[i], ids[i]};
      bytes += datas[i].size();
    }
  }
};

void Run(benchmark::State& state, const Processor& p, const Batch& batch, bool columns = false) {
  std::vector<ProcessorOutput> outputs;
  ColumnSet column_set;
  for (auto _ : state) {
    Status s = p.Process(batch.inputs, outputs, columns ? &column_set : nullptr);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(outputs.data());
  }
  for (const auto& o : outputs) {
    if (o.result != ProcessingResult::kOk) {
      state.SkipWithError(("record failed: " + o.error_message).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.inputs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.bytes));
}

void BM_CdcFlatten(benchmark::State& state) {
  auto p = std::move(CdcFlattenProcessor::Create({})).value();
  Run(state, *p, Batch(), true);
}
BENCHMARK(BM_CdcFlatten)->UseRealTime();

void BM_Jq(benchmark::State& state) {
  auto p = std::move(JqProcessor::Create(
                         {{"program",
                           ". as $r | ($r.dynamodb.NewImage | map_values(if has(\"N\") then "
                           "(.N | tonumber) else .S end)) + {cdc_event_type: $r.eventName, "
                           "event_id: $r.eventID, sequence_number: $r.dynamodb.SequenceNumber, "
                           "creation_datetime: ($r.dynamodb.ApproximateCreationDateTime | "
                           "strftime(\"%Y-%m-%d %H:%M:%S.000\"))}"}}))
               .value();
  Run(state, *p, Batch());
}
BENCHMARK(BM_Jq)->UseRealTime();

void BM_MetadataExtraction(benchmark::State& state) {
  auto p = std::move(MetadataExtractionProcessor::Create(
                         {{"query",
                           "{customer: .dynamodb.NewImage.customer_id.S, year: "
                           "(.dynamodb.ApproximateCreationDateTime | strftime(\"%Y\"))}"}}))
               .value();
  Run(state, *p, Batch());
}
BENCHMARK(BM_MetadataExtraction)->UseRealTime();

constexpr char kFlattenHandler[] = R"PY(import base64
import json


def lambda_handler(event, context):
    output = []
    for record in event["records"]:
        change = json.loads(base64.b64decode(record["data"]))
        image = change["dynamodb"]["NewImage"]
        row = {k: (float(v["N"]) if "N" in v else v.get("S")) for k, v in image.items()}
        row["cdc_event_type"] = change["eventName"]
        row["event_id"] = change["eventID"]
        output.append({"recordId": record["recordId"], "result": "Ok",
                       "data": base64.b64encode(json.dumps(row).encode()).decode()})
    return {"records": output}
)PY";

void BM_Lambda(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tributary-bench-lambda-" + std::to_string(getpid()));
  fs::create_directories(dir / "code");
  std::ofstream(dir / "code" / "lambda_function.py") << kFlattenHandler;
  ProcessorEnv env;
  env.work_dir = (dir / "work").string();
  {
    auto p = LambdaProcessor::Create({{"handler", "lambda_function.lambda_handler"},
                                      {"code", (dir / "code").string()}},
                                     env);
    if (!p.ok()) {
      state.SkipWithError(p.status().ToString().c_str());
    } else {
      Run(state, **p, Batch());
    }
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_Lambda)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Chain(benchmark::State& state) {
  std::vector<std::unique_ptr<Processor>> steps;
  steps.push_back(std::move(CdcFlattenProcessor::Create({})).value());
  steps.push_back(std::move(MetadataExtractionProcessor::Create({{"query", "{customer: .customer_id}"}})).value());
  steps.push_back(std::move(AppendDelimiterProcessor::Create({})).value());
  auto chain = std::move(ChainProcessor::Create(std::move(steps))).value();
  Run(state, *chain, Batch(), true);
}
BENCHMARK(BM_Chain)->UseRealTime();

void BM_AppendDelimiter(benchmark::State& state) {
  auto p = std::move(AppendDelimiterProcessor::Create({})).value();
  Run(state, *p, Batch());
}
BENCHMARK(BM_AppendDelimiter)->UseRealTime();

void BM_Decompress(benchmark::State& state) {
  auto p = std::move(DecompressProcessor::Create({})).value();
  Run(state, *p, Batch(/*gzip=*/true));
}
BENCHMARK(BM_Decompress)->UseRealTime();

}  // namespace
}  // namespace tributary::transform
