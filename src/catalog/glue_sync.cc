#include "catalog/glue_sync.h"

#include <simdjson.h>

#include <algorithm>
#include <initializer_list>

#include "catalog/glue_json.h"
#include "core/json_writer.h"

namespace tributary::catalog {

namespace {

constexpr size_t kPartitionsPerBatch = 100;  // BatchCreatePartition's limit
constexpr int64_t kMaxBackoffMs = 60000;

// Copies the members of a JSON object named in `keep` into `out` (an object being written).
Status CopyMembers(std::string_view json, std::initializer_list<std::string_view> keep, JsonWriter& out) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json).get(obj) != simdjson::SUCCESS) return Status::Internal("glue sync: bad Glue JSON");
  for (auto [key, value] : obj) {
    if (std::find(keep.begin(), keep.end(), key) == keep.end()) continue;
    out.Key(key);
    out.Raw(simdjson::minify(value));
  }
  return Status::Ok();
}

std::string PartitionKey(const PartitionInfo& p) { return p.location; }

}  // namespace

GlueSync::GlueSync(GlueSyncOptions options, std::unique_ptr<aws::JsonClient> glue, const Catalog& catalog,
                   const Clock& clock)
    : options_(std::move(options)), glue_(std::move(glue)), catalog_(catalog), clock_(clock) {
  stats_.database = options_.database;
}

GlueSync::~GlueSync() { Stop(); }

std::string GlueSync::RootFor(const std::string& table) const {
  auto it = options_.table_roots.find(table);
  return it == options_.table_roots.end() ? options_.location_root : it->second;
}

Status GlueSync::EnsureDatabase() {
  if (database_ready_) return Status::Ok();
  JsonWriter w;
  w.BeginObject();
  if (!options_.catalog_id.empty()) {
    w.Key("CatalogId");
    w.String(options_.catalog_id);
  }
  w.Key("DatabaseInput");
  w.BeginObject();
  w.Key("Name");
  w.String(options_.database);
  w.Key("Description");
  w.String("Tables of a Tributary lake (kept current by catalog.glue_sync)");
  w.EndObject();
  w.EndObject();
  auto r = glue_->Call("AWSGlue.CreateDatabase", w.str());
  if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists) return r.status().WithContext("Glue CreateDatabase");
  database_ready_ = true;
  return Status::Ok();
}

Status GlueSync::SyncTable(const TableDef& table) {
  GlueJsonOptions gopt;
  gopt.location_root = RootFor(table.name);
  gopt.epoch_seconds = true;
  GlueTableFacts facts;
  TRIB_ASSIGN_OR_RETURN(facts.stats, catalog_.GetTableStats(table.name));
  TRIB_ASSIGN_OR_RETURN(std::vector<DataFile> files, catalog_.ListFiles(table.name));
  facts.compression = CompressionOfFiles(files);
  JsonWriter t;
  WriteGlueTable(t, table, facts, gopt);

  JsonWriter w;
  w.BeginObject();
  if (!options_.catalog_id.empty()) {
    w.Key("CatalogId");
    w.String(options_.catalog_id);
  }
  w.Key("DatabaseName");
  w.String(options_.database);
  w.Key("TableInput");
  w.BeginObject();
  TRIB_RETURN_IF_ERROR(CopyMembers(t.str(),
                                   {"Name", "Description", "Owner", "Retention", "StorageDescriptor", "PartitionKeys",
                                    "TableType", "Parameters"},
                                   w));
  w.EndObject();
  w.EndObject();
  const bool known = synced_versions_.count(table.name) > 0;
  auto r = glue_->Call(known ? "AWSGlue.UpdateTable" : "AWSGlue.CreateTable", w.str());
  bool created = !known && r.ok();
  if (!known && !r.ok() && r.status().code() == StatusCode::kAlreadyExists) {
    r = glue_->Call("AWSGlue.UpdateTable", w.str());  // from an earlier run
  } else if (known && !r.ok() && r.status().code() == StatusCode::kNotFound) {
    r = glue_->Call("AWSGlue.CreateTable", w.str());  // someone deleted it
    created = r.ok();
    synced_partitions_.erase(table.name);
  }
  if (!r.ok()) return r.status().WithContext("Glue table " + options_.database + "." + table.name);
  synced_versions_[table.name] = table.schema_version;
  std::lock_guard<std::mutex> lock(mu_);
  (created ? stats_.tables_created : stats_.tables_updated) += 1;
  return Status::Ok();
}

Status GlueSync::SyncPartitions(const TableDef& table, const std::vector<PartitionInfo>& partitions) {
  std::set<std::string>& done = synced_partitions_[table.name];
  std::vector<const PartitionInfo*> todo;
  for (const PartitionInfo& p : partitions) {
    if (!p.values.empty() && done.count(PartitionKey(p)) == 0) todo.push_back(&p);
  }
  GlueJsonOptions gopt;
  gopt.location_root = RootFor(table.name);
  gopt.epoch_seconds = true;
  for (size_t at = 0; at < todo.size(); at += kPartitionsPerBatch) {
    const size_t end = std::min(todo.size(), at + kPartitionsPerBatch);
    JsonWriter w;
    w.BeginObject();
    if (!options_.catalog_id.empty()) {
      w.Key("CatalogId");
      w.String(options_.catalog_id);
    }
    w.Key("DatabaseName");
    w.String(options_.database);
    w.Key("TableName");
    w.String(table.name);
    w.Key("PartitionInputList");
    w.BeginArray();
    for (size_t i = at; i < end; ++i) {
      JsonWriter p;
      WriteGluePartition(p, table, *todo[i], gopt);
      w.BeginObject();
      TRIB_RETURN_IF_ERROR(CopyMembers(p.str(), {"Values", "StorageDescriptor", "Parameters"}, w));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    TRIB_ASSIGN_OR_RETURN(std::string answer, glue_->Call("AWSGlue.BatchCreatePartition", w.str()));
    // Errors: [{PartitionValues: [...], ErrorDetail: {ErrorCode, ErrorMessage}}]
    std::set<std::string> failed_values;
    std::string first_error;
    simdjson::dom::parser parser;
    simdjson::dom::array errors;
    simdjson::dom::element doc;
    if (parser.parse(answer).get(doc) == simdjson::SUCCESS && doc["Errors"].get_array().get(errors) == simdjson::SUCCESS) {
      for (auto e : errors) {
        std::string_view code, message;
        if (e["ErrorDetail"]["ErrorCode"].get_string().get(code) != simdjson::SUCCESS) code = "UnknownError";
        if (e["ErrorDetail"]["ErrorMessage"].get_string().get(message) != simdjson::SUCCESS) message = "";
        if (code == "AlreadyExistsException") continue;
        std::string values;
        simdjson::dom::array vs;
        if (e["PartitionValues"].get_array().get(vs) == simdjson::SUCCESS) {
          for (auto v : vs) {
            std::string_view s;
            if (v.get_string().get(s) == simdjson::SUCCESS) values += std::string(s) + "/";
          }
        }
        failed_values.insert(values);
        if (first_error.empty()) first_error = std::string(code) + ": " + std::string(message) + " (" + values + ")";
      }
    }
    int64_t created = 0;
    for (size_t i = at; i < end; ++i) {
      std::string values;
      for (const auto& [k, v] : todo[i]->values) values += v + "/";
      if (failed_values.count(values)) continue;
      done.insert(PartitionKey(*todo[i]));
      ++created;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.partitions_created += created;
    }
    if (!first_error.empty()) {
      return Status::Unavailable("Glue BatchCreatePartition " + options_.database + "." + table.name + ": " + first_error);
    }
  }
  return Status::Ok();
}

Status GlueSync::SyncOnce() {
  Status result = EnsureDatabase();
  int64_t pending_tables = 0, pending_partitions = 0, oldest_pending_ms = 0;
  if (result.ok()) {
    auto tables = catalog_.ListTables();
    if (!tables.ok()) {
      result = tables.status();
    } else {
      for (const TableDef& t : *tables) {
        auto partitions = catalog_.ListPartitions(t.name);
        if (!partitions.ok()) {
          result = partitions.status();
          break;
        }
        Status st = Status::Ok();
        auto v = synced_versions_.find(t.name);
        if (v == synced_versions_.end() || v->second != t.schema_version) st = SyncTable(t);
        if (st.ok()) st = SyncPartitions(t, *partitions);
        if (!st.ok()) {
          if (result.ok()) result = st;
          // Count what is still missing for the lag figures.
          if (synced_versions_.count(t.name) == 0 || synced_versions_[t.name] != t.schema_version) {
            ++pending_tables;
            if (oldest_pending_ms == 0 || t.updated_ms < oldest_pending_ms) oldest_pending_ms = t.updated_ms;
          }
          const auto& done = synced_partitions_[t.name];
          for (const PartitionInfo& p : *partitions) {
            if (p.values.empty() || done.count(PartitionKey(p))) continue;
            ++pending_partitions;
            if (oldest_pending_ms == 0 || p.created_ms < oldest_pending_ms) oldest_pending_ms = p.created_ms;
          }
        }
      }
    }
  }
  const int64_t now = clock_.NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  stats_.pending_tables = pending_tables;
  stats_.pending_partitions = pending_partitions;
  if (result.ok()) {
    ++stats_.passes;
    stats_.last_success_ms = now;
    stats_.last_error.clear();
    stats_.lag_ms = 0;
  } else {
    ++stats_.failed_passes;
    stats_.last_error = result.message();
    stats_.lag_ms = oldest_pending_ms > 0 ? std::max<int64_t>(0, now - oldest_pending_ms)
                                          : (stats_.last_success_ms > 0 ? now - stats_.last_success_ms : 0);
  }
  return result;
}

void GlueSync::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  stats_.running = true;
  thread_ = std::thread([this] { Run(); });
}

void GlueSync::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  stats_.running = false;
}

void GlueSync::Run() {
  int64_t wait_ms = 0;
  int64_t backoff_ms = 1000;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stop_; });
      if (stop_) return;
    }
    Status st = SyncOnce();
    if (st.ok()) {
      wait_ms = options_.interval_ms;
      backoff_ms = 1000;
    } else {
      wait_ms = std::max(backoff_ms, options_.interval_ms);
      backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
    }
  }
}

GlueSyncStats GlueSync::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tributary::catalog
