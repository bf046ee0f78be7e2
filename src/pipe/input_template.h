// InputTemplate: EventBridge Pipes' target InputTemplate, which reshapes each event before it
// reaches the target. Free text with placeholders:
//
//   <$.dynamodb.NewImage.status.S>   a JSON path into the event ("." names, ['quoted names'],
//                                    [n] array indexes; no wildcards)
//   <aws.pipes.pipe-arn> <aws.pipes.pipe-name> <aws.pipes.source-arn> <aws.pipes.target-arn>
//   <aws.pipes.enrichment-arn>       (empty: pipes here have no enrichment)
//   <aws.pipes.event.ingestion-time> when the pipe read the event, ISO-8601 UTC with milliseconds
//   <aws.pipes.event>                the whole event as an escaped JSON string's contents
//   <aws.pipes.event.json>           the whole event as JSON
//
// Pipes' quoting rule: a value is inserted without quotes of its own. A string is inserted as the
// escaped contents of a JSON string (so quote it in a JSON template: "id": "<$.eventID>"); a
// number, boolean, null, object or array as its JSON text (do not quote those). A path that selects
// nothing inserts nothing. Any other '<' is literal text. The result is the target record's data.
//
// Thread-safety: immutable after Parse; Render may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary::pipe {

inline constexpr size_t kMaxInputTemplateChars = 8192;  // Pipes' InputTemplate limit

// What the <aws.pipes.*> variables refer to.
struct PipeContext {
  std::string pipe_name;
  std::string pipe_arn;    // arn:aws:pipes:<region>:<account>:pipe/<name>
  std::string source_arn;  // the source table's stream ARN
  std::string target_arn;  // arn:aws:kinesis:<region>:<account>:stream/<name>
};

class InputTemplate {
 public:
  // InvalidArgument naming the placeholder at fault, e.g. "input_template: unknown variable
  // <aws.pipes.pipe-id> at offset 12".
  static Result<InputTemplate> Parse(std::string_view text);

  // `event_json` is the event (the record's JSON with eventSourceARN).
  Result<std::string> Render(std::string_view event_json, const PipeContext& context,
                             int64_t ingestion_time_ms) const;

  const std::string& text() const { return text_; }

 private:
  enum class PartKind : uint8_t {
    kLiteral, kPath, kPipeArn, kPipeName, kSourceArn, kTargetArn, kEnrichmentArn,
    kIngestionTime, kEvent, kEventJson,
  };
  struct Segment {
    std::string name;  // object member, or
    int64_t index = -1;  // array index when >= 0
  };
  struct Part {
    PartKind kind = PartKind::kLiteral;
    std::string text;               // literal text, or the placeholder as written
    std::vector<Segment> segments;  // kPath
  };

  std::string text_;
  std::vector<Part> parts_;
  bool needs_parse_ = false;  // some part reads a path of the event
};

}  // namespace tributary::pipe
