// Parsing: the example file, defaults, and a located message for each kind of YAML error.
#include "config/pipeline_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "testing/test_util.h"

namespace tributary::config {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;
using ::tributary::testing::TempDir;

std::string SourceDir() {
  if (const char* dir = std::getenv("TRIBUTARY_SOURCE_DIR")) return dir;
  return TRIBUTARY_SOURCE_DIR_DEFAULT;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The error message of parsing `yaml` as pipeline.yaml (which must fail).
std::string ErrorOf(std::string_view yaml) {
  Result<PipelineConfig> r = ParsePipelineConfig(yaml, "pipeline.yaml");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  return r.ok() ? "" : r.status().message();
}

TEST(PipelineConfigTest, AwsExampleParses) {
  Result<PipelineConfig> r = LoadPipelineConfig(SourceDir() + "/examples/aws-pipeline.yaml");
  ASSERT_OK(r);
  ASSERT_EQ(r->deliveries.size(), 1u);
  EXPECT_EQ(r->deliveries[0].destination.type, DestinationType::kS3);
  EXPECT_EQ(r->deliveries[0].destination.bucket, "tributary-lake");
  EXPECT_EQ(r->deliveries[0].destination.prefix, "lake/");
  EXPECT_TRUE(r->catalog.glue_sync.enabled);
  EXPECT_EQ(r->catalog.glue_sync.database, "tributary_lake");
  EXPECT_EQ(r->aws.region, "us-east-1");
}

TEST(PipelineConfigTest, ExampleParsesWithExpectedValues) {
  const std::string path = SourceDir() + "/examples/sales-pipeline.yaml";
  Result<PipelineConfig> r = LoadPipelineConfig(path);
  ASSERT_OK(r);
  const PipelineConfig& c = *r;
  EXPECT_EQ(c.source_path, path);
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.account_id, "000000000000");

  ASSERT_EQ(c.tables.size(), 1u);
  const TableConfig& t = c.tables[0];
  EXPECT_EQ(t.name, "P1_OrdersRawTable");
  EXPECT_EQ(t.hash_key.name, "order_id");
  EXPECT_EQ(t.hash_key.type, AttributeType::kS);
  EXPECT_FALSE(t.range_key.has_value());
  ASSERT_TRUE(t.stream.has_value());
  EXPECT_EQ(t.stream->view_type, StreamViewType::kNewAndOldImages);
  EXPECT_EQ(t.stream->shards, 2);
  EXPECT_EQ(t.location, (Location{path, 9, 5}));
  EXPECT_EQ(t.at("name"), (Location{path, 9, 11}));

  ASSERT_EQ(c.streams.size(), 1u);
  EXPECT_EQ(c.streams[0].name, "P1_OrdersStream");
  EXPECT_EQ(c.streams[0].shards, 2);
  EXPECT_EQ(c.streams[0].retention_hours, 24);

  ASSERT_EQ(c.pipes.size(), 1u);
  const PipeConfig& p = c.pipes[0];
  EXPECT_EQ(p.name, "P1_OrdersPipe");
  EXPECT_EQ(p.source.kind, ResourceKind::kTable);
  EXPECT_EQ(p.source.name, "P1_OrdersRawTable");
  EXPECT_EQ(p.source.location, (Location{path, 21, 13}));
  EXPECT_EQ(p.target.ToString(), "stream:P1_OrdersStream");
  EXPECT_EQ(p.partition_key, "$.dynamodb.Keys.order_id.S");
  EXPECT_EQ(p.batch_size, 500);
  ASSERT_EQ(p.filters.size(), 1u);
  EXPECT_EQ(p.filters[0].json, R"({"eventName": ["INSERT", "MODIFY", "REMOVE"]})");
  EXPECT_EQ(p.filters[0].location, (Location{path, 29, 9}));

  ASSERT_EQ(c.deliveries.size(), 1u);
  const DeliveryConfig& d = c.deliveries[0];
  EXPECT_EQ(d.name, "P1_OrdersFirehose");
  EXPECT_EQ(d.source.ToString(), "stream:P1_OrdersStream");
  ASSERT_EQ(d.processors.size(), 1u);
  EXPECT_EQ(d.processors[0].type, "cdc-flatten");
  EXPECT_TRUE(d.processors[0].params.empty());
  EXPECT_EQ(d.buffering.interval_ms, 200);
  EXPECT_EQ(d.buffering.max_bytes, 4194304);
  EXPECT_EQ(d.buffering.max_records, 20000);
  EXPECT_EQ(d.partitioning, Partitioning::kEventTime);
  EXPECT_EQ(d.destination.type, DestinationType::kLocal);
  EXPECT_EQ(d.destination.path, "lake");
  EXPECT_EQ(d.table, "p1_kinesis_firehose_destination");
  EXPECT_EQ(d.error_prefix, "errors/");

  EXPECT_EQ(c.catalog.type, CatalogType::kSqlite);
  EXPECT_EQ(c.catalog.path, "catalog.db");
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 4566);

  EXPECT_EQ(c.FindTable("P1_OrdersRawTable"), &c.tables[0]);
  EXPECT_EQ(c.FindStream("nope"), nullptr);
  EXPECT_EQ(c.FindPipe("P1_OrdersPipe"), &c.pipes[0]);
  EXPECT_EQ(c.FindDelivery("P1_OrdersFirehose"), &c.deliveries[0]);
}

TEST(PipelineConfigTest, EmbeddedDefaultIsTheExampleFile) {
  const std::string on_disk = ReadFile(SourceDir() + "/examples/sales-pipeline.yaml");
  ASSERT_FALSE(on_disk.empty());
  EXPECT_EQ(DefaultPipelineYaml(), on_disk);

  Result<PipelineConfig> r = DefaultPipelineConfig();
  ASSERT_OK(r);
  EXPECT_EQ(r->source_path, kDefaultPipelineFileName);
  ASSERT_EQ(r->deliveries.size(), 1u);
  EXPECT_EQ(r->deliveries[0].table, "p1_kinesis_firehose_destination");
}

TEST(PipelineConfigTest, ReferenceDocShowsTheExample) {
  // docs/configuration.md quotes the example from `region:` on; keep the two in step.
  const std::string example(DefaultPipelineYaml());
  const size_t body = example.find("region:");
  ASSERT_NE(body, std::string::npos);
  const std::string doc = ReadFile(SourceDir() + "/docs/configuration.md");
  EXPECT_THAT(doc, HasSubstr("```yaml\n" + example.substr(body) + "```\n"));
}

TEST(PipelineConfigTest, DefaultsApplied) {
  Result<PipelineConfig> r = ParsePipelineConfig(R"(tables:
  - name: Orders
    hash_key: {name: id, type: N}
    range_key: {name: ts, type: B}
    stream:
streams:
  - name: s
pipes:
  - {name: p, source: "table:Orders", target: "stream:s"}
deliveries:
  - {name: OrdersFirehose, source: "stream:s"}
)",
                                                 "pipeline.yaml");
  ASSERT_OK(r);
  const PipelineConfig& c = *r;
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.account_id, "000000000000");
  EXPECT_EQ(c.tables[0].hash_key.type, AttributeType::kN);
  ASSERT_TRUE(c.tables[0].range_key.has_value());
  EXPECT_EQ(c.tables[0].range_key->type, AttributeType::kB);
  ASSERT_TRUE(c.tables[0].stream.has_value());  // an empty `stream:` enables it with defaults
  EXPECT_EQ(c.tables[0].stream->view_type, StreamViewType::kNewAndOldImages);
  EXPECT_EQ(c.tables[0].stream->shards, 1);
  EXPECT_EQ(c.streams[0].shards, 1);
  EXPECT_EQ(c.streams[0].retention_hours, 24);
  EXPECT_EQ(c.pipes[0].partition_key, "$.dynamodb.Keys");
  EXPECT_EQ(c.pipes[0].batch_size, 100);
  const DeliveryConfig& d = c.deliveries[0];
  ASSERT_EQ(d.processors.size(), 1u);  // no processor given: one cdc-flatten step
  EXPECT_EQ(d.processors[0].type, "cdc-flatten");
  EXPECT_EQ(d.processors[0].location, d.location);
  EXPECT_EQ(d.buffering.interval_ms, 200);
  EXPECT_EQ(d.buffering.max_bytes, 4 * 1024 * 1024);
  EXPECT_EQ(d.buffering.max_records, 20000);
  EXPECT_EQ(d.partitioning, Partitioning::kEventTime);
  EXPECT_EQ(d.destination.type, DestinationType::kLocal);
  EXPECT_EQ(d.destination.path, "lake");
  EXPECT_EQ(d.table, "orders_firehose");  // snake_case of the name
  EXPECT_EQ(d.error_prefix, "errors/");
  EXPECT_EQ(d.format.type, FileFormatType::kJson);  // uncompressed JSON lines, as before
  EXPECT_FALSE(d.format.compression.has_value());
  EXPECT_EQ(d.format.EffectiveCompression(), FileCompression::kNone);
  EXPECT_EQ(d.format.target_file_bytes, 0);
  EXPECT_EQ(d.format.location, d.location);
  EXPECT_EQ(c.catalog.path, "catalog.db");
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 4566);
  // Defaulted values point at their enclosing mapping.
  EXPECT_EQ(d.buffering.location, d.location);
  EXPECT_EQ(d.at("table"), d.location);
  EXPECT_EQ(c.server.location, c.location);
  EXPECT_EQ(d.location, (Location{"pipeline.yaml", 11, 5}));
}

TEST(PipelineConfigTest, ValuesOfEveryShape) {
  Result<PipelineConfig> r = ParsePipelineConfig(R"(server:
  listen: "[::1]:0"
tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {view_type: KEYS_ONLY}
streams: [{name: s}]
pipes:
  - name: p
    source: table:Orders
    target: stream:s
    filters:
      - '{"eventName": ["INSERT"]}'
      - '{"dynamodb": {"NewImage": {"status": {"S": ["paid"]}}}}'
deliveries:
  - name: d
    source: stream:s
    processor: {type: cdc-flatten}
    partitioning: event-time
    buffering: {interval_ms: 0, max_bytes: 1024, max_records: 1}
)",
                                                 "pipeline.yaml");
  ASSERT_OK(r);
  EXPECT_EQ(r->server.host, "::1");
  EXPECT_EQ(r->server.port, 0);
  EXPECT_EQ(r->tables[0].stream->view_type, StreamViewType::kKeysOnly);
  ASSERT_EQ(r->pipes[0].filters.size(), 2u);
  EXPECT_EQ(r->pipes[0].filters[0].json, R"({"eventName": ["INSERT"]})");
  EXPECT_EQ(r->pipes[0].filters[1].location, (Location{"pipeline.yaml", 14, 9}));
  ASSERT_EQ(r->deliveries[0].processors.size(), 1u);
  EXPECT_EQ(r->deliveries[0].processors[0].type, "cdc-flatten");
  EXPECT_EQ(r->deliveries[0].partitioning, Partitioning::kEventTime);
  EXPECT_EQ(r->deliveries[0].buffering.interval_ms, 0);
}

TEST(PipelineConfigTest, PlannedOptionsAreRejectedWhereTheyAreWritten) {
  std::string err = ErrorOf(R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {view_type: KEYS_ONLY}
streams: [{name: s}]
deliveries:
  - name: d
    source: stream:s
    processor: {type: none}
    partitioning: none
)");
  EXPECT_NE(err.find("pipeline.yaml:9:23: invalid processor type 'none'"), std::string::npos) << err;
  EXPECT_NE(err.find("pipeline.yaml:10:19: partitioning 'none' is not supported yet"), std::string::npos) << err;
}

TEST(PipelineConfigTest, Compaction) {
  Result<PipelineConfig> r = ParsePipelineConfig(R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {}
streams:
  - name: s
deliveries:
  - name: d
    source: stream:s
  - name: e
    source: stream:s
    table: e
    compaction:
      enabled: false
      format: json
      target_file_bytes: 1048576
      min_files: 2
      grace_period_ms: 0
      interval_ms: 250
      retire_after_ms: 1000
      include_open_partitions: true
)",
                                                 "pipeline.yaml");
  ASSERT_OK(r);
  const CompactionConfig& d = r->deliveries[0].compaction;  // defaults
  EXPECT_TRUE(d.enabled);
  EXPECT_EQ(d.format, "parquet");
  EXPECT_EQ(d.target_file_bytes, 128 << 20);
  EXPECT_EQ(d.min_files, 4);
  EXPECT_EQ(d.grace_period_ms, 600000);
  EXPECT_EQ(d.interval_ms, 60000);
  EXPECT_EQ(d.retire_after_ms, 600000);
  EXPECT_FALSE(d.include_open_partitions);
  const CompactionConfig& e = r->deliveries[1].compaction;
  EXPECT_FALSE(e.enabled);
  EXPECT_EQ(e.format, "json");
  EXPECT_EQ(e.target_file_bytes, 1048576);
  EXPECT_EQ(e.min_files, 2);
  EXPECT_EQ(e.grace_period_ms, 0);
  EXPECT_EQ(e.interval_ms, 250);
  EXPECT_EQ(e.retire_after_ms, 1000);
  EXPECT_TRUE(e.include_open_partitions);
  EXPECT_EQ(e.at("min_files"), (Location{"pipeline.yaml", 17, 18}));
}

TEST(PipelineConfigTest, ProcessorChain) {
  const std::string head = R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {}
streams: [{name: s}]
deliveries:
  - name: d
    source: stream:s
)";
  Result<PipelineConfig> r = ParsePipelineConfig(head + R"(    processors:
      - type: decompress
      - {type: cdc-flatten, image: old, old_values: false, timestamp_format: iso8601}
      - type: jq
        program: |
          {id: .id, total: (.qty * .price)}
      - {type: metadata-extraction, query: '{customer: .customer_id}', json_parsing_engine: JQ-1.6}
      - type: lambda
        handler: lambda_function.lambda_handler
        code: handlers/enrich
        runtime: python3
        timeout_seconds: 30
        number_of_retries: 2
        buffer_size_mb: 1
      - {type: append-delimiter}
)",
                                                 "pipeline.yaml");
  ASSERT_OK(r);
  const auto& steps = r->deliveries[0].processors;
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[0].type, "decompress");
  EXPECT_EQ(steps[0].location, (Location{"pipeline.yaml", 10, 9}));
  EXPECT_EQ(steps[1].params.at("image"), "old");
  EXPECT_EQ(steps[1].params.at("timestamp_format"), "iso8601");
  EXPECT_EQ(steps[2].params.at("program"), "{id: .id, total: (.qty * .price)}\n");
  EXPECT_EQ(steps[2].at("program"), (Location{"pipeline.yaml", 13, 18}));
  EXPECT_EQ(steps[3].params.at("query"), "{customer: .customer_id}");
  EXPECT_EQ(steps[4].params.at("handler"), "lambda_function.lambda_handler");
  EXPECT_EQ(steps[4].params.at("number_of_retries"), "2");
  EXPECT_EQ(steps[5].type, "append-delimiter");

  // The one-mapping shorthand is a one-step chain.
  r = ParsePipelineConfig(head + "    processor: {old_prefix: was_}\n", "pipeline.yaml");
  ASSERT_OK(r);
  ASSERT_EQ(r->deliveries[0].processors.size(), 1u);
  EXPECT_EQ(r->deliveries[0].processors[0].type, "cdc-flatten");
  EXPECT_EQ(r->deliveries[0].processors[0].params.at("old_prefix"), "was_");

  EXPECT_EQ(ErrorOf(head + "    processor: {type: cdc-flatten}\n    processors: [{type: jq}]\n"),
            "pipeline.yaml:10:5: delivery 'd' gives both 'processor' (line 9) and 'processors': "
            "use 'processors' alone (a list of steps)");
  EXPECT_EQ(ErrorOf(head + "    processors: []\n"),
            "pipeline.yaml:9:17: 'processors' must list at least one processor (e.g. - {type: "
            "cdc-flatten})");
  EXPECT_EQ(ErrorOf(head + "    processors: [{program: .x}]\n"),
            "pipeline.yaml:9:18: processor is missing required key 'type'");
  EXPECT_EQ(ErrorOf(head + "    processors: [jq]\n"),
            "pipeline.yaml:9:18: each entry of 'processors' must be a mapping, got 'jq'");
  EXPECT_EQ(ErrorOf(head + "    processors:\n      - {type: jq, progam: .x}\n      - {type: lamda}\n"),
            "pipeline.yaml:10:28: unknown key 'progam' in processor 'jq' (did you mean 'program'?)\n"
            "pipeline.yaml:11:16: invalid processor type 'lamda' (did you mean 'lambda'?)");
}

TEST(PipelineConfigTest, DeliveryFormat) {
  const std::string base = R"(streams:
  - name: s
deliveries:
  - name: d
    source: stream:s
)";
  Result<PipelineConfig> r = ParsePipelineConfig(
      base + "    format: {type: parquet, compression: zstd, compression_level: 9, "
             "target_file_bytes: 134217728, row_group_rows: 50000}\n",
      "pipeline.yaml");
  ASSERT_OK(r);
  const FormatConfig& f = r->deliveries[0].format;
  EXPECT_EQ(f.type, FileFormatType::kParquet);
  EXPECT_EQ(f.EffectiveCompression(), FileCompression::kZstd);
  EXPECT_EQ(f.compression_level, 9);
  EXPECT_EQ(f.target_file_bytes, 134217728);
  EXPECT_EQ(f.row_group_rows, 50000);
  EXPECT_EQ(f.at("compression"), (Location{"pipeline.yaml", 6, 42}));

  r = ParsePipelineConfig(base + "    format: {type: parquet}\n", "pipeline.yaml");
  ASSERT_OK(r);
  EXPECT_EQ(r->deliveries[0].format.EffectiveCompression(), FileCompression::kSnappy);
  r = ParsePipelineConfig(base + "    format: {compression: gzip}\n", "pipeline.yaml");
  ASSERT_OK(r);
  EXPECT_EQ(r->deliveries[0].format.type, FileFormatType::kJson);
  EXPECT_EQ(r->deliveries[0].format.EffectiveCompression(), FileCompression::kGzip);

  auto error = [&](const std::string& format) {
    Result<PipelineConfig> bad = ParsePipelineConfig(base + "    format: " + format + "\n",
                                                     "pipeline.yaml");
    EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
    return bad.ok() ? std::string() : bad.status().message();
  };
  EXPECT_EQ(error("{type: orc}"),
            "pipeline.yaml:6:20: invalid type 'orc' (expected one of: json, parquet)");
  EXPECT_EQ(error("{compression: snappy}"),
            "pipeline.yaml:6:27: compression 'snappy' is only for parquet; json takes none, gzip "
            "or zstd");
  EXPECT_EQ(error("{compression: lz4}"),
            "pipeline.yaml:6:27: invalid compression 'lz4' (expected one of: none, gzip, zstd, "
            "snappy)");
  EXPECT_THAT(error("{compression: gzip, compression_level: 12}"),
              ::testing::HasSubstr("gzip compression_level"));
  EXPECT_THAT(error("{compression_level: 3}"),
              ::testing::HasSubstr("compression_level needs compression gzip or zstd"));
  EXPECT_THAT(error("{target_file_bytes: 10}"), ::testing::HasSubstr("target_file_bytes"));
  EXPECT_THAT(error("{row_group_rows: 0}"), ::testing::HasSubstr("row_group_rows"));
  EXPECT_THAT(error("{tpye: json}"), ::testing::HasSubstr("unknown key 'tpye' in format"));
}

TEST(PipelineConfigTest, UnknownKeySuggestsTheNearestOne) {
  EXPECT_EQ(ErrorOf(R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {view_type: NEW_IMAGE, shard: 2}
)"),
            "pipeline.yaml:4:36: unknown key 'shard' in table stream (did you mean 'shards'?)");
  EXPECT_EQ(ErrorOf("tabels: []\n"),
            "pipeline.yaml:1:1: unknown key 'tabels' in pipeline (did you mean 'tables'?)");
  EXPECT_EQ(ErrorOf("server: {interval: 3}\n"),
            "pipeline.yaml:1:10: unknown key 'interval' in server (expected one of: listen)");
}

TEST(PipelineConfigTest, DuplicateKey) {
  EXPECT_EQ(ErrorOf("region: us-east-1\nregion: eu-west-1\n"),
            "pipeline.yaml:2:1: duplicate key 'region' in pipeline (first given at line 1)");
}

TEST(PipelineConfigTest, WrongScalarType) {
  EXPECT_EQ(ErrorOf("streams:\n  - name: s\n    shards: two\n"),
            "pipeline.yaml:3:13: 'shards' must be an integer, got 'two'");
  EXPECT_EQ(ErrorOf("streams:\n  - name: s\n    shards: 99999999999\n"),
            "pipeline.yaml:3:13: 'shards' is out of range: 99999999999");
  EXPECT_EQ(ErrorOf("streams:\n  - name: [a, b]\n"),
            "pipeline.yaml:2:11: 'name' must be a string, got a list");
  EXPECT_EQ(ErrorOf("tables: {name: x}\n"),
            "pipeline.yaml:1:9: 'tables' must be a list, got a mapping");
  EXPECT_EQ(ErrorOf("tables: [x]\n"),
            "pipeline.yaml:1:10: each entry of 'tables' must be a mapping, got 'x'");
  EXPECT_EQ(ErrorOf("catalog: sqlite\n"),
            "pipeline.yaml:1:10: 'catalog' must be a mapping, got 'sqlite'");
  EXPECT_EQ(ErrorOf("server: {listen: localhost}\n"),
            "pipeline.yaml:1:18: 'listen' must be \"host:port\", got 'localhost'");
  EXPECT_EQ(ErrorOf("- a\n- b\n"),
            "pipeline.yaml:1:1: the config must be a mapping of keys (region, tables, ...), got "
            "a list");
}

TEST(PipelineConfigTest, MissingRequiredKeyOrValue) {
  EXPECT_EQ(ErrorOf("tables:\n  - name: Orders\n"),
            "pipeline.yaml:2:5: table is missing required key 'hash_key'");
  EXPECT_EQ(ErrorOf("tables:\n  - name: Orders\n    hash_key: {name: id}\n"),
            "pipeline.yaml:3:15: hash_key is missing required key 'type'");
  EXPECT_EQ(ErrorOf("streams:\n  - name:\n    shards: 1\n"),
            "pipeline.yaml:2:5: missing value for 'name'");
  EXPECT_EQ(ErrorOf(""), "pipeline.yaml:1:1: the config is empty");
}

TEST(PipelineConfigTest, BadEnumValues) {
  const std::string table = "tables:\n  - name: Orders\n    hash_key: {name: id, type: S}\n";
  EXPECT_EQ(ErrorOf(table + "    stream: {view_type: NEW_IMAGES}\n"),
            "pipeline.yaml:4:25: invalid view_type 'NEW_IMAGES' (did you mean 'NEW_IMAGE'?)");
  EXPECT_EQ(ErrorOf(table + "    stream: {view_type: ALL}\n"),
            "pipeline.yaml:4:25: invalid view_type 'ALL' (expected one of: KEYS_ONLY, NEW_IMAGE, "
            "OLD_IMAGE, NEW_AND_OLD_IMAGES)");
  EXPECT_EQ(ErrorOf("tables:\n  - name: Orders\n    hash_key: {name: id, type: BOOL}\n"),
            "pipeline.yaml:3:32: invalid type 'BOOL' (expected one of: S, N, B)");
  EXPECT_EQ(ErrorOf("catalog: {type: postgres}\n"),
            "pipeline.yaml:1:17: invalid type 'postgres' (expected one of: sqlite)");
  EXPECT_EQ(ErrorOf("pipes:\n  - {name: p, source: 'tabel:Orders', target: 'stream:s'}\n"),
            "pipeline.yaml:2:23: unknown resource kind 'tabel' in 'tabel:Orders' (did you mean "
            "'table'?)");
  EXPECT_EQ(ErrorOf("pipes:\n  - {name: p, source: Orders, target: 'stream:s'}\n"),
            "pipeline.yaml:2:23: 'source' must be written 'table:<name>' or 'stream:<name>', got "
            "'Orders'");
}

TEST(PipelineConfigTest, YamlSyntaxErrorKeepsYamlCppPosition) {
  EXPECT_EQ(ErrorOf("tables: [a, b\nstreams: []\n"),
            "pipeline.yaml:2:8: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(ErrorOf("region: a: b\n"), "pipeline.yaml:1:10: invalid YAML: illegal map value");
  EXPECT_EQ(ErrorOf("region: x\n---\nregion: y\n"),
            "pipeline.yaml:3:1: expected one YAML document, found 2");
}

TEST(PipelineConfigTest, ReportsEveryErrorInLineOrder) {
  EXPECT_EQ(ErrorOf("streams:\n  - name: s\n    shards: two\n    retention: 5\nregoin: x\n"),
            "pipeline.yaml:3:13: 'shards' must be an integer, got 'two'\n"
            "pipeline.yaml:4:5: unknown key 'retention' in stream (did you mean "
            "'retention_hours'?)\n"
            "pipeline.yaml:5:1: unknown key 'regoin' in pipeline (did you mean 'region'?)");
}

TEST(PipelineConfigTest, LoadReportsMissingFileAndUsesThePathInLocations) {
  TempDir dir;
  EXPECT_THAT(LoadPipelineConfig(dir.str() + "/nope.yaml"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(LoadPipelineConfig(dir.str()), StatusIs(StatusCode::kInvalidArgument));

  const std::string path = dir.str() + "/p.yaml";
  std::ofstream(path) << "region: us-east-1\nstreams: [{name: s, shards: 0}]\n";
  Result<PipelineConfig> r = LoadPipelineConfig(path);
  ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().message(), path + ":2:29: stream shards must be between 1 and 500, got 0");
}

}  // namespace
}  // namespace tributary::config

namespace tributary::config {
namespace {

constexpr std::string_view kAlertBase = R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {}
streams:
  - name: S
pipes:
  - {name: P, source: table:Orders, target: stream:S}
deliveries:
  - {name: D, source: stream:S, table: orders}
)";

TEST(AlertConfigTest, ParsesRulesWithDefaults) {
  Result<PipelineConfig> r = ParsePipelineConfig(std::string(kAlertBase) + R"(alerts:
  - name: big-order
    when: "price > 1000 AND cdc_event_type = 'INSERT'"
    actions:
      - {type: webhook, url: "http://127.0.0.1:9000/hook", headers: {X-Team: sales}, max_attempts: 3}
      - {type: sns, topic_arn: "arn:aws:sns:us-east-1:000000000000:t", endpoint_url: "http://127.0.0.1:5000"}
      - {type: log, path: alerts/big.log}
      - {type: dashboard}
    throttle: {max_per_minute: 60}
)", "pipeline.yaml");
  ASSERT_OK(r);
  ASSERT_EQ(r->alerts.size(), 1u);
  const AlertRuleConfig& a = r->alerts[0];
  EXPECT_EQ(a.table, "orders");  // the only delivery's
  EXPECT_EQ(a.max_per_minute, 60);
  EXPECT_EQ(a.at("when").line, 13);
  ASSERT_EQ(a.actions.size(), 4u);
  EXPECT_EQ(a.actions[0].type, AlertActionType::kWebhook);
  EXPECT_EQ(a.actions[0].headers.at("X-Team"), "sales");
  EXPECT_EQ(a.actions[0].max_attempts, 3);
  EXPECT_EQ(a.actions[1].topic_arn, "arn:aws:sns:us-east-1:000000000000:t");
  EXPECT_EQ(a.actions[2].path, "alerts/big.log");
  EXPECT_EQ(a.actions[3].type, AlertActionType::kDashboard);
}

TEST(AlertConfigTest, ReportsEachBadValueAtItsLine) {
  const std::string message = ErrorOf(std::string(kAlertBase) + R"(alerts:
  - name: a
    table: ordres
    when: "price > (1000"
    actions:
      - {type: webhook, url: "ftp://x", path: x.log}
      - {type: log, path: ../escape.log}
    throttle: {max_per_minute: -1}
  - name: a
    when: "x; DROP TABLE y"
    actions: []
)");
  EXPECT_THAT(message, HasSubstr("pipeline.yaml:13:12: alert 'a' table 'ordres' is not written by any delivery (did you mean 'orders'?)"));
  EXPECT_THAT(message, HasSubstr("pipeline.yaml:14:11: alert 'a' when: the predicate has a '(' without its ')'"));
  EXPECT_THAT(message, HasSubstr("pipeline.yaml:16:30: alert 'a' webhook action needs url"));
  EXPECT_THAT(message, HasSubstr("pipeline.yaml:16:47: 'path' does not apply to a webhook action"));
  EXPECT_THAT(message, HasSubstr("pipeline.yaml:17:27: alert 'a' log action needs path"));
  EXPECT_THAT(message, HasSubstr("alert 'a' throttle max_per_minute must be between 0 and 1000000, got -1"));
  EXPECT_THAT(message, HasSubstr("alert 'a' when: the predicate must be one expression, without ';'"));
  EXPECT_THAT(message, HasSubstr("alert 'a' needs at least one action"));
  EXPECT_THAT(message, HasSubstr("duplicate alert name 'a'"));
  EXPECT_THAT(ErrorOf(std::string(kAlertBase) + "alerts:\n  - {name: a, when: x, actions: [{type: pager}]}\n"),
              HasSubstr("pipeline.yaml:12:41: invalid type 'pager' (expected one of: webhook, sns, log, dashboard)"));
}

}  // namespace
}  // namespace tributary::config
