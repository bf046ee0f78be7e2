#include "streamapi/base64.h"

#include <array>
#include <cstdint>

namespace tributary::streamapi {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

bool AppendBase64Decoded(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  const size_t old = out->size();
  out->resize(old + text.size() / 4 * 3 - pad);
  char* dst = out->data() + old;
  const size_t full = (text.size() / 4) - (pad > 0 ? 1 : 0);
  const auto* src = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < full; ++i, src += 4) {
    const int a = kDecode[src[0]], b = kDecode[src[1]], c = kDecode[src[2]], d = kDecode[src[3]];
    if ((a | b | c | d) < 0) return false;
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    *dst++ = static_cast<char>(v >> 16);
    *dst++ = static_cast<char>((v >> 8) & 0xff);
    *dst++ = static_cast<char>(v & 0xff);
  }
  if (pad > 0) {
    const int a = kDecode[src[0]], b = kDecode[src[1]];
    const int c = pad == 1 ? kDecode[src[2]] : 0;
    if ((a | b | c) < 0) return false;
    const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6);
    // Canonical: the bits below the last byte are zero.
    if (pad == 2 && (v & 0xffff) != 0) return false;
    if (pad == 1 && (v & 0xff) != 0) return false;
    *dst++ = static_cast<char>(v >> 16);
    if (pad == 1) *dst++ = static_cast<char>((v >> 8) & 0xff);
  }
  return true;
}

void AppendBase64Encoded(std::string_view bytes, std::string* out) {
  const size_t old = out->size();
  out->resize(old + (bytes.size() + 2) / 3 * 4);
  char* dst = out->data() + old;
  const auto* src = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    *dst++ = kAlphabet[v >> 18];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint32_t{src[i]} << 16;
    if (i + 1 < bytes.size()) v |= uint32_t{src[i + 1]} << 8;
    *dst++ = kAlphabet[v >> 18];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    *dst++ = '=';
  }
}

}  // namespace tributary::streamapi
