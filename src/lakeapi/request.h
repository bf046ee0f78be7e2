// Helpers shared by the Glue and Athena front ends: reading request members with precise type
// errors, service error shapes, and opaque paging tokens.
//
// Thread-safety: pure functions.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dynamodb/api.h"

namespace tributary::lakeapi {

// Optional members: absent or null -> nullopt; present with the wrong JSON type ->
// InvalidArgument "<Key> must be a string" etc.
Result<std::optional<std::string>> OptString(simdjson::dom::element object, std::string_view key);
Result<std::optional<int64_t>> OptInt(simdjson::dom::element object, std::string_view key);
Result<std::optional<std::vector<std::string>>> OptStringList(simdjson::dom::element object, std::string_view key);
// An optional nested object; nullopt when absent.
Result<std::optional<simdjson::dom::element>> OptObject(simdjson::dom::element object, std::string_view key);

// An error whose __type has no namespace (what AWS JSON 1.1 services such as Glue and Athena
// send; SDKs take the code after any '#').
dynamodb::ApiError ServiceError(std::string_view code, std::string message, int http_status = 400);

// Paging tokens: "<kind>:<scope>:<offset>" base64-encoded, so clients treat them as opaque.
// `scope` ties a token to what it pages (a table, a query id); decoding checks kind and scope.
std::string EncodePageToken(std::string_view kind, std::string_view scope, uint64_t offset);
Result<uint64_t> DecodePageToken(std::string_view token, std::string_view kind, std::string_view scope);

// Epoch seconds with milliseconds, as AWS JSON timestamps are sent (1700000000.123).
double EpochSeconds(int64_t millis);

}  // namespace tributary::lakeapi
