#include "scenarios.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "catalog/catalog.h"
#include "config/pipeline_config.h"
#include "core/change_record.h"
#include "core/clock.h"
#include "delivery/delivery_stream.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "runtime/pipeline.h"
#include "runtime/sales_generator.h"
#include "runtime/table_order_writer.h"
#include "stream/embedded_stream.h"
#include "transform/processor.h"

namespace tributary::bench {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

struct ScratchDir {
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "tributary-bench-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

// A realistic sales change record, as the pipe writes it into the stream.
std::string SalesRecordJson(std::mt19937_64& rng, int64_t i, int64_t now_s) {
  static const char* kProducts[] = {"Laptop", "Wireless Mouse", "27in Monitor", "USB-C Hub", "Headphones"};
  static const char* kStatus[] = {"PENDING", "PROCESSING", "SHIPPED", "DELIVERED"};
  ChangeRecord r;
  char id[40];
  std::snprintf(id, sizeof(id), "ord-bench-%08lld", static_cast<long long>(i / 3));
  int kind = static_cast<int>(rng() % 10);
  r.event_name = kind < 5 ? EventName::kInsert : (kind < 9 ? EventName::kModify : EventName::kRemove);
  char eid[40];
  std::snprintf(eid, sizeof(eid), "%032llx", static_cast<unsigned long long>(rng()));
  r.event_id = eid;
  r.aws_region = "us-east-1";
  r.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/P1_OrdersRawTable/stream/2026-01-01T00:00:00.000";
  r.approximate_creation_date_time = now_s - 3600 + (i % 7200);
  r.keys["order_id"] = AttributeValue::S(id);
  auto image = [&](const char* status) {
    Item item = r.keys;
    item["product_name"] = AttributeValue::S(kProducts[rng() % 5]);
    item["quantity"] = AttributeValue::N(static_cast<int64_t>(1 + rng() % 10));
    item["price"] = *AttributeValue::N(std::to_string(5 + rng() % 495) + "." + std::to_string(10 + rng() % 90));
    item["customer_id"] = AttributeValue::S("CUST-" + std::to_string(1000 + rng() % 500));
    item["status"] = AttributeValue::S(status);
    item["order_date"] = AttributeValue::S("2026-11-24 10:00:00.000");
    item["updated_at"] = AttributeValue::S("2026-11-24 10:00:01.000");
    return item;
  };
  if (r.event_name != EventName::kRemove) r.new_image = image(kStatus[rng() % 4]);
  if (r.event_name != EventName::kInsert) r.old_image = image(kStatus[rng() % 4]);
  char seq[32];
  std::snprintf(seq, sizeof(seq), "%021lld", static_cast<long long>(i + 1));
  r.sequence_number = seq;
  r.size_bytes = 250;
  return r.ToJson();
}

namespace {

int64_t ParseUtcMillis(const std::string& s) {
  std::tm tm{};
  if (s.size() < 23) return 0;
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(s.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(8, 2));
  tm.tm_hour = std::stoi(s.substr(11, 2));
  tm.tm_min = std::stoi(s.substr(14, 2));
  tm.tm_sec = std::stoi(s.substr(17, 2));
  return static_cast<int64_t>(timegm(&tm)) * 1000 + std::stoi(s.substr(20, 3));
}

double Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return static_cast<double>(v[k]);
}

}  // namespace

int RunDeliver(const DeliverParams& params, bool smoke, DeliverResult* result) {
  auto format = delivery::FileFormat::Parse(params.format);
  if (!format.ok()) return std::cerr << format.status().ToString() << "\n", 1;
  std::cout << "== deliver: " << params.records << " change records, 1 shard (1 processing thread + 1 commit thread), cdc-flatten, "
            << "interval " << params.interval_ms << " ms, fsync " << (params.sync ? "on" : "off")
            << (params.prefix.empty() ? std::string() : ", prefix " + params.prefix)
            << ", format " << format->CatalogFormat() << "\n";
  ScratchDir dir;
  auto store = stream::EmbeddedStreamStore::Open(dir.path + "/stream", nullptr);
  if (!store.ok()) return std::cerr << store.status().ToString() << "\n", 1;
  auto s = (*store)->CreateStream("bench", 1);
  if (!s.ok()) return std::cerr << s.status().ToString() << "\n", 1;
  std::mt19937_64 rng(42);
  int64_t now_s = SystemClock::Default()->NowMillis() / 1000;
  const auto fill_start = Steady::now();
  std::vector<std::string> payloads;
  std::vector<stream::PutRecordEntry> entries;
  for (int64_t i = 0; i < params.records;) {
    payloads.clear();
    entries.clear();
    for (int j = 0; j < 500 && i < params.records; ++j, ++i) payloads.push_back(SalesRecordJson(rng, i, now_s));
    for (const auto& p : payloads) entries.push_back({p, "k", std::nullopt});
    auto put = (*s)->PutRecords(entries);
    if (!put.ok()) return std::cerr << put.status().ToString() << "\n", 1;
  }
  // Measure the reader of a quiescent log: no flush or compaction left from the fill competing
  // for the second core.
  if (Status st = (*store)->CompactAll(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;
  std::cout << "   pre-filled and compacted in " << Seconds(Steady::now() - fill_start) << " s\n";

  auto catalog = catalog::Catalog::Open(dir.path + "/catalog.db");
  if (!catalog.ok()) return std::cerr << catalog.status().ToString() << "\n", 1;
  auto processor = transform::ProcessorRegistry::Default().Create("cdc-flatten");
  if (!processor.ok()) return std::cerr << processor.status().ToString() << "\n", 1;
  delivery::DeliveryOptions opt;
  opt.name = "bench-delivery";
  opt.table = "bench_table";
  opt.lake_root = dir.path + "/lake";
  opt.buffering.interval_ms = params.interval_ms;
  opt.sync = params.sync;
  opt.prefix = params.prefix;
  opt.format = *format;
  auto d = delivery::DeliveryStream::Create(opt, **s, **catalog, **processor);
  if (!d.ok()) return std::cerr << d.status().ToString() << "\n", 1;
  const auto start = Steady::now();
  if (Status st = (*d)->Start(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;
  for (;;) {
    auto t = (*d)->Stats().Totals();
    if (t.rows_delivered + t.records_failed + t.records_dropped >= params.records) break;
    if (!t.last_error.empty()) std::cerr << "   delivery error: " << t.last_error << "\n";
    if (Seconds(Steady::now() - start) > 600) return std::cerr << "timed out\n", 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double secs = Seconds(Steady::now() - start);
  if (Status st = (*d)->Stop(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;
  auto t = (*d)->Stats().Totals();
  std::printf("   %lld rows in %lld files, %.1f MB, %.3f s -> %.0f events/s%s\n\n",
              static_cast<long long>(t.rows_delivered), static_cast<long long>(t.files_committed),
              t.bytes_committed / 1e6, secs, params.records / secs, smoke ? " (smoke run: not a measurement)" : "");
  if (result != nullptr) *result = DeliverResult{params.records / secs, t.bytes_committed, t.files_committed};
  return t.rows_delivered == params.records ? 0 : 1;
}

int RunFormats(const DeliverParams& params, const std::vector<std::string>& formats, bool smoke) {
  std::vector<DeliverResult> results;
  int rc = 0;
  for (const std::string& f : formats) {
    DeliverParams p = params;
    p.format = f;
    DeliverResult r;
    rc |= RunDeliver(p, smoke, &r);
    results.push_back(r);
  }
  if (results.empty()) return rc;
  std::printf("== formats: %lld records each; ratios to %s\n", static_cast<long long>(params.records),
              formats.front().c_str());
  std::printf("   %-16s %12s %8s %12s %8s %8s\n", "format", "events/s", "ratio", "MB written", "ratio", "files");
  for (size_t i = 0; i < results.size(); ++i) {
    const DeliverResult& r = results[i];
    const DeliverResult& base = results.front();
    std::printf("   %-16s %12.0f %8.2f %12.1f %8.3f %8lld\n", formats[i].c_str(), r.events_per_s,
                base.events_per_s > 0 ? r.events_per_s / base.events_per_s : 0, r.bytes / 1e6,
                base.bytes > 0 ? static_cast<double>(r.bytes) / static_cast<double>(base.bytes) : 0,
                static_cast<long long>(r.files));
  }
  std::printf("%s\n", smoke ? "   (smoke run: not a measurement)\n" : "");
  return rc;
}

int RunFreshness(const FreshnessParams& params, bool smoke) {
  std::cout << "== freshness: generator at " << params.rate << " changes/s for " << params.seconds
            << " s through the demo pipeline (default settings); SQL polled every " << params.poll_ms << " ms\n";
  ScratchDir dir;
  auto cfg = config::DefaultPipelineConfig();
  if (!cfg.ok()) return std::cerr << cfg.status().ToString() << "\n", 1;
  auto p = runtime::Pipeline::Open(*cfg, {.data_dir = dir.path + "/data"});
  if (!p.ok()) return std::cerr << p.status().ToString() << "\n", 1;
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*p)->lake_root()));
  if (!engine.ok()) return std::cerr << engine.status().ToString() << "\n", 1;
  if (Status st = (*p)->Start(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;

  runtime::TableOrderWriter writer(&(*p)->tables(), cfg->tables.front().name);
  runtime::GeneratorOptions gopt;
  gopt.rate_per_second = params.rate;
  gopt.duration_ms = static_cast<int64_t>(params.seconds * 1000);
  gopt.seed = 7;
  runtime::SalesGenerator gen(&writer, gopt, SystemClock::Default());
  runtime::GeneratorReport report;
  std::atomic<bool> gen_done{false};
  std::thread gen_thread([&] {
    (void)gen.Run(&report);
    gen_done = true;
  });

  const std::string table = cfg->deliveries.front().table;
  std::unordered_set<std::string> seen;
  std::vector<int64_t> latencies;
  int64_t query_ms_total = 0, polls = 0;
  const auto start = Steady::now();
  for (;;) {
    auto poll_start = Steady::now();
    int64_t now_ms = SystemClock::Default()->NowMillis();
    std::string wm = FormatUtcMillis(now_ms - 10000);
    if (query::RefreshViews(**engine, (*p)->catalog()).ok()) {
      // Keyed by event_id: an insert and its modify can share updated_at (same millisecond).
      auto r = (*engine)->Execute("SELECT event_id, updated_at FROM " + table +
                                  " WHERE cdc_event_type <> 'REMOVE' AND updated_at >= '" + wm + "'");
      int64_t visible_ms = SystemClock::Default()->NowMillis();
      if (r.ok()) {
        for (const auto& row : r->rows) {
          if (!row[0] || !row[1]) continue;
          if (seen.insert(*row[0]).second) latencies.push_back(visible_ms - ParseUtcMillis(*row[1]));
        }
      }
    }
    query_ms_total += std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - poll_start).count();
    ++polls;
    if (gen_done && static_cast<int64_t>(seen.size()) >= report.inserts + report.modifies) break;
    if (gen_done && Seconds(Steady::now() - start) > params.seconds + 15) {
      std::cerr << "   some changes never became visible: " << seen.size() << " of "
                << report.inserts + report.modifies << "\n";
      break;
    }
    std::this_thread::sleep_until(poll_start + std::chrono::milliseconds(params.poll_ms));
  }
  gen_thread.join();
  (void)(*p)->Stop();
  std::vector<int64_t> v = latencies;
  std::printf("   %zu changes observed (%lld written: %s); mean poll query %.1f ms\n", v.size(),
              static_cast<long long>(report.changes()), report.ToText().c_str(),
              polls ? static_cast<double>(query_ms_total) / polls : 0.0);
  std::printf("   commit -> visible in SQL: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%s\n\n",
              Percentile(v, 0.50), Percentile(v, 0.90), Percentile(v, 0.99), Percentile(v, 1.0),
              smoke ? " (smoke run: not a measurement)" : "");
  return static_cast<int64_t>(seen.size()) >= report.inserts + report.modifies ? 0 : 1;
}

}  // namespace tributary::bench
