#include "pipe/dead_letter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "core/json_writer.h"

namespace tributary::pipe {

namespace {

std::string Iso(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

class StreamQueue final : public DeadLetterQueue {
 public:
  explicit StreamQueue(stream::DataStream* stream) : stream_(stream) {}
  Status Write(const std::vector<std::string>& entries, const std::string& shard_id) override {
    std::vector<stream::PutRecordEntry> records(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      records[i].data = entries[i];
      records[i].partition_key = shard_id.empty() ? std::string_view("dead-letter") : shard_id;
    }
    auto put = stream_->PutRecords(records);
    return put.ok() ? Status::Ok() : put.status().WithContext("dead letter " + Describe());
  }
  std::string Describe() const override { return "stream:" + stream_->name(); }

 private:
  stream::DataStream* stream_;
};

class FileQueue final : public DeadLetterQueue {
 public:
  explicit FileQueue(std::string path) : path_(std::move(path)) {}
  Status Write(const std::vector<std::string>& entries, const std::string&) override {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    std::string text;
    for (const auto& e : entries) {
      text += e;
      text += '\n';
    }
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Internal("dead letter " + Describe() + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return Status::Internal("dead letter " + Describe() + ": " + std::strerror(err));
      }
      done += static_cast<size_t>(n);
    }
    const bool synced = ::fdatasync(fd) == 0;
    ::close(fd);
    if (!synced) return Status::Internal("dead letter " + Describe() + ": fdatasync failed");
    return Status::Ok();
  }
  std::string Describe() const override { return "file:" + path_; }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<DeadLetterQueue> DeadLetterQueue::ToStream(stream::DataStream* stream) {
  return std::make_unique<StreamQueue>(stream);
}

std::unique_ptr<DeadLetterQueue> DeadLetterQueue::ToFile(std::string path) {
  return std::make_unique<FileQueue>(std::move(path));
}

std::string DeadLetterEntry(const PipeContext& context, const std::string& shard_id,
                            const ChangeRecord& record, std::string_view event_json,
                            std::string_view error_code, std::string_view error_message,
                            int64_t now_ms) {
  const std::string arrival = Iso(record.approximate_creation_date_time * 1000);
  JsonWriter w;
  w.BeginObject();
  w.Key("version");
  w.String("1.0");
  w.Key("timestamp");
  w.String(Iso(now_ms));
  w.Key("requestContext");
  w.BeginObject();
  w.Key("requestId");
  w.String(context.pipe_name + "/" + shard_id + "/" + record.sequence_number);
  w.Key("pipeArn");
  w.String(context.pipe_arn);
  w.Key("condition");
  w.String("RecordRejected");
  w.Key("approximateInvokeCount");
  w.Int(1);
  w.EndObject();
  w.Key("responseContext");
  w.BeginObject();
  w.Key("statusCode");
  w.Int(400);
  w.Key("errorCode");
  w.String(error_code);
  w.Key("errorMessage");
  w.String(error_message);
  w.EndObject();
  w.Key("DDBStreamBatchInfo");
  w.BeginObject();
  w.Key("shardId");
  w.String(shard_id);
  w.Key("startSequenceNumber");
  w.String(record.sequence_number);
  w.Key("endSequenceNumber");
  w.String(record.sequence_number);
  w.Key("approximateArrivalOfFirstRecord");
  w.String(arrival);
  w.Key("approximateArrivalOfLastRecord");
  w.String(arrival);
  w.Key("batchSize");
  w.Int(1);
  w.Key("streamArn");
  w.String(context.source_arn);
  w.EndObject();
  w.Key("record");
  w.Raw(event_json);
  w.EndObject();
  return w.Take();
}

}  // namespace tributary::pipe
