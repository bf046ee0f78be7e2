#include "runtime/firehose_deliveries.h"

#include <filesystem>
#include <system_error>

#include "core/json_writer.h"
#include "runtime/data_dir.h"

namespace tributary::runtime {

namespace fs = std::filesystem;

FirehoseDeliveries::FirehoseDeliveries(std::string dir, stream::EmbeddedStreamStore& streams, Builder build,
                                       std::vector<streamapi::FirehoseStreamInfo> configured, std::string region,
                                       std::string account_id)
    : dir_(std::move(dir)),
      streams_(streams),
      build_(std::move(build)),
      configured_(std::move(configured)),
      region_(std::move(region)),
      account_id_(std::move(account_id)) {}

FirehoseDeliveries::~FirehoseDeliveries() { (void)Stop(); }

Result<std::unique_ptr<FirehoseDeliveries::Entry>> FirehoseDeliveries::Build(const streamapi::FirehoseStreamSpec& spec) {
  auto entry = std::make_unique<Entry>();
  entry->spec = spec;
  config::DeliveryConfig dc = spec.delivery;
  stream::DataStream* source = nullptr;
  if (spec.type == streamapi::kDirectPut) {
    TRIB_ASSIGN_OR_RETURN(source, streams_.CreateStream(BufferStreamName(spec.name), 1, 24));
    entry->buffer = source;
    dc.source.kind = config::ResourceKind::kStream;
    dc.source.name = BufferStreamName(spec.name);
  } else {
    auto s = streams_.GetStream(spec.source_stream);
    if (!s.ok()) return Status::NotFound("stream " + spec.source_stream + " not found");
    source = *s;
  }
  TRIB_ASSIGN_OR_RETURN(entry->built, build_(dc, *source));
  return entry;
}

Status FirehoseDeliveries::CheckUnique(const streamapi::FirehoseStreamSpec& spec) const {
  if (entries_.count(spec.name) != 0) return Status::AlreadyExists("delivery stream " + spec.name + " exists");
  for (const auto& c : configured_) {
    if (c.name == spec.name) return Status::AlreadyExists("delivery stream " + spec.name + " exists");
    if (c.table == spec.delivery.table) {
      return Status::InvalidArgument("the SQL table " + spec.delivery.table + " is delivered by " + c.name +
                                     " (pipeline configuration); choose another DeliveryStreamName");
    }
  }
  for (const auto& [name, e] : entries_) {
    if (e->spec.delivery.table == spec.delivery.table) {
      return Status::InvalidArgument("the SQL table " + spec.delivery.table + " is delivered by " + name +
                                     "; choose another DeliveryStreamName");
    }
  }
  return Status::Ok();
}

Status FirehoseDeliveries::Load() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status::Internal("creating " + dir_ + ": " + ec.message());
  std::vector<std::string> files;
  for (const auto& f : fs::directory_iterator(dir_, ec)) {
    if (f.path().extension() == ".json") files.push_back(f.path().string());
  }
  if (ec) return Status::Internal("listing " + dir_ + ": " + ec.message());
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& path : files) {
    TRIB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    // {"create_ms":N,"request":{...}}
    simdjson::dom::parser parser;
    simdjson::dom::element doc, request;
    int64_t create_ms = 0;
    if (parser.parse(text).get(doc) != simdjson::SUCCESS || doc["request"].get(request) != simdjson::SUCCESS ||
        doc["create_ms"].get_int64().get(create_ms) != simdjson::SUCCESS) {
      return Status::DataLoss("malformed Firehose definition " + path);
    }
    auto spec = streamapi::ParseCreateDeliveryStream(simdjson::minify(request), region_, account_id_);
    if (!spec.ok()) return spec.status().WithContext("re-creating Firehose delivery stream from " + path);
    spec->create_ms = create_ms;
    TRIB_RETURN_IF_ERROR(CheckUnique(*spec).WithContext("re-creating Firehose delivery stream from " + path));
    auto entry = Build(*spec);
    if (!entry.ok()) return entry.status().WithContext("re-creating Firehose delivery stream " + spec->name);
    entries_[spec->name] = std::move(entry).value();
  }
  return Status::Ok();
}

Status FirehoseDeliveries::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, e] : entries_) TRIB_RETURN_IF_ERROR(e->built.delivery->Start());
  started_ = true;
  return Status::Ok();
}

Status FirehoseDeliveries::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) return Status::Ok();
  started_ = false;
  Status result;
  for (auto& [name, e] : entries_) {
    Status s = e->built.delivery->Stop();
    if (!s.ok() && result.ok()) result = s;
  }
  return result;
}

std::vector<delivery::DeliveryStats> FirehoseDeliveries::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<delivery::DeliveryStats> out;
  for (const auto& [name, e] : entries_) out.push_back(e->built.delivery->Stats());
  return out;
}

Status FirehoseDeliveries::CreateDeliveryStream(const streamapi::FirehoseStreamSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_RETURN_IF_ERROR(CheckUnique(spec));
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<Entry> entry, Build(spec));
  if (started_) TRIB_RETURN_IF_ERROR(entry->built.delivery->Start());
  JsonWriter w;
  w.BeginObject();
  w.Key("create_ms");
  w.Int(spec.create_ms);
  w.Key("request");
  w.Raw(spec.request_json);
  w.EndObject();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  Status saved = WriteFileAtomically(PathOf(spec.name), w.Take() + "\n");
  if (!saved.ok()) {
    (void)entry->built.delivery->Stop();
    return saved;
  }
  entries_[spec.name] = std::move(entry);
  return Status::Ok();
}

Status FirehoseDeliveries::DeleteDeliveryStream(std::string_view name) {
  std::unique_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : configured_) {
      if (c.name == name) return Status::FailedPrecondition("delivery stream " + c.name + " is configured");
    }
    auto it = entries_.find(name);
    if (it == entries_.end()) return Status::NotFound("delivery stream " + std::string(name) + " not found");
    std::error_code ec;
    fs::remove(PathOf(name), ec);
    if (ec) return Status::Internal("removing " + PathOf(name) + ": " + ec.message());
    entry = std::move(it->second);
    entries_.erase(it);
  }
  // The last flush and commit, outside the lock (other delivery streams keep working).
  return entry->built.delivery->Stop();
}

std::vector<streamapi::FirehoseStreamInfo> FirehoseDeliveries::ListDeliveryStreams() const {
  std::vector<streamapi::FirehoseStreamInfo> out = configured_;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, e] : entries_) {
    streamapi::FirehoseStreamInfo info;
    info.name = name;
    info.type = e->spec.type;
    info.source_stream = e->spec.source_stream;
    info.request_json = e->spec.request_json;
    info.table = e->spec.delivery.table;
    info.create_ms = e->spec.create_ms;
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<std::string>> FirehoseDeliveries::PutRecords(std::string_view name,
                                                                std::span<const std::string_view> records) {
  stream::DataStream* buffer = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      for (const auto& c : configured_) {
        if (c.name == name) return Status::FailedPrecondition("delivery stream " + c.name + " reads a Kinesis stream");
      }
      return Status::NotFound("delivery stream " + std::string(name) + " not found");
    }
    if (it->second->buffer == nullptr) return Status::FailedPrecondition("delivery stream reads a Kinesis stream");
    buffer = it->second->buffer;  // lives as long as the store
  }
  std::vector<stream::PutRecordEntry> entries(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    entries[i].data = records[i];
    entries[i].partition_key = "firehose";  // one shard: the key only has to be valid
  }
  TRIB_ASSIGN_OR_RETURN(std::vector<stream::PutRecordResult> put, buffer->PutRecords(entries));
  std::vector<std::string> ids;
  ids.reserve(put.size());
  for (auto& r : put) ids.push_back(std::move(r.sequence_number));
  return ids;
}

}  // namespace tributary::runtime
