// ChangeRecord: one captured change, in the DynamoDB Streams record shape. Every source
// (embedded table, DynamoDB Streams, PostgreSQL, MySQL) produces these; every later stage consumes
// them. JSON is byte-compatible with what GetRecords returns:
//
//   {"eventID":"...","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",
//    "awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1700000000,
//    "Keys":{...},"NewImage":{...},"OldImage":{...},"SequenceNumber":"...","SizeBytes":123,
//    "StreamViewType":"NEW_AND_OLD_IMAGES"}}
//
// plus "eventSourceARN" when set (added by consumers such as Pipes; GetRecords omits it).
// ApproximateCreationDateTime is epoch seconds, rounded down, as a JSON number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "core/status.h"

namespace tributary {

enum class EventName : uint8_t { kInsert, kModify, kRemove };
std::string_view EventNameString(EventName name);  // "INSERT" | "MODIFY" | "REMOVE"
Result<EventName> ParseEventName(std::string_view text);

enum class StreamViewType : uint8_t { kKeysOnly, kNewImage, kOldImage, kNewAndOldImages };
std::string_view StreamViewTypeName(StreamViewType type);  // "KEYS_ONLY", ...
Result<StreamViewType> ParseStreamViewType(std::string_view text);

struct ChangeRecord {
  std::string event_id;
  EventName event_name = EventName::kInsert;
  std::string event_version = "1.1";
  std::string event_source = "aws:dynamodb";
  std::string aws_region = "us-east-1";
  std::string event_source_arn;  // omitted from JSON when empty
  // TTL deletions carry {"type":"Service","principalId":"dynamodb.amazonaws.com"}; omitted when
  // empty.
  std::string user_identity_type;
  std::string user_identity_principal_id;

  int64_t approximate_creation_date_time = 0;  // epoch seconds
  AttributeMap keys;
  std::optional<AttributeMap> new_image;
  std::optional<AttributeMap> old_image;
  std::string sequence_number;
  int64_t size_bytes = 0;
  StreamViewType stream_view_type = StreamViewType::kNewAndOldImages;

  void AppendJson(JsonWriter& w) const;
  std::string ToJson() const;
  static Result<ChangeRecord> FromJson(std::string_view json);

  friend bool operator==(const ChangeRecord&, const ChangeRecord&) = default;
};

}  // namespace tributary
