#include "runtime/sales_generator.h"

#include <map>

#include "testing/test_util.h"

namespace tributary::runtime {
namespace {

// An in-memory OrderWriter for this unit test of the generator alone.
class MapWriter final : public OrderWriter {
 public:
  Result<std::optional<EventName>> Put(const Item& item) override {
    const std::string& id = item.at("order_id").text();
    bool existed = items.count(id) > 0;
    if (existed && items[id] == item) return std::optional<EventName>();
    items[id] = item;
    return std::optional<EventName>(existed ? EventName::kModify : EventName::kInsert);
  }
  Result<std::optional<EventName>> Update(const Item& key, const Item& set) override {
    auto& item = items[key.at("order_id").text()];
    bool existed = !item.empty();
    Item before = item;
    for (auto& [k, v] : key) item[k] = v;
    for (auto& [k, v] : set) item[k] = v;
    if (before == item) return std::optional<EventName>();
    return std::optional<EventName>(existed ? EventName::kModify : EventName::kInsert);
  }
  Result<std::optional<EventName>> Delete(const Item& key) override {
    if (items.erase(key.at("order_id").text()) == 0) return std::optional<EventName>();
    return std::optional<EventName>(EventName::kRemove);
  }
  std::map<std::string, Item> items;
};

TEST(SalesGeneratorTest, CountsMatchWritesAndStateMatchesTable) {
  MapWriter writer;
  ManualClock clock;
  GeneratorOptions opt;
  opt.max_changes = 2000;
  opt.seed = testing::TestSeed();
  SalesGenerator gen(&writer, opt, &clock);
  GeneratorReport report;
  ASSERT_OK(gen.Run(&report));
  EXPECT_EQ(report.changes(), 2000);
  EXPECT_EQ(report.noops, 0);
  EXPECT_GT(report.inserts, 0);
  EXPECT_GT(report.modifies, 0);
  EXPECT_GT(report.removes, 0);
  EXPECT_EQ(report.inserts - report.removes, static_cast<int64_t>(writer.items.size()));
  ASSERT_EQ(gen.live_orders().size(), writer.items.size());
  for (const auto& [id, item] : gen.live_orders()) {
    ASSERT_TRUE(writer.items.count(id));
    EXPECT_EQ(writer.items.at(id), item);
    for (const char* attr : {"order_id", "product_name", "quantity", "price", "customer_id", "status",
                             "order_date", "updated_at"}) {
      EXPECT_TRUE(item.count(attr)) << attr;
    }
  }
}

TEST(SalesGeneratorTest, SameSeedSameChanges) {
  ManualClock clock;
  GeneratorOptions opt;
  opt.max_changes = 300;
  opt.seed = 42;
  MapWriter a, b;
  GeneratorReport ra, rb;
  SalesGenerator ga(&a, opt, &clock), gb(&b, opt, &clock);
  ASSERT_OK(ga.Run(&ra));
  ASSERT_OK(gb.Run(&rb));
  EXPECT_EQ(ra.ToJson().substr(0, 60), rb.ToJson().substr(0, 60));
  EXPECT_EQ(a.items, b.items);
}

}  // namespace
}  // namespace tributary::runtime
