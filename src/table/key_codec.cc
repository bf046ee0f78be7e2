#include "table/key_codec.h"

#include <cassert>

namespace tributary::table {

void AppendOrderedBytesPrefix(std::string* out, std::string_view prefix) {
  size_t start = 0;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] == '\0') {
      out->append(prefix.data() + start, i + 1 - start);
      out->push_back('\xFF');
      start = i + 1;
    }
  }
  out->append(prefix.data() + start, prefix.size() - start);
}

void AppendOrderedBytes(std::string* out, std::string_view bytes) {
  AppendOrderedBytesPrefix(out, bytes);
  out->push_back('\0');
  out->push_back('\x01');
}

void AppendOrderedNumber(std::string* out, std::string_view n) {
  bool negative = !n.empty() && n[0] == '-';
  if (negative) n.remove_prefix(1);
  // Collect significant digits and the decimal exponent E with value = 0.digits x 10^E.
  char digits[48];
  size_t count = 0;
  size_t dot = n.find('.');
  size_t int_len = dot == std::string_view::npos ? n.size() : dot;
  int exponent = 0;
  bool leading = true;
  int leading_frac_zeros = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    if (c == '.') continue;
    if (leading && c == '0') {
      if (i > int_len) ++leading_frac_zeros;
      continue;
    }
    if (leading) {
      leading = false;
      exponent = i < int_len ? static_cast<int>(int_len - i) : -leading_frac_zeros;
    }
    if (count < sizeof(digits)) digits[count++] = static_cast<char>(c - '0');
  }
  while (count > 0 && digits[count - 1] == 0) --count;
  if (count == 0) {
    out->push_back('\x80');
    return;
  }
  size_t start = out->size();
  out->push_back(negative ? '\x7F' : '\x81');
  out->push_back(static_cast<char>(static_cast<uint8_t>(exponent + 129)));
  for (size_t i = 0; i < count; i += 2) {
    int pair = digits[i] * 10 + (i + 1 < count ? digits[i + 1] : 0);
    out->push_back(static_cast<char>(pair + 1));
  }
  out->push_back('\0');
  if (negative) {
    for (size_t i = start + 1; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

void AppendKeyValue(std::string* out, const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
    case AttributeType::kB:
      AppendOrderedBytes(out, value.text());
      return;
    case AttributeType::kN:
      AppendOrderedNumber(out, value.text());
      return;
    default:
      assert(false && "key attributes are S, N or B");
  }
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xFF) s.pop_back();
  if (!s.empty()) s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
  return s;
}

}  // namespace tributary::table
