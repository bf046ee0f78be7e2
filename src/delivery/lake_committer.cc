#include "delivery/lake_committer.h"

#include <algorithm>
#include <set>

#include "core/crash_point.h"
#include "delivery/error_record.h"
#include "delivery/lake_layout.h"
#include "stream/stream.h"

namespace tributary::delivery {

LakeCommitter::LakeCommitter(CommitConfig config, LakeFs& fs, catalog::Catalog& catalog,
                             const Clock& clock)
    : config_(std::move(config)),
      fs_(fs),
      catalog_(catalog),
      clock_(clock),
      encoder_(config_.format) {}

Result<std::vector<catalog::Column>> LakeCommitter::FileColumns(
    const std::vector<catalog::Column>& observed) {
  TRIB_ASSIGN_OR_RETURN(catalog::TableDef table, catalog_.GetTable(config_.table));
  std::vector<catalog::Column> columns = std::move(table.columns);
  for (const catalog::Column& c : observed) {
    auto it = std::find_if(columns.begin(), columns.end(),
                           [&](const catalog::Column& have) { return have.name == c.name; });
    if (it == columns.end()) {
      columns.push_back(c);
    } else {
      it->type = catalog::WidenColumnType(it->type, c.type);
    }
  }
  return columns;
}

Status LakeCommitter::Stage(const std::vector<FileBuffer*>& buffers, int64_t now_ms,
                            FileEncoder* encoder, const std::vector<catalog::Column>& columns,
                            std::vector<Staged>& out) {
  std::set<std::string> dirs;
  const std::string_view extension =
      encoder != nullptr ? encoder->format().Extension() : kFileExtension;
  for (const FileBuffer* b : buffers) {
    std::string dir_abs = config_.lake_root + "/" + b->dir;
    if (known_dirs_.count(dir_abs) == 0) {
      Status st = fs_.CreateDirs(dir_abs, config_.sync);
      if (!st.ok()) return st;
      known_dirs_.insert(dir_abs);
    }
    const std::vector<std::string_view> pieces = encoder != nullptr
                                                     ? encoder->SplitForTarget(b->data)
                                                     : std::vector<std::string_view>{b->data};
    // Split: each piece records the sequence range of its own rows (rows are in sequence order).
    std::vector<std::string_view> sequences;
    if (pieces.size() > 1 && !b->row_sequences.empty()) {
      std::string_view all = b->row_sequences;
      for (size_t nl; (nl = all.find('\n')) != std::string_view::npos; all.remove_prefix(nl + 1)) {
        sequences.push_back(all.substr(0, nl));
      }
    }
    size_t first_row = 0;
    for (std::string_view piece : pieces) {
      Staged s;
      s.buffer = b;
      s.rows = pieces.size() == 1 ? b->rows : CountLines(piece);
      if (s.rows > 0 && first_row + static_cast<size_t>(s.rows) <= sequences.size()) {
        s.first_sequence = sequences[first_row];
        s.last_sequence = sequences[first_row + static_cast<size_t>(s.rows) - 1];
      }
      first_row += static_cast<size_t>(s.rows);
      s.final_rel =
          b->dir + "/" + DataFileName(config_.delivery_name, now_ms, NewFileId(), extension);
      s.temp_abs = config_.lake_root + "/" + TempPathFor(s.final_rel);
      s.final_abs = config_.lake_root + "/" + s.final_rel;
      std::string_view bytes = piece;
      if (encoder != nullptr) {
        Result<std::string_view> encoded = encoder->Encode(piece, columns);
        if (!encoded.ok()) {
          return encoded.status().WithContext("encoding " + b->dir + " as " +
                                              encoder->format().CatalogFormat());
        }
        bytes = *encoded;
      }
      s.bytes = static_cast<int64_t>(bytes.size());
      Status st = fs_.WriteFile(s.temp_abs, bytes, config_.sync);
      out.push_back(std::move(s));  // recorded before the check so Discard removes partial files
      if (!st.ok()) {
        known_dirs_.clear();  // the directory may have been removed under us
        return st;
      }
    }
    dirs.insert(std::move(dir_abs));
  }
  if (config_.sync) {
    for (const std::string& dir : dirs) TRIB_RETURN_IF_ERROR(fs_.SyncDir(dir));
  }
  return Status::Ok();
}

size_t LakeCommitter::MoveUnencodableRows(DeliveryBuffer& buffer, FileBuffer& file,
                                          const std::vector<catalog::Column>& columns,
                                          int64_t now_ms) {
  // Row by row through one writer: a refused row is not added, the next ones still are.
  ParquetWriter checker(columns);
  std::vector<size_t> drop;
  const std::string& data = file.data;
  size_t line_start = 0;
  size_t seq_start = 0;
  for (size_t i = 0; line_start < data.size(); ++i) {
    size_t line_end = data.find('\n', line_start);
    if (line_end == std::string::npos) line_end = data.size();
    const std::string_view line(data.data() + line_start, line_end - line_start);
    std::string_view sequence;
    if (seq_start < file.row_sequences.size()) {
      size_t seq_end = file.row_sequences.find('\n', seq_start);
      if (seq_end == std::string::npos) seq_end = file.row_sequences.size();
      sequence = std::string_view(file.row_sequences).substr(seq_start, seq_end - seq_start);
      seq_start = seq_end + 1;
    }
    Status st = checker.AddRow(line);
    if (!st.ok()) {
      drop.push_back(i);
      const bool committed_before =
          !skip_errors_through_.empty() && !sequence.empty() &&
          stream::CompareSequenceNumbers(sequence, skip_errors_through_) <= 0;
      if (!committed_before) {
        const int64_t arrival_ms = i < file.row_arrival_ms.size() ? file.row_arrival_ms[i] : 0;
        const std::string message = "parquet: " + st.message();
        FailedRecord f;
        f.attempts_made = 1;
        f.arrival_ms = arrival_ms;
        f.error_code = kEncodingErrorCode;
        f.error_message = message;
        f.attempt_ending_ms = now_ms;
        f.raw_data = line;
        f.sequence_number = sequence;
        f.error_output_type = kFormatConversionFailedType;
        line_scratch_.clear();
        AppendFailedRecordJson(f, line_scratch_);
        buffer.AddError(line_scratch_, arrival_ms, sequence, kFormatConversionFailedType,
                        kEncodingErrorCode);
      }
    }
    line_start = line_end + 1;
  }
  file.RemoveRows(drop);
  return drop.size();
}

Status LakeCommitter::StageData(DeliveryBuffer& buffer, const std::vector<FileBuffer*>& data,
                                int64_t now_ms, const std::vector<catalog::Column>& columns,
                                std::vector<Staged>& out) {
  for (FileBuffer* b : data) {
    std::vector<Staged> staged;
    Status st = Stage({b}, now_ms, &encoder_, columns, staged);
    if (!st.ok() && st.code() == StatusCode::kInvalidArgument &&
        config_.format.type == FileType::kParquet) {
      // A row the schema cannot hold: move such rows to the failed records, stage the rest.
      Discard(staged);
      staged.clear();
      if (MoveUnencodableRows(buffer, *b, columns, now_ms) > 0) {
        st = b->rows > 0 ? Stage({b}, now_ms, &encoder_, columns, staged) : Status::Ok();
      }
    }
    for (Staged& s : staged) out.push_back(std::move(s));
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

void LakeCommitter::Discard(const std::vector<Staged>& staged) {
  for (const Staged& s : staged) (void)fs_.Remove(s.temp_abs);
}

std::vector<catalog::DataFile> LakeCommitter::DataFilesFor(
    const std::vector<Staged>& staged) const {
  std::vector<catalog::DataFile> files;
  files.reserve(staged.size());
  for (const Staged& s : staged) {
    const FileBuffer& b = *s.buffer;
    catalog::DataFile f;
    f.path = s.final_rel;
    f.partition_values = b.partition_values;
    f.row_count = s.rows;
    f.size_bytes = s.bytes;
    // Pieces of a split buffer share its event-time range (a superset of theirs: a bound, which
    // is what pruning and compaction's closed-partition check need); each records its own
    // sequence range (lineage: `tributary catalog files`).
    f.min_event_ms = b.min_event_ms;
    f.max_event_ms = b.max_event_ms;
    f.source = config_.source;
    f.first_sequence = s.first_sequence.empty() ? b.first_sequence : s.first_sequence;
    f.last_sequence = s.last_sequence.empty() ? b.last_sequence : s.last_sequence;
    files.push_back(std::move(f));
  }
  return files;
}

Status LakeCommitter::Publish(const std::vector<Staged>& staged) {
  Status first;
  for (size_t i = 0; i < staged.size(); ++i) {
    const Staged& s = staged[i];
    if (i == 1) CrashPoint("delivery.mid_publish");
    Status st = fs_.Rename(s.temp_abs, s.final_abs);
    if (!st.ok()) {
      pending_renames_.emplace_back(s.temp_abs, s.final_abs);
      if (first.ok()) first = st;
    }
  }
  return first;
}

Status LakeCommitter::RetryPendingRenames() {
  Status first;
  std::vector<std::pair<std::string, std::string>> still;
  for (auto& [from, to] : pending_renames_) {
    Status st = fs_.Rename(from, to);
    if (!st.ok()) {
      still.emplace_back(std::move(from), std::move(to));
      if (first.ok()) first = st;
    }
  }
  pending_renames_ = std::move(still);
  return first;
}

Status LakeCommitter::Commit(DeliveryBuffer& buffer, CommitOutcome& outcome) {
  if (!pending_renames_.empty()) outcome.publish_status = RetryPendingRenames();
  if (!buffer.has_pending()) return Status::Ok();
  const int64_t now_ms = clock_.NowMillis();
  const std::string last_sequence = buffer.last_sequence();

  // Data files are staged first: rows the encoder refuses become failed records of step A.
  std::vector<FileBuffer*> data = buffer.DataFiles();
  std::vector<catalog::Column> observed = buffer.columns().Columns();
  std::vector<catalog::Column> file_columns;
  if (!data.empty() && config_.format.type == FileType::kParquet) {
    Result<std::vector<catalog::Column>> columns = FileColumns(observed);
    if (!columns.ok()) return columns.status().WithContext("reading the table's columns");
    file_columns = std::move(*columns);
  }
  std::vector<Staged> staged;
  Status st = StageData(buffer, data, now_ms, file_columns, staged);
  if (!st.ok()) {
    Discard(staged);
    return st.WithContext("staging data files");
  }

  // Step A: failed records, on the errors table with their own checkpoint.
  std::vector<FileBuffer*> errors = buffer.ErrorFiles();
  if (!errors.empty()) {
    std::vector<Staged> staged_errors;
    Status est = Stage(errors, now_ms, nullptr, {}, staged_errors);
    if (est.ok()) {
      est = catalog_.CommitFiles(config_.errors_table, FailedRecordColumns(),
                                 DataFilesFor(staged_errors),
                                 {config_.errors_checkpoint_key, last_sequence});
    }
    if (!est.ok()) {
      Discard(staged_errors);
      Discard(staged);
      return est.WithContext("committing failed-record files");
    }
    for (const Staged& s : staged_errors) {
      outcome.error_files += 1;
      outcome.error_rows += s.rows;
      outcome.bytes += s.bytes;
    }
    for (const auto& [code, count] : buffer.error_counts()) {
      outcome.error_rows_by_code[code] += count;
      error_counts_.counts[code] += count;
    }
    error_counts_.through = last_sequence;
    outcome.counts_status = catalog_.PutCheckpoint(ErrorCountsKey(config_.errors_checkpoint_key),
                                                   ErrorCountsJson(error_counts_));
    Status published = Publish(staged_errors);
    if (!published.ok()) outcome.publish_status = published;
    buffer.ClearErrors();
  }

  // Step B: rows, and the shard checkpoint.
  if (!staged.empty()) CrashPoint("delivery.after_stage");
  st = catalog_.CommitFiles(config_.table, observed, DataFilesFor(staged),
                            {config_.checkpoint_key, last_sequence});
  if (!st.ok()) {
    Discard(staged);
    return st.WithContext("committing data files");
  }
  if (!staged.empty()) CrashPoint("delivery.after_commit");
  outcome.checkpoint_advanced = true;
  outcome.dropped = buffer.dropped();
  for (const Staged& s : staged) {
    outcome.data_files += 1;
    outcome.rows += s.rows;
    outcome.bytes += s.bytes;
  }
  Status published = Publish(staged);
  if (!published.ok()) outcome.publish_status = published;
  buffer.Clear();
  return Status::Ok();
}

}  // namespace tributary::delivery
