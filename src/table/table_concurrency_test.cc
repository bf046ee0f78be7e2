// Many writers on overlapping keys: the final table equals the replay of its stream, and each
// item's records form an unbroken chain (every OldImage is the previous NewImage).
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "table/table_engine.h"
#include "table/table_test_util.h"

namespace tributary::table {
namespace {

using ::tributary::testing::IsOk;
using namespace ::tributary::table::testing;  // NOLINT

using TableConcurrencyTest = EngineFixture;

TEST_F(TableConcurrencyTest, OverlappingWritersReplayToTheTable) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", StreamViewType::kNewAndOldImages, 4)));
  constexpr int kThreads = 8;
  constexpr int kOps = 1500;
  constexpr int kKeys = 48;
  const uint64_t seed = ::tributary::testing::TestSeed();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      UpdateSpec add{"ADD c :one SET who = :who", {}, {{":one", Num("1")}, {":who", AttributeValue::N(t)}}};
      UpdateSpec noop{"SET konst = :f", {}, {{":f", Str("same")}}};
      for (int i = 0; i < kOps; ++i) {
        Item key{{"pk", Str("k" + std::to_string(rng() % kKeys))}};
        Status s;
        switch (rng() % 6) {
          case 5: {
            std::vector<WriteRequest> batch;
            std::set<uint64_t> picked;
            for (int b = 0; b < 4; ++b) {
              uint64_t k = rng() % kKeys;
              if (!picked.insert(k).second) continue;
              Item item{{"pk", Str("k" + std::to_string(k))}, {"batch", AttributeValue::N(i)}};
              batch.push_back(rng() % 4 == 0 ? WriteRequest::Delete({{"pk", item.at("pk")}})
                                             : WriteRequest::Put(std::move(item)));
            }
            s = engine().BatchWriteItem("t1x", std::move(batch)).status();
            break;
          }
          case 0: {
            Item item = key;
            item["v"] = AttributeValue::N(t * 1000000 + i);
            s = engine().PutItem("t1x", std::move(item)).status();
            break;
          }
          case 1:
          case 2: s = engine().UpdateItem("t1x", key, add).status(); break;
          case 3: s = engine().UpdateItem("t1x", key, noop).status(); break;
          default: s = engine().DeleteItem("t1x", key).status(); break;
        }
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          ++failures;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);

  std::vector<ChangeRecord> records = AllRecords("t1x");
  std::sort(records.begin(), records.end(),
            [](const ChangeRecord& a, const ChangeRecord& b) { return a.sequence_number < b.sequence_number; });
  std::map<std::string, std::optional<Item>> state;
  for (const ChangeRecord& r : records) {
    std::string key = r.keys.at("pk").text();
    std::optional<Item>& current = state[key];
    switch (r.event_name) {
      case EventName::kInsert:
        EXPECT_FALSE(current.has_value()) << key << " " << r.sequence_number;
        EXPECT_FALSE(r.old_image);
        current = r.new_image;
        break;
      case EventName::kModify:
        ASSERT_TRUE(current.has_value()) << key;
        EXPECT_EQ(r.old_image, current) << key << " " << r.sequence_number;
        EXPECT_NE(r.old_image, r.new_image);
        current = r.new_image;
        break;
      case EventName::kRemove:
        ASSERT_TRUE(current.has_value()) << key;
        EXPECT_EQ(r.old_image, current) << key;
        current.reset();
        break;
    }
  }
  auto page = engine().Scan("t1x", {});
  ASSERT_OK(page);
  std::map<std::string, Item> table;
  for (auto& item : page->items) table[item.at("pk").text()] = item;
  std::map<std::string, Item> replayed;
  for (auto& [key, item] : state) {
    if (item) replayed[key] = *item;
  }
  EXPECT_EQ(replayed, table);
  EXPECT_EQ(engine().DescribeTable("t1x")->item_count, static_cast<int64_t>(table.size()));
}

TEST_F(TableConcurrencyTest, CountersAreExactUnderContention) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", std::nullopt)));
  constexpr int kThreads = 8;
  constexpr int kOps = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      UpdateSpec add{"SET n = if_not_exists(n, :zero) + :one", {}, {{":zero", Num("0")}, {":one", Num("1")}}};
      for (int i = 0; i < kOps; ++i) {
        ASSERT_OK(engine().UpdateItem("t1x", {{"pk", Str("hot" + std::to_string(i % 2))}}, add));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < 2; ++k) {
    auto item = engine().GetItem("t1x", {{"pk", Str("hot" + std::to_string(k))}});
    ASSERT_OK(item);
    EXPECT_EQ((**item).at("n"), AttributeValue::N(kThreads * kOps / 2));
  }
}

}  // namespace
}  // namespace tributary::table
