#include "streamapi/api_util.h"

#include <charconv>
#include <cmath>
#include <ctime>

#include "core/encoding.h"

namespace tributary::streamapi {

namespace {
bool Lookup(simdjson::dom::element object, std::string_view key, simdjson::dom::element* out) {
  if (object.at_key(key).get(*out) != simdjson::SUCCESS) return false;
  return !out->is_null();
}
ApiError WrongType(std::string_view key, std::string_view what) {
  return Error("SerializationException", std::string(key) + " must be " + std::string(what));
}
}  // namespace

ApiError Error(std::string_view code, std::string message, int http_status) {
  return {http_status, std::string(code), std::move(message), {}};
}

ApiError ValidationError(std::string_view member, std::string_view value, std::string_view constraint) {
  return Error("ValidationException", "1 validation error detected: Value '" + std::string(value) + "' at '" +
                                          std::string(member) + "' failed to satisfy constraint: " +
                                          std::string(constraint));
}

Member<std::string_view> OptString(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<std::string_view>();
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return WrongType(key, "a string");
  return std::optional<std::string_view>(s);
}

Member<int64_t> OptInt(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<int64_t>();
  int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) return WrongType(key, "an integer");
  return std::optional<int64_t>(v);
}

Member<int64_t> OptTimestampMs(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<int64_t>();
  double seconds = 0;
  if (e.get_double().get(seconds) != simdjson::SUCCESS || !std::isfinite(seconds) || seconds < 0 ||
      seconds > 1e13) {
    return WrongType(key, "a timestamp (epoch seconds)");
  }
  return std::optional<int64_t>(static_cast<int64_t>(std::llround(seconds * 1000.0)));
}

Member<simdjson::dom::element> OptObject(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<simdjson::dom::element>();
  if (e.type() != simdjson::dom::element_type::OBJECT) return WrongType(key, "an object");
  return std::optional<simdjson::dom::element>(e);
}

Member<simdjson::dom::array> OptArray(simdjson::dom::element object, std::string_view key) {
  simdjson::dom::element e;
  if (!Lookup(object, key, &e)) return std::optional<simdjson::dom::array>();
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return WrongType(key, "a list");
  return std::optional<simdjson::dom::array>(a);
}

double EpochSeconds(int64_t millis) { return static_cast<double>(millis) / 1000.0; }

std::string AmzUtcString(int64_t millis) {
  const time_t t = static_cast<time_t>(millis / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

std::string EncodePageToken(std::string_view kind, std::string_view scope, uint64_t offset) {
  return Base64Encode(std::string(kind) + ":" + std::string(scope) + ":" + std::to_string(offset));
}

std::optional<uint64_t> DecodePageToken(std::string_view token, std::string_view kind, std::string_view scope) {
  auto raw = Base64Decode(token);
  const std::string prefix = std::string(kind) + ":" + std::string(scope) + ":";
  if (!raw.ok() || raw->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string_view digits = std::string_view(*raw).substr(prefix.size());
  uint64_t offset = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return offset;
}

}  // namespace tributary::streamapi
