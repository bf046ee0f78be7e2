// Key validation and storage keys for one table, with DynamoDB's ValidationException messages.
//
// Storage key of an item: table_id (4 bytes big-endian) + ordered(hash value)
// [+ ordered(range value)], see key_codec.h. All items of one partition key are contiguous and
// sorted by range key.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "core/status.h"
#include "table/table_metadata.h"

namespace tributary::table {

inline constexpr size_t kMaxHashKeyBytes = 2048;
inline constexpr size_t kMaxRangeKeyBytes = 1024;
inline constexpr size_t kMaxItemBytes = 400 * 1024;

// PutItem: the item holds every key attribute with the schema's type, non-empty, within size.
Status ValidateItemKey(const TableSpec& spec, const Item& item);
// GetItem/DeleteItem/UpdateItem/ExclusiveStartKey: exactly the key attributes, right types.
Status ValidateKey(const TableSpec& spec, const Item& key);
// Validates one key value (type, emptiness, size) for the named key attribute.
Status ValidateKeyValue(const KeyAttribute& attr, bool is_hash, const AttributeValue& value,
                        bool in_item);

// The key attributes of an item that passed ValidateItemKey or ValidateKey.
Item ExtractKey(const TableSpec& spec, const Item& item);

// table_id prefix shared by all of a table's item keys.
std::string TablePrefix(uint32_t table_id);
// table_id + ordered(hash value): the prefix of one partition's item keys.
std::string PartitionPrefix(uint32_t table_id, const AttributeValue& hash_value);
// Full storage key of a validated item or key. `partition_len`, if given, receives the length of
// the partition key's encoding (which starts at offset 4).
std::string EncodeItemKey(uint32_t table_id, const TableSpec& spec, const Item& item,
                          size_t* partition_len = nullptr);

}  // namespace tributary::table
