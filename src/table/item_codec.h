// Compact binary encoding of items, used for stored item values and the images inside stream
// records. Faster and smaller than DynamoDB JSON (no base64, no quoting, no number parsing on
// write). The encoding is canonical: Item is an ordered map, sets are sorted and numbers are
// normalized, so two items are equal exactly when their encodings are equal. The engine relies
// on this to detect no-op writes by comparing bytes.
//
// Format (all integers are LEB128 varints unless noted):
//   item   := 0x01 size attrs          size = ItemSizeBytes(item), DynamoDB's size accounting
//   attrs  := count (name_len name value){count}
//   value  := type payload             type = AttributeType as one byte
//     S N B := len bytes               N holds the normalized decimal text
//     BOOL  := one byte 0/1            NULL := nothing
//     M     := attrs                   L := count value{count}
//     SS NS BS := count (len bytes){count}
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "core/status.h"

namespace tributary::table {

inline constexpr uint8_t kItemFormatV1 = 0x01;

// Appends the encoding of `item`; `size_bytes` must be ItemSizeBytes(item).
void EncodeItem(const Item& item, size_t size_bytes, std::string* out);
std::string EncodeItem(const Item& item);

Result<Item> DecodeItem(std::string_view data);
// The stored ItemSizeBytes of an encoded item, without decoding it.
Result<uint64_t> EncodedItemSizeBytes(std::string_view data);

// LEB128 varints, shared by the table's other binary formats.
void PutVarint(std::string* out, uint64_t v);
bool GetVarint(std::string_view* in, uint64_t* v);
void PutLengthPrefixed(std::string* out, std::string_view bytes);
bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes);

}  // namespace tributary::table
