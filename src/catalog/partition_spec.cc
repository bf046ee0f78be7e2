#include "catalog/partition_spec.h"

namespace tributary::catalog {
namespace {

bool NeedsEscape(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  if (s.empty()) return parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

}  // namespace

std::string EscapePathName(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (NeedsEscape(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

Result<std::string> UnescapePathName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') {
      out += name[i];
      continue;
    }
    int hi = i + 2 < name.size() ? HexValue(name[i + 1]) : -1;
    int lo = i + 2 < name.size() ? HexValue(name[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::DataLoss("malformed escape in partition path name '" + std::string(name) +
                              "'");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string FormatPartitionSpec(const PartitionValues& values) {
  std::string spec;
  for (const auto& [key, value] : values) {
    if (!spec.empty()) spec += '/';
    spec += EscapePathName(key);
    spec += '=';
    spec += EscapePathName(value);
  }
  return spec;
}

Result<PartitionValues> ParsePartitionSpec(std::string_view spec) {
  PartitionValues values;
  for (std::string_view part : Split(spec, '/')) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Status::DataLoss("malformed partition spec '" + std::string(spec) + "'");
    }
    TRIB_ASSIGN_OR_RETURN(std::string key, UnescapePathName(part.substr(0, eq)));
    TRIB_ASSIGN_OR_RETURN(std::string value, UnescapePathName(part.substr(eq + 1)));
    values.emplace_back(std::move(key), std::move(value));
  }
  return values;
}

std::string JoinEscaped(const std::vector<std::string>& names) {
  std::string joined;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) joined += '/';
    joined += EscapePathName(names[i]);
  }
  return joined;
}

Result<std::vector<std::string>> SplitEscaped(std::string_view joined) {
  std::vector<std::string> names;
  for (std::string_view part : Split(joined, '/')) {
    TRIB_ASSIGN_OR_RETURN(std::string name, UnescapePathName(part));
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace tributary::catalog
