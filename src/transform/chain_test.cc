#include "transform/chain.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "transform/cdc_flatten.h"
#include "transform/simple_processors.h"
#include "testing/test_util.h"

namespace tributary::transform {
namespace {

using ::tributary::testing::StatusIs;

// A scripted test step: data "drop" -> Dropped, "fail" -> ProcessingFailed, "batch-fail" -> the
// whole batch fails, "badid" -> a wrong record id; otherwise appends `suffix_` and sets key
// `key_` to the step's name.
class Step final : public Processor {
 public:
  Step(std::string name, bool keeps = false) : name_(std::move(name)), keeps_(keeps) {}
  std::string_view type() const override { return name_; }
  std::string_view arn() const override { return arn_; }
  bool KeepsColumns() const override { return keeps_; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet*) const override {
    outputs.resize(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      const ProcessorInput& in = inputs[i];
      ProcessorOutput& out = outputs[i];
      if (in.data == "batch-fail") return Status::Unavailable("step down");
      out.record_id.assign(in.data == "badid" ? "other" : in.record_id);
      out.partition_keys.Clear();
      out.error_code.clear();
      out.error_message.clear();
      out.event_time_ms.reset();
      if (in.data.starts_with("drop")) {
        out.result = ProcessingResult::kDropped;
      } else if (in.data.starts_with("fail")) {
        out.result = ProcessingResult::kProcessingFailed;
        out.error_code = "Test.Failed";
        out.error_message = name_ + " failed it";
      } else {
        out.result = ProcessingResult::kOk;
        out.data = std::string(in.data) + "+" + name_;
        out.partition_keys.Set("step", name_);
        out.partition_keys.Set(name_, "yes");
        if (name_ == "a") out.event_time_ms = 42;
      }
    }
    return Status::Ok();
  }
  std::string arn_ = "builtin:test";

 private:
  std::string name_;
  bool keeps_;
};

std::vector<ProcessorInput> Inputs(const std::vector<std::string>& datas,
                                   std::vector<std::string>& ids) {
  ids.clear();
  for (size_t i = 0; i < datas.size(); ++i) ids.push_back("r" + std::to_string(i));
  std::vector<ProcessorInput> in(datas.size());
  for (size_t i = 0; i < datas.size(); ++i) {
    in[i].record_id = ids[i];
    in[i].data = datas[i];
  }
  return in;
}

TEST(ChainProcessorTest, OkFlowsThroughDroppedAndFailedStopAndKeysAccumulate) {
  std::vector<std::unique_ptr<Processor>> steps;
  steps.push_back(std::make_unique<Step>("a"));
  steps.push_back(std::make_unique<Step>("b"));
  auto chain = ChainProcessor::Create(std::move(steps));
  ASSERT_OK(chain);
  std::vector<std::string> ids;
  std::vector<std::string> datas = {"x", "drop", "fail", "y", "badid"};
  auto in = Inputs(datas, ids);
  std::vector<ProcessorOutput> out;
  ASSERT_OK((*chain)->Process(in, out, nullptr));
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].record_id, ids[i]);
  EXPECT_EQ(out[0].result, ProcessingResult::kOk);
  EXPECT_EQ(out[0].data, "x+a+b");
  EXPECT_EQ(out[0].partition_keys.ToMap(),
            (std::map<std::string, std::string>{{"step", "b"}, {"a", "yes"}, {"b", "yes"}}));
  EXPECT_EQ(out[0].event_time_ms, 42);
  EXPECT_EQ(out[1].result, ProcessingResult::kDropped);
  EXPECT_EQ(out[2].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[2].error_code, "Test.Failed");
  EXPECT_EQ(out[2].error_message, "a failed it");
  EXPECT_EQ(out[3].data, "y+a+b");
  EXPECT_EQ(out[4].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[4].error_code, ChainProcessor::kInvalidOutputCode);
  EXPECT_NE(out[4].error_message.find("step 1 (a)"), std::string::npos);

  // Reused outputs and a second, different batch.
  std::vector<std::string> datas2 = {"z"};
  auto in2 = Inputs(datas2, ids);
  ASSERT_OK((*chain)->Process(in2, out, nullptr));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "z+a+b");
}

TEST(ChainProcessorTest, AStepFailingTheBatchFailsTheChainNamingTheStep) {
  std::vector<std::unique_ptr<Processor>> steps;
  steps.push_back(std::make_unique<Step>("a"));
  steps.push_back(std::make_unique<Step>("b"));
  auto chain = ChainProcessor::Create(std::move(steps));
  ASSERT_OK(chain);
  std::vector<std::string> ids;
  std::vector<std::string> datas = {"x", "batch-fail"};
  auto in = Inputs(datas, ids);
  std::vector<ProcessorOutput> out;
  Status s = (*chain)->Process(in, out, nullptr);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("processor step 1 (a)"), std::string::npos) << s.ToString();
  EXPECT_THAT(ChainProcessor::Create({}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ChainProcessorTest, ColumnsAndArnAndRetries) {
  {
    std::vector<std::unique_ptr<Processor>> steps;
    steps.push_back(std::move(CdcFlattenProcessor::Create({})).value());
    steps.push_back(std::move(AppendDelimiterProcessor::Create({})).value());
    auto chain = std::move(ChainProcessor::Create(std::move(steps))).value();
    EXPECT_TRUE(chain->ReportsColumns());  // append-delimiter keeps cdc-flatten's columns
    EXPECT_EQ(chain->arn(), "builtin:append-delimiter");
    EXPECT_EQ(chain->BatchRetries(), std::nullopt);

    std::string rec =
        R"({"eventID":"e","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,)"
        R"("NewImage":{"k":{"S":"v"}},"SequenceNumber":"1"}})";
    ProcessorInput in{"r0", rec, 0, "s", "p", "1"};
    std::vector<ProcessorOutput> out;
    ColumnSet columns;
    ASSERT_OK(chain->Process(std::span<const ProcessorInput>(&in, 1), out, &columns));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].data.back(), '\n');
    EXPECT_EQ(out[0].partition_keys.ToMap().at("year"), "1970");
    EXPECT_FALSE(columns.Columns().empty());
  }
  {
    std::vector<std::unique_ptr<Processor>> steps;
    steps.push_back(std::move(CdcFlattenProcessor::Create({})).value());
    auto lambda_like = std::make_unique<Step>("b");
    lambda_like->arn_ = "arn:aws:lambda:us-east-1:000000000000:function:f";
    steps.push_back(std::move(lambda_like));
    auto chain = std::move(ChainProcessor::Create(std::move(steps))).value();
    EXPECT_FALSE(chain->ReportsColumns());  // the second step rewrites rows
    EXPECT_EQ(chain->arn(), "arn:aws:lambda:us-east-1:000000000000:function:f");
  }
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(SimpleProcessorsTest, DecompressGunzipsAndFailsBadDataPerRecord) {
  auto p = DecompressProcessor::Create({{"format", "gzip"}});
  ASSERT_OK(p);
  const std::string one = Gzip(R"({"a":1})");
  const std::string two = Gzip("hello ") + Gzip("world");
  const std::string truncated = one.substr(0, one.size() - 6);
  std::string corrupt = one;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  std::vector<std::string> ids;
  std::vector<std::string> datas = {one, two, "plain text", truncated, corrupt};
  auto in = Inputs(datas, ids);
  std::vector<ProcessorOutput> out;
  ASSERT_OK((*p)->Process(in, out, nullptr));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].result, ProcessingResult::kOk);
  EXPECT_EQ(out[0].data, R"({"a":1})");
  EXPECT_EQ(out[1].data, "hello world");
  EXPECT_EQ(out[2].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[2].error_code, DecompressProcessor::kErrorCode);
  EXPECT_NE(out[2].error_message.find("not gzip"), std::string::npos);
  EXPECT_EQ(out[3].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[4].result, ProcessingResult::kProcessingFailed);

  std::string big;
  EXPECT_THAT(GunzipInto(Gzip(std::string(100000, 'x')), big, 1000),
              StatusIs(StatusCode::kInvalidArgument));
  auto bad = DecompressProcessor::Create({{"format", "zip"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ParamErrorName(bad.status()), "format");
  EXPECT_FALSE(AppendDelimiterProcessor::Create({{"delimiter", ","}}).ok());
}

TEST(SimpleProcessorsTest, DecompressThenCdcFlattenThenAppendDelimiter) {
  std::vector<std::unique_ptr<Processor>> steps;
  steps.push_back(std::move(DecompressProcessor::Create({})).value());
  steps.push_back(std::move(CdcFlattenProcessor::Create({})).value());
  steps.push_back(std::move(AppendDelimiterProcessor::Create({})).value());
  auto chain = std::move(ChainProcessor::Create(std::move(steps))).value();
  const std::string rec = Gzip(
      R"({"eventID":"e","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,)"
      R"("NewImage":{"k":{"S":"v"}},"SequenceNumber":"1"}})");
  std::vector<std::string> ids;
  std::vector<std::string> datas = {rec, "not gzip"};
  auto in = Inputs(datas, ids);
  std::vector<ProcessorOutput> out;
  ASSERT_OK(chain->Process(in, out, nullptr));
  EXPECT_EQ(out[0].data,
            R"({"k":"v","cdc_event_type":"INSERT","creation_datetime":"1970-01-01 00:00:01.000",)"
            R"("event_id":"e","sequence_number":"1"})"
            "\n");
  EXPECT_EQ(out[1].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[1].error_code, DecompressProcessor::kErrorCode);
}

TEST(ProcessorParamsTest, ParamErrorNameRoundTrips) {
  EXPECT_EQ(ParamErrorName(ParamError("jq", "program", "bad 'x'")), "program");
  EXPECT_EQ(ParamErrorName(Status::InvalidArgument("other")), std::nullopt);
}

}  // namespace
}  // namespace tributary::transform
