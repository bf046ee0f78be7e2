#include "core/status.h"

#include "testing/test_util.h"

namespace tributary {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  TRIB_ASSIGN_OR_RETURN(int h, Half(x));
  TRIB_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, Basics) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = Status::NotFound("no table");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "NotFound: no table");
  EXPECT_EQ(s.WithContext("describe").message(), "describe: no table");
  EXPECT_TRUE(Status::Unavailable("x").retryable());
  EXPECT_FALSE(Status::InvalidArgument("x").retryable());
}

TEST(StatusTest, ResultPropagation) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Quarter(4), testing::IsOk());
  EXPECT_EQ(Quarter(3).value_or(-1), -1);
}

}  // namespace
}  // namespace tributary
