#include "transform/jq_processor.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "transform/chain.h"
#include "transform/cdc_flatten.h"
#include "testing/test_util.h"

namespace tributary::transform {
namespace {

using ::tributary::testing::StatusIs;

std::vector<ProcessorOutput> RunAll(const Processor& p, const std::vector<std::string>& datas) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < datas.size(); ++i) ids.push_back("r" + std::to_string(i));
  std::vector<ProcessorInput> in(datas.size());
  for (size_t i = 0; i < datas.size(); ++i) in[i] = ProcessorInput{ids[i], datas[i], 0, "", "", ""};
  std::vector<ProcessorOutput> out;
  EXPECT_OK(p.Process(in, out, nullptr));
  EXPECT_EQ(out.size(), datas.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].record_id, ids[i]);
  return out;
}

TEST(JqProcessorTest, TransformsDropsAndFailsPerRecord) {
  auto p = JqProcessor::Create(
      {{"program", R"(if .skip then empty elif .many then (1, 2) elif .boom then error("boom " + .boom) )"
                   R"(else {id: .id, total: (.qty * .price), tag: "x"} end)"}});
  ASSERT_OK(p);
  auto out = RunAll(**p, {R"({"id":"a","qty":2,"price":1.5})", R"({"skip":true})",
                          R"({"many":true})", R"({"boom":"now"})", "not json",
                          R"({"id":"b","qty":[1],"price":2})"});
  EXPECT_EQ(out[0].result, ProcessingResult::kOk);
  EXPECT_EQ(out[0].data, R"({"id":"a","total":3,"tag":"x"})");
  EXPECT_EQ(out[1].result, ProcessingResult::kDropped);
  EXPECT_EQ(out[2].result, ProcessingResult::kProcessingFailed);
  EXPECT_NE(out[2].error_message.find("produced 2 results"), std::string::npos);
  EXPECT_EQ(out[3].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[3].error_code, JqProcessor::kErrorCode);
  EXPECT_EQ(out[3].error_message, "jq: boom now");
  EXPECT_EQ(out[4].result, ProcessingResult::kProcessingFailed);
  EXPECT_NE(out[4].error_message.find("not valid JSON"), std::string::npos) << out[4].error_message;
  EXPECT_EQ(out[5].result, ProcessingResult::kProcessingFailed);
  EXPECT_NE(out[5].error_message.find("cannot be multiplied"), std::string::npos)
      << out[5].error_message;
}

TEST(JqProcessorTest, CompileErrorsCarryJqsMessageAndTheParameter) {
  auto bad = JqProcessor::Create({{"program", "{id: .id"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ParamErrorName(bad.status()), "program");
  EXPECT_NE(bad.status().message().find("does not compile: jq: error"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(ParamErrorName(JqProcessor::Create({}).status()), "program");
  EXPECT_THAT(JqProcessor::Create({{"program", "."}, {"query", "."}}),
              StatusIs(StatusCode::kInvalidArgument));
  auto unknown_fn = MetadataExtractionProcessor::Create({{"query", "{a: nosuchfn(.x)}"}});
  ASSERT_FALSE(unknown_fn.ok());
  EXPECT_NE(unknown_fn.status().message().find("nosuchfn"), std::string::npos);
  auto engine = MetadataExtractionProcessor::Create(
      {{"query", "{a: .a}"}, {"json_parsing_engine", "JQ-1.7"}});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(ParamErrorName(engine.status()), "json_parsing_engine");
}

TEST(MetadataExtractionTest, ExtractsScalarKeysAndFailsNullOrNonScalar) {
  auto p = MetadataExtractionProcessor::Create(
      {{"query", R"({customer: .customer_id, year: (.ts | strftime("%Y")), n: .n, ok: .flag})"},
       {"json_parsing_engine", "JQ-1.6"}});
  ASSERT_OK(p);
  const std::string good = R"({"customer_id":"c-7","ts":1714554000,"n":42,"flag":true})";
  auto out = RunAll(**p, {good, R"({"ts":1714554000,"n":1,"flag":false})",
                          R"({"customer_id":{"x":1},"ts":1714554000,"n":1,"flag":true})",
                          R"({"customer_id":"c","ts":"x","n":1,"flag":true})", "[1,2"});
  EXPECT_EQ(out[0].result, ProcessingResult::kOk);
  EXPECT_EQ(out[0].data, good);  // data unchanged
  EXPECT_EQ(out[0].partition_keys.ToMap(),
            (std::map<std::string, std::string>{
                {"customer", "c-7"}, {"year", "2024"}, {"n", "42"}, {"ok", "true"}}));
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(out[i].result, ProcessingResult::kProcessingFailed) << i;
    EXPECT_EQ(out[i].error_code, "DynamicPartitioning.MetadataExtractionFailed") << i;
  }
  EXPECT_NE(out[1].error_message.find("partition key 'customer' is null or missing"),
            std::string::npos)
      << out[1].error_message;
  EXPECT_NE(out[2].error_message.find("partition key 'customer' is an object"), std::string::npos)
      << out[2].error_message;
  EXPECT_NE(out[3].error_message.find("strftime"), std::string::npos) << out[3].error_message;

  auto not_object = MetadataExtractionProcessor::Create({{"query", ".customer_id"}});
  ASSERT_OK(not_object);
  out = RunAll(**not_object, {good});
  EXPECT_EQ(out[0].result, ProcessingResult::kProcessingFailed);
  EXPECT_NE(out[0].error_message.find("expected one object"), std::string::npos);
}

TEST(JqProcessorTest, ConcurrentCallsUseTheirOwnStates) {
  auto p = JqProcessor::Create({{"program", "{v: (.v * 2), s: (.s + \"!\")}"}});
  ASSERT_OK(p);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        std::vector<std::string> datas;
        for (int i = 0; i < 20; ++i) {
          datas.push_back("{\"v\":" + std::to_string(t * 1000 + i) + ",\"s\":\"t" +
                          std::to_string(t) + "\"}");
        }
        auto out = RunAll(**p, datas);
        for (int i = 0; i < 20; ++i) {
          std::string want = "{\"v\":" + std::to_string(2 * (t * 1000 + i)) + ",\"s\":\"t" +
                             std::to_string(t) + "!\"}";
          if (out[static_cast<size_t>(i)].data != want) ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(JqProcessorTest, ChainAfterCdcFlattenWithMetadataExtraction) {
  std::vector<std::unique_ptr<Processor>> steps;
  steps.push_back(std::move(CdcFlattenProcessor::Create({})).value());
  steps.push_back(std::move(MetadataExtractionProcessor::Create({{"query", "{customer: .customer}"}})).value());
  auto chain = std::move(ChainProcessor::Create(std::move(steps))).value();
  EXPECT_TRUE(chain->ReportsColumns());
  auto out = RunAll(*chain, {R"({"eventID":"e","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,)"
                             R"("NewImage":{"customer":{"S":"c1"}},"SequenceNumber":"1"}})"});
  ASSERT_EQ(out[0].result, ProcessingResult::kOk) << out[0].error_message;
  auto keys = out[0].partition_keys.ToMap();
  EXPECT_EQ(keys.at("customer"), "c1");
  EXPECT_EQ(keys.at("year"), "1970");  // cdc-flatten's keys stay
}

}  // namespace
}  // namespace tributary::transform
