#include "pipeline_scenarios.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_results.h"
#include "config/pipeline_config.h"
#include "core/clock.h"
#include "runtime/pipeline.h"
#include "runtime/sales_generator.h"
#include "runtime/table_order_writer.h"
#include "scenarios.h"
#include "transform/processor.h"

namespace tributary::bench {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

struct Scratch {
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "tributary-bench-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

// A "/proc/self/status" field in kB (VmRSS, VmHWM), or -1.
int64_t ProcStatusKb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1);
  }
  return -1;
}

// Runs `writers` generators, each for rate/writers changes/s (0: as fast as possible) and at most
// max_changes/writers changes or duration_ms; returns the summed report when all are done.
class Writers {
 public:
  Writers(runtime::Pipeline& p, const std::string& table, int writers, double rate, int64_t max_changes,
          int64_t duration_ms) {
    for (int i = 0; i < writers; ++i) {
      writers_.push_back(std::make_unique<runtime::TableOrderWriter>(&p.tables(), table));
      runtime::GeneratorOptions g;
      g.rate_per_second = rate / writers;
      g.max_changes = max_changes > 0 ? (max_changes + writers - 1) / writers : 0;
      g.duration_ms = duration_ms;
      g.seed = 11 + static_cast<uint64_t>(i);
      gens_.push_back(std::make_unique<runtime::SalesGenerator>(writers_.back().get(), g, SystemClock::Default()));
    }
    reports_.resize(gens_.size());
    for (size_t i = 0; i < gens_.size(); ++i) {
      threads_.emplace_back([this, i] {
        (void)gens_[i]->Run(&reports_[i]);
        ++done_;
      });
    }
  }
  ~Writers() { Join(); }
  bool done() const { return done_.load() == static_cast<int>(threads_.size()); }
  int64_t changes_so_far() const {
    int64_t n = 0;
    for (const auto& g : gens_) n += g->changes_so_far();
    return n;
  }
  runtime::GeneratorReport Join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    runtime::GeneratorReport sum;
    for (const auto& r : reports_) {
      sum.inserts += r.inserts;
      sum.modifies += r.modifies;
      sum.removes += r.removes;
      sum.noops += r.noops;
      sum.errors += r.errors;
      sum.elapsed_ms = std::max(sum.elapsed_ms, r.elapsed_ms);
    }
    if (!reports_.empty()) sum.seed = reports_.front().seed;  // the first writer's; the others follow it
    return sum;
  }

 private:
  std::vector<std::unique_ptr<runtime::TableOrderWriter>> writers_;
  std::vector<std::unique_ptr<runtime::SalesGenerator>> gens_;
  std::vector<runtime::GeneratorReport> reports_;
  std::vector<std::thread> threads_;
  std::atomic<int> done_{0};
};

}  // namespace

int RunPipeline(const PipelineParams& params, bool smoke, double* changes_per_s) {
  std::cout << "== pipeline: " << params.changes << " changes written by " << params.writers
            << " generator thread(s) through the C++ table API as fast as possible; demo pipeline, default "
               "settings; until committed in the lake\n";
  Scratch dir;
  auto cfg = config::DefaultPipelineConfig();
  if (!cfg.ok()) return std::cerr << cfg.status().ToString() << "\n", 1;
  auto p = runtime::Pipeline::Open(*cfg, {.data_dir = dir.path + "/data"});
  if (!p.ok()) return std::cerr << p.status().ToString() << "\n", 1;
  if (Status st = (*p)->Start(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;
  const auto start = Steady::now();
  Writers w(**p, cfg->tables.front().name, params.writers, 0, params.changes, 0);
  double t_write = 0, t_pipe = 0, t_commit = 0;
  runtime::GeneratorReport report;
  bool gen_done = false;
  for (;;) {
    if (!gen_done && w.done()) {
      report = w.Join();
      t_write = Seconds(Steady::now() - start);
      gen_done = true;
    }
    auto snap = (*p)->Snapshot();
    if (gen_done) {
      const int64_t n = report.changes();
      if (t_pipe == 0 && snap.captured + snap.filtered + snap.dead_lettered >= n) t_pipe = Seconds(Steady::now() - start);
      if (snap.delivered + snap.failed >= n) {
        t_commit = Seconds(Steady::now() - start);
        if (t_pipe == 0) t_pipe = t_commit;
        break;
      }
    }
    if (Seconds(Steady::now() - start) > 600) return std::cerr << "   timed out\n", 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (Status st = (*p)->Stop(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;
  const double n = static_cast<double>(report.changes());
  const char* note = smoke ? " (smoke run: not a measurement)" : "";
  std::printf("   %lld changes (%s)\n", static_cast<long long>(report.changes()), report.ToText().c_str());
  std::printf("   table writes done   %.3f s -> %.0f changes/s\n", t_write, n / t_write);
  std::printf("   pipe captured all   %.3f s -> %.0f changes/s\n", t_pipe, n / t_pipe);
  std::printf("   committed in lake   %.3f s -> %.0f changes/s end to end%s\n\n", t_commit, n / t_commit, note);
  Record("pipeline", "table_write_changes_per_s", n / t_write, "changes/s");
  Record("pipeline", "pipe_changes_per_s", n / t_pipe, "changes/s");
  Record("pipeline", "end_to_end_changes_per_s", n / t_commit, "changes/s");
  if (changes_per_s != nullptr) *changes_per_s = n / t_commit;
  return report.errors == 0 ? 0 : 1;
}

int RunLimit(const LimitParams& params, bool smoke, double* events_per_s) {
  std::cout << "== limit: " << params.events << " events through cdc-flatten (parse + transform) appended as JSON "
            << "lines to memory, 1 thread, batches of 500, a pool of " << params.pool << " distinct records\n";
  auto processor = transform::ProcessorRegistry::Default().Create("cdc-flatten");
  if (!processor.ok()) return std::cerr << processor.status().ToString() << "\n", 1;
  std::mt19937_64 rng(42);
  const int64_t now_s = SystemClock::Default()->NowMillis() / 1000;
  std::vector<std::string> pool;
  std::vector<std::string> ids;
  pool.reserve(static_cast<size_t>(params.pool));
  for (int64_t i = 0; i < params.pool; ++i) {
    pool.push_back(SalesRecordJson(rng, i, now_s));
    ids.push_back(std::to_string(i));
  }
  constexpr size_t kBatch = 500;
  std::vector<transform::ProcessorInput> inputs(kBatch);
  std::vector<transform::ProcessorOutput> outputs;
  std::string buffer;
  buffer.reserve(16 << 20);
  int64_t bytes = 0, ok = 0;
  size_t next = 0;
  const auto start = Steady::now();
  for (int64_t done = 0; done < params.events;) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(kBatch, params.events - done));
    for (size_t j = 0; j < n; ++j, next = (next + 1) % pool.size()) {
      inputs[j] = transform::ProcessorInput{ids[next], pool[next], now_s * 1000, "shardId-000000000000", "k", ids[next]};
    }
    if (Status st = (*processor)->Process(std::span(inputs.data(), n), outputs, nullptr); !st.ok()) {
      return std::cerr << st.ToString() << "\n", 1;
    }
    for (const auto& o : outputs) {
      if (o.result != transform::ProcessingResult::kOk) continue;
      buffer.append(o.data);
      buffer.push_back('\n');
      ++ok;
    }
    if (buffer.size() > (8u << 20)) {
      bytes += static_cast<int64_t>(buffer.size());
      buffer.clear();
    }
    done += static_cast<int64_t>(n);
  }
  bytes += static_cast<int64_t>(buffer.size());
  const double secs = Seconds(Steady::now() - start);
  const double rate = static_cast<double>(params.events) / secs;
  std::printf("   %lld rows, %.1f MB of JSON lines, %.3f s -> %.0f events/s%s\n\n", static_cast<long long>(ok),
              static_cast<double>(bytes) / 1e6, secs, rate, smoke ? " (smoke run: not a measurement)" : "");
  Record("limit", "events_per_s", rate, "events/s");
  if (events_per_s != nullptr) *events_per_s = rate;
  return ok == params.events ? 0 : 1;
}

int RunMemory(const MemoryParams& params, bool smoke) {
  std::cout << "== memory: demo pipeline in-process, " << params.writers << " generator thread(s) targeting "
            << params.rate << " changes/s for " << params.seconds << " s; peak RSS of this process (VmHWM, and sampled every 100 ms)\n";
  const int64_t rss_before_kb = ProcStatusKb("VmRSS");
  // Reset the kernel's peak-RSS mark (VmHWM) so it covers this scenario only (Linux >= 4.0); the
  // 100 ms samples are the fallback where that is not allowed.
  bool hwm_reset = static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5");
  Scratch dir;
  auto cfg = config::DefaultPipelineConfig();
  if (!cfg.ok()) return std::cerr << cfg.status().ToString() << "\n", 1;
  auto p = runtime::Pipeline::Open(*cfg, {.data_dir = dir.path + "/data"});
  if (!p.ok()) return std::cerr << p.status().ToString() << "\n", 1;
  if (Status st = (*p)->Start(); !st.ok()) return std::cerr << st.ToString() << "\n", 1;
  int64_t peak_kb = ProcStatusKb("VmRSS");
  const auto start = Steady::now();
  runtime::GeneratorReport report;
  {
    Writers w(**p, cfg->tables.front().name, params.writers, params.rate, 0,
              static_cast<int64_t>(params.seconds * 1000));
    while (!w.done()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      peak_kb = std::max(peak_kb, ProcStatusKb("VmRSS"));
    }
    report = w.Join();
  }
  const double write_secs = Seconds(Steady::now() - start);
  // Drain: the delivery catches up with what was written.
  for (;;) {
    auto snap = (*p)->Snapshot();
    peak_kb = std::max(peak_kb, ProcStatusKb("VmRSS"));
    if (snap.delivered + snap.failed >= report.changes()) break;
    if (Seconds(Steady::now() - start) > params.seconds + 120) {
      std::cerr << "   the delivery did not catch up: " << snap.delivered << " of " << report.changes() << "\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double drain_secs = Seconds(Steady::now() - start) - write_secs;
  if (hwm_reset) peak_kb = std::max(peak_kb, ProcStatusKb("VmHWM"));
  (void)(*p)->Stop();
  const double sustained = static_cast<double>(report.changes()) / write_secs;
  std::printf("   %lld changes in %.1f s -> %.0f changes/s sustained (target %.0f); delivery drained %.1f s later\n",
              static_cast<long long>(report.changes()), write_secs, sustained, params.rate, drain_secs);
  std::printf("   RSS before the pipeline opened %.1f MB; peak while running %.1f MB%s\n\n", rss_before_kb / 1024.0,
              peak_kb / 1024.0, smoke ? " (smoke run: not a measurement)" : "");
  Record("memory", "sustained_changes_per_s", sustained, "changes/s");
  Record("memory", "rss_before_mb", rss_before_kb / 1024.0, "MB");
  Record("memory", "peak_rss_mb", peak_kb / 1024.0, "MB");
  return report.errors == 0 ? 0 : 1;
}

}  // namespace tributary::bench
