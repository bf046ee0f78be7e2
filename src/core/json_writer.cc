#include "core/json_writer.h"

#include <charconv>
#include <cstring>
#include <cmath>

namespace tributary {

void JsonWriter::Separate() {
  if (!stack_.empty() && stack_.back() == 'k') {
    stack_.pop_back();  // value after a key: no comma
    return;
  }
  if (need_comma_) out_.push_back(',');
}

void JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  stack_.push_back('{');
  need_comma_ = false;
}

void JsonWriter::EndObject() {
  out_.push_back('}');
  if (!stack_.empty()) stack_.pop_back();
  need_comma_ = true;
}

void JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  stack_.push_back('[');
  need_comma_ = false;
}

void JsonWriter::EndArray() {
  out_.push_back(']');
  if (!stack_.empty()) stack_.pop_back();
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  if (need_comma_) out_.push_back(',');
  AppendQuoted(out_, key);
  out_.push_back(':');
  stack_.push_back('k');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view value) {
  Separate();
  AppendQuoted(out_, value);
  need_comma_ = true;
}

void JsonWriter::Int(int64_t value) {
  Separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, r.ptr);
  need_comma_ = true;
}

void JsonWriter::Uint(uint64_t value) {
  Separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, r.ptr);
  need_comma_ = true;
}

void JsonWriter::Double(double value) {
  Separate();
  if (!std::isfinite(value)) {
    out_ += "null";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), value);
    out_.append(buf, r.ptr);
  }
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  need_comma_ = true;
}

void JsonWriter::Null() {
  Separate();
  out_ += "null";
  need_comma_ = true;
}

void JsonWriter::Raw(std::string_view json) {
  Separate();
  out_.append(json);
  need_comma_ = true;
}

void JsonWriter::AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t start = 0;
  size_t i = 0;
  for (;;) {
    // Skip 8 bytes at a time while none needs escaping (no control byte, '"' or '\\'):
    // the common case of plain text.
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      constexpr uint64_t kOnes = 0x0101010101010101ULL;
      constexpr uint64_t kHigh = 0x8080808080808080ULL;
      uint64_t control = (w - kOnes * 0x20) & ~w;  // high bit set where byte < 0x20
      uint64_t quote = w ^ (kOnes * '"');
      uint64_t slash = w ^ (kOnes * '\\');
      uint64_t hit = (control | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash)) & kHigh;
      if (hit != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    ++i;
  }
  out.append(s.data() + start, s.size() - start);
  out.push_back('"');
}

}  // namespace tributary
