// EmbeddedTableSource: the change stream of one embedded table (TableEngine) as a capture Source.
// Shard ids and positions are the table stream's own (DynamoDB Streams style).
//
// Thread-safety: thread-safe (TableEngine is).
#pragma once

#include <memory>
#include <string>

#include "capture/source.h"
#include "table/table_engine.h"

namespace tributary::capture {

class EmbeddedTableSource final : public Source {
 public:
  // FailedPrecondition when the table has no stream. `engine` must outlive the source.
  static Result<std::unique_ptr<EmbeddedTableSource>> Create(const table::TableEngine* engine,
                                                             std::string table);

  std::string source_arn() const override { return stream_arn_; }
  Result<std::vector<std::string>> ListShards() const override;
  Result<std::vector<ChangeRecord>> Read(std::string_view shard_id, std::string_view after_position,
                                         size_t max_records) const override;
  uint64_t change_version() const override { return engine_->stream_version(); }
  bool WaitForChanges(uint64_t seen_version, int64_t timeout_ms) const override {
    return engine_->WaitForStreamRecords(seen_version, timeout_ms);
  }

 private:
  EmbeddedTableSource(const table::TableEngine* engine, std::string table, std::string arn)
      : engine_(engine), table_(std::move(table)), stream_arn_(std::move(arn)) {}

  const table::TableEngine* engine_;
  const std::string table_;
  const std::string stream_arn_;
};

}  // namespace tributary::capture
