// Fixture and helpers shared by the embedded stream tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "stream/embedded_stream.h"
#include "stream/stream.h"
#include "testing/test_util.h"

namespace tributary::stream {

// A store in a fresh temp dir with a ManualClock; Reopen() closes and opens it again.
class EmbeddedStreamFixture : public ::testing::Test {
 public:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto store = EmbeddedStreamStore::Open(dir_.str(), &clock_, options_);
    ASSERT_OK(store);
    store_ = std::move(*store);
  }

  DataStream* MakeStream(const std::string& name, int shards, int retention_hours = 24) {
    auto s = store_->CreateStream(name, shards, retention_hours);
    EXPECT_OK(s);
    return s.ok() ? *s : nullptr;
  }

  // Puts (partition key, data) pairs in one call.
  static Result<std::vector<PutRecordResult>> Put(
      DataStream* stream, const std::vector<std::pair<std::string, std::string>>& records,
      const ProducerCheckpoint* checkpoint = nullptr) {
    std::vector<PutRecordEntry> entries;
    entries.reserve(records.size());
    for (const auto& [pk, data] : records) entries.push_back({data, pk, std::nullopt});
    return stream->PutRecords(entries, checkpoint);
  }

  // Everything readable from `start` until the reader is caught up.
  static std::vector<StreamRecord> ReadAll(DataStream* stream, const std::string& shard_id,
                                           const StartPosition& start) {
    std::vector<StreamRecord> out;
    auto reader = stream->OpenReader(shard_id, start);
    EXPECT_OK(reader);
    if (!reader.ok()) return out;
    for (;;) {
      auto batch = (*reader)->Read(97);
      EXPECT_OK(batch);
      if (!batch.ok() || batch->records.empty()) break;
      for (StreamRecord& r : batch->records) out.push_back(std::move(r));
    }
    return out;
  }

  static std::vector<std::string> Data(const std::vector<StreamRecord>& records) {
    std::vector<std::string> out;
    for (const StreamRecord& r : records) out.push_back(r.data);
    return out;
  }

  ::tributary::testing::TempDir dir_;
  ManualClock clock_{1700000000000};
  EmbeddedStreamOptions options_;
  std::unique_ptr<EmbeddedStreamStore> store_;
};

inline constexpr char kShard0[] = "shardId-000000000000";
inline constexpr char kShard1[] = "shardId-000000000001";

}  // namespace tributary::stream
