#include "delivery/delivery_buffer.h"

#include "delivery/error_record.h"
#include "delivery/lake_layout.h"
#include "transform/event_time.h"

namespace tributary::delivery {

void FileBuffer::Append(std::string_view line, int64_t event_ms, std::string_view sequence) {
  data.append(line);
  data.push_back('\n');
  ++rows;
  if (event_ms < min_event_ms) min_event_ms = event_ms;
  if (event_ms > max_event_ms) max_event_ms = event_ms;
  if (first_sequence.empty()) first_sequence.assign(sequence);
  last_sequence.assign(sequence);
}

void FileBuffer::RemoveRows(const std::vector<size_t>& drop) {
  if (drop.empty()) return;
  std::string kept;
  std::string kept_sequences;
  std::vector<int64_t> kept_arrivals;
  const bool tracked = !row_arrival_ms.empty();
  size_t line_start = 0;
  size_t seq_start = 0;
  size_t next_drop = 0;
  for (size_t i = 0; line_start < data.size(); ++i) {
    size_t line_end = data.find('\n', line_start);
    if (line_end == std::string::npos) line_end = data.size() - 1;
    size_t seq_end = tracked ? row_sequences.find('\n', seq_start) : 0;
    if (next_drop < drop.size() && drop[next_drop] == i) {
      ++next_drop;
      --rows;
    } else {
      kept.append(data, line_start, line_end + 1 - line_start);
      if (tracked && seq_end != std::string::npos) {
        kept_sequences.append(row_sequences, seq_start, seq_end + 1 - seq_start);
        if (i < row_arrival_ms.size()) kept_arrivals.push_back(row_arrival_ms[i]);
      }
    }
    line_start = line_end + 1;
    if (tracked && seq_end != std::string::npos) seq_start = seq_end + 1;
  }
  data = std::move(kept);
  row_sequences = std::move(kept_sequences);
  row_arrival_ms = std::move(kept_arrivals);
}

FileBuffer* DeliveryBuffer::Pool::Acquire(std::string key) {
  if (used == buffers.size()) buffers.push_back(std::make_unique<FileBuffer>());
  FileBuffer* b = buffers[used++].get();
  by_key.emplace(std::move(key), b);
  return b;
}

void DeliveryBuffer::Pool::Reset() {
  for (size_t i = 0; i < used; ++i) {
    FileBuffer& b = *buffers[i];
    b.dir.clear();
    b.partition_values.clear();
    b.data.clear();
    b.rows = 0;
    b.min_event_ms = std::numeric_limits<int64_t>::max();
    b.max_event_ms = std::numeric_limits<int64_t>::min();
    b.first_sequence.clear();
    b.last_sequence.clear();
    b.row_sequences.clear();
    b.row_arrival_ms.clear();
  }
  used = 0;
  by_key.clear();
}

DeliveryBuffer::DeliveryBuffer(std::string location, std::vector<std::string> partition_keys,
                               std::string error_prefix)
    : location_(std::move(location)),
      partition_keys_(std::move(partition_keys)),
      error_prefix_(std::move(error_prefix)) {}

DeliveryBuffer::DeliveryBuffer(const DeliveryOptions& options)
    : location_(options.location),
      partition_keys_(options.partition_keys),
      error_prefix_(options.error_prefix),
      layout_(options.layout.get()),
      error_template_(options.error_template.get()),
      max_open_partitions_(static_cast<size_t>(options.max_open_partitions)),
      track_rows_(options.format.type == FileType::kParquet ||
                  options.format.target_file_bytes > 0) {}

Result<FileBuffer*> DeliveryBuffer::FindOrOpen(const std::string& key) {
  if (auto it = data_.by_key.find(key); it != data_.by_key.end()) return it->second;
  if (data_.used >= max_open_partitions_) {
    failure_code_ = kActivePartitionsExceededCode;
    return Status::ResourceExhausted(
        "the record would open partition " + std::to_string(data_.used + 1) +
        " of the buffer, over max_open_partitions (" + std::to_string(max_open_partitions_) + ")");
  }
  return static_cast<FileBuffer*>(nullptr);
}

Result<FileBuffer*> DeliveryBuffer::LayoutBuffer(const transform::PartitionKeys& keys,
                                                 int64_t event_ms) {
  const int64_t granularity = layout_->timestamp_granularity_ms();
  const int64_t bucket = event_ms >= 0 ? event_ms / granularity
                                       : (event_ms - (granularity - 1)) / granularity;
  if (layout_->time_only() && last_buffer_ != nullptr && bucket == last_bucket_) {
    return last_buffer_;
  }
  if (random_.empty()) transform::AppendRandomString(random_);
  if (!layout_->Render(keys, event_ms, random_, rendered_, failure_)) {
    failure_code_ = failure_.code;
    return Status::InvalidArgument(failure_.message);
  }
  if (last_buffer_ != nullptr && last_values_.size() == rendered_.size()) {
    bool same = true;
    for (size_t i = 0; same && i < rendered_.size(); ++i) same = last_values_[i] == rendered_[i];
    if (same) {
      last_bucket_ = bucket;
      return last_buffer_;
    }
  }
  key_scratch_.clear();
  for (const std::string& v : rendered_) {
    key_scratch_.append(v);
    key_scratch_.push_back('\0');
  }
  TRIB_ASSIGN_OR_RETURN(FileBuffer * buffer, FindOrOpen(key_scratch_));
  if (buffer == nullptr) {
    std::string dir;
    catalog::PartitionValues values;
    Status s = layout_->FolderOf(rendered_, dir, values);
    if (!s.ok()) {
      failure_code_ = kInvalidPartitionValueCode;
      return s;
    }
    buffer = data_.Acquire(key_scratch_);
    buffer->dir = std::move(dir);
    buffer->partition_values = std::move(values);
  }
  last_values_.resize(rendered_.size());
  for (size_t i = 0; i < rendered_.size(); ++i) last_values_[i].assign(rendered_[i]);
  last_buffer_ = buffer;
  last_bucket_ = bucket;
  return buffer;
}

Result<FileBuffer*> DeliveryBuffer::RowBuffer(const transform::PartitionKeys& keys,
                                              int64_t event_ms) {
  failure_code_ = kPartitionErrorCode;
  if (layout_ != nullptr) return LayoutBuffer(keys, event_ms);
  value_scratch_.clear();
  transform::HourPartition hour{};
  if (keys.empty() && !partition_keys_.empty()) {
    hour = transform::ToHourPartition(transform::ToUtc(event_ms));
  }
  for (size_t i = 0; i < partition_keys_.size(); ++i) {
    const std::string& key = partition_keys_[i];
    if (keys.empty()) {
      if (key == "year") {
        value_scratch_.emplace_back(hour.year, 4);
      } else if (key == "month") {
        value_scratch_.emplace_back(hour.month, 2);
      } else if (key == "day") {
        value_scratch_.emplace_back(hour.day, 2);
      } else if (key == "hour") {
        value_scratch_.emplace_back(hour.hour, 2);
      } else {
        return Status::InvalidArgument("the processor returned no partition keys and table key '" +
                                       key + "' has no time-based default");
      }
      continue;
    }
    const std::string* v = keys.FindAt(i, key);
    if (v == nullptr) {
      return Status::InvalidArgument("the processor's partition keys lack '" + key + "'");
    }
    value_scratch_.emplace_back(*v);
  }

  if (last_buffer_ != nullptr) {
    bool same = true;
    for (size_t i = 0; same && i < value_scratch_.size(); ++i) {
      same = last_values_[i] == value_scratch_[i];
    }
    if (same) return last_buffer_;
  }
  key_scratch_.clear();
  for (std::string_view v : value_scratch_) {
    key_scratch_.append(v);
    key_scratch_.push_back('\0');
  }
  TRIB_ASSIGN_OR_RETURN(FileBuffer * buffer, FindOrOpen(key_scratch_));
  if (buffer == nullptr) {
    std::string dir = location_;
    catalog::PartitionValues values;
    for (size_t i = 0; i < partition_keys_.size(); ++i) {
      Result<std::string> segment = SanitizePartitionValue(value_scratch_[i]);
      if (!segment.ok()) {
        return Status::InvalidArgument("partition key '" + partition_keys_[i] + "': " +
                                       segment.status().message());
      }
      dir += '/';
      dir += partition_keys_[i];
      dir += '=';
      dir += *segment;
      values.emplace_back(partition_keys_[i], std::string(value_scratch_[i]));
    }
    buffer = data_.Acquire(key_scratch_);
    buffer->dir = std::move(dir);
    buffer->partition_values = std::move(values);
  }
  last_values_.resize(value_scratch_.size());
  for (size_t i = 0; i < value_scratch_.size(); ++i) last_values_[i].assign(value_scratch_[i]);
  last_buffer_ = buffer;
  return buffer;
}

Status DeliveryBuffer::AddRow(std::string_view row, const transform::PartitionKeys& keys,
                              int64_t event_ms, std::string_view sequence, int64_t arrival_ms) {
  TRIB_ASSIGN_OR_RETURN(FileBuffer * buffer, RowBuffer(keys, event_ms));
  buffer->Append(row, event_ms, sequence);
  if (track_rows_) {
    buffer->row_sequences.append(sequence);
    buffer->row_sequences.push_back('\n');
    buffer->row_arrival_ms.push_back(arrival_ms);
  }
  bytes_ += static_cast<int64_t>(row.size()) + 1;
  ++records_;
  return Status::Ok();
}

void DeliveryBuffer::AddError(std::string_view line, int64_t arrival_ms,
                              std::string_view sequence, std::string_view type,
                              std::string_view code) {
  if (auto it = error_counts_.find(code); it != error_counts_.end()) {
    ++it->second;
  } else {
    error_counts_.emplace(std::string(code), 1);
  }
  if (error_template_ != nullptr) {
    // Failed records are rare: render the error prefix per record.
    error_dir_scratch_.clear();
    const transform::UtcTime time = transform::ToUtc(arrival_ms);
    for (const auto& segment : error_template_->segments()) {
      if (!error_dir_scratch_.empty()) error_dir_scratch_ += '/';
      for (const transform::PrefixPart& part : segment) {
        transform::PrefixTemplate::AppendPart(part, time, type, error_dir_scratch_);
      }
    }
    FileBuffer* b = nullptr;
    if (auto it = errors_.by_key.find(error_dir_scratch_); it != errors_.by_key.end()) {
      b = it->second;
    } else {
      b = errors_.Acquire(error_dir_scratch_);
      b->dir = error_dir_scratch_;
    }
    last_error_buffer_ = nullptr;
    b->Append(line, arrival_ms, sequence);
    bytes_ += static_cast<int64_t>(line.size()) + 1;
    ++records_;
    return;
  }
  int64_t hour = arrival_ms >= 0 ? arrival_ms / 3600000 : (arrival_ms - 3599999) / 3600000;
  if (last_error_buffer_ == nullptr || hour != last_error_hour_) {
    std::string key = std::to_string(hour);
    auto it = errors_.by_key.find(key);
    if (it != errors_.by_key.end()) {
      last_error_buffer_ = it->second;
    } else {
      last_error_buffer_ = errors_.Acquire(std::move(key));
      last_error_buffer_->dir = ErrorDirFor(error_prefix_, arrival_ms);
    }
    last_error_hour_ = hour;
  }
  last_error_buffer_->Append(line, arrival_ms, sequence);
  bytes_ += static_cast<int64_t>(line.size()) + 1;
  ++records_;
}

void DeliveryBuffer::NoteConsumed(std::string_view sequence, int64_t now_mono_ns) {
  if (last_sequence_.empty()) oldest_mono_ns_ = now_mono_ns;
  last_sequence_.assign(sequence);
  ++consumed_;
}

std::vector<FileBuffer*> DeliveryBuffer::DataFiles() {
  std::vector<FileBuffer*> out;
  for (size_t i = 0; i < data_.used; ++i) {
    if (data_.buffers[i]->rows > 0) out.push_back(data_.buffers[i].get());
  }
  return out;
}

std::vector<FileBuffer*> DeliveryBuffer::ErrorFiles() {
  std::vector<FileBuffer*> out;
  for (size_t i = 0; i < errors_.used; ++i) {
    if (errors_.buffers[i]->rows > 0) out.push_back(errors_.buffers[i].get());
  }
  return out;
}

void DeliveryBuffer::ClearErrors() {
  for (size_t i = 0; i < errors_.used; ++i) {
    bytes_ -= static_cast<int64_t>(errors_.buffers[i]->data.size());
    records_ -= errors_.buffers[i]->rows;
  }
  errors_.Reset();
  error_counts_.clear();
  last_error_buffer_ = nullptr;
}

void DeliveryBuffer::Clear() {
  data_.Reset();
  errors_.Reset();
  error_counts_.clear();
  columns_.Clear();
  random_.clear();
  last_buffer_ = nullptr;
  last_error_buffer_ = nullptr;
  last_sequence_.clear();
  bytes_ = 0;
  records_ = 0;
  consumed_ = 0;
  dropped_ = 0;
  oldest_mono_ns_ = 0;
}

}  // namespace tributary::delivery
