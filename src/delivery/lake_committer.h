// LakeCommitter: delivery's exactly-once commit protocol for one shard's DeliveryBuffer.
//
//   1. encode each partition's rows in the configured FileFormat (JSON lines, gzip/zstd, or
//      Parquet typed by the catalog's columns widened by the batch's; split into several files
//      past target_file_bytes), write every file under its temp name ("_" + final name) and make
//      it durable (fdatasync each file, fsync each directory) when sync is on;
//   2. one catalog transaction registers the files (final paths, partitions, row counts, event
//      time range, source shard, sequence range) AND advances the shard's checkpoint;
//   3. rename each temp file to its final name.
//
// A row the encoder cannot write (Parquet: a value its column's type cannot hold) does not fail
// the commit: it leaves its file and becomes a format-conversion-failed record
// (DataFormatConversion.EncodingFailed; rawData = the row, as the processor produced it) that is
// committed with the other failed records below, and the rest of the file is committed as usual.
//
// Failed-record files are always plain JSON lines. The data files are staged (step 1) before
// them, so that refused rows join them, but they are committed first, in their own transaction on the
// errors table with a separate checkpoint ("<checkpoint key>/errors"), because CommitFiles covers
// one table; the worker skips failed records at or below that checkpoint after a restart, so they
// are never written twice. A crash at any point is repaired by Recover (recovery.h);
// docs/delivery-semantics.md walks through every crash point.
//
// Thread-safety: not thread-safe; owned by one ShardWorker and used only by its committer thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/status.h"
#include "delivery/delivery_buffer.h"
#include "delivery/error_counts.h"
#include "delivery/file_format.h"
#include "delivery/lake_fs.h"

namespace tributary::delivery {

struct CommitConfig {
  std::string lake_root;      // absolute, no trailing '/'
  std::string delivery_name;  // file-name prefix
  std::string table;
  std::string errors_table;
  std::string source;                 // "stream/<stream>/<shard>"
  std::string checkpoint_key;         // "delivery/<name>/<shard>"
  std::string errors_checkpoint_key;  // checkpoint_key + "/errors"
  bool sync = true;
  FileFormat format;  // of data files
};

// What a Commit call made visible (also filled on partial success: error files may have been
// committed before the data step failed).
struct CommitOutcome {
  int64_t data_files = 0;
  int64_t error_files = 0;
  int64_t rows = 0;
  int64_t error_rows = 0;
  int64_t bytes = 0;
  int64_t dropped = 0;  // records the processor dropped, checkpointed by this commit
  std::map<std::string, int64_t, std::less<>> error_rows_by_code;  // error_rows per errorCode
  bool checkpoint_advanced = false;
  // A rename after a successful commit failed; it is retried on the next Commit and by Recover.
  Status publish_status;
  // Persisting the error totals after the errors commit failed (they are repaired at the next
  // start from the committed files; error_counts.h).
  Status counts_status;
};

class LakeCommitter {
 public:
  // `fs`, `catalog` and `clock` are borrowed and must outlive the committer.
  LakeCommitter(CommitConfig config, LakeFs& fs, catalog::Catalog& catalog, const Clock& clock);

  // Commits everything in `buffer` (rows, failed records, and the checkpoint = the buffer's last
  // consumed sequence, even with no files). On success clears the buffer. On failure nothing new
  // is visible except what `outcome` reports; the uncommitted temp files are removed and the
  // buffer keeps the uncommitted part, so the caller can retry.
  Status Commit(DeliveryBuffer& buffer, CommitOutcome& outcome);

  // Failed records at or below `sequence` were committed before a restart (the worker's errors
  // checkpoint was ahead of its data checkpoint): rows the encoder refuses there are not
  // recorded again. Call before the first Commit.
  void SkipErrorsThrough(std::string sequence) { skip_errors_through_ = std::move(sequence); }

  // The failed-record totals per errorCode so far (error_counts.h); each errors commit adds its
  // counts and persists them. Call before the first Commit.
  void SetErrorCounts(PersistedErrorCounts counts) { error_counts_ = std::move(counts); }

  // Renames left over from failed publish steps.
  size_t pending_renames() const { return pending_renames_.size(); }

 private:
  struct Staged {
    const FileBuffer* buffer;
    std::string final_rel;
    std::string temp_abs;
    std::string final_abs;
    int64_t rows = 0;   // in this file (a buffer split by target_file_bytes has several)
    int64_t bytes = 0;  // encoded file size
    // The piece's own sequence range when the buffer was split (and tracks rows); empty: the
    // buffer's.
    std::string first_sequence;
    std::string last_sequence;
  };

  // With `encoder` (data files), in its format, typed by `columns` for Parquet; without, plain
  // JSON lines (failed records).
  Status Stage(const std::vector<FileBuffer*>& buffers, int64_t now_ms, FileEncoder* encoder,
               const std::vector<catalog::Column>& columns, std::vector<Staged>& out);
  // Stages `data` (rows) in the configured format. A file with rows the encoder refuses is
  // checked row by row: those rows move to `buffer`'s failed records (format-conversion-failed)
  // and the file is staged without them.
  Status StageData(DeliveryBuffer& buffer, const std::vector<FileBuffer*>& data, int64_t now_ms,
                   const std::vector<catalog::Column>& columns, std::vector<Staged>& out);
  // Moves the rows of `file` that `columns` cannot hold into `buffer`'s failed records; returns
  // how many moved.
  size_t MoveUnencodableRows(DeliveryBuffer& buffer, FileBuffer& file,
                             const std::vector<catalog::Column>& columns, int64_t now_ms);
  // The Parquet schema of this commit's files: the table's columns as the catalog has them now,
  // widened and extended by `observed` (what CommitFiles will make them).
  Result<std::vector<catalog::Column>> FileColumns(const std::vector<catalog::Column>& observed);
  void Discard(const std::vector<Staged>& staged);
  std::vector<catalog::DataFile> DataFilesFor(const std::vector<Staged>& staged) const;
  // Renames staged files into place; failures are kept in pending_renames_.
  Status Publish(const std::vector<Staged>& staged);
  Status RetryPendingRenames();

  // Constant after construction.
  const CommitConfig config_;
  LakeFs& fs_;
  catalog::Catalog& catalog_;
  const Clock& clock_;

  FileEncoder encoder_;
  std::unordered_set<std::string> known_dirs_;  // absolute dirs known to exist
  std::vector<std::pair<std::string, std::string>> pending_renames_;  // temp -> final (absolute)
  std::string skip_errors_through_;
  std::string line_scratch_;
  PersistedErrorCounts error_counts_;
};

}  // namespace tributary::delivery
