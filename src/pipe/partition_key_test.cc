#include "pipe/partition_key.h"

#include "testing/test_util.h"

namespace tributary::pipe {
namespace {

using ::tributary::testing::StatusIs;

ChangeRecord Record() {
  ChangeRecord r;
  r.event_id = "e1";
  r.keys["order_id"] = AttributeValue::S("o-1");
  r.keys["line"] = AttributeValue::N(2);
  r.new_image = r.keys;
  (*r.new_image)["status"] = AttributeValue::S("NEW");
  r.sequence_number = "100";
  return r;
}

TEST(PartitionKeyPathTest, ParsesAndRejects) {
  EXPECT_OK(PartitionKeyPath::Parse("$.dynamodb.Keys"));
  EXPECT_OK(PartitionKeyPath::Parse("$.dynamodb['NewImage'].status.S"));
  EXPECT_THAT(PartitionKeyPath::Parse(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PartitionKeyPath::Parse(std::string(257, 'k')), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PartitionKeyPath::Parse("$..x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PartitionKeyPath::Parse("$.a[0]"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(PartitionKeyPathTest, EvaluatesWholeValues) {
  ChangeRecord r = Record();
  std::string json = r.ToJson();
  auto eval = [&](std::string_view path) {
    auto p = PartitionKeyPath::Parse(path);
    EXPECT_OK(p);
    auto v = p->Evaluate(r, json);
    return v.ok() ? *v : "ERR";
  };
  EXPECT_EQ(eval("$.dynamodb.Keys"), R"({"line":{"N":"2"},"order_id":{"S":"o-1"}})");
  EXPECT_EQ(eval("$.dynamodb.Keys.order_id.S"), "o-1");
  EXPECT_EQ(eval("$.dynamodb.Keys.line.N"), "2");
  EXPECT_EQ(eval("$.dynamodb.NewImage.status.S"), "NEW");
  EXPECT_EQ(eval("$.dynamodb.NewImage.status"), R"({"S":"NEW"})");
  EXPECT_EQ(eval("$.eventID"), "e1");
  EXPECT_EQ(eval("$.dynamodb.NewImage.missing.S"), "ERR");
}

TEST(PartitionKeyPathTest, StaticKeysAreUsedAsWritten) {
  ChangeRecord r = Record();
  auto p = PartitionKeyPath::Parse("orders");  // anything not starting with '$'
  ASSERT_OK(p);
  EXPECT_TRUE(p->is_static());
  EXPECT_EQ(*p->Evaluate(r, r.ToJson()), "orders");
  auto dotted = PartitionKeyPath::Parse("dynamodb.Keys");
  ASSERT_OK(dotted);
  EXPECT_EQ(*dotted->Evaluate(r, r.ToJson()), "dynamodb.Keys");
  EXPECT_OK(PartitionKeyPath::Parse(std::string(256, 'k')));
}

}  // namespace
}  // namespace tributary::pipe
