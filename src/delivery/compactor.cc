#include "delivery/compactor.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "core/crash_point.h"
#include "delivery/compression.h"
#include "delivery/lake_layout.h"
#include "delivery/parquet_writer.h"
#include "transform/event_time.h"

namespace tributary::delivery {
namespace {

constexpr std::string_view kCompactedTag = "-compacted-";

class JsonLines final : public FileMerger {
 public:
  std::string_view extension() const override { return ".json"; }
  Result<int64_t> Merge(const std::vector<std::string>& inputs, const std::vector<catalog::Column>&,
                        std::string& out) const override {
    size_t total = 0;
    for (const std::string& in : inputs) total += in.size() + 1;
    out.clear();
    out.reserve(total);
    int64_t rows = 0;
    for (const std::string& in : inputs) {
      if (in.empty()) continue;
      out += in;
      if (out.back() != '\n') out += '\n';
    }
    for (char c : out) rows += c == '\n';
    return rows;
  }
};

class Parquet final : public FileMerger {
 public:
  std::string_view extension() const override { return ".parquet"; }
  Result<int64_t> Merge(const std::vector<std::string>& inputs, const std::vector<catalog::Column>& columns,
                        std::string& out) const override {
    ParquetWriter writer(columns);
    for (const std::string& in : inputs) TRIB_RETURN_IF_ERROR(writer.AddJsonLines(in));
    const int64_t rows = writer.rows();
    TRIB_ASSIGN_OR_RETURN(out, writer.Finish());
    return rows;
  }
};

// The JSON-lines text of a file the compactor can read, by extension; nullopt for other formats.
std::optional<Compression> ReadableCompression(std::string_view path) {
  if (path.ends_with(".json")) return Compression::kNone;
  if (path.ends_with(".json.gz")) return Compression::kGzip;
  if (path.ends_with(".json.zst")) return Compression::kZstd;
  return std::nullopt;
}

int64_t CountLines(std::string_view text) {
  int64_t n = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (end > start) ++n;
    start = end + 1;
  }
  return n;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> ParseNumber(const std::string& s, int64_t lo, int64_t hi) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

// The end (epoch ms) of a partition's time window from its year/month/day/hour values; nullopt
// when it has no usable year.
std::optional<int64_t> WindowEndMs(const std::vector<std::pair<std::string, std::string>>& values) {
  std::map<std::string, std::string> v(values.begin(), values.end());
  auto get = [&](const char* key, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    auto it = v.find(key);
    if (it == v.end()) return std::nullopt;
    return ParseNumber(it->second, lo, hi);
  };
  auto year = get("year", 1970, 9999);
  if (!year) return std::nullopt;
  auto month = get("month", 1, 12);
  auto day = month ? get("day", 1, 31) : std::nullopt;
  auto hour = day ? get("hour", 0, 23) : std::nullopt;
  constexpr int64_t kHour = 3600'000;
  if (hour) return (DaysFromCivil(*year, *month, *day) * 24 + *hour + 1) * kHour;
  if (day) return (DaysFromCivil(*year, *month, *day) + 1) * 24 * kHour;
  if (month) {
    int64_t ny = *month == 12 ? *year + 1 : *year;
    int64_t nm = *month == 12 ? 1 : *month + 1;
    return DaysFromCivil(ny, nm, 1) * 24 * kHour;
  }
  return DaysFromCivil(*year + 1, 1, 1) * 24 * kHour;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

const FileMerger& JsonLinesMerger() {
  static const JsonLines merger;
  return merger;
}

const FileMerger& ParquetMerger() {
  static const Parquet merger;
  return merger;
}

Result<const FileMerger*> FileMergerFor(std::string_view format) {
  if (format == "parquet") return &ParquetMerger();
  if (format == "json") return &JsonLinesMerger();
  return Status::InvalidArgument("compaction format must be 'parquet' or 'json', got '" + std::string(format) + "'");
}

Status CompactionOptions::Validate() const {
  if (target_file_bytes < 1024) return Status::InvalidArgument("compaction target_file_bytes must be at least 1024");
  if (min_files < 2) return Status::InvalidArgument("compaction min_files must be at least 2");
  if (grace_period_ms < 0) return Status::InvalidArgument("compaction grace_period_ms must not be negative");
  if (interval_ms < 10) return Status::InvalidArgument("compaction interval_ms must be at least 10");
  if (retire_after_ms < 0) return Status::InvalidArgument("compaction retire_after_ms must not be negative");
  return Status::Ok();
}

Compactor::Compactor(CompactorConfig config, LakeFs& fs, catalog::Catalog& catalog, const Clock& clock,
                     const FileMerger& merger)
    : config_(std::move(config)), fs_(fs), catalog_(catalog), clock_(clock), merger_(merger) {}

Compactor::~Compactor() { Stop(); }

std::string Compactor::CompactedFileName(std::string_view delivery_name, int64_t now_ms, std::string_view id,
                                         std::string_view extension) {
  char buf[32];
  char* end = transform::FormatFileNameTime(transform::ToUtc(now_ms), buf);
  std::string out(delivery_name);
  out += kCompactedTag;
  out.append(buf, end);
  out += '-';
  out.append(id);
  out.append(extension);
  return out;
}

bool Compactor::IsCompactionTempName(std::string_view name, std::string_view delivery_name) {
  if (name.empty() || name.front() != '_') return false;
  name.remove_prefix(1);
  if (!name.starts_with(delivery_name)) return false;
  name.remove_prefix(delivery_name.size());
  if (!name.starts_with(kCompactedTag)) return false;
  name.remove_prefix(kCompactedTag.size());
  static constexpr char kShape[] = "dddd-dd-dd-dd-dd-dd-";
  if (name.size() < 21) return false;
  for (size_t i = 0; i < 20; ++i) {
    char want = kShape[i];
    if (want == 'd' ? !(name[i] >= '0' && name[i] <= '9') : name[i] != want) return false;
  }
  return true;
}

Result<CompactionRecoveryReport> Compactor::Recover() {
  CompactionRecoveryReport report;
  const std::string root_slash = config_.lake_root + "/";
  TRIB_ASSIGN_OR_RETURN(std::vector<std::string> files, fs_.ListFilesRecursive(root_slash + config_.location));
  for (const std::string& abs : files) {
    size_t slash = abs.rfind('/');
    std::string_view base = std::string_view(abs).substr(slash + 1);
    if (!IsCompactionTempName(base, config_.delivery_name) || !abs.starts_with(root_slash)) continue;
    std::string parent_rel = abs.substr(root_slash.size(), slash - root_slash.size());
    std::string final_rel = parent_rel + "/" + std::string(base.substr(1));
    TRIB_ASSIGN_OR_RETURN(bool registered, catalog_.IsFileRegistered(final_rel));
    if (registered) {
      TRIB_RETURN_IF_ERROR(fs_.Rename(abs, root_slash + final_rel));
      ++report.renamed;
    } else {
      TRIB_RETURN_IF_ERROR(fs_.Remove(abs));
      ++report.deleted;
    }
    if (config_.sync) TRIB_RETURN_IF_ERROR(fs_.SyncDir(abs.substr(0, slash)));
  }
  TRIB_RETURN_IF_ERROR(CleanupRetired(clock_.NowMillis()));
  return report;
}

Status Compactor::CleanupRetired(int64_t now_ms) {
  TRIB_ASSIGN_OR_RETURN(std::vector<catalog::RetiredFile> retired, catalog_.ListRetiredFiles());
  std::vector<std::string> done;
  for (const catalog::RetiredFile& f : retired) {
    if (f.table != config_.table) continue;
    if (f.retired_ms + config_.options.retire_after_ms > now_ms) continue;
    // Never delete a file the catalog lists again (it cannot, names are unique; but be sure).
    TRIB_ASSIGN_OR_RETURN(bool registered, catalog_.IsFileRegistered(f.path));
    if (!registered) TRIB_RETURN_IF_ERROR(fs_.Remove(config_.lake_root + "/" + f.path));
    done.push_back(f.path);
    if (done.size() == 1) CrashPoint("compaction.mid_cleanup");
  }
  if (done.empty()) return Status::Ok();
  TRIB_RETURN_IF_ERROR(catalog_.ForgetRetiredFiles(done));
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.retired_deleted += static_cast<int64_t>(done.size());
  return Status::Ok();
}

Status Compactor::RunOnce() {
  const CompactionOptions& o = config_.options;
  const int64_t now_ms = clock_.NowMillis();
  Status first = CleanupRetired(now_ms);
  auto files = catalog_.ListFiles(config_.table);
  if (!files.ok()) {
    Count(files.status());
    return files.status();
  }
  // Partition spec -> its small files, in commit order.
  std::map<std::vector<std::pair<std::string, std::string>>, std::vector<catalog::DataFile>> partitions;
  std::map<std::vector<std::pair<std::string, std::string>>, int64_t> last_commit;
  for (catalog::DataFile& f : *files) {
    int64_t& last = last_commit[f.partition_values];
    last = std::max(last, f.committed_ms);
    if (f.size_bytes >= o.target_file_bytes) continue;
    if (!ReadableCompression(f.path)) continue;  // Parquet (or unknown): not ours to merge
    partitions[f.partition_values].push_back(std::move(f));
  }
  for (auto& [values, small] : partitions) {
    std::optional<int64_t> window_end = WindowEndMs(values);
    const bool closed = window_end ? *window_end + o.grace_period_ms <= now_ms
                                   : last_commit[values] + o.grace_period_ms <= now_ms;
    if (!closed) {
      if (!o.include_open_partitions) continue;
      std::erase_if(small, [&](const catalog::DataFile& f) { return f.committed_ms + o.grace_period_ms > now_ms; });
    }
    if (static_cast<int64_t>(small.size()) < o.min_files) continue;
    // Pack in commit order into groups of up to target_file_bytes; files of one group share a
    // folder (they do within a partition; be safe anyway).
    std::vector<std::vector<catalog::DataFile>> groups(1);
    int64_t group_bytes = 0;
    for (catalog::DataFile& f : small) {
      bool full = !groups.back().empty() &&
                  (group_bytes + f.size_bytes > o.target_file_bytes || DirOf(groups.back().front().path) != DirOf(f.path));
      if (full) {
        groups.emplace_back();
        group_bytes = 0;
      }
      group_bytes += f.size_bytes;
      groups.back().push_back(std::move(f));
    }
    for (const auto& group : groups) {
      if (group.size() < 2) continue;
      Status s = CompactGroup(group, now_ms);
      if (!s.ok()) {
        Count(s);
        if (first.ok()) first = s;
      }
    }
  }
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.passes += 1;
  if (!first.ok()) {
    stats_.errors += 1;
    stats_.last_error = first.ToString();
  }
  return first;
}

Status Compactor::CompactGroup(const std::vector<catalog::DataFile>& group, int64_t now_ms) {
  const std::string root_slash = config_.lake_root + "/";
  std::vector<std::string> inputs;
  std::vector<std::string> old_paths;
  catalog::DataFile merged;
  merged.partition_values = group.front().partition_values;
  merged.min_event_ms = group.front().min_event_ms;
  merged.max_event_ms = group.front().max_event_ms;
  merged.source = "compaction";
  int64_t expected_rows = 0;
  int64_t bytes_in = 0;
  for (const catalog::DataFile& f : group) {
    // A file whose rename is still pending (only its temp name exists) is left for later.
    if (!fs_.Exists(root_slash + f.path)) return Status::Ok();
    TRIB_ASSIGN_OR_RETURN(std::string data, fs_.ReadFile(root_slash + f.path));
    if (static_cast<int64_t>(data.size()) != f.size_bytes) {
      return Status::DataLoss("compaction: '" + f.path + "' has " + std::to_string(data.size()) +
                              " bytes but the catalog registered " + std::to_string(f.size_bytes));
    }
    const Compression compression = *ReadableCompression(f.path);
    if (compression != Compression::kNone) {
      std::string text;
      Status st = compression == Compression::kGzip ? DecompressGzip(data, text) : DecompressZstd(data, text);
      if (!st.ok()) return st.WithContext("compaction: reading " + f.path);
      data = std::move(text);
    }
    if (CountLines(data) != f.row_count) {
      return Status::DataLoss("compaction: '" + f.path + "' holds " + std::to_string(CountLines(data)) +
                              " rows but the catalog registered " + std::to_string(f.row_count));
    }
    inputs.push_back(std::move(data));
    old_paths.push_back(f.path);
    expected_rows += f.row_count;
    bytes_in += f.size_bytes;
    merged.min_event_ms = std::min(merged.min_event_ms, f.min_event_ms);
    merged.max_event_ms = std::max(merged.max_event_ms, f.max_event_ms);
  }
  TRIB_ASSIGN_OR_RETURN(catalog::TableDef table, catalog_.GetTable(config_.table));
  std::string out;
  const FileMerger* merger = &merger_;
  auto merged_rows = merger->Merge(inputs, table.columns, out);
  if (!merged_rows.ok() && merged_rows.status().code() == StatusCode::kInvalidArgument &&
      merger != &JsonLinesMerger()) {
    // A row the typed format cannot hold (JSON delivery accepts any value, e.g. an impossible date
    // in a timestamp column): merge this group into JSON lines instead, so the partition still
    // gets compacted and no row is touched.
    out.clear();
    merger = &JsonLinesMerger();
    merged_rows = merger->Merge(inputs, table.columns, out);
  }
  if (!merged_rows.ok()) return merged_rows.status().WithContext("compaction: merging into " + std::string(merger->extension()));
  const int64_t rows = *merged_rows;
  if (rows != expected_rows) {
    return Status::DataLoss("compaction: merging " + std::to_string(group.size()) + " files of table '" +
                            config_.table + "' gave " + std::to_string(rows) + " rows, the catalog says " +
                            std::to_string(expected_rows));
  }
  const std::string dir_rel = DirOf(group.front().path);
  merged.path = dir_rel + "/" + CompactedFileName(config_.delivery_name, now_ms, NewFileId(), merger->extension());
  merged.row_count = rows;
  merged.size_bytes = static_cast<int64_t>(out.size());
  const std::string temp_abs = root_slash + TempPathFor(merged.path);
  const std::string final_abs = root_slash + merged.path;

  Status st = fs_.WriteFile(temp_abs, out, config_.sync);
  if (st.ok() && config_.sync) st = fs_.SyncDir(root_slash + dir_rel);
  if (!st.ok()) {
    (void)fs_.Remove(temp_abs);
    return st.WithContext("compaction: writing " + merged.path);
  }
  CrashPoint("compaction.after_stage");
  st = catalog_.ReplaceFiles(config_.table, old_paths, {merged});
  if (!st.ok()) {
    (void)fs_.Remove(temp_abs);
    if (st.code() == StatusCode::kAborted) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.conflicts += 1;
      return Status::Ok();  // someone else compacted these files: nothing to do
    }
    return st.WithContext("compaction: swapping in " + merged.path);
  }
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.compactions += 1;
    stats_.files_in += static_cast<int64_t>(group.size());
    stats_.files_out += 1;
    stats_.bytes_in += bytes_in;
    stats_.bytes_out += merged.size_bytes;
  }
  CrashPoint("compaction.after_swap");
  // The swap is the truth; a failed rename is finished by Recover() (the view reads the temp name
  // meanwhile).
  st = fs_.Rename(temp_abs, final_abs);
  if (st.ok() && config_.sync) st = fs_.SyncDir(root_slash + dir_rel);
  if (!st.ok()) return st.WithContext("compaction: publishing " + merged.path);
  CrashPoint("compaction.after_publish");
  return Status::Ok();
}

void Compactor::Count(const Status& s) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.last_error = s.ToString();
}

void Compactor::Start() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Compactor::Stop() {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stop_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Compactor::Run() {
  std::unique_lock<std::mutex> lock(run_mu_);
  for (;;) {
    run_cv_.wait_for(lock, std::chrono::milliseconds(config_.options.interval_ms), [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    (void)RunOnce();
    lock.lock();
  }
}

CompactorStats Compactor::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

}  // namespace tributary::delivery
