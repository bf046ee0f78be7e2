// Pipeline: wires a PipelineConfig into running stages inside one process, over one data
// directory:
//
//   DIR/table/      TableEngine (items + table streams)
//   DIR/stream/     EmbeddedStreamStore (the Kinesis-like log, with pipe checkpoints)
//   DIR/catalog.db  Catalog (tables, files, delivery checkpoints)   [config: catalog.path]
//   DIR/lake/       delivered files                                  [config: destination.path]
//   DIR/firehose/   delivery streams created through the Firehose API (firehose_deliveries.h)
//
// Open() creates whatever the config declares and is missing (tables, streams, catalog tables),
// and recovers half-done delivery commits. Start() runs one thread per pipe and per delivery
// shard; Stop() stops pipes, then flushes and commits every delivery, then returns.
//
// Thread-safety: Start/Stop from one controlling thread; Snapshot() and the accessors are
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "config/pipeline_config.h"
#include "core/aws_json_caller.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"

namespace tributary::table {
class TableEngine;
}
namespace tributary::stream {
class EmbeddedStreamStore;
}
namespace tributary::streamapi {
class FirehoseBackend;
}
namespace tributary::alert {
class AlertEngine;
}

namespace tributary::runtime {

struct PipelineOptions {
  std::string data_dir;
  const Clock* clock = nullptr;         // default: SystemClock
  MetricsRegistry* metrics = nullptr;   // default: MetricsRegistry::Default()
  bool start_pipes = true;              // false: only open storage (e.g. `generate`)
  // AWS JSON clients for dynamodb-streams sources and kinesis streams (runtime/aws_connectors.h);
  // empty: DefaultAwsCallerFactory().
  std::function<Result<std::unique_ptr<AwsJsonCaller>>(
      std::string_view service, const config::AwsEndpointConfig& endpoint, std::string_view region)>
      aws_caller_factory = nullptr;
};

// Per-stage counters for status lines, `tributary status` and status.json.
struct PipelineSnapshot {
  int64_t at_ms = 0;
  int64_t table_changes = 0;     // stream records the tables emitted (retained)
  int64_t captured = 0;          // records the pipes moved into streams
  int64_t filtered = 0;          // records the pipes' filters dropped (checkpointed past)
  int64_t dead_lettered = 0;     // records the pipes sent to their dead-letter queues
  int64_t delivered = 0;         // rows committed to the lake
  int64_t failed = 0;            // records sent to the error output
  int64_t files = 0;             // data files committed
  int64_t lag_ms = 0;            // max over deliveries of how far behind the stream tip
  int64_t capture_backlog = 0;   // table changes not yet moved by pipes (this process; approximate)
  int64_t lag_records = 0;       // sum over deliveries of lag_records
  int64_t stream_backlog = 0;    // records in streams not yet delivered (approximate)
  int64_t compactions = 0;          // compaction swaps by this process
  int64_t compacted_files_in = 0;   // small files they replaced
  int64_t compacted_files_out = 0;  // merged files they wrote
  int64_t retired_files_deleted = 0;
  std::vector<std::string> errors;  // latest stage errors, if any
  // Per pipe (capture stage): records moved into its stream by this process.
  struct PipeStage {
    std::string name;
    std::string stream;
    int64_t records = 0;
    int64_t batches = 0;
    int64_t errors = 0;
  };
  std::vector<PipeStage> pipes;
  // Per delivery stream. Counters are since this process started (`failed` too); lag and
  // headroom are now; `failed_by_code` is per errorCode since the delivery stream began
  // (persisted in the catalog: delivery/error_counts.h).
  struct DeliveryFailures {
    std::string name;
    int64_t failed = 0;  // committed to the error output
    std::map<std::string, int64_t> failed_by_code;
    std::string stream;  // source stream
    std::string table;   // SQL table
    int64_t records_read = 0;
    int64_t rows = 0;    // rows committed to the lake
    int64_t files = 0;   // data + error files committed
    int64_t bytes = 0;
    int64_t dropped = 0;
    int64_t buffered = 0;       // read, not yet committed
    int64_t commits = 0;
    int64_t last_commit_ms = 0;
    int64_t lag_ms = 0;         // max over shards of how far behind the stream tip (time)
    int64_t lag_records = 0;    // stream records after the committed checkpoints (all shards)
    int64_t retention_ms = 0;   // the source stream's retention period
    // retention_ms - lag_ms: how long until unread records would start to be trimmed.
    int64_t retention_headroom_ms = 0;
    // Latency quantiles (ms) from the tributary_delivery_{commit,latency}_seconds histograms:
    // one commit (files + catalog), and oldest record read -> committed.
    double commit_p50_ms = 0, commit_p99_ms = 0;
    double latency_p50_ms = 0, latency_p99_ms = 0;
  };
  std::vector<DeliveryFailures> deliveries;
  // Per alert rule (all time, from DIR/alerts.db; see docs/alerts.md).
  struct AlertRuleStatus {
    std::string name;
    int64_t fired = 0;
    int64_t throttled = 0;
    int64_t sent = 0;
    int64_t pending = 0;
    int64_t dead = 0;
  };
  std::vector<AlertRuleStatus> alerts;
  int64_t alert_latency_ms = 0;      // catalog commit -> alert recorded, last batch that matched
  int64_t alert_max_latency_ms = 0;  // worst since the process started
  // catalog.glue_sync (catalog/glue_sync.h), when configured.
  struct GlueSync {
    bool enabled = false;
    std::string database;
    int64_t partitions_created = 0;
    int64_t pending_tables = 0;
    int64_t pending_partitions = 0;
    int64_t last_success_ms = 0;
    int64_t lag_ms = 0;
    std::string last_error;
  } glue_sync;
  std::string ToJson() const;
};

class Pipeline {
 public:
  static Result<std::unique_ptr<Pipeline>> Open(config::PipelineConfig config, PipelineOptions options);
  ~Pipeline();

  Status Start();
  Status Stop();

  // Also refreshes the derived gauges in the metrics registry (lag in records, retention
  // headroom, buffered records, capture backlog), so /metrics is as fresh as the last call; the
  // housekeeping thread calls it every second.
  PipelineSnapshot Snapshot() const;
  // Writes Snapshot() to DIR/status.json atomically (with this process's pid).
  Status WriteStatusFile() const;

  table::TableEngine& tables();
  catalog::Catalog& catalog();
  // The embedded log (the Kinesis API on the endpoint serves it).
  stream::EmbeddedStreamStore& streams();
  // The delivery streams created through the Firehose API (runtime/firehose_deliveries.h), run
  // with the configured ones; nullptr when the pipeline was opened without pipes.
  streamapi::FirehoseBackend* firehose();
  const std::string& lake_root() const;
  const std::string& data_dir() const;
  const config::PipelineConfig& config() const;
  // The alert rules' engine; nullptr when the config has no `alerts:` (or pipes are not started).
  alert::AlertEngine* alerts();

  struct Impl;

 private:
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tributary::runtime
