#include "config/diagnostics.h"

#include "testing/test_util.h"

namespace tributary::config::internal {
namespace {

using ::tributary::testing::StatusIs;

TEST(DiagnosticsTest, EditDistanceCountsTranspositionsAsOneEditAndIgnoresCase) {
  EXPECT_EQ(EditDistance("shard", "shards"), 1u);
  EXPECT_EQ(EditDistance("tabel", "table"), 1u);
  EXPECT_EQ(EditDistance("new_image", "NEW_IMAGE"), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(DiagnosticsTest, SuggestsOnlyLikelyTypos) {
  constexpr std::string_view kKeys[] = {"name", "shards", "retention_hours"};
  EXPECT_EQ(ClosestMatch("shard", kKeys), "shards");
  EXPECT_EQ(ClosestMatch("retention", kKeys), "retention_hours");  // a truncated name
  EXPECT_EQ(ClosestMatch("nmae", kKeys), "name");
  EXPECT_EQ(ClosestMatch("colour", kKeys), std::nullopt);
  EXPECT_EQ(ClosestMatch("x", kKeys), std::nullopt);
  EXPECT_EQ(Suggestion("colour", kKeys), " (expected one of: name, shards, retention_hours)");
  EXPECT_EQ(Suggestion("colour", {}), "");
}

TEST(DiagnosticsTest, StatusListsErrorsInLineOrderAndCapsTheCount) {
  Diagnostics diag;
  EXPECT_OK(diag.ToStatus());
  diag.Error(Location{"p.yaml", 9, 1}, "second");
  diag.Error(Location{"p.yaml", 2, 7}, "first");
  EXPECT_EQ(diag.ToStatus(), Status::InvalidArgument("p.yaml:2:7: first\np.yaml:9:1: second"));

  Diagnostics many;
  for (int i = 1; i <= 25; ++i) many.Error(Location{"p.yaml", i, 1}, "bad");
  Status s = many.ToStatus();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), ::testing::EndsWith("p.yaml:20:1: bad\n... and 5 more errors"));
}

}  // namespace
}  // namespace tributary::config::internal
