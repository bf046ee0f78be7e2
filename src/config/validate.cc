// ValidatePipelineConfig: the checks that need more than one YAML value at a time.

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/pipeline_config.h"
#include "config/yaml_reader.h"
#include "pipe/event_pattern.h"
#include "pipe/input_template.h"
#include "pipe/partition_key.h"
#include "transform/prefix_template.h"

namespace tributary::config {

namespace {

using internal::Diagnostics;
using internal::Suggestion;

constexpr int kMaxShards = 500;  // Kinesis' default per-stream shard quota
constexpr int kMinRetentionHours = 24;
constexpr int kMaxRetentionHours = 8760;
constexpr int kMaxBatchSize = 10000;  // EventBridge Pipes' DynamoDB source limit
constexpr int64_t kMaxIntervalMs = 900000;
constexpr int64_t kMinBufferBytes = 1024;
constexpr int64_t kMaxBufferBytes = 128LL * 1024 * 1024;
constexpr int64_t kMaxBufferRecords = 1000000;

// Processors this build knows, with the parameters each takes.
struct ProcessorSpec {
  std::string_view type;
  std::vector<std::string_view> params;
};
const std::vector<ProcessorSpec>& KnownProcessors() {
  static const std::vector<ProcessorSpec> kSpecs = {
      {"cdc-flatten", {"old_prefix", "image", "old_values", "timestamp_format"}},
      {"jq", {"program"}},
      {"metadata-extraction", {"query", "json_parsing_engine"}},
      {"lambda",
       {"handler", "code", "runtime", "function_name", "timeout_seconds", "number_of_retries",
        "buffer_size_mb", "max_workers"}},
      {"append-delimiter", {}},
      {"decompress", {"format"}},
  };
  return kSpecs;
}

bool IsAwsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}
bool IsSqlNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }
bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }

// "<what> name 'x' is invalid: ..." for AWS resource names of [a-zA-Z0-9_.-]{min,max}.
void CheckAwsName(Diagnostics& diag, const Located& owner, std::string_view what,
                  const std::string& name, size_t min, size_t max) {
  if (name.size() >= min && name.size() <= max && AllOf(name, IsAwsNameChar)) return;
  diag.Error(owner.at("name"), std::string(what) + " name '" + name + "' is invalid: use " +
                                   std::to_string(min) + " to " + std::to_string(max) +
                                   " characters of a-z, A-Z, 0-9, '_', '-' and '.'");
}

// Reports the second and later uses of each name of a kind.
template <typename T>
void CheckUnique(Diagnostics& diag, const std::vector<T>& items, std::string_view what) {
  std::map<std::string_view, const T*> seen;
  for (const T& item : items) {
    auto [it, inserted] = seen.emplace(item.name, &item);
    if (inserted) continue;
    diag.Error(item.at("name"), "duplicate " + std::string(what) + " name '" + item.name +
                                    "' (first defined at line " +
                                    std::to_string(it->second->location.line) + ")");
  }
}

template <typename T>
std::vector<std::string_view> Names(const std::vector<T>& items) {
  std::vector<std::string_view> out;
  for (const T& item : items) out.push_back(item.name);
  return out;
}

// " (did you mean 'x'?)", " (known tables: a, b)" or " (no tables are defined)".
std::string KnownNames(std::string_view word, const std::vector<std::string_view>& names,
                       std::string_view plural) {
  if (names.empty()) return " (no " + std::string(plural) + " are defined)";
  return Suggestion(word, names, "known " + std::string(plural));
}

template <typename Int>
void CheckRange(Diagnostics& diag, const Located& owner, std::string_view key,
                std::string_view what, Int value, Int min, Int max) {
  if (value >= min && value <= max) return;
  diag.Error(owner.at(key), std::string(what) + " must be between " + std::to_string(min) +
                                " and " + std::to_string(max) + ", got " + std::to_string(value));
}

void CheckKeyAttr(Diagnostics& diag, const KeyAttr& key, std::string_view what) {
  if (key.name.empty() || key.name.size() > 255) {
    diag.Error(key.at("name"), std::string(what) + " name must be 1 to 255 bytes");
  }
  if (key.type != AttributeType::kS && key.type != AttributeType::kN &&
      key.type != AttributeType::kB) {
    diag.Error(key.at("type"), std::string(what) + " type must be S, N or B, got " +
                                   std::string(AttributeTypeName(key.type)));
  }
}

void CheckTable(Diagnostics& diag, const TableConfig& t) {
  CheckAwsName(diag, t, "table", t.name, 3, 255);
  CheckKeyAttr(diag, t.hash_key, "hash_key");
  if (t.range_key) {
    CheckKeyAttr(diag, *t.range_key, "range_key");
    if (t.range_key->name == t.hash_key.name) {
      diag.Error(t.range_key->at("name"), "range_key '" + t.range_key->name +
                                              "' must differ from the hash_key of table '" +
                                              t.name + "'");
    }
  }
  if (t.stream) {
    CheckRange(diag, *t.stream, "shards", "table stream shards", t.stream->shards, 1, kMaxShards);
  }
}

void CheckStream(Diagnostics& diag, const StreamConfig& s) {
  CheckAwsName(diag, s, "stream", s.name, 1, 128);
  CheckRange(diag, s, "shards", "stream shards", s.shards, 1, kMaxShards);
  CheckRange(diag, s, "retention_hours", "stream retention_hours", s.retention_hours,
             kMinRetentionHours, kMaxRetentionHours);
  if (s.type == StreamType::kKinesis) {
    CheckRange(diag, s, "records_per_shard_second", "records_per_shard_second",
               s.records_per_shard_second, int64_t{1}, int64_t{1000000});
    CheckRange(diag, s, "bytes_per_shard_second", "bytes_per_shard_second",
               s.bytes_per_shard_second, int64_t{1024}, int64_t{1} << 30);
  } else {
    for (const char* key : {"endpoint_url", "region", "profile", "records_per_shard_second",
                            "bytes_per_shard_second"}) {
      if (s.fields.count(key)) {
        diag.Error(s.at(key), "'" + std::string(key) + "' applies to streams of type kinesis only");
      }
    }
  }
}

void CheckDynamoDbStreamsSource(Diagnostics& diag, const std::string& who,
                                const DynamoDbStreamsSourceConfig& s) {
  if (s.table.empty() && s.stream_arn.empty()) {
    diag.Error(s.location, who + " source of type dynamodb-streams needs 'table' or 'stream_arn'");
  }
  if (!s.stream_arn.empty() && s.stream_arn.rfind("arn:", 0) != 0) {
    diag.Error(s.at("stream_arn"), who + " stream_arn must be an ARN ('arn:aws:dynamodb:...'), got '" +
                                       s.stream_arn + "'");
  }
  if (!s.table.empty()) CheckAwsName(diag, s, "source table", s.table, 3, 255);
  if (s.fields.count("backfill")) {
    CheckRange(diag, s, "backfill.segments", "backfill segments", s.backfill_segments, 1, 1000);
  }
  CheckRange(diag, s, "poll_interval_ms", "poll_interval_ms", s.poll_interval_ms, int64_t{1},
             int64_t{60000});
}

bool IsContainedRelativePath(std::string_view path);

void CheckPipe(Diagnostics& diag, const PipelineConfig& c, const PipeConfig& p) {
  CheckAwsName(diag, p, "pipe", p.name, 1, 64);
  const std::string who = "pipe '" + p.name + "'";

  if (p.dynamodb_streams) {
    CheckDynamoDbStreamsSource(diag, who, *p.dynamodb_streams);
  } else if (p.source.kind != ResourceKind::kTable) {
    diag.Error(p.source.location,
               who + " source must be a table ('table:<name>'), got '" + p.source.ToString() + "'");
  } else if (const TableConfig* t = c.FindTable(p.source.name); t == nullptr) {
    diag.Error(p.source.location, who + " source '" + p.source.ToString() + "' names no table" +
                                      KnownNames(p.source.name, Names(c.tables), "tables"));
  } else if (!t->stream) {
    diag.Error(p.source.location, who + " source table '" + t->name +
                                      "' has no stream (add 'stream: {view_type: " +
                                      "NEW_AND_OLD_IMAGES}' to the table at line " +
                                      std::to_string(t->location.line) + ")");
  }

  if (p.target.kind != ResourceKind::kStream) {
    diag.Error(p.target.location, who + " target must be a stream ('stream:<name>'), got '" +
                                      p.target.ToString() + "'");
  } else if (c.FindStream(p.target.name) == nullptr) {
    diag.Error(p.target.location, who + " target '" + p.target.ToString() + "' names no stream" +
                                      KnownNames(p.target.name, Names(c.streams), "streams"));
  }

  if (auto key = pipe::PartitionKeyPath::Parse(p.partition_key); !key.ok()) {
    diag.Error(p.at("partition_key"), who + " partition_key: " + key.status().message());
  }
  CheckRange(diag, p, "batch_size", "batch_size", p.batch_size, 1, kMaxBatchSize);
  CheckRange(diag, p, "maximum_batching_window_seconds", "maximum_batching_window_seconds",
             p.maximum_batching_window_seconds, 0, 300);
  if (!p.input_template.empty()) {
    if (auto t = pipe::InputTemplate::Parse(p.input_template); !t.ok()) {
      diag.Error(p.at("input_template"), who + " " + t.status().message());
    }
  }
  if (!p.dead_letter.empty()) {
    const std::string_view dl = p.dead_letter;
    if (dl.starts_with("stream:")) {
      const std::string name(dl.substr(7));
      if (c.FindStream(name) == nullptr) {
        diag.Error(p.at("dead_letter"), who + " dead_letter '" + p.dead_letter +
                                            "' names no stream" +
                                            KnownNames(name, Names(c.streams), "streams"));
      } else if (p.target.kind == ResourceKind::kStream && name == p.target.name) {
        diag.Error(p.at("dead_letter"), who + " dead_letter must not be the pipe's own target");
      }
    } else if (dl.starts_with("file:")) {
      if (!IsContainedRelativePath(dl.substr(5))) {
        diag.Error(p.at("dead_letter"), who + " dead_letter file must be a relative path without "
                                              "'..' (under the data directory), got '" +
                                              p.dead_letter + "'");
      }
    } else {
      diag.Error(p.at("dead_letter"), who + " dead_letter must be 'stream:<name>' or "
                                            "'file:<relative path>', got '" + p.dead_letter + "'");
    }
  }

  if (p.filters.size() > pipe::kMaxFiltersPerPipe) {
    diag.Error(p.at("filters"), who + " has " + std::to_string(p.filters.size()) +
                                    " filters; EventBridge Pipes allows at most " +
                                    std::to_string(pipe::kMaxFiltersPerPipe));
  }
  for (size_t i = 0; i < p.filters.size(); ++i) {
    auto compiled = pipe::EventPattern::Compile(p.filters[i].json);
    if (!compiled.ok()) {
      diag.Error(p.filters[i].location, who + " filter " + std::to_string(i + 1) + ": " +
                                            compiled.status().message());
    }
  }
}

// Relative, non-empty, and does not climb out of its parent with "..".
bool IsContainedRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

// Parses a template; on error reports it at the offending character (the value's column plus the
// offset into the template, for a single-line value).
std::optional<transform::PrefixTemplate> ParseTemplate(Diagnostics& diag, const DeliveryConfig& d,
                                                       std::string_view key,
                                                       const std::string& text,
                                                       transform::PrefixRole role) {
  size_t at = 0;
  auto t = transform::PrefixTemplate::Parse(text, role, &at);
  if (t.ok()) return std::move(t).value();
  Location l = d.at(key);
  if (l.known() && d.fields.count(std::string(key)) != 0 &&
      text.find('\n') == std::string::npos) {
    l.column += static_cast<int>(at);
  }
  diag.Error(l, t.status().message());
  return std::nullopt;
}

// Firehose's rules for Prefix, ErrorOutputPrefix and dynamic partitioning
// (aws-compat-checklist section 4, "Dynamic partitioning and S3 keys").
void CheckPrefixes(Diagnostics& diag, const DeliveryConfig& d) {
  std::optional<transform::PrefixTemplate> prefix;
  if (!d.prefix.empty()) {
    prefix = ParseTemplate(diag, d, "prefix", d.prefix, transform::PrefixRole::kPrefix);
    if (prefix && prefix->has_expressions()) {
      const auto& first = prefix->segments().front();
      if (first.size() != 1 || first[0].kind != transform::PrefixPart::Kind::kLiteral) {
        diag.Error(d.at("prefix"), "prefix '" + d.prefix +
                                       "' must start with a folder without expressions (the "
                                       "table's location, e.g. 'sales/')");
      } else if (!prefix->ends_with_slash()) {
        diag.Error(d.at("prefix"), "prefix '" + d.prefix +
                                       "' must end with '/' (the object name follows the last "
                                       "folder)");
      }
    }
  }
  if (!d.error_output_prefix.empty()) {
    if (d.fields.count("error_prefix") != 0) {
      diag.Error(d.at("error_output_prefix"),
                 "give error_output_prefix or error_prefix, not both (error_prefix is the "
                 "shorthand for '<error_prefix>processing-failed/YYYY/MM/DD/HH/')");
    }
    auto t = ParseTemplate(diag, d, "error_output_prefix", d.error_output_prefix,
                           transform::PrefixRole::kErrorOutputPrefix);
    if (t && t->has_expressions()) {
      if (!t->has_error_output_type()) {
        diag.Error(d.at("error_output_prefix"),
                   "error_output_prefix '" + d.error_output_prefix +
                       "' has expressions, so it must contain !{firehose:error-output-type}");
      } else if (!t->ends_with_slash()) {
        diag.Error(d.at("error_output_prefix"),
                   "error_output_prefix '" + d.error_output_prefix + "' must end with '/'");
      } else if (t->segments().front().size() != 1 ||
                 t->segments().front()[0].kind != transform::PrefixPart::Kind::kLiteral) {
        diag.Error(d.at("error_output_prefix"),
                   "error_output_prefix '" + d.error_output_prefix +
                       "' must start with a folder without expressions (the errors table's "
                       "location, e.g. 'errors/')");
      }
    }
  }
  const bool uses_keys = prefix && prefix->has_partition_keys();
  if (prefix && uses_keys) {
    bool query_keys = false;
    for (const auto& segment : prefix->segments()) {
      for (const transform::PrefixPart& part : segment) {
        query_keys = query_keys || part.kind == transform::PrefixPart::Kind::kQueryKey;
      }
    }
    const bool extracts = std::any_of(d.processors.begin(), d.processors.end(),
                                      [](const ProcessorConfig& p) {
                                        return p.type == "metadata-extraction";
                                      });
    if (query_keys && !extracts) {
      diag.Error(d.at("prefix"),
                 "prefix uses !{partitionKeyFromQuery:...} but no processor extracts keys: add "
                 "{type: metadata-extraction, query: '{customer: .customer_id}'} to processors");
    }
  }
  if (d.dynamic_partitioning == true) {
    if (d.prefix.empty()) {
      diag.Error(d.at("dynamic_partitioning"),
                 "dynamic_partitioning needs a prefix with partition keys, e.g. "
                 "'sales/customer=!{partitionKeyFromQuery:customer}/'");
    } else if (prefix && !uses_keys) {
      diag.Error(d.at("prefix"),
                 "with dynamic_partitioning, the prefix must use !{partitionKeyFromQuery:...} or "
                 "!{partitionKeyFromLambda:...}");
    }
    if (d.error_output_prefix.empty()) {
      diag.Error(d.at("dynamic_partitioning"),
                 "dynamic_partitioning needs an error_output_prefix, e.g. "
                 "'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/'");
    }
  } else if (d.dynamic_partitioning == false && uses_keys) {
    diag.Error(d.at("prefix"), "prefix uses partition keys, which needs dynamic_partitioning: "
                               "true (or leave dynamic_partitioning out)");
  }
  CheckRange(diag, d, "max_open_partitions", "max_open_partitions", d.max_open_partitions,
             int64_t{1}, int64_t{100000});
}

// "http://..." or "https://..." with a host.
bool IsHttpUrl(std::string_view url) {
  std::string_view rest;
  if (url.substr(0, 7) == "http://") rest = url.substr(7);
  else if (url.substr(0, 8) == "https://") rest = url.substr(8);
  else return false;
  return !rest.empty() && rest.front() != '/' && rest.find_first_of(" \t") == std::string_view::npos;
}

void CheckEndpointUrl(Diagnostics& diag, const Location& at, std::string_view what, std::string_view url) {
  if (!url.empty() && !IsHttpUrl(url)) {
    diag.Error(at, std::string(what) + " '" + std::string(url) + "' must be an http:// or https:// URL");
  }
}

void CheckS3Destination(Diagnostics& diag, const DestinationConfig& dest) {
  const std::string& b = dest.bucket;
  if (!dest.fields.count("bucket")) {
    diag.Error(dest.location, "an s3 destination needs 'bucket'");
  } else if (b.size() < 3 || b.size() > 63 ||
             !AllOf(b, [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'; }) ||
             b.front() == '.' || b.front() == '-' || b.back() == '.' || b.back() == '-' ||
             b.find("..") != std::string::npos) {
    diag.Error(dest.at("bucket"), "bucket '" + b +
                                      "' is not a valid S3 bucket name (3 to 63 characters of a-z, 0-9, '.' and '-', "
                                      "starting and ending with a letter or digit)");
  }
  const std::string& p = dest.prefix;
  if (!p.empty() && (p.front() == '/' || p.find("//") != std::string::npos || p.find("..") != std::string::npos ||
                     p.back() != '/')) {
    diag.Error(dest.at("prefix"), "prefix '" + p + "' must end with '/' and must not start with '/' or contain "
                                  "'//' or '..' (like lake/)");
  }
  if (dest.fields.count("path")) diag.Error(dest.at("path"), "'path' is for local destinations; s3 uses bucket/prefix");
  CheckEndpointUrl(diag, dest.at("endpoint_url"), "endpoint_url", dest.endpoint_url);
}

void CheckAws(Diagnostics& diag, const AwsConfig& a) {
  static constexpr std::string_view kServices[] = {"dynamodb", "dynamodbstreams", "kinesis", "s3",
                                                   "glue", "sns", "sqs", "firehose"};
  for (const auto& [service, url] : a.endpoints.urls) {
    if (std::find(std::begin(kServices), std::end(kServices), service) == std::end(kServices)) {
      diag.Error(a.endpoints.at(service), "unknown service '" + service +
                                              "' in aws endpoints (use dynamodb, dynamodbstreams, kinesis, s3, glue, "
                                              "sns, sqs or firehose)");
      continue;
    }
    CheckEndpointUrl(diag, a.endpoints.at(service), "endpoint for " + service, url);
  }
}

void CheckDelivery(Diagnostics& diag, const PipelineConfig& c, const DeliveryConfig& d) {
  CheckAwsName(diag, d, "delivery", d.name, 1, 64);
  const std::string who = "delivery '" + d.name + "'";

  if (d.source.kind != ResourceKind::kStream) {
    diag.Error(d.source.location, who + " source must be a stream ('stream:<name>'), got '" +
                                      d.source.ToString() + "'");
  } else if (c.FindStream(d.source.name) == nullptr) {
    diag.Error(d.source.location, who + " source '" + d.source.ToString() + "' names no stream" +
                                      KnownNames(d.source.name, Names(c.streams), "streams"));
  }

  // Processor types and parameters (their values are checked when the processors are created).
  if (d.processors.empty()) {
    diag.Error(d.at("processors"), who + " has no processors");
  }
  for (const ProcessorConfig& proc : d.processors) {
    const ProcessorSpec* spec = nullptr;
    std::vector<std::string_view> types;
    for (const ProcessorSpec& s : KnownProcessors()) {
      types.push_back(s.type);
      if (s.type == proc.type) spec = &s;
    }
    if (spec == nullptr) {
      diag.Error(proc.at("type"),
                 "invalid processor type '" + proc.type + "'" + Suggestion(proc.type, types));
      continue;
    }
    for (const auto& [param, value] : proc.params) {
      if (std::find(spec->params.begin(), spec->params.end(), param) != spec->params.end()) {
        continue;
      }
      std::string hint =
          spec->params.empty() ? " (it takes no parameters)" : Suggestion(param, spec->params);
      diag.Error(proc.at(param),
                 "unknown key '" + param + "' in processor '" + proc.type + "'" + hint);
    }
  }

  const BufferingConfig& b = d.buffering;
  CheckRange(diag, b, "interval_ms", "buffering interval_ms", b.interval_ms, int64_t{0},
             kMaxIntervalMs);
  CheckRange(diag, b, "max_bytes", "buffering max_bytes", b.max_bytes, kMinBufferBytes,
             kMaxBufferBytes);
  CheckRange(diag, b, "max_records", "buffering max_records", b.max_records, int64_t{1},
             kMaxBufferRecords);

  const CompactionConfig& k = d.compaction;
  constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  CheckRange(diag, k, "target_file_bytes", "compaction target_file_bytes", k.target_file_bytes, int64_t{1024},
             int64_t{4} << 30);
  CheckRange(diag, k, "min_files", "compaction min_files", k.min_files, int64_t{2}, int64_t{100000});
  CheckRange(diag, k, "grace_period_ms", "compaction grace_period_ms", k.grace_period_ms, int64_t{0}, 30 * kDayMs);
  CheckRange(diag, k, "interval_ms", "compaction interval_ms", k.interval_ms, int64_t{10}, kDayMs);
  CheckRange(diag, k, "retire_after_ms", "compaction retire_after_ms", k.retire_after_ms, int64_t{0}, 30 * kDayMs);

  if (d.partitioning == Partitioning::kNone) {
    diag.Error(d.at("partitioning"), "partitioning 'none' is not supported yet (use 'event-time' "
                                     "or 'arrival-time')");
  }
  CheckPrefixes(diag, d);

  const FormatConfig& f = d.format;
  const FileCompression compression = f.EffectiveCompression();
  if (f.type == FileFormatType::kJson && compression == FileCompression::kSnappy) {
    diag.Error(f.at("compression"),
               "compression 'snappy' is only for parquet; json takes none, gzip or zstd");
  }
  if (f.compression_level != 0) {
    if (compression == FileCompression::kGzip) {
      CheckRange(diag, f, "compression_level", "gzip compression_level", f.compression_level, 1,
                 9);
    } else if (compression == FileCompression::kZstd) {
      CheckRange(diag, f, "compression_level", "zstd compression_level", f.compression_level, 1,
                 19);
    } else {
      diag.Error(f.at("compression_level"),
                 "compression_level needs compression gzip or zstd, not '" +
                     std::string(FileCompressionName(compression)) + "'");
    }
  }
  if (f.target_file_bytes != 0) {
    CheckRange(diag, f, "target_file_bytes", "format target_file_bytes (0 = no target)",
               f.target_file_bytes, int64_t{1024}, int64_t{1} << 30);
  }
  CheckRange(diag, f, "row_group_rows", "format row_group_rows", f.row_group_rows, int64_t{1},
             int64_t{10000000});

  const DestinationConfig& dest = d.destination;
  if (dest.type == DestinationType::kS3) {
    CheckS3Destination(diag, dest);
  } else if (dest.path.empty()) {
    diag.Error(dest.at("path"), "destination path must not be empty");
  }

  if (d.table.empty() || d.table.size() > 255 || !AllOf(d.table, IsSqlNameChar)) {
    std::string hint;
    const std::string fixed = internal::DefaultTableName(d.table);
    if (!fixed.empty() && fixed != d.table && fixed.size() <= 255) {
      hint = " (did you mean '" + fixed + "'?)";
    }
    diag.Error(d.at("table"), "table '" + d.table +
                                  "' is not a valid SQL table name: use 1 to 255 characters of "
                                  "a-z, 0-9 and '_'" +
                                  hint);
  }
  if (!IsContainedRelativePath(d.error_prefix)) {
    diag.Error(d.at("error_prefix"),
               "error_prefix must be a relative path without '..', got '" + d.error_prefix + "'");
  }
}

// A SQL predicate's text, checked without a SQL engine: not empty, one expression (no ';' outside
// quotes), quotes closed and parentheses balanced. The alert library parses and binds it with
// DuckDB when the pipeline opens (alert/alert_rule.h), reporting at the same location.
std::optional<std::string> PredicateTextError(std::string_view sql) {
  if (sql.find_first_not_of(" \t\r\n") == std::string_view::npos) return "is empty";
  int depth = 0;
  char quote = 0;
  for (char ch : sql) {
    if (quote != 0) {
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
    } else if (ch == '(') {
      ++depth;
    } else if (ch == ')') {
      if (--depth < 0) return "has a ')' without its '('";
    } else if (ch == ';') {
      return "must be one expression, without ';'";
    }
  }
  if (quote != 0) return std::string("has an unclosed ") + (quote == '"' ? "\"" : "'");
  if (depth != 0) return "has a '(' without its ')'";
  return std::nullopt;
}

void CheckAlertAction(Diagnostics& diag, const AlertRuleConfig& a, const AlertActionConfig& act) {
  const std::string who = "alert '" + a.name + "' " + std::string(AlertActionTypeName(act.type)) + " action";
  auto unused = [&](std::string_view key, bool used) {
    if (!used && act.fields.count(key) > 0) {
      diag.Error(act.at(key), "'" + std::string(key) + "' does not apply to a " +
                                  std::string(AlertActionTypeName(act.type)) + " action");
    }
  };
  const bool webhook = act.type == AlertActionType::kWebhook;
  const bool sns = act.type == AlertActionType::kSns;
  const bool log = act.type == AlertActionType::kLog;
  const bool sends = webhook || sns;
  unused("url", webhook);
  unused("headers", webhook);
  unused("topic_arn", sns);
  unused("subject", sns);
  unused("endpoint_url", sns);
  unused("region", sns);
  unused("path", log);
  unused("max_attempts", sends);
  unused("initial_backoff_ms", sends);
  unused("max_backoff_ms", sends);
  unused("timeout_ms", sends);
  if (webhook && act.url.rfind("http://", 0) != 0 && act.url.rfind("https://", 0) != 0) {
    diag.Error(act.at("url"), who + " needs url: http://... or https://..., got '" + act.url + "'");
  }
  for (const auto& [name, value] : act.headers) {
    const bool bad_name = name.empty() || !AllOf(name, [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
    if (bad_name || value.find_first_of("\r\n") != std::string::npos) {
      diag.Error(act.at("headers"), who + " header '" + name + "' is not a valid HTTP header");
    }
  }
  if (sns && act.topic_arn.rfind("arn:", 0) != 0) {
    diag.Error(act.at("topic_arn"), who + " needs topic_arn: arn:aws:sns:REGION:ACCOUNT:NAME, got '" +
                                        act.topic_arn + "'");
  }
  if (sns && !act.endpoint_url.empty() && act.endpoint_url.rfind("http://", 0) != 0 &&
      act.endpoint_url.rfind("https://", 0) != 0) {
    diag.Error(act.at("endpoint_url"), who + " endpoint_url must start with http:// or https://");
  }
  if (log) {
    bool dotdot = false;
    size_t start = 0;
    while (start <= act.path.size()) {
      size_t end = act.path.find('/', start);
      if (end == std::string::npos) end = act.path.size();
      if (act.path.substr(start, end - start) == "..") dotdot = true;
      start = end + 1;
    }
    if (act.path.empty() || act.path.back() == '/' || dotdot) {
      diag.Error(act.at("path"), who + " needs path: a file (relative to the data directory, no '..'), got '" +
                                     act.path + "'");
    }
  }
  CheckRange(diag, act, "max_attempts", who + " max_attempts", act.max_attempts, 1, 100);
  CheckRange(diag, act, "initial_backoff_ms", who + " initial_backoff_ms", act.initial_backoff_ms,
             int64_t{1}, int64_t{3600000});
  CheckRange(diag, act, "max_backoff_ms", who + " max_backoff_ms", act.max_backoff_ms,
             act.initial_backoff_ms, int64_t{3600000});
  CheckRange(diag, act, "timeout_ms", who + " timeout_ms", act.timeout_ms, int64_t{100},
             int64_t{300000});
}

void CheckAlert(Diagnostics& diag, const PipelineConfig& c, const AlertRuleConfig& a) {
  CheckAwsName(diag, a, "alert", a.name, 1, 64);
  const std::string who = "alert '" + a.name + "'";
  if (a.table.empty()) {
    diag.Error(a.location, who + " needs table: the SQL table of one of the " +
                               std::to_string(c.deliveries.size()) + " deliveries");
  } else {
    std::vector<std::string_view> tables;
    for (const DeliveryConfig& d : c.deliveries) tables.push_back(d.table);
    if (std::find(tables.begin(), tables.end(), a.table) == tables.end()) {
      diag.Error(a.at("table"), who + " table '" + a.table + "' is not written by any delivery" +
                                    Suggestion(a.table, tables));
    }
  }
  if (auto error = PredicateTextError(a.when)) diag.Error(a.at("when"), who + " when: the predicate " + *error);
  if (a.actions.empty()) diag.Error(a.at("actions"), who + " needs at least one action");
  for (const AlertActionConfig& act : a.actions) CheckAlertAction(diag, a, act);
  CheckRange(diag, a, "max_per_minute", who + " throttle max_per_minute", a.max_per_minute, int64_t{0},
             int64_t{1000000});
}

}  // namespace

Status ValidatePipelineConfig(const PipelineConfig& c) {
  Diagnostics diag;

  const std::string& region = c.region;
  // Two letters, one or more words, a number: us-east-1, ap-southeast-2, us-gov-west-1.
  bool region_ok = region.size() >= 4 && std::islower(static_cast<unsigned char>(region[0])) &&
                   std::islower(static_cast<unsigned char>(region[1])) && region[2] == '-' &&
                   std::isdigit(static_cast<unsigned char>(region.back()));
  for (char ch : region) {
    region_ok = region_ok && (std::islower(static_cast<unsigned char>(ch)) ||
                              std::isdigit(static_cast<unsigned char>(ch)) || ch == '-');
  }
  if (!region_ok) {
    diag.Error(c.at("region"),
               "region '" + region + "' is not an AWS region name (like us-east-1)");
  }
  if (c.account_id.size() != 12 ||
      !AllOf(c.account_id, [](char ch) { return ch >= '0' && ch <= '9'; })) {
    diag.Error(
        c.at("account_id"),
        "account_id must be 12 digits (quote it: \"000000000000\"), got '" + c.account_id + "'");
  }

  for (const TableConfig& t : c.tables) CheckTable(diag, t);
  for (const StreamConfig& s : c.streams) CheckStream(diag, s);
  for (const PipeConfig& p : c.pipes) CheckPipe(diag, c, p);
  for (const DeliveryConfig& d : c.deliveries) CheckDelivery(diag, c, d);
  CheckUnique(diag, c.tables, "table");
  CheckUnique(diag, c.streams, "stream");
  CheckUnique(diag, c.pipes, "pipe");
  CheckUnique(diag, c.deliveries, "delivery");
  for (const AlertRuleConfig& a : c.alerts) CheckAlert(diag, c, a);
  CheckUnique(diag, c.alerts, "alert");

  std::map<std::string_view, const DeliveryConfig*> sql_tables;
  for (const DeliveryConfig& d : c.deliveries) {
    auto [it, inserted] = sql_tables.emplace(d.table, &d);
    if (inserted) continue;
    diag.Error(d.at("table"), "delivery '" + d.name + "' writes table '" + d.table +
                                  "', as does delivery '" + it->second->name + "' (line " +
                                  std::to_string(it->second->location.line) + ")");
  }

  if (c.catalog.path.empty()) diag.Error(c.catalog.at("path"), "catalog path must not be empty");
  if (const GlueSyncConfig& g = c.catalog.glue_sync; g.enabled) {
    if (g.fields.count("database") &&
        (g.database.empty() || g.database.size() > 255 ||
         !AllOf(g.database, [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'; }))) {
      diag.Error(g.at("database"), "glue_sync database '" + g.database +
                                       "' must be 1 to 255 characters of a-z, 0-9 and '_' (what Athena accepts)");
    }
    CheckEndpointUrl(diag, g.at("endpoint_url"), "glue_sync endpoint_url", g.endpoint_url);
    CheckRange(diag, g, "interval_ms", "glue_sync interval_ms", g.interval_ms, int64_t{100}, int64_t{3600000});
  }
  if (c.server.host.empty()) {
    diag.Error(c.server.at("listen"), "server listen address has no host (like 127.0.0.1:4566)");
  }
  CheckRange(diag, c.server, "listen", "server port", c.server.port, 0, 65535);
  CheckAws(diag, c.aws);

  return diag.ToStatus();
}

}  // namespace tributary::config
