// PartitionKeyPath: EventBridge Pipes' dynamic partition key for a Kinesis target, a JSON path
// into the event such as `$.dynamodb.Keys.order_id.S`. As in Pipes, the path must select an
// entire value: a string is used as is; a number or boolean as its JSON text; an object or
// array as its minified JSON (so `$.dynamodb.Keys`, the default, keys by the whole item key and
// keeps per-item order).
//
// Thread-safety: immutable after Parse; Evaluate may be called concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/change_record.h"
#include "core/status.h"

namespace tributary::pipe {

class PartitionKeyPath {
 public:
  // "$", "$.a.b", "$.a['b c'].c" (bracketed names), no wildcards or array indexes; or a static
  // key of 1..256 characters that does not start with '$'.
  static Result<PartitionKeyPath> Parse(std::string_view path);

  // Evaluates against the record (whose JSON is `record_json`). NotFound-style InvalidArgument
  // when the path selects nothing or an empty string (Kinesis needs 1..256 characters).
  Result<std::string> Evaluate(const ChangeRecord& record, std::string_view record_json) const;

  const std::string& text() const { return text_; }
  bool is_static() const { return static_; }

 private:
  std::string text_;
  bool static_ = false;
  std::vector<std::string> segments_;
};

}  // namespace tributary::pipe
