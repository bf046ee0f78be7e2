// GlueSync: mirrors the catalog's tables and partitions into the AWS Glue Data Catalog, so
// Athena (and anything reading Glue) sees the lake. Config: `catalog: {glue_sync: {database,
// region?, endpoint_url?}}` (docs/aws-mode.md).
//
// One pass (SyncOnce):
//   1. CreateDatabase (once; AlreadyExists is fine);
//   2. for every catalog table whose schema version Glue does not have yet: CreateTable, or
//      UpdateTable when it exists (a new column, a widened type, a format change), with the
//      TableInput built from glue_json.h's Table (Location = the table's root + location);
//   3. for every catalog partition not yet sent: BatchCreatePartition, 100 at a time
//      (AlreadyExistsException entries count as done).
// Start() runs passes on a thread of its own every interval_ms, retrying a failed pass with
// backoff (1 s doubling to 60 s) while delivery goes on: Glue being down, slow or throttling never
// stalls delivery; it only makes Glue lag, which Stats() reports (`tributary status`).
// What was synced is kept in memory: after a restart the first pass sends everything again
// (UpdateTable + BatchCreatePartition, both idempotent).
//
// Thread-safety: Stats() from any thread; SyncOnce/Start/Stop from one controlling thread (or
// the sync thread).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "aws/aws_client.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/status.h"

namespace tributary::catalog {

struct GlueSyncOptions {
  std::string database;  // Glue database name
  // Location prefix of a table's files, without trailing '/': "s3://bucket/prefix". Tables not in
  // `table_roots` use `location_root`.
  std::string location_root;
  std::map<std::string, std::string> table_roots;
  int64_t interval_ms = 1000;
  std::string catalog_id;  // "" -> the caller's account
};

struct GlueSyncStats {
  bool running = false;
  std::string database;
  int64_t passes = 0;             // successful passes
  int64_t failed_passes = 0;
  int64_t tables_created = 0;
  int64_t tables_updated = 0;
  int64_t partitions_created = 0;
  int64_t last_success_ms = 0;    // end of the last successful pass
  int64_t pending_tables = 0;     // tables (schema versions) Glue does not have yet, as of the last pass
  int64_t pending_partitions = 0; // partitions not yet in Glue, as of the last pass
  // How long the oldest commit not yet in Glue has waited (0 when Glue is current).
  int64_t lag_ms = 0;
  std::string last_error;         // of the last failed pass; "" after a success
};

class GlueSync {
 public:
  GlueSync(GlueSyncOptions options, std::unique_ptr<aws::JsonClient> glue, const Catalog& catalog,
           const Clock& clock);
  ~GlueSync();  // Stop()

  Status SyncOnce();
  void Start();
  void Stop();
  GlueSyncStats Stats() const;

 private:
  Status EnsureDatabase();
  Status SyncTable(const TableDef& table);
  Status SyncPartitions(const TableDef& table, const std::vector<PartitionInfo>& partitions);
  std::string RootFor(const std::string& table) const;
  void Run();

  const GlueSyncOptions options_;
  std::unique_ptr<aws::JsonClient> glue_;
  const Catalog& catalog_;
  const Clock& clock_;

  // Sync state: touched only by the thread running SyncOnce.
  bool database_ready_ = false;
  std::map<std::string, int64_t> synced_versions_;          // table -> schema version in Glue
  std::map<std::string, std::set<std::string>> synced_partitions_;  // table -> partition locations

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  GlueSyncStats stats_;
  std::thread thread_;
};

}  // namespace tributary::catalog
