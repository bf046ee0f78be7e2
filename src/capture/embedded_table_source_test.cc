#include "capture/embedded_table_source.h"

#include "testing/test_util.h"

namespace tributary::capture {
namespace {

using ::tributary::testing::StatusIs;

TEST(EmbeddedTableSourceTest, ReadsTheTableStreamFromPositions) {
  testing::TempDir dir;
  ManualClock clock;
  auto engine = table::TableEngine::Open(dir.str(), {.clock = &clock});
  ASSERT_OK(engine);
  table::TableSpec spec;
  spec.name = "Orders";
  spec.hash_key = {"order_id", AttributeType::kS};
  spec.stream_view_type = StreamViewType::kNewAndOldImages;
  spec.stream_shard_count = 2;
  ASSERT_OK((*engine)->CreateTable(spec));
  table::TableSpec plain = spec;
  plain.name = "NoStream";
  plain.stream_view_type.reset();
  ASSERT_OK((*engine)->CreateTable(plain));
  EXPECT_THAT(EmbeddedTableSource::Create(engine->get(), "NoStream"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(EmbeddedTableSource::Create(engine->get(), "Missing"), StatusIs(StatusCode::kNotFound));

  auto source = EmbeddedTableSource::Create(engine->get(), "Orders");
  ASSERT_OK(source);
  EXPECT_NE((*source)->source_arn().find(":table/Orders/stream/"), std::string::npos);
  uint64_t v0 = (*source)->change_version();
  for (int i = 0; i < 10; ++i) {
    Item item{{"order_id", AttributeValue::S("o" + std::to_string(i))}, {"n", AttributeValue::N(i)}};
    ASSERT_OK((*engine)->PutItem("Orders", item));
  }
  EXPECT_TRUE((*source)->WaitForChanges(v0, 0));
  auto shards = (*source)->ListShards();
  ASSERT_OK(shards);
  ASSERT_EQ(shards->size(), 2u);
  size_t total = 0;
  for (const auto& shard : *shards) {
    auto first = (*source)->Read(shard, "", 3);
    ASSERT_OK(first);
    total += first->size();
    if (first->empty()) continue;
    auto rest = (*source)->Read(shard, first->back().sequence_number, 100);
    ASSERT_OK(rest);
    total += rest->size();
    for (const auto& r : *rest) EXPECT_GT(r.sequence_number, first->back().sequence_number);
  }
  EXPECT_EQ(total, 10u);
}

}  // namespace
}  // namespace tributary::capture
