#include "table/number_math.h"

#include <algorithm>

#include "core/attribute_value.h"

namespace tributary::table {

namespace {

// A normalized number as sign, integer digits and fraction digits.
struct Decimal {
  bool negative = false;
  std::string int_digits;   // no leading zeros ("" for zero integer part)
  std::string frac_digits;  // no trailing zeros
};

Decimal Split(std::string_view n) {
  Decimal d;
  if (!n.empty() && n[0] == '-') {
    d.negative = true;
    n.remove_prefix(1);
  }
  size_t dot = n.find('.');
  std::string_view ip = n.substr(0, dot);
  if (ip == "0") ip = {};
  d.int_digits = ip;
  if (dot != std::string_view::npos) d.frac_digits = n.substr(dot + 1);
  return d;
}

// Aligned magnitude digits with `frac` fraction digits.
std::string Aligned(const Decimal& d, size_t int_len, size_t frac_len) {
  std::string out(int_len - d.int_digits.size(), '0');
  out += d.int_digits;
  out += d.frac_digits;
  out.append(frac_len - d.frac_digits.size(), '0');
  return out;
}

// Both strings have equal length. Returns a - b; requires a >= b.
std::string SubtractMagnitudes(const std::string& a, const std::string& b) {
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') - (b[i] - '0') - borrow;
    borrow = d < 0;
    if (d < 0) d += 10;
    out[i] = static_cast<char>('0' + d);
  }
  return out;
}

std::string AddMagnitudes(const std::string& a, const std::string& b) {
  std::string out(a.size() + 1, '0');
  int carry = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') + (b[i] - '0') + carry;
    carry = d >= 10;
    out[i + 1] = static_cast<char>('0' + d % 10);
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}

Result<std::string> Combine(std::string_view a_text, std::string_view b_text, bool subtract) {
  Decimal a = Split(a_text);
  Decimal b = Split(b_text);
  if (subtract) b.negative = !b.negative;
  size_t int_len = std::max(a.int_digits.size(), b.int_digits.size());
  size_t frac_len = std::max(a.frac_digits.size(), b.frac_digits.size());
  std::string ma = Aligned(a, int_len, frac_len);
  std::string mb = Aligned(b, int_len, frac_len);
  std::string digits;
  bool negative = false;
  if (a.negative == b.negative) {
    digits = AddMagnitudes(ma, mb);
    negative = a.negative;
    ++int_len;
  } else if (ma >= mb) {
    digits = SubtractMagnitudes(ma, mb);
    negative = a.negative;
  } else {
    digits = SubtractMagnitudes(mb, ma);
    negative = b.negative;
  }
  std::string text;
  text.reserve(digits.size() + 3);
  if (negative) text.push_back('-');
  text.append(digits, 0, int_len);
  if (int_len == 0) text.push_back('0');
  if (frac_len > 0) {
    text.push_back('.');
    text.append(digits, int_len, std::string::npos);
  }
  return NormalizeNumber(text);
}

}  // namespace

Result<std::string> AddNumbers(std::string_view a, std::string_view b) { return Combine(a, b, false); }

Result<std::string> SubtractNumbers(std::string_view a, std::string_view b) {
  return Combine(a, b, true);
}

}  // namespace tributary::table
