#include "lakeapi/request.h"

#include <charconv>

#include "core/encoding.h"

namespace tributary::lakeapi {

namespace {
bool Lookup(simdjson::dom::element object, std::string_view key, simdjson::dom::element* out) {
  if (object.at_key(key).get(*out) != simdjson::SUCCESS) return false;
  return !out->is_null();
}
}  // namespace

Result<std::optional<std::string>> OptString(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<std::string>();
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string(key) + " must be a string");
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::optional<int64_t>> OptInt(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<int64_t>();
  int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string(key) + " must be an integer");
  }
  return std::optional<int64_t>(v);
}

Result<std::optional<std::vector<std::string>>> OptStringList(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<std::vector<std::string>>();
  simdjson::dom::array array;
  if (e.get_array().get(array) != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string(key) + " must be a list of strings");
  }
  std::vector<std::string> out;
  for (simdjson::dom::element item : array) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      return Status::InvalidArgument(std::string(key) + " must be a list of strings");
    }
    out.emplace_back(s);
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<simdjson::dom::element>> OptObject(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<simdjson::dom::element>();
  if (e.type() != simdjson::dom::element_type::OBJECT) {
    return Status::InvalidArgument(std::string(key) + " must be an object");
  }
  return std::optional<simdjson::dom::element>(e);
}

dynamodb::ApiError ServiceError(std::string_view code, std::string message, int http_status) {
  return {http_status, std::string(code), std::move(message), {}};
}

std::string EncodePageToken(std::string_view kind, std::string_view scope, uint64_t offset) {
  std::string raw = std::string(kind) + ":" + std::string(scope) + ":" + std::to_string(offset);
  return Base64Encode(raw);
}

Result<uint64_t> DecodePageToken(std::string_view token, std::string_view kind, std::string_view scope) {
  auto raw = Base64Decode(token);
  const std::string prefix = std::string(kind) + ":" + std::string(scope) + ":";
  if (!raw.ok() || raw->compare(0, prefix.size(), prefix) != 0) {
    return Status::InvalidArgument("NextToken is invalid or belongs to another request");
  }
  std::string_view digits = std::string_view(*raw).substr(prefix.size());
  uint64_t offset = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    return Status::InvalidArgument("NextToken is invalid or belongs to another request");
  }
  return offset;
}

double EpochSeconds(int64_t millis) { return static_cast<double>(millis) / 1000.0; }

}  // namespace tributary::lakeapi
