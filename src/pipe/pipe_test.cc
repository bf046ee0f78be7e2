#include "pipe/pipe.h"

#include <map>
#include <set>

#include "core/clock.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"

namespace tributary::pipe {
namespace {

// An in-memory Source for this unit test of Pipe alone (the embedded table source has its own
// tests against the real table engine).
class VectorSource final : public capture::Source {
 public:
  std::string source_arn() const override { return "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x"; }
  Result<std::vector<std::string>> ListShards() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : shards_) out.push_back(k);
    return out;
  }
  Result<std::vector<ChangeRecord>> Read(std::string_view shard, std::string_view after,
                                         size_t max) const override {
    std::vector<ChangeRecord> out;
    auto it = shards_.find(std::string(shard));
    if (it == shards_.end()) return Status::NotFound("no shard");
    for (const auto& r : it->second) {
      if (!after.empty() && std::stoll(r.sequence_number) <= std::stoll(std::string(after))) continue;
      if (out.size() >= max) break;
      out.push_back(r);
    }
    return out;
  }
  uint64_t change_version() const override { return version_; }
  bool WaitForChanges(uint64_t seen, int64_t) const override { return version_ != seen; }

  void Add(const std::string& shard, const std::string& order_id, EventName name) {
    ChangeRecord r;
    r.event_id = "e" + std::to_string(next_);
    r.event_name = name;
    r.keys["order_id"] = AttributeValue::S(order_id);
    r.new_image = r.keys;
    r.sequence_number = std::to_string(next_++);
    shards_[shard].push_back(r);
    ++version_;
  }

 private:
  std::map<std::string, std::vector<ChangeRecord>> shards_;
  int64_t next_ = 100;
  uint64_t version_ = 0;
};

std::vector<stream::StreamRecord> ReadAll(stream::DataStream* s) {
  std::vector<stream::StreamRecord> all;
  for (const auto& shard : s->ListShards()) {
    auto reader = s->OpenReader(shard.shard_id, stream::StartPosition::TrimHorizon());
    EXPECT_OK(reader);
    for (;;) {
      auto batch = (*reader)->Read(1000);
      EXPECT_OK(batch);
      if (batch->records.empty()) break;
      for (auto& r : batch->records) all.push_back(std::move(r));
    }
  }
  return all;
}

TEST(PipeTest, MovesRecordsWithArnAndResumesExactlyOnce) {
  testing::TempDir dir;
  ManualClock clock;
  VectorSource source;
  for (int i = 0; i < 7; ++i) source.Add("shard-a", "o-" + std::to_string(i % 3), EventName::kInsert);
  for (int i = 0; i < 5; ++i) source.Add("shard-b", "p-" + std::to_string(i), EventName::kModify);
  {
    auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
    ASSERT_OK(store);
    auto s = (*store)->CreateStream("orders", 2);
    ASSERT_OK(s);
    auto pipe = Pipe::Create({.name = "p1", .batch_size = 3}, &source, *s, nullptr);
    ASSERT_OK(pipe);
    int64_t moved = 0;
    ASSERT_OK((*pipe)->RunOnce(&moved));
    EXPECT_EQ(moved, 6);  // 3 from each shard
    EXPECT_EQ((*pipe)->stats().positions.at("shard-a"), "102");
  }
  // Reopen: a new pipe resumes from the checkpoints written with the records.
  source.Add("shard-a", "o-9", EventName::kRemove);
  auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
  ASSERT_OK(store);
  auto s = (*store)->GetStream("orders");
  ASSERT_OK(s);
  auto pipe = Pipe::Create({.name = "p1", .batch_size = 3}, &source, *s, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  auto all = ReadAll(*s);
  ASSERT_EQ(all.size(), 13u);
  std::set<std::string> ids;
  std::map<std::string, std::string> shard_of_key;
  for (const auto& r : all) {
    auto rec = ChangeRecord::FromJson(r.data);
    ASSERT_OK(rec);
    EXPECT_EQ(rec->event_source_arn, source.source_arn());
    EXPECT_TRUE(ids.insert(rec->event_id).second) << "duplicate " << rec->event_id;
    EXPECT_EQ(r.partition_key, ItemToJson(rec->keys));
  }
  EXPECT_EQ(ids.size(), 13u);
}

TEST(PipeTest, SameItemAlwaysGoesToTheSameShardInOrder) {
  testing::TempDir dir;
  ManualClock clock;
  VectorSource source;
  for (int i = 0; i < 40; ++i) source.Add("s", "o-" + std::to_string(i % 4), EventName::kModify);
  auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
  ASSERT_OK(store);
  auto s = (*store)->CreateStream("orders", 4);
  ASSERT_OK(s);
  auto pipe = Pipe::Create({.name = "p", .batch_size = 7}, &source, *s, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  std::map<std::string, std::set<std::string>> shards_per_key;
  for (const auto& shard : (*s)->ListShards()) {
    auto reader = (*s)->OpenReader(shard.shard_id, stream::StartPosition::TrimHorizon());
    ASSERT_OK(reader);
    auto batch = (*reader)->Read(1000);
    ASSERT_OK(batch);
    int64_t last = -1;
    for (const auto& r : batch->records) {
      auto rec = ChangeRecord::FromJson(r.data);
      ASSERT_OK(rec);
      shards_per_key[rec->keys.at("order_id").text()].insert(shard.shard_id);
      int64_t seq = std::stoll(rec->sequence_number);
      EXPECT_GT(seq, last);  // per-shard order follows source order
      last = seq;
    }
  }
  ASSERT_EQ(shards_per_key.size(), 4u);
  for (const auto& [k, shards] : shards_per_key) EXPECT_EQ(shards.size(), 1u) << k;
}

}  // namespace
}  // namespace tributary::pipe
