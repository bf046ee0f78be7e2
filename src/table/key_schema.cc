#include "table/key_schema.h"

#include "core/encoding.h"
#include "table/key_codec.h"

namespace tributary::table {

namespace {

const Status& KeyMismatch() {
  static const Status s = Status::InvalidArgument("The provided key element does not match the schema");
  return s;
}

}  // namespace

Status ValidateKeyValue(const KeyAttribute& attr, bool is_hash, const AttributeValue& value,
                        bool in_item) {
  if (value.type() != attr.type) {
    if (!in_item) return KeyMismatch();
    return Status::InvalidArgument("One or more parameter values were invalid: Type mismatch for key " +
                                   attr.name + " expected: " + std::string(AttributeTypeName(attr.type)) +
                                   " actual: " + std::string(AttributeTypeName(value.type())));
  }
  if (attr.type == AttributeType::kN) return Status::Ok();
  if (value.text().empty()) {
    return Status::InvalidArgument(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty " +
        std::string(attr.type == AttributeType::kS ? "string" : "binary") + " value. Key: " + attr.name);
  }
  if (is_hash && value.text().size() > kMaxHashKeyBytes) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
        "limit of2048 bytes");
  }
  if (!is_hash && value.text().size() > kMaxRangeKeyBytes) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded "
        "the size limit of 1024 bytes");
  }
  return Status::Ok();
}

Status ValidateItemKey(const TableSpec& spec, const Item& item) {
  auto check = [&item](const KeyAttribute& attr, bool is_hash) -> Status {
    auto it = item.find(attr.name);
    if (it == item.end()) {
      return Status::InvalidArgument("One or more parameter values were invalid: Missing the key " +
                                     attr.name + " in the item");
    }
    return ValidateKeyValue(attr, is_hash, it->second, /*in_item=*/true);
  };
  TRIB_RETURN_IF_ERROR(check(spec.hash_key, true));
  if (spec.range_key) TRIB_RETURN_IF_ERROR(check(*spec.range_key, false));
  return Status::Ok();
}

Status ValidateKey(const TableSpec& spec, const Item& key) {
  size_t expected = spec.range_key ? 2 : 1;
  if (key.size() != expected) return KeyMismatch();
  auto check = [&key](const KeyAttribute& attr, bool is_hash) -> Status {
    auto it = key.find(attr.name);
    if (it == key.end()) return KeyMismatch();
    return ValidateKeyValue(attr, is_hash, it->second, /*in_item=*/false);
  };
  TRIB_RETURN_IF_ERROR(check(spec.hash_key, true));
  if (spec.range_key) TRIB_RETURN_IF_ERROR(check(*spec.range_key, false));
  return Status::Ok();
}

Item ExtractKey(const TableSpec& spec, const Item& item) {
  Item key;
  auto copy = [&](const KeyAttribute& attr) {
    auto it = item.find(attr.name);
    if (it != item.end()) key.emplace(it->first, it->second);
  };
  copy(spec.hash_key);
  if (spec.range_key) copy(*spec.range_key);
  return key;
}

std::string TablePrefix(uint32_t table_id) {
  std::string out;
  AppendBigEndian32(out, table_id);
  return out;
}

std::string PartitionPrefix(uint32_t table_id, const AttributeValue& hash_value) {
  std::string out;
  out.reserve(32);
  AppendBigEndian32(out, table_id);
  AppendKeyValue(&out, hash_value);
  return out;
}

std::string EncodeItemKey(uint32_t table_id, const TableSpec& spec, const Item& item,
                          size_t* partition_len) {
  std::string out;
  out.reserve(48);
  AppendBigEndian32(out, table_id);
  AppendKeyValue(&out, item.find(spec.hash_key.name)->second);
  if (partition_len != nullptr) *partition_len = out.size() - 4;
  if (spec.range_key) AppendKeyValue(&out, item.find(spec.range_key->name)->second);
  return out;
}

}  // namespace tributary::table
