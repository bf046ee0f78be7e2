// EventPattern: the EventBridge event-pattern language (the filters of an EventBridge Pipe),
// compiled once and matched against events without re-parsing them.
//
// A pattern is a JSON object whose keys follow the event's structure; every leaf is an array of
// matchers, ORed; keys are ANDed; `$or` (an array of 2+ patterns) ORs whole sub-patterns:
//
//   {"eventName": ["INSERT", "MODIFY"],
//    "dynamodb": {"NewImage": {"status": {"S": [{"prefix": "SHIP"}]}}}}
//
// Matchers: exact values (string, number: 5 matches 5.0, true/false, null, ""), `prefix`,
// `suffix` (each also as {"equals-ignore-case": "..."}), `equals-ignore-case`, `anything-but`
// (a value, a list of values, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}),
// `numeric` ([">", 0, "<=", 5], ["=", 3]; JSON numbers only, bounds within +-5e9), `exists`,
// `cidr` (IPv4 and IPv6, string values), `wildcard` ("*" any run, "\*" a star, "\\" a backslash).
//
// Arrays in the event: a leaf matches if any element matches (nested arrays are flattened); a
// nested pattern under an array of objects must match within one element (EventBridge's
// array consistency). Matchers work on leaf values only: an object is not a value for `exists`.
// Case folding of `equals-ignore-case` is ASCII-only (other characters compare exactly).
//
// Events: a ChangeRecord is matched over its fields directly, as the JSON that Pipes sees
// (ChangeRecord::AppendJson: `eventName`, `awsRegion`, `dynamodb.Keys.<name>.S`, ...; attribute
// values in their DynamoDB-JSON wrapper, so N values are strings and `numeric` never matches them,
// as on AWS). Any other JSON event can be matched with MatchesJson.
//
// Compile errors are InvalidArgument "Event pattern is not valid. Reason: ... (at <path>)".
//
// Thread-safety: immutable after Compile; Matches may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_record.h"
#include "core/status.h"

namespace tributary::pipe {

// EventBridge Pipes' FilterCriteria limits.
inline constexpr size_t kMaxFiltersPerPipe = 5;
inline constexpr size_t kMaxPatternChars = 4096;
// Tributary's own bound on object nesting in a pattern (keeps matching recursion shallow).
inline constexpr int kMaxPatternDepth = 32;

namespace internal {
struct PatternNode;
}

class EventPattern {
 public:
  static Result<EventPattern> Compile(std::string_view json);

  EventPattern(EventPattern&&) noexcept;
  EventPattern& operator=(EventPattern&&) noexcept;
  ~EventPattern();

  bool Matches(const ChangeRecord& record) const;
  // InvalidArgument when `event_json` is not a JSON object.
  Result<bool> MatchesJson(std::string_view event_json) const;

  const std::string& text() const { return text_; }

 private:
  EventPattern();
  std::string text_;
  std::unique_ptr<internal::PatternNode> root_;
};

// A pipe's FilterCriteria: up to kMaxFiltersPerPipe patterns; a record passes if any pattern
// matches. Without patterns every record passes.
class FilterCriteria {
 public:
  FilterCriteria() = default;
  // Errors name the failing filter: "filter 2: Event pattern is not valid. ...".
  static Result<FilterCriteria> Compile(const std::vector<std::string>& patterns);

  bool empty() const { return patterns_.empty(); }
  size_t size() const { return patterns_.size(); }
  bool Matches(const ChangeRecord& record) const;
  Result<bool> MatchesJson(std::string_view event_json) const;

 private:
  std::vector<EventPattern> patterns_;
};

}  // namespace tributary::pipe
