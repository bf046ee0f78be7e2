#include "delivery/lake_layout.h"

#include <simdjson.h>

#include <random>

#include "catalog/partition_spec.h"
#include "transform/event_time.h"

namespace tributary::delivery {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Segments of a lake-relative path: non-empty, not "." or "..", no leading '_' or '.', and only
// printable ASCII other than '\\' (these are configuration values, not user data).
Status CheckSegment(std::string_view seg, std::string_view what, std::string_view whole) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(whole) + "' " +
                                   std::string(why));
  };
  if (seg.empty()) return bad("has an empty path segment");
  if (seg.front() == '.' || seg.front() == '_') {
    return bad("has a segment starting with '.' or '_' (readers skip such names)");
  }
  for (char c : seg) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '\\') {
      return bad("may only contain printable ASCII characters other than '\\' and space");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> SanitizePartitionValue(std::string_view value) {
  if (value.empty()) return Status::InvalidArgument("partition value is empty");
  if (!simdjson::validate_utf8(value.data(), value.size())) {
    return Status::InvalidArgument("partition value is not valid UTF-8");
  }
  std::string out;
  if (value.front() == '.' || value.front() == '_') {
    out = value.front() == '.' ? "%2E" : "%5F";
    out += catalog::EscapePathName(value.substr(1));
  } else {
    out = catalog::EscapePathName(value);
  }
  if (out.size() > kMaxPartitionSegmentBytes) {
    return Status::InvalidArgument("partition value is longer than " +
                                   std::to_string(kMaxPartitionSegmentBytes) +
                                   " bytes once escaped");
  }
  return out;
}

Status ValidateDeliveryName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '_' && name.front() != '.';
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' ||
                c == '.' || c == '-');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("invalid delivery stream name '" + std::string(name) +
                                 "': use 1 to 64 of [A-Za-z0-9_.-], not starting with '_' or '.'");
}

Status ValidatePartitionKey(std::string_view key) {
  bool ok = !key.empty() && key.size() <= 50 && key.front() != '_';
  for (char c : key) ok = ok && ((c >= 'a' && c <= 'z') || IsDigit(c) || c == '_');
  if (ok) return Status::Ok();
  return Status::InvalidArgument("invalid partition key '" + std::string(key) +
                                 "': use 1 to 50 of [a-z0-9_], not starting with '_'");
}

Status ValidateLakeRelativeDir(std::string_view dir, std::string_view what) {
  if (dir.empty()) return Status::InvalidArgument(std::string(what) + " must not be empty");
  if (dir.front() == '/') {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(dir) +
                                   "' must be relative to the lake root");
  }
  size_t start = 0;
  while (start <= dir.size()) {
    size_t slash = dir.find('/', start);
    if (slash == std::string_view::npos) slash = dir.size();
    TRIB_RETURN_IF_ERROR(CheckSegment(dir.substr(start, slash - start), what, dir));
    start = slash + 1;
  }
  return Status::Ok();
}

std::string NewFileId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out.push_back(kHex[(v >> (4 * i)) & 0xf]);
  };
  put(hi >> 32, 8);
  out.push_back('-');
  put(hi >> 16, 4);
  out.push_back('-');
  put(hi, 4);
  out.push_back('-');
  put(lo >> 48, 4);
  out.push_back('-');
  put(lo, 12);
  return out;
}

std::string DataFileName(std::string_view delivery_name, int64_t now_ms, std::string_view id,
                         std::string_view extension) {
  char buf[32];
  char* end = transform::FormatFileNameTime(transform::ToUtc(now_ms), buf);
  std::string out;
  out.reserve(delivery_name.size() + 64);
  out.append(delivery_name);
  out += '-';
  out += kFileVersion;
  out += '-';
  out.append(buf, end);
  out += '-';
  out.append(id);
  out += extension;
  return out;
}

std::string TempPathFor(std::string_view final_path) {
  size_t slash = final_path.rfind('/');
  size_t base = slash == std::string_view::npos ? 0 : slash + 1;
  std::string out(final_path.substr(0, base));
  out += '_';
  out.append(final_path.substr(base));
  return out;
}

bool IsOwnTempFileName(std::string_view file_name, std::string_view delivery_name) {
  // "_" name "-1-" "YYYY-MM-DD-HH-MM-SS" "-" id ".json"
  if (file_name.size() < 1 + delivery_name.size() + 3 + 19 + 2 + kFileExtension.size()) return false;
  if (file_name.front() != '_') return false;
  file_name.remove_prefix(1);
  if (!file_name.starts_with(delivery_name)) return false;
  file_name.remove_prefix(delivery_name.size());
  if (!file_name.starts_with("-1-")) return false;
  file_name.remove_prefix(3);
  static constexpr char kShape[] = "dddd-dd-dd-dd-dd-dd-";
  for (size_t i = 0; i < 20; ++i) {
    char want = kShape[i];
    if (want == 'd' ? !IsDigit(file_name[i]) : file_name[i] != want) return false;
  }
  file_name.remove_prefix(20);
  for (std::string_view extension : kLakeFileExtensions) {
    if (file_name.size() > extension.size() && file_name.ends_with(extension)) return true;
  }
  return false;
}

std::string_view FinalNameOfTemp(std::string_view temp_file_name) {
  return temp_file_name.substr(temp_file_name.empty() ? 0 : 1);
}

std::string ErrorDirFor(std::string_view error_prefix, int64_t arrival_ms) {
  transform::HourPartition p = transform::ToHourPartition(transform::ToUtc(arrival_ms));
  std::string out(error_prefix);
  out += "processing-failed/";
  out.append(p.year, 4);
  out += '/';
  out.append(p.month, 2);
  out += '/';
  out.append(p.day, 2);
  out += '/';
  out.append(p.hour, 2);
  return out;
}

std::string ErrorLocation(std::string_view error_prefix) {
  return std::string(error_prefix) + "processing-failed";
}

}  // namespace tributary::delivery
