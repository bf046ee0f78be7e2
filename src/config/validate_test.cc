// Validation: names, ranges and cross references, each with its located message.
#include <string>

#include "config/pipeline_config.h"
#include "testing/test_util.h"

namespace tributary::config {
namespace {

using ::tributary::testing::StatusIs;

// A small valid pipeline; tests edit one line of it.
constexpr std::string_view kBase = R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {}
streams:
  - name: s
pipes:
  - name: p
    source: table:Orders
    target: stream:s
deliveries:
  - name: d
    source: stream:s
)";

// kBase with the first `from` replaced by `to`.
std::string Edit(std::string_view from, std::string_view to) {
  std::string text(kBase);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string ErrorOf(std::string_view yaml) {
  Result<PipelineConfig> r = ParsePipelineConfig(yaml, "pipeline.yaml");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  return r.ok() ? "" : r.status().message();
}

TEST(ValidateTest, BaseIsValid) { ASSERT_OK(ParsePipelineConfig(kBase, "pipeline.yaml")); }

TEST(ValidateTest, DanglingReferences) {
  EXPECT_EQ(ErrorOf(Edit("source: table:Orders", "source: table:Ordrs")),
            "pipeline.yaml:9:13: pipe 'p' source 'table:Ordrs' names no table (did you mean "
            "'Orders'?)");
  EXPECT_EQ(ErrorOf(Edit("source: table:Orders", "source: table:Customers")),
            "pipeline.yaml:9:13: pipe 'p' source 'table:Customers' names no table (known tables: "
            "Orders)");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s", "target: stream:t")),
            "pipeline.yaml:10:13: pipe 'p' target 'stream:t' names no stream (known streams: s)");
  EXPECT_EQ(ErrorOf(Edit("    source: stream:s", "    source: stream:x")),
            "pipeline.yaml:13:13: delivery 'd' source 'stream:x' names no stream (known streams: "
            "s)");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s", "target: table:Orders")),
            "pipeline.yaml:10:13: pipe 'p' target must be a stream ('stream:<name>'), got "
            "'table:Orders'");
  EXPECT_EQ(ErrorOf(Edit("    stream: {}\n", "")),
            "pipeline.yaml:8:13: pipe 'p' source table 'Orders' has no stream (add 'stream: "
            "{view_type: NEW_AND_OLD_IMAGES}' to the table at line 2)");
  EXPECT_EQ(ErrorOf("pipes:\n  - {name: p, source: 'table:T', target: 'stream:s'}\n"),
            "pipeline.yaml:2:23: pipe 'p' source 'table:T' names no table (no tables are "
            "defined)\n"
            "pipeline.yaml:2:42: pipe 'p' target 'stream:s' names no stream (no streams are "
            "defined)");
}

TEST(ValidateTest, DuplicateNames) {
  EXPECT_EQ(ErrorOf(Edit("streams:\n", "streams:\n  - name: s\n")),
            "pipeline.yaml:7:11: duplicate stream name 's' (first defined at line 6)");
  std::string two_deliveries(kBase);
  two_deliveries += "  - name: e\n    source: stream:s\n    table: d\n";
  EXPECT_EQ(ErrorOf(two_deliveries),
            "pipeline.yaml:16:12: delivery 'e' writes table 'd', as does delivery 'd' (line 12)");
}

TEST(ValidateTest, Names) {
  EXPECT_EQ(ErrorOf(Edit("name: Orders", "name: Or")),
            "pipeline.yaml:2:11: table name 'Or' is invalid: use 3 to 255 characters of a-z, "
            "A-Z, 0-9, '_', '-' and '.'\n"
            "pipeline.yaml:9:13: pipe 'p' source 'table:Orders' names no table (known tables: "
            "Or)");
  EXPECT_EQ(ErrorOf(Edit("  - name: d\n", "  - name: d\n    table: Sales-Orders\n")),
            "pipeline.yaml:13:12: table 'Sales-Orders' is not a valid SQL table name: use 1 to "
            "255 characters of a-z, 0-9 and '_' (did you mean 'sales_orders'?)");
  EXPECT_EQ(ErrorOf("region: US East\naccount_id: 12\n"),
            "pipeline.yaml:1:9: region 'US East' is not an AWS region name (like us-east-1)\n"
            "pipeline.yaml:2:13: account_id must be 12 digits (quote it: \"000000000000\"), got "
            "'12'");
  EXPECT_EQ(ErrorOf(Edit("{name: id, type: S}",
                         "{name: id, type: S}\n    range_key: {name: id, "
                         "type: N}")),
            "pipeline.yaml:4:23: range_key 'id' must differ from the hash_key of table 'Orders'");
}

TEST(ValidateTest, Ranges) {
  EXPECT_EQ(ErrorOf(Edit("    stream: {}", "    stream: {shards: 501}")),
            "pipeline.yaml:4:22: table stream shards must be between 1 and 500, got 501");
  EXPECT_EQ(ErrorOf(Edit("  - name: s\n", "  - name: s\n    retention_hours: 1\n")),
            "pipeline.yaml:7:22: stream retention_hours must be between 24 and 8760, got 1");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    batch_size: 0\n")),
            "pipeline.yaml:11:17: batch_size must be between 1 and 10000, got 0");
  EXPECT_EQ(ErrorOf(std::string(kBase) +
                    "    buffering: {interval_ms: 900001, max_bytes: 1000, max_records: 0}\n"),
            "pipeline.yaml:14:30: buffering interval_ms must be between 0 and 900000, got 900001\n"
            "pipeline.yaml:14:49: buffering max_bytes must be between 1024 and 134217728, got "
            "1000\n"
            "pipeline.yaml:14:68: buffering max_records must be between 1 and 1000000, got 0");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "server: {listen: \"0.0.0.0:70000\"}\n"),
            "pipeline.yaml:14:18: server port must be between 0 and 65535, got 70000");
}

TEST(ValidateTest, CompactionRanges) {
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    compaction: {min_files: 1, interval_ms: 5, target_file_bytes: 10}\n"),
            "pipeline.yaml:14:29: compaction min_files must be between 2 and 100000, got 1\n"
            "pipeline.yaml:14:45: compaction interval_ms must be between 10 and 86400000, got 5\n"
            "pipeline.yaml:14:67: compaction target_file_bytes must be between 1024 and 4294967296, got 10");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    compaction: {format: orc}\n"),
            "pipeline.yaml:14:26: invalid format 'orc' (expected one of: parquet, json)");
}

TEST(ValidateTest, AwsBlock) {
  auto ok = ParsePipelineConfig(std::string(kBase) +
                                    "aws:\n  region: eu-west-1\n  profile: prod\n"
                                    "  endpoints: {s3: \"http://127.0.0.1:5000\", glue: \"http://127.0.0.1:5001\"}\n",
                                "pipeline.yaml");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->aws.region, "eu-west-1");
  EXPECT_EQ(ok->aws.profile, "prod");
  EXPECT_EQ(ok->aws.EndpointFor("s3"), "http://127.0.0.1:5000");
  EXPECT_EQ(ok->aws.EndpointFor("kinesis"), "");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "aws:\n  endpoints: {s4: \"http://x\"}\n"),
            "pipeline.yaml:15:19: unknown service 's4' in aws endpoints (use dynamodb, dynamodbstreams, kinesis, s3, "
            "glue, sns, sqs or firehose)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "aws:\n  endpoints: {s3: \"ftp://x\"}\n"),
            "pipeline.yaml:15:19: endpoint for s3 'ftp://x' must be an http:// or https:// URL");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "aws:\n  regoin: x\n"),
            "pipeline.yaml:15:3: unknown key 'regoin' in aws (did you mean 'region'?)");
}

TEST(ValidateTest, GlueSync) {
  auto ok = ParsePipelineConfig(std::string(kBase) + "catalog: {glue_sync: {database: sales_lake, interval_ms: 500}}\n",
                                "pipeline.yaml");
  ASSERT_OK(ok);
  EXPECT_TRUE(ok->catalog.glue_sync.enabled);
  EXPECT_EQ(ok->catalog.glue_sync.database, "sales_lake");
  EXPECT_EQ(ok->catalog.glue_sync.interval_ms, 500);
  EXPECT_EQ(ErrorOf(std::string(kBase) + "catalog: {glue_sync: {database: Sales-Lake}}\n"),
            "pipeline.yaml:14:33: glue_sync database 'Sales-Lake' must be 1 to 255 characters of a-z, 0-9 and '_' "
            "(what Athena accepts)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "catalog: {glue_sync: {region: eu-west-1}}\n"),
            "pipeline.yaml:14:22: glue_sync is missing required key 'database'");
}

TEST(ValidateTest, DeliveryOptions) {
  ASSERT_OK(ParsePipelineConfig(std::string(kBase) + "    destination: {type: s3, bucket: my-lake, prefix: tributary/}\n",
                                "pipeline.yaml"));
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    destination: {type: s3}\n"),
            "pipeline.yaml:14:18: an s3 destination needs 'bucket'");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    destination: {type: s3, bucket: My_Lake}\n"),
            "pipeline.yaml:14:37: bucket 'My_Lake' is not a valid S3 bucket name (3 to 63 characters of a-z, 0-9, "
            "'.' and '-', starting and ending with a letter or digit)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    destination: {type: s3, bucket: lake, prefix: /x}\n"),
            "pipeline.yaml:14:51: prefix '/x' must end with '/' and must not start with '/' or contain '//' or '..' "
            "(like lake/)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    destination: {type: s3, bucket: lake, endpoint_url: localhost:5000}\n"),
            "pipeline.yaml:14:57: endpoint_url 'localhost:5000' must be an http:// or https:// URL");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    processor: {type: cdc-flaten}\n"),
            "pipeline.yaml:14:23: invalid processor type 'cdc-flaten' (did you mean "
            "'cdc-flatten'?)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    processor: {type: cdc-flatten, query: .x}\n"),
            "pipeline.yaml:14:43: unknown key 'query' in processor 'cdc-flatten' (expected one of: "
            "old_prefix, image, old_values, timestamp_format)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    processor: {type: append-delimiter, delimiter: x}\n"),
            "pipeline.yaml:14:52: unknown key 'delimiter' in processor 'append-delimiter' (it "
            "takes no parameters)");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    error_prefix: ../errors/\n"),
            "pipeline.yaml:14:19: error_prefix must be a relative path without '..', got "
            "'../errors/'");
  EXPECT_EQ(ErrorOf(std::string(kBase) + "    partitioning: by-hour\n"),
            "pipeline.yaml:14:19: invalid partitioning 'by-hour' (expected one of: event-time, "
            "arrival-time, none)");
}

TEST(ValidateTest, PipeOptions) {
  // A key not starting with '$' is a static key (Pipes' static PartitionKey); paths are parsed.
  EXPECT_OK(ParsePipelineConfig(Edit("target: stream:s\n", "target: stream:s\n    partition_key: orders\n"),
                                "pipeline.yaml"));
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    partition_key: $.a[0]\n")),
            "pipeline.yaml:11:20: pipe 'p' partition_key: invalid partition key path '$.a[0]': only "
            "quoted names are supported inside [ ]");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n",
                         "target: stream:s\n    maximum_batching_window_seconds: 301\n")),
            "pipeline.yaml:11:38: maximum_batching_window_seconds must be between 0 and 300, got 301");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    starting_position: AT_TIMESTAMP\n")),
            "pipeline.yaml:11:24: invalid starting_position 'AT_TIMESTAMP' (expected one of: "
            "TRIM_HORIZON, LATEST)");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n",
                         "target: stream:s\n    input_template: '{\"id\": \"<aws.pipes.pipe-id>\"}'\n")),
            "pipeline.yaml:11:21: pipe 'p' input_template: unknown variable <aws.pipes.pipe-id> "
            "(known: aws.pipes.pipe-arn, pipe-name, source-arn, target-arn, enrichment-arn, event, "
            "event.json, event.ingestion-time) at offset 8");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    dead_letter: stream:s\n")),
            "pipeline.yaml:11:18: pipe 'p' dead_letter must not be the pipe's own target");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    dead_letter: stream:dlq\n")),
            "pipeline.yaml:11:18: pipe 'p' dead_letter 'stream:dlq' names no stream (known streams: s)");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    dead_letter: file:../x\n")),
            "pipeline.yaml:11:18: pipe 'p' dead_letter file must be a relative path without '..' "
            "(under the data directory), got 'file:../x'");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    dead_letter: sqs:q\n")),
            "pipeline.yaml:11:18: pipe 'p' dead_letter must be 'stream:<name>' or "
            "'file:<relative path>', got 'sqs:q'");
  EXPECT_OK(ParsePipelineConfig(
      Edit("target: stream:s\n",
           "target: stream:s\n    dead_letter: file:dlq/orders.jsonl\n    starting_position: LATEST\n"
           "    maximum_batching_window_seconds: 5\n    input_template: '<$.dynamodb.NewImage>'\n"),
      "pipeline.yaml"));
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n",
                         "target: stream:s\n    filters: ['{\"eventName\": [\"INSERT\"]', "
                         "'{\"a\": 1}']\n")),
            "pipeline.yaml:11:15: pipe 'p' filter 1: Event pattern is not valid. Reason: invalid "
            "JSON (The JSON document has an improper structure: missing or superfluous commas, "
            "braces, missing keys, etc.)\n"
            "pipeline.yaml:11:43: pipe 'p' filter 2: Event pattern is not valid. Reason: 'a' must "
            "be an object or an array, got 1 (at a)");
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n",
                         "target: stream:s\n    filters:\n      - '{\"eventName\": [\"INSERT\"]}'\n"
                         "      - '{\"dynamodb\": {\"NewImage\": {\"n\": {\"N\": [{\"numeric\": "
                         "[\">\", 5, \"<\", 1]}]}}}}'\n")),
            "pipeline.yaml:13:9: pipe 'p' filter 2: Event pattern is not valid. Reason: numeric "
            "range is empty: the lower bound must be below the upper bound (at "
            "dynamodb.NewImage.n.N)");
  std::string six = "target: stream:s\n    filters:\n";
  for (int i = 0; i < 6; ++i) six += "      - '{\"eventName\": [\"INSERT\"]}'\n";
  EXPECT_EQ(ErrorOf(Edit("target: stream:s\n", six)),
            "pipeline.yaml:12:7: pipe 'p' has 6 filters; EventBridge Pipes allows at most 5");
  EXPECT_EQ(
      ErrorOf(Edit("target: stream:s\n", "target: stream:s\n    filters: [{eventName: x}]\n")),
      "pipeline.yaml:11:15: each filter must be an EventBridge pattern in a JSON string, got "
      "a mapping (quote it: '{\"eventName\": [\"INSERT\"]}')");
}

TEST(ValidateTest, ConfigChangedInCode) {
  Result<PipelineConfig> r = ParsePipelineConfig(kBase, "pipeline.yaml");
  ASSERT_OK(r);
  PipelineConfig c = *r;
  c.tables[0].hash_key.type = AttributeType::kBool;
  c.deliveries[0].buffering.max_bytes = 0;
  Status s = ValidatePipelineConfig(c);
  EXPECT_EQ(s.message(),
            "pipeline.yaml:3:32: hash_key type must be S, N or B, got BOOL\n"
            "pipeline.yaml:12:5: buffering max_bytes must be between 1024 and 134217728, got 0");

  PipelineConfig built;  // no file at all: locations print as "<config>"
  built.streams.push_back(StreamConfig{});
  built.streams[0].name = "s";
  built.streams[0].shards = 0;
  EXPECT_EQ(ValidatePipelineConfig(built).message(),
            "<config>: stream shards must be between 1 and 500, got 0");
}

}  // namespace
}  // namespace tributary::config

namespace tributary::config {
namespace {

std::string WithDelivery(std::string_view lines) { return std::string(kBase) + std::string(lines); }

TEST(ValidatePrefixTest, PrefixKeysAreRead) {
  auto r = ParsePipelineConfig(
      WithDelivery("    processors: [{type: metadata-extraction, query: '{customer: .c}'}]\n"
                   "    prefix: sales/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM}/\n"
                   "    error_output_prefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/'\n"
                   "    default_prefix: firehose\n"
                   "    dynamic_partitioning: true\n"
                   "    max_open_partitions: 50\n"
                   "    on_partition_limit: error\n"
                   "    partitioning: arrival-time\n"),
      "pipeline.yaml");
  ASSERT_OK(r.status());
  const DeliveryConfig& d = r->deliveries[0];
  EXPECT_EQ(d.prefix, "sales/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM}/");
  EXPECT_EQ(d.error_output_prefix, "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/");
  EXPECT_EQ(d.default_prefix, DefaultPrefix::kFirehose);
  EXPECT_EQ(d.dynamic_partitioning, true);
  EXPECT_EQ(d.max_open_partitions, 50);
  EXPECT_EQ(d.on_partition_limit, PartitionLimitAction::kError);
  EXPECT_EQ(d.partitioning, Partitioning::kArrivalTime);
}

TEST(ValidatePrefixTest, TemplateErrorsPointAtTheExpression) {
  // Column of the value (13) + offset of the bad expression or letter.
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: sales/!{time:yyyy}/\n")),
            "pipeline.yaml:14:19: prefix 'sales/!{time:yyyy}/': unknown namespace 'time' "
            "(expected timestamp, firehose, partitionKeyFromQuery or partitionKeyFromLambda)");
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: sales/!{timestamp:yyyy-ww}/\n")),
            "pipeline.yaml:14:36: prefix 'sales/!{timestamp:yyyy-ww}/': timestamp pattern "
            "'yyyy-ww': pattern letter 'w' is not supported (supported: G u y Q q M L d D E a H k "
            "K h m s S n A X x Z; quote literal text as 'text')");
  // Quoted: the column counts from the first character inside the quotes.
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: \"sales/!{timestamp:yyyy-ww}/\"\n")),
            "pipeline.yaml:14:37: prefix 'sales/!{timestamp:yyyy-ww}/': timestamp pattern "
            "'yyyy-ww': pattern letter 'w' is not supported (supported: G u y Q q M L d D E a H k "
            "K h m s S n A X x Z; quote literal text as 'text')");
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: sales/!{firehose:error-output-type}/\n")),
            "pipeline.yaml:14:19: prefix 'sales/!{firehose:error-output-type}/': "
            "!{firehose:error-output-type} is allowed only in error_output_prefix");
  EXPECT_EQ(ErrorOf(WithDelivery("    error_output_prefix: e/!{partitionKeyFromQuery:k}/\n")),
            "pipeline.yaml:14:28: error_output_prefix 'e/!{partitionKeyFromQuery:k}/': "
            "!{partitionKeyFromQuery:...} is not allowed in error_output_prefix");
}

TEST(ValidatePrefixTest, FirehoseRules) {
  EXPECT_EQ(ErrorOf(WithDelivery("    error_output_prefix: errors/!{timestamp:yyyy}/\n")),
            "pipeline.yaml:14:26: error_output_prefix 'errors/!{timestamp:yyyy}/' has "
            "expressions, so it must contain !{firehose:error-output-type}");
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: '!{timestamp:yyyy}/'\n")),
            "pipeline.yaml:14:14: prefix '!{timestamp:yyyy}/' must start with a folder without "
            "expressions (the table's location, e.g. 'sales/')");
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: sales/!{timestamp:yyyy}\n")),
            "pipeline.yaml:14:13: prefix 'sales/!{timestamp:yyyy}' must end with '/' (the object "
            "name follows the last folder)");
  EXPECT_EQ(ErrorOf(WithDelivery("    dynamic_partitioning: true\n")),
            "pipeline.yaml:14:27: dynamic_partitioning needs a prefix with partition keys, e.g. "
            "'sales/customer=!{partitionKeyFromQuery:customer}/'\n"
            "pipeline.yaml:14:27: dynamic_partitioning needs an error_output_prefix, e.g. "
            "'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/'");
  EXPECT_EQ(ErrorOf(WithDelivery("    dynamic_partitioning: true\n"
                                 "    prefix: sales/!{timestamp:yyyy}/\n"
                                 "    error_output_prefix: errors/\n")),
            "pipeline.yaml:15:13: with dynamic_partitioning, the prefix must use "
            "!{partitionKeyFromQuery:...} or !{partitionKeyFromLambda:...}");
  EXPECT_EQ(ErrorOf(WithDelivery("    dynamic_partitioning: false\n"
                                 "    prefix: sales/c=!{partitionKeyFromLambda:c}/\n")),
            "pipeline.yaml:15:13: prefix uses partition keys, which needs dynamic_partitioning: "
            "true (or leave dynamic_partitioning out)");
  EXPECT_EQ(ErrorOf(WithDelivery("    error_prefix: e/\n    error_output_prefix: f/\n")),
            "pipeline.yaml:15:26: give error_output_prefix or error_prefix, not both "
            "(error_prefix is the shorthand for '<error_prefix>processing-failed/YYYY/MM/DD/HH/')");
  EXPECT_EQ(ErrorOf(WithDelivery("    prefix: sales/c=!{partitionKeyFromQuery:c}/\n")),
            "pipeline.yaml:14:13: prefix uses !{partitionKeyFromQuery:...} but no processor "
            "extracts keys: add {type: metadata-extraction, query: '{customer: .customer_id}'} to "
            "processors");
  EXPECT_EQ(ErrorOf(WithDelivery("    max_open_partitions: 0\n")),
            "pipeline.yaml:14:26: max_open_partitions must be between 1 and 100000, got 0");
  EXPECT_EQ(ErrorOf(WithDelivery("    on_partition_limit: drop\n")),
            "pipeline.yaml:14:25: invalid on_partition_limit 'drop' (expected one of: flush, "
            "error)");
  EXPECT_EQ(ErrorOf(WithDelivery("    dynamic_partitioning: yes\n")),
            "pipeline.yaml:14:27: 'dynamic_partitioning' must be true or false, got 'yes'");
  // Error prefixes without expressions, and prefixes with only static text, are fine.
  ASSERT_OK(ParsePipelineConfig(WithDelivery("    prefix: sales\n    error_output_prefix: failed\n"),
                                "pipeline.yaml"));
}

}  // namespace
}  // namespace tributary::config
