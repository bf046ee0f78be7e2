// Firehose S3 prefix templates: `Prefix` and `ErrorOutputPrefix` with `!{namespace:value}`
// expressions, parsed once at config load and rendered per partition by delivery.
//
//   sales/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM/dd}/
//   errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/
//
// Namespaces (aws-compat-checklist section 4, "Dynamic partitioning and S3 keys"):
//   timestamp:<pattern>         a Java DateTimeFormatter pattern (TimestampPattern below), UTC;
//   firehose:random-string      11 random characters [a-z0-9], new for each rendering;
//   firehose:error-output-type  the failure's type ("processing-failed", ...); only in an
//                               ErrorOutputPrefix;
//   partitionKeyFromQuery:<k>   a partition key from the MetadataExtraction (jq) processor;
//   partitionKeyFromLambda:<k>  a partition key from the Lambda's metadata.partitionKeys;
//                               both are Prefix-only.
// `!{` may only start an expression; the template is at most 1024 bytes (Firehose's API limit).
//
// A parsed template is a list of '/'-separated segments (folder levels); a '/' inside a timestamp
// pattern (`!{timestamp:yyyy/MM/dd}`) separates levels like a literal one, so each level can be
// rendered and named on its own (Hive `k=v` levels name partition keys, see delivery/
// prefix_layout.h).
//
// Thread-safety: immutable after Parse; Render* are const and thread-safe (the random string
// uses a thread-local generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "transform/event_time.h"

namespace tributary::transform {

// A compiled java.time.format.DateTimeFormatter pattern. Supported letters (others are an error,
// as every ASCII letter is reserved in Java):
//   G era (AD)            u/y year (yy: 2 digits; y, yyy, yyyy...: at least that many digits)
//   Q/q quarter (Q, QQ, QQQ "Q2", QQQQ "2nd quarter")
//   M/L month (M, MM, MMM "Jan", MMMM "January", MMMMM "J")
//   d day of month        D day of year (D, DD, DDD)
//   E day of week (E..EEE "Mon", EEEE "Monday", EEEEE "M")
//   a AM/PM               H hour 0-23    k hour 1-24    K hour 0-11    h hour 1-12
//   m minute              s second       S fraction of second (S..SSSSSSSSS)
//   n nano of second      A milli of day
//   X zone "Z"            x zone "+00", "+0000", "+00:00"    Z zone "+0000"  (always UTC)
// 'text' is literal, '' is a single quote; any other non-letter is literal, except the reserved
// '[', ']', '{', '}' and '#'.
class TimestampPattern {
 public:
  // InvalidArgument naming the problem; *error_at (if given) = byte offset into `pattern`.
  static Result<TimestampPattern> Parse(std::string_view pattern, size_t* error_at = nullptr);

  void Append(const UtcTime& t, std::string& out) const;
  // The longest time span over which the output cannot change, in ms, aligned to UTC epoch
  // multiples: 1 (millis), 1000, 60000, 3600000 or 86400000 (day and coarser). A caller may
  // reuse a rendering for instants with the same floor(ms / granularity).
  int64_t granularity_ms() const { return granularity_ms_; }
  bool empty() const { return fields_.empty(); }

 private:
  friend class PrefixTemplate;  // splits patterns at their literal '/'
  struct Field {
    char letter = 0;  // 0 = literal
    int count = 0;
    std::string literal;
  };
  std::vector<Field> fields_;
  int64_t granularity_ms_ = 86400000;
};

enum class PrefixRole : uint8_t { kPrefix, kErrorOutputPrefix };
std::string_view PrefixRoleName(PrefixRole role);  // "prefix" | "error_output_prefix"

// One piece of a template segment.
struct PrefixPart {
  enum class Kind : uint8_t {
    kLiteral,
    kTimestamp,
    kQueryKey,   // partitionKeyFromQuery
    kLambdaKey,  // partitionKeyFromLambda
    kRandomString,
    kErrorOutputType,
  };
  Kind kind = Kind::kLiteral;
  std::string text;  // kLiteral: the text; k*Key: the key name
  TimestampPattern timestamp;
  bool is_data() const { return kind == Kind::kQueryKey || kind == Kind::kLambdaKey; }
};

// What rendering needs besides the template. `key_lookup` returns nullptr for a missing key.
struct PrefixValues {
  int64_t timestamp_ms = 0;
  std::string_view error_output_type;
};

class PrefixTemplate {
 public:
  static constexpr size_t kMaxTemplateBytes = 1024;
  static constexpr size_t kRandomStringLength = 11;

  // InvalidArgument with a precise message; *error_at (if given) = byte offset into `text` of
  // the offending expression or character. Empty segments ("a//b") and a leading '/' are errors.
  static Result<PrefixTemplate> Parse(std::string_view text, PrefixRole role,
                                      size_t* error_at = nullptr);

  const std::string& text() const { return text_; }
  PrefixRole role() const { return role_; }
  // Folder levels in order. The last one is the object-name prefix when the template does not
  // end with '/' (ends_with_slash() false).
  const std::vector<std::vector<PrefixPart>>& segments() const { return segments_; }
  bool ends_with_slash() const { return ends_with_slash_; }

  bool has_expressions() const { return has_expressions_; }
  bool has_timestamp() const { return has_timestamp_; }
  bool has_partition_keys() const { return has_partition_keys_; }
  bool has_error_output_type() const { return has_error_output_type_; }
  bool has_random_string() const { return has_random_string_; }
  // Finest granularity over every timestamp expression (see TimestampPattern).
  int64_t timestamp_granularity_ms() const { return granularity_ms_; }

  // Appends the rendering of one part. Key parts are the caller's business (they come from data
  // and need checks); they append nothing here.
  static void AppendPart(const PrefixPart& part, const UtcTime& time,
                         std::string_view error_output_type, std::string& out);
  // Renders every non-key part and the key parts via `key` (a value or nullptr when absent).
  // InvalidArgument naming the missing key. For error prefixes and tests; delivery renders
  // level by level (delivery/prefix_layout.h).
  template <typename KeyFn>
  Result<std::string> Render(const PrefixValues& values, KeyFn&& key) const;

 private:
  std::string text_;
  PrefixRole role_ = PrefixRole::kPrefix;
  std::vector<std::vector<PrefixPart>> segments_;
  bool ends_with_slash_ = false;
  bool has_expressions_ = false;
  bool has_timestamp_ = false;
  bool has_partition_keys_ = false;
  bool has_error_output_type_ = false;
  bool has_random_string_ = false;
  int64_t granularity_ms_ = 86400000;
};

// 11 characters of [a-z0-9] (thread-local generator).
void AppendRandomString(std::string& out);

template <typename KeyFn>
Result<std::string> PrefixTemplate::Render(const PrefixValues& values, KeyFn&& key) const {
  std::string out;
  const UtcTime time = ToUtc(values.timestamp_ms);
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (i > 0) out += '/';
    for (const PrefixPart& part : segments_[i]) {
      if (part.is_data()) {
        const std::string* v = key(part);
        if (v == nullptr) {
          return Status::InvalidArgument("partition key '" + part.text + "' is missing");
        }
        out += *v;
      } else {
        AppendPart(part, time, values.error_output_type, out);
      }
    }
  }
  if (ends_with_slash_) out += '/';
  return out;
}

}  // namespace tributary::transform
