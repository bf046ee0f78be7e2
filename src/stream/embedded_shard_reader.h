// EmbeddedShardReader: reads one shard of an EmbeddedDataStream forward from a counter
// (internal to src/stream/; users see it as a ShardReader).
//
// Thread-safety: owned by one thread. The stream must outlive the reader.
#pragma once

#include <cstdint>
#include <optional>

#include "stream/embedded_data_stream.h"
#include "stream/stream.h"
#include "stream/stream_format.h"

namespace tributary::stream {

class EmbeddedShardReader final : public ShardReader {
 public:
  // `position` is the counter of the next record to return (it need not exist yet).
  EmbeddedShardReader(const EmbeddedDataStream* stream, uint32_t shard, uint64_t position);

  // Stops early once a batch holds kMaxReadBytes of data (at least one record is returned).
  Result<ReadBatch> Read(size_t max_records) override;
  Status ReadInto(size_t max_records, ReadBatch* batch) override;
  // AT_SEQUENCE_NUMBER of the next counter; the embedded stream accepts sequence numbers of
  // records that do not exist yet and positions there.
  std::optional<StartPosition> ResumePosition() const override;

  static constexpr size_t kMaxReadBytes = 10 << 20;

  uint64_t position() const { return position_; }

 private:
  const EmbeddedDataStream* const stream_;
  const uint32_t shard_;
  const format::ShardKey upper_bound_;  // sorts after every record key of the shard
  uint64_t position_;
};

}  // namespace tributary::stream
