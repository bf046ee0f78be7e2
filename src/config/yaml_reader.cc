#include "config/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <exception>
#include <functional>
#include <initializer_list>
#include <limits>
#include <utility>
#include <vector>

namespace tributary::config::internal {

namespace {

// "a list", "a mapping", "'text'" for error messages.
std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

template <typename E>
struct EnumName {
  std::string_view name;
  E value;
};

// Whole-document state: the file name and where errors go.
class YamlReader {
 public:
  YamlReader(std::string_view file, Diagnostics& diag) : file_(file), diag_(diag) {}

  Location At(const YAML::Mark& mark) const {
    if (mark.is_null()) return Location{file_, 0, 0};
    return Location{file_, mark.line + 1, mark.column + 1};
  }
  void Error(const Location& at, std::string_view what) { diag_.Error(at, what); }

 private:
  std::string file_;
  Diagnostics& diag_;
};

// One key/value pair of a mapping.
struct Entry {
  std::string key;
  YAML::Node value;
  Location key_location;
  Location value_location;  // the key's location when the value is empty (YAML gives none useful)
  bool known = false;
};

// Reads one YAML mapping into a struct. Construction checks the keys: duplicates and keys not in
// `known_keys` are reported (with a suggestion), unless `allow_other_keys`. The getters report
// missing values and wrong types, and leave the output untouched (its default) on error.
class MapReader {
 public:
  MapReader(YamlReader& r, const YAML::Node& node, const Location& location, std::string what,
            std::initializer_list<std::string_view> known_keys, Located* target,
            bool allow_other_keys = false)
      : r_(r), location_(location), what_(std::move(what)), known_keys_(known_keys) {
    if (target != nullptr) target->location = location;
    if (!node.IsMap()) return;       // null: an empty mapping; other kinds are reported by callers
    for (const auto& pair : node) {  // a pair<Node, Node> by value; Nodes are handles
      const YAML::Node& key = pair.first;
      const Location key_location = r_.At(key.Mark());
      if (!key.IsScalar()) {
        r_.Error(key_location, "keys in " + what_ + " must be plain names, got " + Describe(key));
        continue;
      }
      Entry e;
      e.key = key.Scalar();
      e.value = pair.second;
      e.key_location = key_location;
      e.value_location = e.value.IsNull() ? key_location : r_.At(e.value.Mark());
      for (std::string_view k : known_keys_) e.known = e.known || k == e.key;
      if (const Entry* first = Find(e.key)) {
        r_.Error(e.key_location, "duplicate key '" + e.key + "' in " + what_ +
                                     " (first given at line " +
                                     std::to_string(first->key_location.line) + ")");
        continue;
      }
      if (!e.known && !allow_other_keys) {
        r_.Error(e.key_location,
                 "unknown key '" + e.key + "' in " + what_ + Suggestion(e.key, known_keys_));
        continue;
      }
      if (target != nullptr) target->fields[e.key] = e.value_location;
      entries_.push_back(std::move(e));
    }
  }

  const Location& location() const { return location_; }
  const std::string& what() const { return what_; }

  const Entry* Find(std::string_view key) const {
    for (const Entry& e : entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }

  // Entries with keys outside known_keys (only when constructed with allow_other_keys).
  std::vector<const Entry*> OtherEntries() const {
    std::vector<const Entry*> out;
    for (const Entry& e : entries_) {
      if (!e.known) out.push_back(&e);
    }
    return out;
  }

  // The entry, or nullptr after reporting that `key` is missing.
  const Entry* Require(std::string_view key) {
    const Entry* e = Find(key);
    if (e == nullptr) {
      r_.Error(location_, what_ + " is missing required key '" + std::string(key) + "'");
    }
    return e;
  }

  // The entry's scalar text, or nullopt after reporting an empty or non-scalar value.
  std::optional<std::string> Scalar(const Entry& e, std::string_view expected = "a string") {
    if (e.value.IsNull()) {
      r_.Error(e.key_location, "missing value for '" + e.key + "'");
      return std::nullopt;
    }
    if (!e.value.IsScalar()) {
      r_.Error(e.value_location,
               "'" + e.key + "' must be " + std::string(expected) + ", got " + Describe(e.value));
      return std::nullopt;
    }
    return e.value.Scalar();
  }

  void String(std::string_view key, std::string* out, bool required = false) {
    const Entry* e = required ? Require(key) : Find(key);
    if (e == nullptr) return;
    if (auto text = Scalar(*e)) *out = std::move(*text);
  }

  template <typename Int>
  void Integer(std::string_view key, Int* out, bool required = false) {
    const Entry* e = required ? Require(key) : Find(key);
    if (e == nullptr) return;
    std::optional<std::string> text = Scalar(*e, "an integer");
    if (!text) return;
    int64_t value = 0;
    const char* begin = text->data();
    const char* end = begin + text->size();
    if (begin != end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && ptr == end &&
         (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max()))) {
      r_.Error(e->value_location, "'" + e->key + "' is out of range: " + *text);
      return;
    }
    if (ec != std::errc() || ptr != end || begin == end) {
      r_.Error(e->value_location, "'" + e->key + "' must be an integer, got '" + *text + "'");
      return;
    }
    *out = static_cast<Int>(value);
  }

  template <typename E>
  void Enum(std::string_view key, E* out, std::initializer_list<EnumName<E>> names,
            bool required = false) {
    const Entry* e = required ? Require(key) : Find(key);
    if (e == nullptr) return;
    std::optional<std::string> text = Scalar(*e);
    if (!text) return;
    std::vector<std::string_view> candidates;
    for (const EnumName<E>& n : names) {
      if (n.name == *text) {
        *out = n.value;
        return;
      }
      candidates.push_back(n.name);
    }
    r_.Error(e->value_location,
             "invalid " + e->key + " '" + *text + "'" + Suggestion(*text, candidates));
  }

  // Calls `read(node, location)` for a nested mapping value; reports any other kind. Returns
  // whether the key was present (an empty value counts as an empty mapping).
  bool Mapping(std::string_view key,
               const std::function<void(const YAML::Node&, const Location&)>& read,
               bool required = false) {
    const Entry* e = required ? Require(key) : Find(key);
    if (e == nullptr) return false;
    if (!e->value.IsMap() && !e->value.IsNull()) {
      r_.Error(e->value_location, "'" + e->key + "' must be a mapping, got " + Describe(e->value));
      return false;
    }
    read(e->value, e->value_location);
    return true;
  }

  // Calls `item(node, location)` for each element of a list value (empty value: no elements).
  void List(std::string_view key,
            const std::function<void(const YAML::Node&, const Location&)>& item) {
    const Entry* e = Find(key);
    if (e == nullptr || e->value.IsNull()) return;
    if (!e->value.IsSequence()) {
      r_.Error(e->value_location, "'" + e->key + "' must be a list, got " + Describe(e->value));
      return;
    }
    for (const YAML::Node& element : e->value) item(element, r_.At(element.Mark()));
  }

 private:
  YamlReader& r_;
  Location location_;
  std::string what_;
  std::vector<std::string_view> known_keys_;
  std::vector<Entry> entries_;
};

// List elements that must be mappings: reports others and returns false.
bool ExpectMapping(YamlReader& r, const YAML::Node& node, const Location& at,
                   std::string_view list_key) {
  if (node.IsMap()) return true;
  r.Error(at,
          "each entry of '" + std::string(list_key) + "' must be a mapping, got " + Describe(node));
  return false;
}

void ReadKeyAttr(YamlReader& r, const YAML::Node& node, const Location& at, std::string what,
                 KeyAttr* out) {
  MapReader m(r, node, at, std::move(what), {"name", "type"}, out);
  m.String("name", &out->name, /*required=*/true);
  m.Enum<AttributeType>(
      "type", &out->type,
      {{"S", AttributeType::kS}, {"N", AttributeType::kN}, {"B", AttributeType::kB}},
      /*required=*/true);
}

void ReadTable(YamlReader& r, const YAML::Node& node, const Location& at, TableConfig* out) {
  MapReader m(r, node, at, "table", {"name", "hash_key", "range_key", "stream"}, out);
  m.String("name", &out->name, /*required=*/true);
  m.Mapping(
      "hash_key",
      [&](const YAML::Node& n, const Location& l) {
        ReadKeyAttr(r, n, l, "hash_key", &out->hash_key);
      },
      /*required=*/true);
  m.Mapping("range_key", [&](const YAML::Node& n, const Location& l) {
    ReadKeyAttr(r, n, l, "range_key", &out->range_key.emplace());
  });
  m.Mapping("stream", [&](const YAML::Node& n, const Location& l) {
    TableStreamConfig& s = out->stream.emplace();
    MapReader sm(r, n, l, "table stream", {"view_type", "shards"}, &s);
    sm.Enum<StreamViewType>("view_type", &s.view_type,
                            {{"KEYS_ONLY", StreamViewType::kKeysOnly},
                             {"NEW_IMAGE", StreamViewType::kNewImage},
                             {"OLD_IMAGE", StreamViewType::kOldImage},
                             {"NEW_AND_OLD_IMAGES", StreamViewType::kNewAndOldImages}});
    sm.Integer("shards", &s.shards);
  });
}

void ReadStream(YamlReader& r, const YAML::Node& node, const Location& at, StreamConfig* out) {
  MapReader m(r, node, at, "stream",
              {"name", "shards", "retention_hours", "type", "endpoint_url", "region", "profile",
               "records_per_shard_second", "bytes_per_shard_second"},
              out);
  m.String("name", &out->name, /*required=*/true);
  m.Integer("shards", &out->shards);
  m.Integer("retention_hours", &out->retention_hours);
  m.Enum<StreamType>("type", &out->type,
                     {{"embedded", StreamType::kEmbedded}, {"kinesis", StreamType::kKinesis}});
  m.String("endpoint_url", &out->aws.endpoint_url);
  m.String("region", &out->aws.region);
  m.String("profile", &out->aws.profile);
  m.Integer("records_per_shard_second", &out->records_per_shard_second);
  m.Integer("bytes_per_shard_second", &out->bytes_per_shard_second);
}

// `source: {type: dynamodb-streams, ...}` of a pipe.
void ReadDynamoDbStreamsSource(YamlReader& r, const YAML::Node& node, const Location& at,
                               PipeConfig* pipe) {
  DynamoDbStreamsSourceConfig& out = pipe->dynamodb_streams.emplace();
  MapReader m(r, node, at, "pipe source",
              {"type", "table", "stream_arn", "endpoint_url", "region", "profile", "on_trimmed",
               "backfill", "poll_interval_ms"},
              &out);
  std::string type;
  m.String("type", &type, /*required=*/true);
  if (!type.empty() && type != "dynamodb-streams") {
    static constexpr std::string_view kTypes[] = {"dynamodb-streams"};
    r.Error(out.at("type"), "unknown pipe source type '" + type + "'" + Suggestion(type, kTypes) +
                                " (a table of this pipeline is written 'table:<name>')");
  }
  m.String("table", &out.table);
  m.String("stream_arn", &out.stream_arn);
  m.String("endpoint_url", &out.aws.endpoint_url);
  m.String("region", &out.aws.region);
  m.String("profile", &out.aws.profile);
  m.Enum<bool>("on_trimmed", &out.restart_when_trimmed,
               {{"fail", false}, {"restart-at-trim-horizon", true}});
  m.Integer("poll_interval_ms", &out.poll_interval_ms);
  m.Mapping("backfill", [&](const YAML::Node& n, const Location& l) {
    Located where;
    MapReader bm(r, n, l, "backfill", {"segments"}, &where);
    out.backfill_segments = 1;
    bm.Integer("segments", &out.backfill_segments);
    if (where.fields.count("segments")) out.fields["backfill.segments"] = where.fields["segments"];
  });
  pipe->source.kind = ResourceKind::kTable;
  pipe->source.name = out.table;
  pipe->source.location = at;
}

// "table:Name" / "stream:Name".
void ReadResourceRef(YamlReader& r, MapReader& m, std::string_view key, ResourceRef* out) {
  const Entry* e = m.Require(key);
  if (e == nullptr) return;
  std::optional<std::string> text = m.Scalar(*e);
  if (!text) return;
  out->location = e->value_location;
  const size_t colon = text->find(':');
  if (colon == std::string::npos) {
    r.Error(
        e->value_location,
        "'" + e->key + "' must be written 'table:<name>' or 'stream:<name>', got '" + *text + "'");
    return;
  }
  const std::string_view kind(text->data(), colon);
  if (kind == "table") {
    out->kind = ResourceKind::kTable;
  } else if (kind == "stream") {
    out->kind = ResourceKind::kStream;
  } else {
    static constexpr std::string_view kKinds[] = {"table", "stream"};
    r.Error(e->value_location, "unknown resource kind '" + std::string(kind) + "' in '" + *text +
                                   "'" + Suggestion(kind, kKinds));
    return;
  }
  out->name = text->substr(colon + 1);
  if (out->name.empty()) {
    r.Error(e->value_location, "'" + e->key + "' names no " + std::string(kind) + " after '" +
                                   std::string(kind) + ":'");
  }
}

void ReadPipe(YamlReader& r, const YAML::Node& node, const Location& at, PipeConfig* out) {
  MapReader m(r, node, at, "pipe",
              {"name", "source", "target", "partition_key", "batch_size",
               "maximum_batching_window_seconds", "starting_position", "filters",
               "input_template", "dead_letter"},
              out);
  m.String("name", &out->name, /*required=*/true);
  if (const Entry* src = m.Find("source"); src != nullptr && src->value.IsMap()) {
    ReadDynamoDbStreamsSource(r, src->value, src->value_location, out);
  } else {
    ReadResourceRef(r, m, "source", &out->source);
  }
  ReadResourceRef(r, m, "target", &out->target);
  m.String("partition_key", &out->partition_key);
  m.Integer("batch_size", &out->batch_size);
  m.Integer("maximum_batching_window_seconds", &out->maximum_batching_window_seconds);
  m.Enum<StartingPosition>("starting_position", &out->starting_position,
                           {{"TRIM_HORIZON", StartingPosition::kTrimHorizon},
                            {"LATEST", StartingPosition::kLatest}});
  m.String("input_template", &out->input_template);
  m.String("dead_letter", &out->dead_letter);
  m.List("filters", [&](const YAML::Node& n, const Location& l) {
    if (!n.IsScalar()) {
      r.Error(l, "each filter must be an EventBridge pattern in a JSON string, got " + Describe(n) +
                     " (quote it: '{\"eventName\": [\"INSERT\"]}')");
      return;
    }
    out->filters.push_back(FilterPattern{n.Scalar(), l});
  });
}

void ReadDelivery(YamlReader& r, const YAML::Node& node, const Location& at, DeliveryConfig* out) {
  MapReader m(r, node, at, "delivery",
              {"name", "source", "processor", "processors", "buffering", "partitioning",
               "destination", "format", "table", "error_prefix", "prefix", "error_output_prefix",
               "default_prefix", "dynamic_partitioning", "max_open_partitions",
               "on_partition_limit", "compaction"},
              out);
  m.String("name", &out->name, /*required=*/true);
  ReadResourceRef(r, m, "source", &out->source);
  // Sections left out take their defaults and point at the delivery.
  out->buffering.location = out->destination.location = out->format.location = at;
  // `type` is required in a `processors` entry; the `processor` shorthand defaults to cdc-flatten.
  auto read_processor = [&](const YAML::Node& n, const Location& l, bool type_required) {
    ProcessorConfig p;
    MapReader pm(r, n, l, "processor", {"type"}, &p, /*allow_other_keys=*/true);
    pm.String("type", &p.type, type_required);
    for (const Entry* e : pm.OtherEntries()) {
      if (auto text = pm.Scalar(*e, "a scalar")) p.params[e->key] = std::move(*text);
    }
    out->processors.push_back(std::move(p));
  };
  const Entry* single = m.Find("processor");
  const Entry* chain = m.Find("processors");
  if (single != nullptr && chain != nullptr) {
    r.Error(chain->key_location,
            "delivery '" + out->name + "' gives both 'processor' (line " +
                std::to_string(single->key_location.line) +
                ") and 'processors': use 'processors' alone (a list of steps)");
  } else if (chain != nullptr) {
    bool any = false;
    m.List("processors", [&](const YAML::Node& n, const Location& l) {
      any = true;
      if (!ExpectMapping(r, n, l, "processors")) return;
      read_processor(n, l, /*type_required=*/true);
    });
    if (!any && (chain->value.IsNull() || chain->value.IsSequence())) {
      r.Error(chain->value_location,
              "'processors' must list at least one processor (e.g. - {type: cdc-flatten})");
    }
  } else if (single != nullptr) {
    m.Mapping("processor",
              [&](const YAML::Node& n, const Location& l) { read_processor(n, l, false); });
  }
  if (out->processors.empty() && single == nullptr && chain == nullptr) {
    ProcessorConfig p;
    p.location = at;
    out->processors.push_back(std::move(p));
  }
  m.Mapping("buffering", [&](const YAML::Node& n, const Location& l) {
    BufferingConfig& b = out->buffering;
    MapReader bm(r, n, l, "buffering", {"interval_ms", "max_bytes", "max_records"}, &b);
    bm.Integer("interval_ms", &b.interval_ms);
    bm.Integer("max_bytes", &b.max_bytes);
    bm.Integer("max_records", &b.max_records);
  });
  m.Enum<Partitioning>("partitioning", &out->partitioning,
                       {{"event-time", Partitioning::kEventTime},
                        {"arrival-time", Partitioning::kArrivalTime},
                        {"none", Partitioning::kNone}});
  m.Mapping("destination", [&](const YAML::Node& n, const Location& l) {
    DestinationConfig& d = out->destination;
    MapReader dm(r, n, l, "destination", {"type", "path", "bucket", "prefix", "endpoint_url", "region"}, &d);
    dm.Enum<DestinationType>("type", &d.type,
                             {{"local", DestinationType::kLocal}, {"s3", DestinationType::kS3}});
    dm.String("path", &d.path);
    dm.String("bucket", &d.bucket);
    dm.String("prefix", &d.prefix);
    dm.String("endpoint_url", &d.endpoint_url);
    dm.String("region", &d.region);
  });
  m.Mapping("format", [&](const YAML::Node& n, const Location& l) {
    FormatConfig& f = out->format;
    MapReader fm(r, n, l, "format",
                 {"type", "compression", "compression_level", "target_file_bytes",
                  "row_group_rows"},
                 &f);
    fm.Enum<FileFormatType>("type", &f.type,
                            {{"json", FileFormatType::kJson}, {"parquet", FileFormatType::kParquet}});
    if (fm.Find("compression") != nullptr) {
      FileCompression c = FileCompression::kNone;
      fm.Enum<FileCompression>("compression", &c,
                               {{"none", FileCompression::kNone},
                                {"gzip", FileCompression::kGzip},
                                {"zstd", FileCompression::kZstd},
                                {"snappy", FileCompression::kSnappy}});
      f.compression = c;
    }
    fm.Integer("compression_level", &f.compression_level);
    fm.Integer("target_file_bytes", &f.target_file_bytes);
    fm.Integer("row_group_rows", &f.row_group_rows);
  });
  if (m.Find("table") != nullptr) {
    m.String("table", &out->table);
  } else {
    out->table = DefaultTableName(out->name);
  }
  m.String("error_prefix", &out->error_prefix);
  // Templates: point their locations at the first character inside quotes, so an error's column
  // plus the offset into the template lands on the offending expression.
  for (std::string_view key : {"prefix", "error_output_prefix"}) {
    const Entry* e = m.Find(key);
    if (e == nullptr) continue;
    m.String(key, key == "prefix" ? &out->prefix : &out->error_output_prefix);
    if (e->value.IsScalar() && e->value.Tag() == "!") ++out->fields[std::string(key)].column;
  }
  m.Enum<DefaultPrefix>("default_prefix", &out->default_prefix,
                        {{"hive", DefaultPrefix::kHive}, {"firehose", DefaultPrefix::kFirehose}});
  if (const Entry* e = m.Find("dynamic_partitioning")) {
    if (auto text = m.Scalar(*e, "true or false")) {
      if (*text == "true") {
        out->dynamic_partitioning = true;
      } else if (*text == "false") {
        out->dynamic_partitioning = false;
      } else {
        r.Error(e->value_location, "'dynamic_partitioning' must be true or false, got '" + *text + "'");
      }
    }
  }
  m.Integer("max_open_partitions", &out->max_open_partitions);
  m.Enum<PartitionLimitAction>("on_partition_limit", &out->on_partition_limit,
                               {{"flush", PartitionLimitAction::kFlush},
                                {"error", PartitionLimitAction::kError}});
  out->compaction.location = at;
  m.Mapping("compaction", [&](const YAML::Node& n, const Location& l) {
    CompactionConfig& c = out->compaction;
    MapReader cm(r, n, l, "compaction",
                 {"enabled", "format", "target_file_bytes", "min_files", "grace_period_ms", "interval_ms",
                  "retire_after_ms", "include_open_partitions"},
                 &c);
    cm.Enum<bool>("enabled", &c.enabled, {{"true", true}, {"false", false}});
    cm.Enum<std::string>("format", &c.format, {{"parquet", "parquet"}, {"json", "json"}});
    cm.Integer("target_file_bytes", &c.target_file_bytes);
    cm.Integer("min_files", &c.min_files);
    cm.Integer("grace_period_ms", &c.grace_period_ms);
    cm.Integer("interval_ms", &c.interval_ms);
    cm.Integer("retire_after_ms", &c.retire_after_ms);
    cm.Enum<bool>("include_open_partitions", &c.include_open_partitions, {{"true", true}, {"false", false}});
  });
}

// "host:port", "[v6]:port".
void ReadServer(YamlReader& r, const YAML::Node& node, const Location& at, ServerConfig* out) {
  MapReader m(r, node, at, "server", {"listen"}, out);
  const Entry* e = m.Find("listen");
  if (e == nullptr) return;
  std::optional<std::string> text = m.Scalar(*e, "a \"host:port\" string");
  if (!text) return;
  const size_t colon = text->rfind(':');
  std::string host = colon == std::string::npos ? "" : text->substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : text->substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (colon == std::string::npos || port.empty() || ec != std::errc() ||
      ptr != port.data() + port.size()) {
    r.Error(e->value_location, "'listen' must be \"host:port\", got '" + *text + "'");
    return;
  }
  out->host = std::move(host);
  out->port = value;
}

// One entry of an alert's `actions:` list. Keys not used by its type are reported.
void ReadAlertAction(YamlReader& r, const YAML::Node& node, const Location& at, AlertActionConfig* out) {
  MapReader m(r, node, at, "alert action",
              {"type", "url", "headers", "topic_arn", "subject", "endpoint_url", "region", "path",
               "max_attempts", "initial_backoff_ms", "max_backoff_ms", "timeout_ms"},
              out);
  m.Enum<AlertActionType>("type", &out->type,
                          {{"webhook", AlertActionType::kWebhook},
                           {"sns", AlertActionType::kSns},
                           {"log", AlertActionType::kLog},
                           {"dashboard", AlertActionType::kDashboard}},
                          /*required=*/true);
  m.String("url", &out->url);
  m.Mapping("headers", [&](const YAML::Node& n, const Location& l) {
    MapReader hm(r, n, l, "webhook headers", {}, nullptr, /*allow_other_keys=*/true);
    for (const Entry* e : hm.OtherEntries()) {
      if (auto text = hm.Scalar(*e)) out->headers[e->key] = std::move(*text);
    }
  });
  m.String("topic_arn", &out->topic_arn);
  m.String("subject", &out->subject);
  m.String("endpoint_url", &out->endpoint_url);
  m.String("region", &out->region);
  m.String("path", &out->path);
  m.Integer("max_attempts", &out->max_attempts);
  m.Integer("initial_backoff_ms", &out->initial_backoff_ms);
  m.Integer("max_backoff_ms", &out->max_backoff_ms);
  m.Integer("timeout_ms", &out->timeout_ms);
}

void ReadAlert(YamlReader& r, const YAML::Node& node, const Location& at, AlertRuleConfig* out) {
  MapReader m(r, node, at, "alert", {"name", "table", "when", "actions", "throttle"}, out);
  m.String("name", &out->name, /*required=*/true);
  m.String("table", &out->table);
  m.String("when", &out->when, /*required=*/true);
  if (m.Require("actions") != nullptr) {
    m.List("actions", [&](const YAML::Node& n, const Location& l) {
      if (ExpectMapping(r, n, l, "actions")) ReadAlertAction(r, n, l, &out->actions.emplace_back());
    });
  }
  m.Mapping("throttle", [&](const YAML::Node& n, const Location& l) {
    MapReader tm(r, n, l, "throttle", {"max_per_minute"}, nullptr);
    tm.Integer("max_per_minute", &out->max_per_minute);
    if (const Entry* e = tm.Find("max_per_minute")) out->fields["max_per_minute"] = e->value_location;
  });
}

void ReadPipeline(YamlReader& r, const YAML::Node& root, const Location& at, PipelineConfig* out) {
  MapReader m(
      r, root, at, "pipeline",
      {"region", "account_id", "tables", "streams", "pipes", "deliveries", "catalog", "server",
       "alerts", "aws"},
      out);
  out->catalog.location = out->server.location = out->aws.location = at;  // when left out
  out->aws.endpoints.location = at;
  m.String("region", &out->region);
  m.String("account_id", &out->account_id);
  m.List("tables", [&](const YAML::Node& n, const Location& l) {
    if (ExpectMapping(r, n, l, "tables")) ReadTable(r, n, l, &out->tables.emplace_back());
  });
  m.List("streams", [&](const YAML::Node& n, const Location& l) {
    if (ExpectMapping(r, n, l, "streams")) ReadStream(r, n, l, &out->streams.emplace_back());
  });
  m.List("pipes", [&](const YAML::Node& n, const Location& l) {
    if (ExpectMapping(r, n, l, "pipes")) ReadPipe(r, n, l, &out->pipes.emplace_back());
  });
  m.List("deliveries", [&](const YAML::Node& n, const Location& l) {
    if (ExpectMapping(r, n, l, "deliveries")) {
      ReadDelivery(r, n, l, &out->deliveries.emplace_back());
    }
  });
  m.Mapping("catalog", [&](const YAML::Node& n, const Location& l) {
    MapReader cm(r, n, l, "catalog", {"type", "path", "glue_sync"}, &out->catalog);
    cm.Enum<CatalogType>("type", &out->catalog.type, {{"sqlite", CatalogType::kSqlite}});
    cm.String("path", &out->catalog.path);
    cm.Mapping("glue_sync", [&](const YAML::Node& gn, const Location& gl) {
      GlueSyncConfig& g = out->catalog.glue_sync;
      MapReader gm(r, gn, gl, "glue_sync", {"database", "region", "endpoint_url", "interval_ms"}, &g);
      g.enabled = true;
      gm.String("database", &g.database, /*required=*/true);
      gm.String("region", &g.region);
      gm.String("endpoint_url", &g.endpoint_url);
      gm.Integer("interval_ms", &g.interval_ms);
    });
  });
  m.Mapping("server",
            [&](const YAML::Node& n, const Location& l) { ReadServer(r, n, l, &out->server); });
  m.List("alerts", [&](const YAML::Node& n, const Location& l) {
    if (ExpectMapping(r, n, l, "alerts")) ReadAlert(r, n, l, &out->alerts.emplace_back());
  });
  // An alert without `table` watches the only delivery's table (validation reports the others).
  for (AlertRuleConfig& a : out->alerts) {
    if (a.table.empty() && out->deliveries.size() == 1) a.table = out->deliveries[0].table;
  }
  m.Mapping("aws", [&](const YAML::Node& n, const Location& l) {
    AwsConfig& a = out->aws;
    MapReader am(r, n, l, "aws", {"region", "profile", "endpoints"}, &a);
    a.endpoints.location = l;
    am.String("region", &a.region);
    am.String("profile", &a.profile);
    am.Mapping("endpoints", [&](const YAML::Node& en, const Location& el) {
      MapReader em(r, en, el, "aws endpoints", {}, &a.endpoints, /*allow_other_keys=*/true);
      for (const Entry* e : em.OtherEntries()) {
        if (auto url = em.Scalar(*e, "a URL")) a.endpoints.urls[e->key] = std::move(*url);
      }
    });
  });
}

}  // namespace

std::string DefaultTableName(std::string_view delivery_name) {
  std::string out;
  char prev = '\0';
  for (char c : delivery_name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isupper(u) && (std::islower(static_cast<unsigned char>(prev)) ||
                            std::isdigit(static_cast<unsigned char>(prev)))) {
      out += '_';
    }
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
    prev = c;
  }
  return out;
}

void ReadPipelineYaml(std::string_view text, std::string_view file_name, Diagnostics& diag,
                      PipelineConfig* out) {
  out->source_path = std::string(file_name);
  YamlReader r(file_name, diag);
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.empty() || docs[0].IsNull()) {
      r.Error(Location{std::string(file_name), 1, 1}, "the config is empty");
      return;
    }
    if (docs.size() > 1) {
      r.Error(r.At(docs[1].Mark()),
              "expected one YAML document, found " + std::to_string(docs.size()));
      return;
    }
    const YAML::Node& root = docs[0];
    const Location root_location = r.At(root.Mark());
    if (!root.IsMap()) {
      r.Error(root_location,
              "the config must be a mapping of keys (region, tables, ...), got " + Describe(root));
      return;
    }
    ReadPipeline(r, root, root_location, out);
  } catch (const YAML::Exception& e) {
    r.Error(r.At(e.mark), "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    r.Error(Location{std::string(file_name), 0, 0}, std::string("cannot read YAML: ") + e.what());
  }
}

}  // namespace tributary::config::internal
