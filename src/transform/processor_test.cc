#include "transform/processor.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::transform {
namespace {

using ::tributary::testing::StatusIs;

TEST(ProcessorRegistryTest, DefaultHasCdcFlatten) {
  auto p = ProcessorRegistry::Default().Create("cdc-flatten");
  ASSERT_OK(p);
  EXPECT_EQ((*p)->type(), "cdc-flatten");
  EXPECT_EQ((*p)->arn(), "builtin:cdc-flatten");
  EXPECT_TRUE((*p)->ReportsColumns());
  auto missing = ProcessorRegistry::Default().Create("jq-nope");
  EXPECT_THAT(missing, StatusIs(StatusCode::kNotFound));
  EXPECT_NE(missing.status().message().find("cdc-flatten"), std::string::npos);
}

class Upper final : public Processor {
 public:
  std::string_view type() const override { return "upper"; }
  std::string_view arn() const override { return "builtin:upper"; }
  Status Process(std::span<const ProcessorInput> in, std::vector<ProcessorOutput>& out,
                 ColumnSet*) const override {
    out.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      out[i].record_id.assign(in[i].record_id);
      out[i].result = ProcessingResult::kOk;
      out[i].data.assign(in[i].data);
      for (char& c : out[i].data) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return Status::Ok();
  }
};

TEST(ProcessorRegistryTest, RegisterAndCreate) {
  ProcessorRegistry registry;
  ASSERT_OK(registry.Register("upper", [](const ProcessorParams& params, const ProcessorEnv&)
                                           -> Result<std::unique_ptr<Processor>> {
    TRIB_RETURN_IF_ERROR(CheckParams("upper", params, {}));
    return std::unique_ptr<Processor>(new Upper());
  }));
  EXPECT_THAT(registry.Register("upper", nullptr), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(registry.Types(), std::vector<std::string>{"upper"});
  ASSERT_OK(registry.Create("upper"));
  EXPECT_THAT(registry.Create("upper", {{"x", "1"}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ProcessorResultTest, NamesRoundTrip) {
  for (ProcessingResult r : {ProcessingResult::kOk, ProcessingResult::kDropped,
                             ProcessingResult::kProcessingFailed}) {
    auto parsed = ParseProcessingResult(ProcessingResultName(r));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_THAT(ParseProcessingResult("ok"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(PartitionKeysTest, SetOverwritesAndClearKeepsStorage) {
  PartitionKeys keys;
  keys.Set("year", "2024");
  keys.Set("month", "05");
  keys.Set("year", "2025");
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(*keys.Find("year"), "2025");
  EXPECT_EQ(keys.Find("day"), nullptr);
  keys.Clear();
  EXPECT_TRUE(keys.empty());
  EXPECT_EQ(keys.Find("year"), nullptr);
  keys.Set("a", "1");
  EXPECT_EQ(keys.at(0).first, "a");
  keys.Clear();
  keys.Append("year", "2026");
  keys.Append("hour", "07");
  EXPECT_EQ(*keys.FindAt(0, "year"), "2026");
  EXPECT_EQ(*keys.FindAt(0, "hour"), "07");  // wrong hint: falls back to a search
  EXPECT_EQ(keys.FindAt(5, "month"), nullptr);
  EXPECT_EQ(keys.ToMap(), (std::map<std::string, std::string>{{"year", "2026"}, {"hour", "07"}}));
}

}  // namespace
}  // namespace tributary::transform
