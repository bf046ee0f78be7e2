#include "delivery/delivery_buffer.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using ::tributary::testing::StatusIs;

transform::PartitionKeys Hour(std::string_view y, std::string_view m, std::string_view d,
                              std::string_view h) {
  transform::PartitionKeys k;
  k.Set("year", y);
  k.Set("month", m);
  k.Set("day", d);
  k.Set("hour", h);
  return k;
}

DeliveryBuffer NewBuffer() {
  return DeliveryBuffer("sales", {"year", "month", "day", "hour"}, "errors/");
}

TEST(DeliveryBufferTest, GroupsRowsByPartitionInFirstUseOrder) {
  DeliveryBuffer b = NewBuffer();
  EXPECT_FALSE(b.has_pending());
  ASSERT_OK(b.AddRow(R"({"a":1})", Hour("2024", "05", "01", "09"), 1000, "10"));
  b.NoteConsumed("10", 5);
  ASSERT_OK(b.AddRow(R"({"a":2})", Hour("2024", "05", "01", "10"), 3000, "11"));
  b.NoteConsumed("11", 6);
  ASSERT_OK(b.AddRow(R"({"a":3})", Hour("2024", "05", "01", "09"), 500, "12"));
  b.NoteConsumed("12", 7);
  EXPECT_TRUE(b.has_pending());
  EXPECT_EQ(b.records(), 3);
  EXPECT_EQ(b.consumed(), 3);
  EXPECT_EQ(b.bytes(), 24);
  EXPECT_EQ(b.oldest_mono_ns(), 5);
  EXPECT_EQ(b.last_sequence(), "12");
  auto files = b.DataFiles();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]->dir, "sales/year=2024/month=05/day=01/hour=09");
  EXPECT_EQ(files[0]->data, "{\"a\":1}\n{\"a\":3}\n");
  EXPECT_EQ(files[0]->rows, 2);
  EXPECT_EQ(files[0]->min_event_ms, 500);
  EXPECT_EQ(files[0]->max_event_ms, 1000);
  EXPECT_EQ(files[0]->first_sequence, "10");
  EXPECT_EQ(files[0]->last_sequence, "12");
  EXPECT_EQ(files[0]->partition_values,
            (catalog::PartitionValues{{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", "09"}}));
  EXPECT_EQ(files[1]->dir, "sales/year=2024/month=05/day=01/hour=10");

  b.Clear();
  EXPECT_FALSE(b.has_pending());
  EXPECT_TRUE(b.DataFiles().empty());
  ASSERT_OK(b.AddRow(R"({"a":4})", Hour("2024", "05", "01", "10"), 1, "13"));
  ASSERT_EQ(b.DataFiles().size(), 1u);
  EXPECT_EQ(b.DataFiles()[0]->data, "{\"a\":4}\n");  // pooled buffer, old content gone
  EXPECT_EQ(b.DataFiles()[0]->dir, "sales/year=2024/month=05/day=01/hour=10");
}

TEST(DeliveryBufferTest, DroppedOnlyStillAdvancesTheCheckpoint) {
  DeliveryBuffer b = NewBuffer();
  b.NoteConsumed("99", 1);
  EXPECT_TRUE(b.has_pending());
  EXPECT_EQ(b.records(), 0);
  EXPECT_TRUE(b.DataFiles().empty());
}

TEST(DeliveryBufferTest, BadOrMissingPartitionValuesAreRejectedWithoutBuffering) {
  DeliveryBuffer b = NewBuffer();
  transform::PartitionKeys partial;
  partial.Set("year", "2024");
  EXPECT_THAT(b.AddRow("{}", partial, 0, "1"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(b.AddRow("{}", Hour("2024", "", "01", "00"), 0, "1"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(b.records(), 0);
  EXPECT_TRUE(b.DataFiles().empty());
  // Hostile values are encoded, never path syntax.
  ASSERT_OK(b.AddRow("{}", Hour("../..", "a/b", "_x", ".y"), 0, "1"));
  EXPECT_EQ(b.DataFiles()[0]->dir, "sales/year=%2E.%2F../month=a%2Fb/day=%5Fx/hour=%2Ey");
  EXPECT_EQ(b.DataFiles()[0]->partition_values[0].second, "../..");
}

TEST(DeliveryBufferTest, NoProcessorKeysMeansEventTimeHours) {
  DeliveryBuffer b = NewBuffer();
  ASSERT_OK(b.AddRow("{}", transform::PartitionKeys(), 1714554061123, "1"));
  EXPECT_EQ(b.DataFiles()[0]->dir, "sales/year=2024/month=05/day=01/hour=09");
  DeliveryBuffer custom("t", {"customer"}, "errors/");
  EXPECT_THAT(custom.AddRow("{}", transform::PartitionKeys(), 0, "1"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(DeliveryBufferTest, ErrorsGroupByArrivalHour) {
  DeliveryBuffer b = NewBuffer();
  b.AddError(R"({"e":1})", 1714554061123, "1");
  b.AddError(R"({"e":2})", 1714557600000, "2");  // 10:00
  b.AddError(R"({"e":3})", 1714554000000, "3");  // 09:00 again
  auto errors = b.ErrorFiles();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0]->dir, "errors/processing-failed/2024/05/01/09");
  EXPECT_EQ(errors[0]->rows, 2);
  EXPECT_EQ(errors[1]->dir, "errors/processing-failed/2024/05/01/10");
  EXPECT_TRUE(errors[0]->partition_values.empty());
  EXPECT_EQ(b.records(), 3);
  b.ClearErrors();
  EXPECT_EQ(b.records(), 0);
  EXPECT_EQ(b.bytes(), 0);
  EXPECT_TRUE(b.ErrorFiles().empty());
}

}  // namespace
}  // namespace tributary::delivery
