#include "alert/alert_store.h"

#include "testing/test_util.h"

namespace tributary::alert {
namespace {

using testing::IsOk;

TEST(AlertStoreTest, RecordsEachRuleEventOnceWithItsSends) {
  testing::TempDir dir;
  auto store = AlertStore::Open(dir.str() + "/alerts.db");
  ASSERT_OK(store);
  auto wm = (*store)->Watermarks("t");
  ASSERT_OK(wm);
  EXPECT_FALSE(wm->has_value());

  NewAlert a{"big", "e1", R"({"price":2000})", false, {{0, "webhook"}, {2, "log"}}};
  NewAlert b{"big", "e2", R"({"price":3000})", true, {{0, "webhook"}}};
  auto first = (*store)->RecordEvaluation("t", {{"shard-0", "100"}}, {a, b}, 1000);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 2u);
  // A replay of the same matches records nothing new.
  auto again = (*store)->RecordEvaluation("t", {{"shard-0", "120"}}, {a, b}, 2000);
  ASSERT_OK(again);
  EXPECT_TRUE(again->empty());

  wm = (*store)->Watermarks("t");
  ASSERT_OK(wm);
  ASSERT_TRUE(wm->has_value());
  EXPECT_EQ((**wm).at("shard-0"), "120");

  // Throttled alerts get no sends.
  auto due = (*store)->DueSends(5000, 10);
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].alert.event_id, "e1");
  EXPECT_EQ((*due)[0].type, "webhook");
  EXPECT_EQ((*due)[1].action, 2);

  ASSERT_OK((*store)->MarkRetry((*due)[0].alert.id, 0, 1, 9000, "HTTP 503"));
  ASSERT_OK((*store)->MarkSent((*due)[1].alert.id, 2, 1, 5000));
  due = (*store)->DueSends(5000, 10);
  ASSERT_OK(due);
  EXPECT_TRUE(due->empty());
  auto next = (*store)->NextDue();
  ASSERT_OK(next);
  EXPECT_EQ(next->value_or(0), 9000);
  ASSERT_OK((*store)->MarkDead((*first)[0].id, 0, 8, 9500, "HTTP 503"));

  auto counts = (*store)->Counts();
  ASSERT_OK(counts);
  const RuleCounts& c = counts->at("big");
  EXPECT_EQ(c.fired, 1);
  EXPECT_EQ(c.throttled, 1);
  EXPECT_EQ(c.sent, 1);
  EXPECT_EQ(c.dead, 1);
  EXPECT_EQ(c.pending, 0);

  auto recent = (*store)->Recent(10);
  ASSERT_OK(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].event_id, "e2");  // newest first
  auto fired = (*store)->Recent(10, {"big"}, /*include_throttled=*/false);
  ASSERT_OK(fired);
  ASSERT_EQ(fired->size(), 1u);
  EXPECT_EQ((*fired)[0].event_id, "e1");
  auto since = (*store)->FiredSince("big", 0);
  ASSERT_OK(since);
  EXPECT_EQ(since->size(), 1u);
}

TEST(AlertStoreTest, StateSurvivesReopen) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/alerts.db";
  {
    auto store = AlertStore::Open(path);
    ASSERT_OK(store);
    ASSERT_OK((*store)->RecordEvaluation("t", {{"s", "7"}}, {NewAlert{"r", "e", "{}", false, {{0, "log"}}}}, 1));
  }
  auto reopened = AlertStore::Open(path, /*create=*/false);
  ASSERT_OK(reopened);
  auto due = (*reopened)->DueSends(10, 10);
  ASSERT_OK(due);
  EXPECT_EQ(due->size(), 1u);
  EXPECT_THAT(AlertStore::Open(dir.str() + "/missing.db", /*create=*/false),
              testing::StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace tributary::alert
