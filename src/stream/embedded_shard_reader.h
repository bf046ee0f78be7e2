// EmbeddedShardReader: reads one shard of an EmbeddedDataStream forward from a counter
// (internal to src/stream/; users see it as a ShardReader).
//
// Thread-safety: owned by one thread. The stream must outlive the reader.
#pragma once

#include <cstdint>

#include "stream/embedded_data_stream.h"
#include "stream/stream.h"
#include "stream/stream_format.h"

namespace tributary::stream {

class EmbeddedShardReader final : public ShardReader {
 public:
  // `position` is the counter of the next record to return (it need not exist yet).
  EmbeddedShardReader(const EmbeddedDataStream* stream, uint32_t shard, uint64_t position);

  Result<ReadBatch> Read(size_t max_records) override;

  uint64_t position() const { return position_; }

 private:
  const EmbeddedDataStream* const stream_;
  const uint32_t shard_;
  const format::ShardKey upper_bound_;  // sorts after every record key of the shard
  uint64_t position_;
};

}  // namespace tributary::stream
