#include "delivery/delivery_buffer.h"

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
  }
  used = 0;
  by_key.clear();
}

DeliveryBuffer::DeliveryBuffer(std::string location, std::vector<std::string> partition_keys,
                               std::string error_prefix)
    : location_(std::move(location)),
      partition_keys_(std::move(partition_keys)),
      error_prefix_(std::move(error_prefix)) {}

Result<FileBuffer*> DeliveryBuffer::RowBuffer(const transform::PartitionKeys& keys,
                                              int64_t event_ms) {
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
  FileBuffer* buffer = nullptr;
  if (auto it = data_.by_key.find(key_scratch_); it != data_.by_key.end()) {
    buffer = it->second;
  } else {
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
                              int64_t event_ms, std::string_view sequence) {
  TRIB_ASSIGN_OR_RETURN(FileBuffer * buffer, RowBuffer(keys, event_ms));
  buffer->Append(row, event_ms, sequence);
  bytes_ += static_cast<int64_t>(row.size()) + 1;
  ++records_;
  return Status::Ok();
}

void DeliveryBuffer::AddError(std::string_view line, int64_t arrival_ms,
                              std::string_view sequence) {
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
  last_error_buffer_ = nullptr;
}

void DeliveryBuffer::Clear() {
  data_.Reset();
  errors_.Reset();
  columns_.Clear();
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
