// Helpers shared by the Kinesis and Firehose front ends (AWS JSON 1.1): reading request members
// with AWS-style validation messages, errors whose __type has no namespace, stream ARNs and
// timestamps.
//
// Thread-safety: pure functions.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dynamodb/api.h"

namespace tributary::streamapi {

using dynamodb::ApiError;
using dynamodb::ApiResult;

// {"__type":"<code>","message":...} with HTTP 400 (Kinesis and Firehose send no namespace).
ApiError Error(std::string_view code, std::string message, int http_status = 400);
// AWS's model-validation error: "1 validation error detected: Value '<value>' at '<member>'
// failed to satisfy constraint: <constraint>" (ValidationException).
ApiError ValidationError(std::string_view member, std::string_view value, std::string_view constraint);

// Request members. Absent or null -> nullopt; present with the wrong JSON type -> a
// SerializationException like AWS's ("... must be a string").
template <typename T>
using Member = std::variant<std::optional<T>, ApiError>;
Member<std::string_view> OptString(simdjson::dom::element object, std::string_view key);
Member<int64_t> OptInt(simdjson::dom::element object, std::string_view key);
// JSON numbers (AWS timestamps: epoch seconds, fractions allowed) -> epoch milliseconds.
Member<int64_t> OptTimestampMs(simdjson::dom::element object, std::string_view key);
Member<simdjson::dom::element> OptObject(simdjson::dom::element object, std::string_view key);
Member<simdjson::dom::array> OptArray(simdjson::dom::element object, std::string_view key);

// Epoch seconds with milliseconds (1700000000.123), how AWS JSON sends timestamps.
double EpochSeconds(int64_t millis);
// "Thu Jan 22 01:22:02 UTC 2015", the form Kinesis uses in ExpiredIteratorException messages.
std::string AmzUtcString(int64_t millis);

// Opaque paging tokens: base64("<kind>:<scope>:<offset>").
std::string EncodePageToken(std::string_view kind, std::string_view scope, uint64_t offset);
std::optional<uint64_t> DecodePageToken(std::string_view token, std::string_view kind, std::string_view scope);

}  // namespace tributary::streamapi
