// Compactor: merges the small files of a delivery table's closed partitions into files of about
// target_file_bytes, in the background, without ever letting a query see both the old and the new
// files, or neither.
//
// One pass (RunOnce):
//   1. delete retired files (replaced by an earlier compaction) whose retire_after_ms has passed,
//      then drop them from the catalog's retired list;
//   2. for every partition that is closed (its time window, from the year/month/day/hour
//      partition values, ended more than grace_period_ms ago; a partition without time keys: no
//      commit for grace_period_ms; with include_open_partitions, any partition, using only files
//      committed more than grace_period_ms ago) and holds at least min_files small files
//      (< target_file_bytes; JSON lines, plain or gzip/zstd: files of other formats are left
//      alone), pack the small files in commit order into groups of up to
//      target_file_bytes and, for each group of 2+ files:
//        a. merge them (FileMerger: JSON lines or Parquet) and write
//           "_<name>-compacted-<time>-<id>.json|.parquet" in the partition folder, synced;                               [crash: an unregistered temp]
//        b. Catalog::ReplaceFiles: one transaction swaps the group for the new file and puts the
//           old paths on the retired list;                [crash: registered, still temp-named]
//        c. rename the temp file to its final name.           [crash: old files await deletion]
// Recover() (run before the first pass, e.g. at pipeline start) renames registered compaction
// temp files into place and deletes unregistered ones. Retired files are deleted only
// retire_after_ms after their swap, also at startup: a query that listed them before the swap may
// still be reading them (in this or another process), so retire_after_ms must exceed the longest
// query. docs/compaction.md has the rules and the crash table.
//
// A swap fails with kAborted, changing nothing, when another compactor already replaced one of
// its files; delivery commits to the same partition are unaffected (they only add files).
//
// Thread-safety: RunOnce/Recover must not run concurrently with each other (the background
// thread started by Start() is the only caller while it runs); Stats() is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/status.h"
#include "delivery/lake_fs.h"

namespace tributary::delivery {

struct CompactionOptions {
  bool enabled = true;
  int64_t target_file_bytes = 128LL << 20;   // merged files grow up to this size
  int64_t min_files = 4;                     // small files a partition needs before it is merged
  int64_t grace_period_ms = 10 * 60 * 1000;  // after a partition's window ends (late data)
  int64_t interval_ms = 60 * 1000;           // between passes
  int64_t retire_after_ms = 10 * 60 * 1000;  // retired files are deleted this long after the swap
  bool include_open_partitions = false;      // also merge files of partitions still open
  // InvalidArgument naming the bad field.
  Status Validate() const;
};

// Turns the rows of several small files (as JSON lines: the compactor reads .json, .json.gz and
// .json.zst files and decompresses them) into one output file.
class FileMerger {
 public:
  virtual ~FileMerger() = default;
  // The output's file-name extension (".parquet", ".json").
  virtual std::string_view extension() const = 0;
  // Merges `inputs` (JSON lines, in order) into `out`, typed by the table's `columns` where the
  // format has types; returns the output's row count.
  virtual Result<int64_t> Merge(const std::vector<std::string>& inputs,
                                const std::vector<catalog::Column>& columns, std::string& out) const = 0;
};
// Parquet (ParquetWriter, snappy pages). A JSON value a column type cannot hold fails the merge;
// the compactor then merges that group into JSON lines instead (JsonLinesMerger).
const FileMerger& ParquetMerger();
// JSON lines: concatenation (a missing final newline is added); rows = lines.
const FileMerger& JsonLinesMerger();
// "parquet" | "json".
Result<const FileMerger*> FileMergerFor(std::string_view format);

struct CompactorConfig {
  std::string lake_root;      // absolute
  std::string delivery_name;  // file-name prefix: "<name>-compacted-..."
  std::string table;          // catalog table
  std::string location;       // the table's lake-relative folder (where recovery looks)
  bool sync = true;
  CompactionOptions options;
};

struct CompactorStats {
  int64_t passes = 0;
  int64_t compactions = 0;       // successful swaps
  int64_t files_in = 0;
  int64_t files_out = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
  int64_t retired_deleted = 0;   // old files deleted after their grace
  int64_t conflicts = 0;         // swaps refused because a file was no longer current
  int64_t errors = 0;            // failed passes
  std::string last_error;
};

struct CompactionRecoveryReport {
  int64_t renamed = 0;
  int64_t deleted = 0;
};

class Compactor {
 public:
  // fs, catalog, clock and merger are borrowed and must outlive the Compactor.
  Compactor(CompactorConfig config, LakeFs& fs, catalog::Catalog& catalog, const Clock& clock,
            const FileMerger& merger = JsonLinesMerger());
  ~Compactor();  // Stop()
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Finishes or discards what a crash left half done: registered "_<name>-compacted-*" files are
  // renamed into place, unregistered ones deleted; then retired files past their grace are deleted.
  Result<CompactionRecoveryReport> Recover();
  // One compaction pass (see the header comment). Errors of single groups are counted and the
  // pass goes on; the first one is returned.
  Status RunOnce();

  // Background thread: RunOnce every interval_ms until Stop().
  void Start();
  void Stop();

  CompactorStats Stats() const;
  const CompactorConfig& config() const { return config_; }

  // "<name>-compacted-YYYY-MM-DD-HH-MM-SS-<id><ext>", and whether a base name is one of this
  // compactor's temp files ("_" + that shape).
  static std::string CompactedFileName(std::string_view delivery_name, int64_t now_ms, std::string_view id,
                                       std::string_view extension);
  static bool IsCompactionTempName(std::string_view base_name, std::string_view delivery_name);

 private:
  Status CleanupRetired(int64_t now_ms);
  // Merges one group of files of one partition and swaps it in.
  Status CompactGroup(const std::vector<catalog::DataFile>& group, int64_t now_ms);
  void Run();
  void Count(const Status& s);

  // Constant after construction.
  const CompactorConfig config_;
  LakeFs& fs_;
  catalog::Catalog& catalog_;
  const Clock& clock_;
  const FileMerger& merger_;

  std::thread thread_;
  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stop_ = false;  // guarded by run_mu_

  mutable std::mutex stats_mu_;
  CompactorStats stats_;  // guarded by stats_mu_
};

}  // namespace tributary::delivery
