// Source: a change feed that yields ChangeRecords (DynamoDB Streams record shape) per shard,
// with a resumable position (the last sequence number consumed). Implementations: the embedded
// table's stream (EmbeddedTableSource); DynamoDB Streams, PostgreSQL pgoutput and MySQL binlog
// later.
//
// Contract: records of one shard come in strictly increasing sequence-number order; reading
// after a position never returns that position again; a position is stable across restarts.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_record.h"
#include "core/status.h"

namespace tributary::capture {

class Source {
 public:
  virtual ~Source() = default;

  // The ARN consumers stamp on each record as eventSourceARN.
  virtual std::string source_arn() const = 0;
  virtual Result<std::vector<std::string>> ListShards() const = 0;
  // Up to max_records records strictly after `after_position` ("" = from the oldest retained).
  virtual Result<std::vector<ChangeRecord>> Read(std::string_view shard_id,
                                                 std::string_view after_position,
                                                 size_t max_records) const = 0;
  // A counter that grows whenever new records may be readable, and a blocking wait on it, so
  // consumers don't busy-poll. WaitForChanges returns true if the version moved past `seen`.
  virtual uint64_t change_version() const = 0;
  virtual bool WaitForChanges(uint64_t seen_version, int64_t timeout_ms) const = 0;
};

}  // namespace tributary::capture
