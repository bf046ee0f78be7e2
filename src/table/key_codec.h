// Order-preserving, self-delimiting byte encodings of key attribute values (S, N, B), used to
// build RocksDB keys so that RocksDB's bytewise order is DynamoDB's key order:
//   - S and B sort bytewise (S by UTF-8 bytes, as DynamoDB does);
//   - N sorts numerically ("-10" < "-9.5" < "0" < "2" < "10").
// Each encoding is self-delimiting (no encoding is a proper prefix of another), so a hash key
// followed by a range key can be concatenated and a hash key's items form one contiguous range.
//
// Formats (doc/format in one place):
//   bytes  : every 0x00 becomes 0x00 0xFF; then the terminator 0x00 0x01.
//   number : zero is 0x80. Otherwise value = 0.d1d2..dn x 10^E (d1 != 0, dn != 0) and
//            positive = 0x81, byte(E + 129), digit pairs as (10*a + b + 1) in 1..100, 0x00;
//            negative = 0x7F, then the same bytes after the sign, each complemented.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/attribute_value.h"

namespace tributary::table {

// Appends the escaped bytes and the terminator.
void AppendOrderedBytes(std::string* out, std::string_view bytes);
// Appends the escaped bytes without the terminator: every encoding of a string that starts with
// `prefix` starts with these bytes (used for begins_with).
void AppendOrderedBytesPrefix(std::string* out, std::string_view prefix);
// `normalized` must be a normalized DynamoDB number (see NormalizeNumber).
void AppendOrderedNumber(std::string* out, std::string_view normalized);
// S, N or B; other types are a programming error (asserted).
void AppendKeyValue(std::string* out, const AttributeValue& value);

// The smallest byte string greater than every string that starts with `prefix`
// ("" if there is none, i.e. prefix is all 0xFF).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace tributary::table
