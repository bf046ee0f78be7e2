// Byte encodings shared across stages: base64 (AWS blobs), MD5 (Kinesis hash keys),
// unsigned 128-bit integers as decimal strings, and fixed-width big-endian integers for
// order-preserving storage keys.
//
// All functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary {

using uint128 = unsigned __int128;

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; whitespace is rejected.
Result<std::string> Base64Decode(std::string_view text);

std::array<uint8_t, 16> Md5(std::string_view bytes);
// Kinesis routing: MD5 of the partition key's UTF-8 bytes, read as a big-endian 128-bit integer.
uint128 HashKeyOf(std::string_view partition_key);

std::string Uint128ToDecimal(uint128 v);
// Decimal digits only, value must fit in 128 bits.
Result<uint128> ParseUint128(std::string_view decimal);

// Order-preserving big-endian encodings for storage keys.
void AppendBigEndian64(std::string& out, uint64_t v);
uint64_t ReadBigEndian64(const char* p);
void AppendBigEndian32(std::string& out, uint32_t v);
uint32_t ReadBigEndian32(const char* p);

// Lowercase hex.
std::string HexEncode(std::string_view bytes);

}  // namespace tributary
