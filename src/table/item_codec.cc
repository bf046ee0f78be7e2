#include "table/item_codec.h"

#include <vector>

namespace tributary::table {

void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

void PutLengthPrefixed(std::string* out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes);
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes) {
  uint64_t len = 0;
  if (!GetVarint(in, &len) || len > in->size()) return false;
  *bytes = in->substr(0, len);
  in->remove_prefix(len);
  return true;
}

namespace {

void EncodeValue(const AttributeValue& v, std::string* out);

void EncodeAttrs(const AttributeMap& attrs, std::string* out) {
  PutVarint(out, attrs.size());
  for (const auto& [name, value] : attrs) {
    PutLengthPrefixed(out, name);
    EncodeValue(value, out);
  }
}

void EncodeValue(const AttributeValue& v, std::string* out) {
  out->push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case AttributeType::kS:
    case AttributeType::kN:
    case AttributeType::kB:
      PutLengthPrefixed(out, v.text());
      break;
    case AttributeType::kBool:
      out->push_back(v.boolean() ? '\1' : '\0');
      break;
    case AttributeType::kNull:
      break;
    case AttributeType::kM:
      EncodeAttrs(v.map(), out);
      break;
    case AttributeType::kL:
      PutVarint(out, v.list().size());
      for (const auto& e : v.list()) EncodeValue(e, out);
      break;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS:
      PutVarint(out, v.set().size());
      for (const auto& e : v.set()) PutLengthPrefixed(out, e);
      break;
  }
}

Status Corrupt() { return Status::DataLoss("corrupt item encoding"); }

constexpr int kMaxDepth = 64;

Status DecodeAttrs(std::string_view* in, AttributeMap* out, int depth);

Status DecodeValue(std::string_view* in, AttributeValue* out, int depth) {
  if (in->empty() || depth > kMaxDepth) return Corrupt();
  auto type = static_cast<AttributeType>(static_cast<uint8_t>(in->front()));
  in->remove_prefix(1);
  std::string_view bytes;
  uint64_t count = 0;
  switch (type) {
    case AttributeType::kS:
      if (!GetLengthPrefixed(in, &bytes)) return Corrupt();
      *out = AttributeValue::S(std::string(bytes));
      return Status::Ok();
    case AttributeType::kB:
      if (!GetLengthPrefixed(in, &bytes)) return Corrupt();
      *out = AttributeValue::B(std::string(bytes));
      return Status::Ok();
    case AttributeType::kN: {
      if (!GetLengthPrefixed(in, &bytes)) return Corrupt();
      auto n = AttributeValue::N(bytes);
      if (!n.ok()) return Corrupt();
      *out = std::move(n).value();
      return Status::Ok();
    }
    case AttributeType::kBool:
      if (in->empty()) return Corrupt();
      *out = AttributeValue::Bool(in->front() != '\0');
      in->remove_prefix(1);
      return Status::Ok();
    case AttributeType::kNull:
      *out = AttributeValue::Null();
      return Status::Ok();
    case AttributeType::kM: {
      AttributeMap map;
      TRIB_RETURN_IF_ERROR(DecodeAttrs(in, &map, depth + 1));
      *out = AttributeValue::M(std::move(map));
      return Status::Ok();
    }
    case AttributeType::kL: {
      if (!GetVarint(in, &count) || count > in->size()) return Corrupt();
      AttributeList list(count);
      for (auto& e : list) TRIB_RETURN_IF_ERROR(DecodeValue(in, &e, depth + 1));
      *out = AttributeValue::L(std::move(list));
      return Status::Ok();
    }
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS: {
      if (!GetVarint(in, &count) || count > in->size()) return Corrupt();
      std::vector<std::string> members;
      members.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        if (!GetLengthPrefixed(in, &bytes)) return Corrupt();
        members.emplace_back(bytes);
      }
      Result<AttributeValue> set = type == AttributeType::kSS   ? AttributeValue::SS(std::move(members))
                                   : type == AttributeType::kNS ? AttributeValue::NS(std::move(members))
                                                                : AttributeValue::BS(std::move(members));
      if (!set.ok()) return Corrupt();
      *out = std::move(set).value();
      return Status::Ok();
    }
  }
  return Corrupt();
}

Status DecodeAttrs(std::string_view* in, AttributeMap* out, int depth) {
  uint64_t count = 0;
  if (!GetVarint(in, &count) || count > in->size()) return Corrupt();
  auto hint = out->end();
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name;
    if (!GetLengthPrefixed(in, &name)) return Corrupt();
    AttributeValue value;
    TRIB_RETURN_IF_ERROR(DecodeValue(in, &value, depth));
    hint = out->emplace_hint(hint, std::string(name), std::move(value));
    ++hint;
  }
  return Status::Ok();
}

}  // namespace

void EncodeItem(const Item& item, size_t size_bytes, std::string* out) {
  out->push_back(static_cast<char>(kItemFormatV1));
  PutVarint(out, size_bytes);
  EncodeAttrs(item, out);
}

std::string EncodeItem(const Item& item) {
  std::string out;
  EncodeItem(item, ItemSizeBytes(item), &out);
  return out;
}

Result<uint64_t> EncodedItemSizeBytes(std::string_view data) {
  if (data.empty() || static_cast<uint8_t>(data[0]) != kItemFormatV1) return Corrupt();
  data.remove_prefix(1);
  uint64_t size = 0;
  if (!GetVarint(&data, &size)) return Corrupt();
  return size;
}

Result<Item> DecodeItem(std::string_view data) {
  if (data.empty() || static_cast<uint8_t>(data[0]) != kItemFormatV1) return Corrupt();
  data.remove_prefix(1);
  uint64_t size = 0;
  if (!GetVarint(&data, &size)) return Corrupt();
  Item item;
  TRIB_RETURN_IF_ERROR(DecodeAttrs(&data, &item, 0));
  if (!data.empty()) return Corrupt();
  return item;
}

}  // namespace tributary::table
