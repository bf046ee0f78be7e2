// The AWS keys of a pipeline file: pipe sources of type dynamodb-streams and streams of type
// kinesis, with located errors.
#include "config/pipeline_config.h"
#include "testing/test_util.h"

namespace tributary::config {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;

constexpr std::string_view kAws = R"(region: eu-west-1
streams:
  - name: Changes
    type: kinesis
    shards: 2
    endpoint_url: http://127.0.0.1:5000
    records_per_shard_second: 500
pipes:
  - name: P
    source:
      type: dynamodb-streams
      table: Orders
      endpoint_url: http://127.0.0.1:5000
      region: us-east-1
      on_trimmed: restart-at-trim-horizon
      backfill: {segments: 4}
      poll_interval_ms: 100
    target: stream:Changes
    starting_position: LATEST
deliveries:
  - name: D
    source: stream:Changes
)";

TEST(AwsConfigTest, ParsesDynamoDbStreamsSourceAndKinesisStream) {
  auto r = ParsePipelineConfig(kAws, "p.yaml");
  ASSERT_OK(r);
  const StreamConfig& s = r->streams.at(0);
  EXPECT_EQ(s.type, StreamType::kKinesis);
  EXPECT_EQ(s.shards, 2);
  EXPECT_EQ(s.aws.endpoint_url, "http://127.0.0.1:5000");
  EXPECT_EQ(s.records_per_shard_second, 500);
  const PipeConfig& p = r->pipes.at(0);
  ASSERT_TRUE(p.dynamodb_streams.has_value());
  const DynamoDbStreamsSourceConfig& src = *p.dynamodb_streams;
  EXPECT_EQ(src.table, "Orders");
  EXPECT_EQ(src.aws.region, "us-east-1");
  EXPECT_EQ(p.starting_position, StartingPosition::kLatest);
  EXPECT_TRUE(src.restart_when_trimmed);
  EXPECT_EQ(src.backfill_segments, 4);
  EXPECT_EQ(src.poll_interval_ms, 100);
  EXPECT_EQ(src.at("table").line, 12);
  EXPECT_EQ(src.at("backfill.segments").line, 16);
}

std::string ErrorOf(std::string_view yaml) {
  auto r = ParsePipelineConfig(yaml, "p.yaml");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  return r.ok() ? "" : r.status().message();
}

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(AwsConfigTest, LocatedErrors) {
  EXPECT_THAT(ErrorOf(Replace(kAws, "type: dynamodb-streams", "type: dynamo-streams")),
              HasSubstr("p.yaml:11:13: unknown pipe source type 'dynamo-streams' (did you mean 'dynamodb-streams'?)"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "on_trimmed: restart-at-trim-horizon", "on_trimmed: skip")),
              HasSubstr("p.yaml:15:19: invalid on_trimmed 'skip'"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "      table: Orders\n", "")),
              HasSubstr("p.yaml:11:7: pipe 'P' source of type dynamodb-streams needs 'table' or 'stream_arn'"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "table: Orders", "stream_arn: Orders")),
              HasSubstr("p.yaml:12:19: pipe 'P' stream_arn must be an ARN"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "{segments: 4}", "{segments: 0}")),
              HasSubstr("backfill segments must be between 1 and 1000, got 0"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "    type: kinesis\n", "")),
              HasSubstr("p.yaml:5:19: 'endpoint_url' applies to streams of type kinesis only"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "type: kinesis", "type: kafka")), HasSubstr("p.yaml:4:11: invalid type 'kafka'"));
  EXPECT_THAT(ErrorOf(Replace(kAws, "poll_interval_ms: 100", "poll_interval: 100")),
              HasSubstr("unknown key 'poll_interval' in pipe source (did you mean 'poll_interval_ms'?)"));
}

}  // namespace
}  // namespace tributary::config
