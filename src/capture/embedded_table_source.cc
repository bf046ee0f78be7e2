#include "capture/embedded_table_source.h"

#include <algorithm>

namespace tributary::capture {

Result<std::unique_ptr<EmbeddedTableSource>> EmbeddedTableSource::Create(
    const table::TableEngine* engine, std::string table) {
  TRIB_ASSIGN_OR_RETURN(table::TableDescription desc, engine->DescribeTable(table));
  if (!desc.stream_view_type || desc.latest_stream_arn.empty()) {
    return Status::FailedPrecondition("table '" + table + "' has no stream enabled");
  }
  return std::unique_ptr<EmbeddedTableSource>(
      new EmbeddedTableSource(engine, std::move(table), desc.latest_stream_arn));
}

Result<std::vector<std::string>> EmbeddedTableSource::ListShards() const {
  TRIB_ASSIGN_OR_RETURN(auto shards, engine_->ListStreamShards(table_));
  std::vector<std::string> out;
  out.reserve(shards.size());
  for (auto& s : shards) out.push_back(std::move(s.shard_id));
  return out;
}

Result<std::vector<ChangeRecord>> EmbeddedTableSource::Read(std::string_view shard_id,
                                                            std::string_view after_position,
                                                            size_t max_records) const {
    // The table stream reads at most 1000 records per call, as GetRecords.
  return engine_->ReadStream(table_, shard_id, after_position,
                             static_cast<int>(std::min<size_t>(max_records, 1000)));
}

}  // namespace tributary::capture
