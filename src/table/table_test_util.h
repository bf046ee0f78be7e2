// Helpers shared by the table engine tests.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::table::testing {

inline AttributeValue Num(std::string_view s) { return AttributeValue::N(s).value(); }
inline AttributeValue Str(std::string s) { return AttributeValue::S(std::move(s)); }

inline TableSpec HashTable(std::string name, std::optional<StreamViewType> view = StreamViewType::kNewAndOldImages,
                           int shards = 1) {
  TableSpec spec;
  spec.name = std::move(name);
  spec.hash_key = {"pk", AttributeType::kS};
  spec.stream_view_type = view;
  spec.stream_shard_count = shards;
  return spec;
}

inline TableSpec RangeTable(std::string name, AttributeType range_type = AttributeType::kN,
                            std::optional<StreamViewType> view = StreamViewType::kNewAndOldImages) {
  TableSpec spec = HashTable(std::move(name), view);
  spec.range_key = KeyAttribute{"sk", range_type};
  return spec;
}

// An engine in a temp dir with a manual clock; Reopen() closes and opens it again.
class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    engine_.reset();
    TableEngine::Options options;
    options.clock = &clock_;
    options.region = "eu-west-1";
    options.account_id = "123456789012";
    auto engine = TableEngine::Open(dir_.str(), options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  TableEngine& engine() { return *engine_; }

  // All records of every shard of `table`, oldest first per shard, shards in order.
  std::vector<ChangeRecord> AllRecords(const std::string& table) {
    std::vector<ChangeRecord> all;
    auto shards = engine_->ListStreamShards(table);
    EXPECT_TRUE(shards.ok()) << shards.status().ToString();
    if (!shards.ok()) return all;
    for (const auto& shard : *shards) {
      auto records = engine_->ReadStream(table, shard.shard_id, "", 1 << 30);
      EXPECT_TRUE(records.ok()) << records.status().ToString();
      if (records.ok()) all.insert(all.end(), records->begin(), records->end());
    }
    return all;
  }

  ManualClock clock_{1700000000123};
  ::tributary::testing::TempDir dir_;
  std::unique_ptr<TableEngine> engine_;
};

}  // namespace tributary::table::testing
