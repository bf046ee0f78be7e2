#include "transform/cdc_flatten.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace tributary::transform {
namespace {

using catalog::Column;
using catalog::ColumnType;
using ::tributary::testing::IsOk;

constexpr char kAllTypesImage[] =
    R"({"order_id":{"S":"o-1"},"qty":{"N":"3"},"price":{"N":"19.99"},"blob":{"B":"AAEC"},)"
    R"("paid":{"BOOL":true},"note":{"NULL":true},"meta":{"M":{"a":{"N":"1"},"b":{"S":"x\"y"}}},)"
    R"("items":{"L":[{"S":"p"},{"N":"2"},{"NULL":true}]},"tags":{"SS":["a","b"]},)"
    R"("sizes":{"NS":["1","2.5"]},"bins":{"BS":["AA==","AQ=="]}})";

constexpr char kAllTypesRow[] =
    R"("order_id":"o-1","qty":3,"price":19.99,"blob":"AAEC","paid":true,"note":null,)"
    R"("meta":{"a":1,"b":"x\"y"},"items":["p",2,null],"tags":["a","b"],"sizes":[1,2.5],)"
    R"("bins":["AA==","AQ=="])";

std::string Record(std::string_view event_name, std::string_view dynamodb_body,
                   std::string_view event_id = "e1") {
  return std::string(R"({"eventID":")") + std::string(event_id) + R"(","eventName":")" +
         std::string(event_name) +
         R"(","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",)"
         R"("dynamodb":{)" + std::string(dynamodb_body) +
         R"(},"eventSourceARN":"arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x"})";
}

class CdcFlattenTest : public ::testing::Test {
 protected:
  ProcessorOutput Run(const std::string& data, ColumnSet* columns = nullptr) {
    ProcessorInput in;
    in.record_id = "rec-1";
    in.data = data;
    in.approximate_arrival_ms = 1714554000123;
    in.shard_id = "shardId-000000000000";
    in.partition_key = "o-1";
    in.sequence_number = "49000";
    std::vector<ProcessorOutput> outs;
    EXPECT_OK(processor_->Process(std::span<const ProcessorInput>(&in, 1), outs, columns));
    EXPECT_EQ(outs.size(), 1u);
    return outs.empty() ? ProcessorOutput{} : outs[0];
  }

  std::unique_ptr<Processor> processor_ = std::move(CdcFlattenProcessor::Create({})).value();
};

TEST_F(CdcFlattenTest, InsertWritesEveryTypeAndMetadata) {
  ColumnSet columns;
  ProcessorOutput out = Run(Record("INSERT",
                                   std::string(R"("ApproximateCreationDateTime":1714554000,)"
                                               R"("Keys":{"order_id":{"S":"o-1"}},"NewImage":)") +
                                       kAllTypesImage +
                                       R"(,"SequenceNumber":"100","SizeBytes":10,)"
                                       R"("StreamViewType":"NEW_AND_OLD_IMAGES")"),
                            &columns);
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_EQ(out.record_id, "rec-1");
  EXPECT_EQ(out.data, std::string("{") + kAllTypesRow +
                          R"(,"cdc_event_type":"INSERT","creation_datetime":"2024-05-01 09:00:00.000",)"
                          R"("event_id":"e1","sequence_number":"100"})");
  EXPECT_EQ(out.partition_keys.ToMap(),
            (std::map<std::string, std::string>{
                {"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", "09"}}));
  EXPECT_EQ(out.event_time_ms, 1714554000000);
  EXPECT_TRUE(out.error_message.empty());

  std::vector<Column> want = {
      {"order_id", ColumnType::kString},   {"qty", ColumnType::kBigint},
      {"price", ColumnType::kDouble},      {"blob", ColumnType::kString},
      {"paid", ColumnType::kBoolean},      {"meta", ColumnType::kJson},
      {"items", ColumnType::kJson},        {"tags", ColumnType::kJson},
      {"sizes", ColumnType::kJson},        {"bins", ColumnType::kJson},
      {"cdc_event_type", ColumnType::kString}, {"creation_datetime", ColumnType::kTimestamp},
      {"event_id", ColumnType::kString},   {"sequence_number", ColumnType::kString}};
  EXPECT_EQ(columns.Columns(), want);  // "note" is only ever null: no type yet
  EXPECT_EQ(columns.size(), want.size() + 1);
}

TEST_F(CdcFlattenTest, ModifyAddsOldColumnsTypedTheSameWay) {
  ColumnSet columns;
  ProcessorOutput out = Run(
      Record("MODIFY",
             R"("ApproximateCreationDateTime":1714554000,"Keys":{"id":{"S":"k"}},)"
             R"("NewImage":{"id":{"S":"k"},"qty":{"N":"4"},"status":{"S":"SHIPPED"}},)"
             R"("OldImage":{"id":{"S":"k"},"qty":{"N":"3.5"},"tags":{"SS":["x"]}},)"
             R"("SequenceNumber":"200")"),
      &columns);
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_EQ(out.data,
            R"({"id":"k","qty":4,"status":"SHIPPED","cdc_event_type":"MODIFY",)"
            R"("creation_datetime":"2024-05-01 09:00:00.000","event_id":"e1",)"
            R"("sequence_number":"200","old_id":"k","old_qty":3.5,"old_tags":["x"]})");
  std::vector<Column> want = {{"id", ColumnType::kString},
                              {"qty", ColumnType::kBigint},
                              {"status", ColumnType::kString},
                              {"cdc_event_type", ColumnType::kString},
                              {"creation_datetime", ColumnType::kTimestamp},
                              {"event_id", ColumnType::kString},
                              {"sequence_number", ColumnType::kString},
                              {"old_id", ColumnType::kString},
                              {"old_qty", ColumnType::kDouble},
                              {"old_tags", ColumnType::kJson}};
  EXPECT_EQ(columns.Columns(), want);
}

TEST_F(CdcFlattenTest, RemoveUsesOldImageAndNoOldColumns) {
  ProcessorOutput out = Run(Record(
      "REMOVE",
      R"("ApproximateCreationDateTime":1714553999,"Keys":{"id":{"S":"k"}},)"
      R"("OldImage":)" + std::string(kAllTypesImage) + R"(,"SequenceNumber":"300")"));
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_EQ(out.data, std::string("{") + kAllTypesRow +
                          R"(,"cdc_event_type":"REMOVE","creation_datetime":"2024-05-01 08:59:59.000",)"
                          R"("event_id":"e1","sequence_number":"300"})");
  EXPECT_EQ(*out.partition_keys.Find("hour"), "08");
}

TEST_F(CdcFlattenTest, KeysOnlyRecordFallsBackToKeys) {
  ProcessorOutput out = Run(Record(
      "INSERT", R"("ApproximateCreationDateTime":1714554000,"Keys":{"id":{"N":"7"}},)"
                R"("SequenceNumber":"1","StreamViewType":"KEYS_ONLY")"));
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_EQ(out.data, R"({"id":7,"cdc_event_type":"INSERT","creation_datetime":"2024-05-01 09:00:00.000",)"
                      R"("event_id":"e1","sequence_number":"1"})");
}

TEST_F(CdcFlattenTest, PartitionsAtHourDayAndYearBoundaries) {
  struct Case {
    std::string creation;
    std::string year, month, day, hour, datetime;
  };
  for (const Case& c : std::vector<Case>{
           {"1704067199", "2023", "12", "31", "23", "2023-12-31 23:59:59.000"},
           {"1704067200", "2024", "01", "01", "00", "2024-01-01 00:00:00.000"},
           {"1709251199", "2024", "02", "29", "23", "2024-02-29 23:59:59.000"},  // leap day
           {"1714554000.5", "2024", "05", "01", "09", "2024-05-01 09:00:00.500"},
           {"0", "1970", "01", "01", "00", "1970-01-01 00:00:00.000"}}) {
    ProcessorOutput out = Run(Record(
        "INSERT", R"("ApproximateCreationDateTime":)" + c.creation +
                      R"(,"NewImage":{"id":{"S":"k"}},"SequenceNumber":"1")"));
    ASSERT_EQ(out.result, ProcessingResult::kOk) << c.creation << ": " << out.error_message;
    EXPECT_EQ(out.partition_keys.ToMap(),
              (std::map<std::string, std::string>{
                  {"year", c.year}, {"month", c.month}, {"day", c.day}, {"hour", c.hour}}))
        << c.creation;
    EXPECT_NE(out.data.find(c.datetime), std::string::npos) << out.data;
  }
}

TEST_F(CdcFlattenTest, MillisecondPrecisionFromKinesisForDynamoDb) {
  ProcessorOutput out = Run(Record(
      "INSERT", R"("ApproximateCreationDateTime":1714554000123,)"
                R"("ApproximateCreationDateTimePrecision":"MILLISECOND",)"
                R"("NewImage":{"id":{"S":"k"}},"SequenceNumber":"1")"));
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_NE(out.data.find("\"2024-05-01 09:00:00.123\""), std::string::npos) << out.data;
  EXPECT_EQ(out.event_time_ms, 1714554000123);
}

TEST_F(CdcFlattenTest, NumbersAreWrittenAsJsonAndTypedByFit) {
  ColumnSet columns;
  ProcessorOutput out = Run(
      Record("INSERT",
             R"("ApproximateCreationDateTime":1,"NewImage":{"a":{"N":"-12"},)"
             R"("b":{"N":"9223372036854775807"},"c":{"N":"9223372036854775808"},)"
             R"("d":{"N":"1E+3"},"e":{"N":"0.001"},"f":{"N":"-0.5"}},"SequenceNumber":"1")"),
      &columns);
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_EQ(out.data.substr(0, out.data.find(",\"cdc_event_type\"")),
            R"({"a":-12,"b":9223372036854775807,"c":9223372036854775808,"d":1000,"e":0.001,"f":-0.5)");
  auto cols = columns.Columns();
  ASSERT_GE(cols.size(), 6u);
  EXPECT_EQ(cols[0].type, ColumnType::kBigint);
  EXPECT_EQ(cols[1].type, ColumnType::kBigint);
  EXPECT_EQ(cols[2].type, ColumnType::kDouble);
  EXPECT_EQ(cols[3].type, ColumnType::kBigint);
  EXPECT_EQ(cols[4].type, ColumnType::kDouble);
  EXPECT_EQ(cols[5].type, ColumnType::kDouble);
}

TEST_F(CdcFlattenTest, ItemAttributesWinNameCollisions) {
  ProcessorOutput out = Run(Record(
      "MODIFY", R"("ApproximateCreationDateTime":1,"NewImage":{"event_id":{"S":"mine"},)"
                R"("old_x":{"N":"1"},"x":{"N":"2"}},"OldImage":{"x":{"N":"3"},"y":{"N":"4"}},)"
                R"("SequenceNumber":"9")"));
  ASSERT_EQ(out.result, ProcessingResult::kOk) << out.error_message;
  EXPECT_EQ(out.data,
            R"({"event_id":"mine","old_x":1,"x":2,"cdc_event_type":"MODIFY",)"
            R"("creation_datetime":"1970-01-01 00:00:01.000","sequence_number":"9","old_y":4})");
}

TEST_F(CdcFlattenTest, CustomOldPrefix) {
  auto p = CdcFlattenProcessor::Create({{"old_prefix", "prev_"}});
  ASSERT_OK(p);
  processor_ = std::move(*p);
  ProcessorOutput out = Run(Record(
      "MODIFY", R"("ApproximateCreationDateTime":1,"NewImage":{"x":{"N":"2"}},)"
                R"("OldImage":{"x":{"N":"1"}},"SequenceNumber":"9")"));
  EXPECT_NE(out.data.find("\"prev_x\":1"), std::string::npos) << out.data;
  EXPECT_THAT(CdcFlattenProcessor::Create({{"bogus", "1"}}),
              ::tributary::testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CdcFlattenTest, ImageOldValuesAndTimestampFormatOptions) {
  const std::string modify = Record(
      "MODIFY", R"("ApproximateCreationDateTime":1714554000,"ApproximateCreationDateTimePrecision":)"
                R"("SECOND","NewImage":{"x":{"N":"2"}},"OldImage":{"x":{"N":"1"}},"SequenceNumber":"9")");
  const std::string insert = Record(
      "INSERT", R"("ApproximateCreationDateTime":1714554000,"NewImage":{"x":{"N":"5"}},)"
                R"("SequenceNumber":"8")");
  auto with = [&](ProcessorParams params) {
    auto p = CdcFlattenProcessor::Create(params);
    EXPECT_OK(p);
    processor_ = std::move(*p);
  };

  with({{"image", "old"}});
  EXPECT_EQ(Run(modify).data,
            R"({"x":1,"cdc_event_type":"MODIFY","creation_datetime":"2024-05-01 09:00:00.000",)"
            R"("event_id":"e1","sequence_number":"9"})");
  // INSERT has no old image: the new one is the row.
  EXPECT_EQ(Run(insert).data.substr(0, 7), R"({"x":5,)");

  with({{"old_values", "false"}});
  EXPECT_EQ(Run(modify).data,
            R"({"x":2,"cdc_event_type":"MODIFY","creation_datetime":"2024-05-01 09:00:00.000",)"
            R"("event_id":"e1","sequence_number":"9"})");

  with({{"timestamp_format", "iso8601"}});
  ColumnSet columns;
  ProcessorOutput out = Run(insert, &columns);
  EXPECT_NE(out.data.find(R"("creation_datetime":"2024-05-01T09:00:00.000Z")"), std::string::npos)
      << out.data;
  EXPECT_EQ(out.partition_keys.ToMap().at("hour"), "09");
  bool saw = false;
  for (const auto& c : columns.Columns()) {
    if (c.name == "creation_datetime") {
      saw = true;
      EXPECT_EQ(c.type, ColumnType::kString);
    }
  }
  EXPECT_TRUE(saw);

  with({{"timestamp_format", "epoch-millis"}});
  ColumnSet columns2;
  out = Run(insert, &columns2);
  EXPECT_NE(out.data.find(R"("creation_datetime":1714554000000,)"), std::string::npos) << out.data;
  for (const auto& c : columns2.Columns()) {
    if (c.name == "creation_datetime") {
      EXPECT_EQ(c.type, ColumnType::kBigint);
    }
  }

  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"image", "both"}, {"old_values", "yes"}, {"timestamp_format", "unix"},
           {"old_prefix", ""}}) {
    auto bad = CdcFlattenProcessor::Create({{key, value}});
    ASSERT_FALSE(bad.ok()) << key;
    EXPECT_EQ(ParamErrorName(bad.status()), key) << bad.status().ToString();
  }
}

TEST_F(CdcFlattenTest, BadInputIsProcessingFailedWithAPreciseReason) {
  struct Case {
    std::string data;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {"not json", "not valid JSON"},
           {"[1,2]", "not a JSON object"},
           {R"({"eventName":"INSERT"})", "no dynamodb field"},
           {Record("UPSERT", R"("ApproximateCreationDateTime":1,"NewImage":{})"),
            "eventName 'UPSERT' is not INSERT, MODIFY or REMOVE"},
           {R"({"dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{}}})", "no eventName"},
           {Record("INSERT", R"("NewImage":{"a":{"S":"x"}})"), "ApproximateCreationDateTime is missing"},
           {Record("INSERT", R"("ApproximateCreationDateTime":"x","NewImage":{})"),
            "ApproximateCreationDateTime is not an epoch time"},
           {Record("INSERT", R"("ApproximateCreationDateTime":-5,"NewImage":{})"),
            "ApproximateCreationDateTime is not an epoch time"},
           {Record("INSERT", R"("ApproximateCreationDateTime":1)"), "no NewImage and no Keys"},
           {Record("INSERT", R"("ApproximateCreationDateTime":1,"NewImage":[])"),
            "dynamodb.NewImage is not an object"},
           {Record("INSERT", R"("ApproximateCreationDateTime":1,"NewImage":{"p":{"N":"abc"}})"),
            "NewImage attribute 'p': N value 'abc' is not a valid number"},
           {Record("INSERT", R"("ApproximateCreationDateTime":1,"NewImage":{"p":{"X":"1"}})"),
            "NewImage attribute 'p': unknown attribute type tag 'X'"},
           {Record("INSERT", R"("ApproximateCreationDateTime":1,"NewImage":{"p":{"S":"1","N":"1"}})"),
            "more than one type tag"},
           {Record("INSERT", R"("ApproximateCreationDateTime":1,"NewImage":{"p":{"M":{"q":{"L":[{"BOOL":1}]}}}})"),
            "NewImage attribute 'p': in M key 'q': in L item 0: BOOL value is not a boolean"},
           {Record("MODIFY", R"("ApproximateCreationDateTime":1,"NewImage":{},"OldImage":{"o":{"SS":[1]}})"),
            "OldImage attribute 'o': SS value is not a list of strings"},
       }) {
    ProcessorOutput out = Run(c.data);
    EXPECT_EQ(out.result, ProcessingResult::kProcessingFailed) << c.data;
    EXPECT_EQ(out.error_code, "Processor.ProcessingFailed");
    EXPECT_NE(out.error_message.find(c.reason), std::string::npos)
        << "want '" << c.reason << "' in '" << out.error_message << "'";
    EXPECT_EQ(out.error_message.rfind("cdc-flatten: ", 0), 0u) << out.error_message;
    EXPECT_TRUE(out.data.empty());
    EXPECT_TRUE(out.partition_keys.empty());
    EXPECT_EQ(out.record_id, "rec-1");
  }
}

TEST_F(CdcFlattenTest, BatchKeepsOrderAndReusesOutputs) {
  std::vector<std::string> datas = {
      Record("INSERT", R"("ApproximateCreationDateTime":1,"NewImage":{"a":{"N":"1"}})", "a"),
      "garbage",
      Record("REMOVE", R"("ApproximateCreationDateTime":1,"OldImage":{"a":{"N":"2"}})", "c")};
  std::vector<ProcessorInput> ins(datas.size());
  std::vector<std::string> ids = {"r0", "r1", "r2"};
  for (size_t i = 0; i < datas.size(); ++i) {
    ins[i].record_id = ids[i];
    ins[i].data = datas[i];
  }
  std::vector<ProcessorOutput> outs(7);  // larger than needed: shrinks to the batch
  ColumnSet columns;
  ASSERT_OK(processor_->Process(ins, outs, &columns));
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_EQ(outs[0].result, ProcessingResult::kOk);
  EXPECT_EQ(outs[1].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(outs[2].result, ProcessingResult::kOk);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(outs[i].record_id, ids[i]);
  // Second use of the same outputs: a failed slot becomes Ok and clears its error.
  std::swap(ins[0], ins[1]);
  ASSERT_OK(processor_->Process(ins, outs, &columns));
  EXPECT_EQ(outs[0].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(outs[1].result, ProcessingResult::kOk);
  EXPECT_TRUE(outs[1].error_message.empty());
  EXPECT_TRUE(outs[1].error_code.empty());
  // a, cdc_event_type, creation_datetime, event_id; sequence_number is absent (null, untyped).
  EXPECT_EQ(columns.Columns().size(), 4u);
  EXPECT_EQ(columns.size(), 5u);
  EXPECT_NE(outs[1].data.find("\"sequence_number\":null"), std::string::npos) << outs[1].data;
}

}  // namespace
}  // namespace tributary::transform
