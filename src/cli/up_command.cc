// `tributary up` (run a configured pipeline) and `tributary status` (report on a data dir).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <iostream>

#include "alert/alert_store.h"
#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "core/dynamo_json.h"
#include "core/json_writer.h"
#include "runtime/data_dir.h"
#include "runtime/pipeline.h"
#include "runtime/status_report.h"

namespace tributary::cli {

namespace {

// Per pipe and per delivery figures from status.json (PipelineSnapshot::ToJson): the same ones
// GET /metrics and the dashboard show.
std::string HoursText(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f h", static_cast<double>(ms) / 3'600'000.0);
  return buf;
}

void PrintStageFigures(simdjson::dom::element e) {
  auto num = [](simdjson::dom::element o, const char* k) {
    int64_t v = 0;
    if (o[k].get_int64().get(v) != simdjson::SUCCESS) v = 0;
    return v;
  };
  auto dbl = [](simdjson::dom::element o, const char* k) {
    double v = 0;
    if (o[k].get_double().get(v) != simdjson::SUCCESS) v = 0;
    return v;
  };
  auto str = [](simdjson::dom::element o, const char* k) {
    std::string_view v;
    if (o[k].get_string().get(v) != simdjson::SUCCESS) v = "";
    return std::string(v);
  };
  simdjson::dom::array pipes;
  if (!e["pipes"].get_array().get(pipes)) {
    for (auto p : pipes) {
      std::cout << "pipe      " << str(p, "name") << " -> " << str(p, "stream") << ": " << Thousands(num(p, "records"))
                << " records in " << Thousands(num(p, "batches")) << " batches\n";
    }
  }
  simdjson::dom::array deliveries;
  if (!e["deliveries"].get_array().get(deliveries)) {
    for (auto d : deliveries) {
      char latency[160];
      std::snprintf(latency, sizeof(latency), "commit p50 %.1f ms p99 %.1f ms, read->commit p50 %.0f ms p99 %.0f ms",
                    dbl(d, "commit_p50_ms"), dbl(d, "commit_p99_ms"), dbl(d, "latency_p50_ms"),
                    dbl(d, "latency_p99_ms"));
      std::cout << "delivery  " << str(d, "name") << " (" << str(d, "stream") << " -> " << str(d, "table")
                << "): " << Thousands(num(d, "rows")) << " rows, " << Thousands(num(d, "files")) << " files, "
                << Thousands(num(d, "bytes")) << " bytes, " << Thousands(num(d, "failed")) << " failed; lag "
                << num(d, "lag_ms") << " ms / " << Thousands(num(d, "lag_records")) << " records; retention headroom "
                << HoursText(num(d, "retention_headroom_ms")) << "\n"
                << "          " << latency << "\n";
    }
  }
}

}  // namespace

int RunUp(const UpArgs& args) {
  InstallStopHandlers();
  auto cfg = config::LoadPipelineConfig(args.config_path);
  if (!cfg.ok()) return ReportError("up", cfg.status());
  runtime::PipelineOptions popt;
  popt.data_dir = args.data_dir;
  auto pipeline = runtime::Pipeline::Open(*cfg, popt);
  if (!pipeline.ok()) return ReportError("up", pipeline.status());
  Status s = (*pipeline)->Start();
  if (!s.ok()) return ReportError("up", s);
  auto endpoint = StartEndpoint(*cfg, args.endpoint, **pipeline, "up");
  if (!endpoint.ok()) {
    (void)(*pipeline)->Stop();
    return ReportError("up", endpoint.status());
  }
  std::cout << "tributary up: " << cfg->tables.size() << " table(s), " << cfg->pipes.size() << " pipe(s), "
            << cfg->streams.size() << " stream(s), " << cfg->deliveries.size() << " delivery stream(s); data dir "
            << (*pipeline)->data_dir() << ". Ctrl-C stops.\n"
            << std::flush;
  const auto start = std::chrono::steady_clock::now();
  auto last_line = start;
  while (!WaitForStop(200)) {
    auto now = std::chrono::steady_clock::now();
    if (args.duration_s > 0 && std::chrono::duration<double>(now - start).count() >= args.duration_s) break;
    if (now - last_line >= std::chrono::seconds(5)) {
      auto snap = (*pipeline)->Snapshot();
      std::cout << "captured " << Thousands(snap.captured) << " | delivered " << Thousands(snap.delivered)
                << " | failed " << Thousands(snap.failed) << " | files " << Thousands(snap.files) << " | lag "
                << snap.lag_ms << " ms\n"
                << std::flush;
      for (const auto& e : snap.errors) std::cout << "  error: " << e << "\n";
      last_line = now;
    }
  }
  std::cout << "stopping: flushing and committing buffered changes...\n" << std::flush;
  if (*endpoint) (*endpoint)->Stop();
  s = (*pipeline)->Stop();
  if (!s.ok()) return ReportError("up", s);
  auto snap = (*pipeline)->Snapshot();
  std::cout << "stopped cleanly: captured " << Thousands(snap.captured) << ", delivered " << Thousands(snap.delivered)
            << ", files " << Thousands(snap.files) << "\n";
  return 0;
}

int RunStatus(const StatusArgs& args) {
  auto layout = runtime::DataDirLayout::Load(args.data_dir);
  if (!layout.ok()) return ReportError("status", layout.status());
  auto catalog = catalog::Catalog::Open(layout->catalog_path);
  if (!catalog.ok()) return ReportError("status", catalog.status());
  auto tables = (*catalog)->ListTables();
  if (!tables.ok()) return ReportError("status", tables.status());

  // The running process (if any) refreshes status.json every second.
  std::string live_json;
  bool running = false;
  int64_t age_ms = -1;
  if (auto text = runtime::ReadFile(layout->status_path); text.ok()) {
    simdjson::dom::element e;
    if (!ThreadLocalJsonParser().parse(*text).get(e)) {
      int64_t pid = 0, at = 0;
      if (e["pid"].get_int64().get(pid) != simdjson::SUCCESS) pid = 0;
      if (e["at_ms"].get_int64().get(at) != simdjson::SUCCESS) at = 0;
      running = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0;
      age_ms = SystemClock::Default()->NowMillis() - at;
      live_json = *text;
      while (!live_json.empty() && live_json.back() == '\n') live_json.pop_back();
    }
  }
  // Alert counts (all time) from the alert state, running or not.
  std::map<std::string, alert::RuleCounts> alert_counts;
  {
    const std::string path = (std::filesystem::path(layout->data_dir) / alert::AlertStore::kFileName).string();
    if (std::filesystem::exists(path)) {
      auto store = alert::AlertStore::Open(path, /*create=*/false);
      if (store.ok()) {
        if (auto c = (*store)->Counts(); c.ok()) alert_counts = std::move(*c);
      }
    }
  }
  if (args.json) {
    // The status document (runtime/status_report.h, also GET /api/status) plus the alert
    // counts, which live in DIR/alerts.db rather than in the live pipeline's figures.
    std::string doc = runtime::StatusReportJson(layout->data_dir, running, live_json, **catalog);
    std::string alerts_doc = ",\"alerts\":{";
    bool first_rule = true;
    for (const auto& [rule, c] : alert_counts) {
      if (!first_rule) alerts_doc += ",";
      JsonWriter::AppendQuoted(alerts_doc, rule);
      alerts_doc += ":{\"fired\":" + std::to_string(c.fired) + ",\"throttled\":" + std::to_string(c.throttled) +
                    ",\"sent\":" + std::to_string(c.sent) + ",\"pending\":" + std::to_string(c.pending) +
                    ",\"dead\":" + std::to_string(c.dead) + "}";
      first_rule = false;
    }
    alerts_doc += "}";
    if (!doc.empty() && doc.back() == '}') doc.insert(doc.size() - 1, alerts_doc);
    std::cout << doc << "\n";
    return 0;
  }
  std::cout << "data dir  " << layout->data_dir << "\n";
  std::cout << "pipeline  " << (running ? "running" : "not running");
  if (age_ms >= 0) std::cout << " (stage counters from " << age_ms / 1000.0 << " s ago)";
  std::cout << "\n";
  if (!live_json.empty()) {
    simdjson::dom::element e;
    if (!ThreadLocalJsonParser().parse(live_json).get(e)) {
      auto num = [&](const char* k) {
        int64_t v = 0;
        if (e[k].get_int64().get(v) != simdjson::SUCCESS) v = 0;
        return v;
      };
      std::cout << "stages    table changes " << Thousands(num("table_changes")) << " -> captured "
                << Thousands(num("captured"))
                << (num("filtered") > 0 ? " (filtered out " + Thousands(num("filtered")) + ")" : "")
                << (num("dead_lettered") > 0
                        ? " (dead-lettered " + Thousands(num("dead_lettered")) + ")"
                        : "")
                << " -> delivered " << Thousands(num("delivered")) << " (failed "
                << Thousands(num("failed")) << ", buffered " << Thousands(num("buffered")) << ")\n"
                << "lag       " << num("lag_ms") << " ms behind the stream tip, " << Thousands(num("lag_records"))
                << " records not yet delivered\n";
      PrintStageFigures(e);
      // Failed records per delivery stream and errorCode (persisted: they survive restarts).
      simdjson::dom::array deliveries;
      if (!e["deliveries"].get_array().get(deliveries)) {
        for (auto d : deliveries) {
          std::string_view name;
          simdjson::dom::object codes;
          if (d["name"].get_string().get(name) || d["failed_by_code"].get_object().get(codes)) continue;
          bool first = true;
          for (auto [code, count] : codes) {
            int64_t n = 0;
            if (count.get_int64().get(n)) continue;
            std::cout << (first ? "failed    " + std::string(name) + ": " : std::string(", ")) << code << " "
                      << Thousands(n);
            first = false;
          }
          if (!first) std::cout << "\n";
        }
      }
      simdjson::dom::object glue;
      if (!e["glue_sync"].get_object().get(glue)) {
        auto gnum = [&](const char* k) {
          int64_t v = 0;
          if (glue[k].get_int64().get(v) != simdjson::SUCCESS) v = 0;
          return v;
        };
        std::string_view database, last_error;
        if (glue["database"].get_string().get(database)) database = "";
        if (glue["last_error"].get_string().get(last_error)) last_error = "";
        std::cout << "glue sync database " << database << ": " << Thousands(gnum("partitions_created"))
                  << " partitions created; lag " << gnum("lag_ms") << " ms, pending "
                  << Thousands(gnum("pending_tables")) << " table(s) " << Thousands(gnum("pending_partitions"))
                  << " partition(s)" << (last_error.empty() ? "" : "; last error: " + std::string(last_error)) << "\n";
      }
      if (num("compactions") > 0 || num("retired_files_deleted") > 0) {
        std::cout << "compaction " << Thousands(num("compactions")) << " swaps this run: "
                  << Thousands(num("compacted_files_in")) << " small files -> " << Thousands(num("compacted_files_out"))
                  << " files; " << Thousands(num("retired_files_deleted")) << " replaced files deleted\n";
      }
      if (num("alert_latency_ms") > 0) {
        std::cout << "alerting " << num("alert_latency_ms") << " ms from commit to alert (last), "
                  << num("alert_max_latency_ms") << " ms worst this run\n";
      }
      simdjson::dom::array errs;
      if (!e["errors"].get_array().get(errs)) {
        for (auto x : errs) {
          std::string_view msg;
          if (!x.get_string().get(msg)) std::cout << "error     " << msg << "\n";
        }
      }
    }
  }
  for (const auto& [rule, c] : alert_counts) {
    std::cout << "alerts    " << rule << ": " << Thousands(c.fired) << " fired, " << Thousands(c.throttled)
              << " throttled; sends " << Thousands(c.sent) << " sent, " << Thousands(c.pending) << " pending, "
              << Thousands(c.dead) << " dead (`tributary alerts` lists them)\n";
  }
  std::cout << "\nSQL tables (catalog " << layout->catalog_path << "):\n";
  std::printf("  %-40s %10s %12s %12s %10s  %s\n", "table", "files", "rows", "bytes", "partitions", "last commit");
  for (const auto& t : *tables) {
    auto st = (*catalog)->GetTableStats(t.name);
    if (!st.ok()) continue;
    std::string last = st->last_commit_ms > 0 ? FormatUtcMillis(st->last_commit_ms) + " UTC" : "-";
    std::printf("  %-40s %10s %12s %12s %10s  %s\n", t.name.c_str(), Thousands(st->files).c_str(),
                Thousands(st->rows).c_str(), Thousands(st->bytes).c_str(), Thousands(st->partitions).c_str(),
                last.c_str());
  }
  bool header = false;
  for (const auto& t : *tables) {
    auto cs = (*catalog)->GetCompactionStats(t.name);
    if (!cs.ok() || (cs->compactions == 0 && cs->retired_pending == 0)) continue;
    if (!header) {
      std::cout << "\nCompaction (all time):\n";
      header = true;
    }
    std::cout << "  " << t.name << ": " << Thousands(cs->compactions) << " compactions, " << Thousands(cs->files_in)
              << " small files (" << Thousands(cs->bytes_in) << " bytes) -> " << Thousands(cs->files_out) << " files ("
              << Thousands(cs->bytes_out) << " bytes); " << Thousands(cs->retired_pending)
              << " replaced files awaiting deletion\n";
  }
  return 0;
}

}  // namespace tributary::cli
