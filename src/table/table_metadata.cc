#include "table/table_metadata.h"

#include <cstdio>

#include "table/item_codec.h"

namespace tributary::table {

namespace {

Status ConstraintError(std::string_view value, std::string_view field, std::string_view constraint) {
  return Status::InvalidArgument("1 validation error detected: Value '" + std::string(value) + "' at '" +
                                 std::string(field) + "' failed to satisfy constraint: " +
                                 std::string(constraint));
}

bool IsKeyType(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

Status ValidateKeyAttribute(const KeyAttribute& key) {
  if (key.name.empty()) {
    return ConstraintError(key.name, "keySchema.member.attributeName",
                           "Member must have length greater than or equal to 1");
  }
  if (key.name.size() > 255) {
    return ConstraintError(key.name, "keySchema.member.attributeName",
                           "Member must have length less than or equal to 255");
  }
  if (!IsKeyType(key.type)) {
    return ConstraintError(AttributeTypeName(key.type), "attributeDefinitions.member.attributeType",
                           "Member must satisfy enum value set: [B, N, S]");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTableName(std::string_view name) {
  if (name.size() < 3) {
    return ConstraintError(name, "tableName", "Member must have length greater than or equal to 3");
  }
  if (name.size() > 255) {
    return ConstraintError(name, "tableName", "Member must have length less than or equal to 255");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) {
      return ConstraintError(name, "tableName",
                             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

Status ValidateTableSpec(const TableSpec& spec) {
  TRIB_RETURN_IF_ERROR(ValidateTableName(spec.name));
  TRIB_RETURN_IF_ERROR(ValidateKeyAttribute(spec.hash_key));
  if (spec.range_key) {
    TRIB_RETURN_IF_ERROR(ValidateKeyAttribute(*spec.range_key));
    if (spec.range_key->name == spec.hash_key.name) {
      return Status::InvalidArgument(
          "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the "
          "same name");
    }
  }
  if (spec.stream_shard_count < 1 || spec.stream_shard_count > kMaxStreamShards) {
    return Status::InvalidArgument("stream shard count must be between 1 and " +
                                   std::to_string(kMaxStreamShards) + ", got " +
                                   std::to_string(spec.stream_shard_count));
  }
  return Status::Ok();
}

// Format: version 1, table_id, creation ms, name, hash (name, type), has_range [range],
// stream view (0xFF = none), shard count, shard ids.
std::string EncodeTableMeta(const TableMeta& meta) {
  std::string out;
  out.push_back('\x01');
  PutVarint(&out, meta.table_id);
  PutVarint(&out, static_cast<uint64_t>(meta.creation_time_ms));
  PutLengthPrefixed(&out, meta.spec.name);
  PutLengthPrefixed(&out, meta.spec.hash_key.name);
  out.push_back(static_cast<char>(meta.spec.hash_key.type));
  out.push_back(meta.spec.range_key ? '\1' : '\0');
  if (meta.spec.range_key) {
    PutLengthPrefixed(&out, meta.spec.range_key->name);
    out.push_back(static_cast<char>(meta.spec.range_key->type));
  }
  out.push_back(meta.spec.stream_view_type ? static_cast<char>(*meta.spec.stream_view_type) : '\xFF');
  PutVarint(&out, static_cast<uint64_t>(meta.spec.stream_shard_count));
  PutVarint(&out, meta.shard_ids.size());
  for (const auto& id : meta.shard_ids) PutLengthPrefixed(&out, id);
  return out;
}

Result<TableMeta> DecodeTableMeta(std::string_view in) {
  const Status corrupt = Status::DataLoss("corrupt table metadata");
  TableMeta meta;
  uint64_t v = 0;
  std::string_view s;
  auto get_byte = [&in](uint8_t* b) {
    if (in.empty()) return false;
    *b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    return true;
  };
  uint8_t b = 0;
  if (!get_byte(&b) || b != 1) return corrupt;
  if (!GetVarint(&in, &v)) return corrupt;
  meta.table_id = static_cast<uint32_t>(v);
  if (!GetVarint(&in, &v)) return corrupt;
  meta.creation_time_ms = static_cast<int64_t>(v);
  if (!GetLengthPrefixed(&in, &s)) return corrupt;
  meta.spec.name = s;
  if (!GetLengthPrefixed(&in, &s) || !get_byte(&b)) return corrupt;
  meta.spec.hash_key = {std::string(s), static_cast<AttributeType>(b)};
  if (!get_byte(&b)) return corrupt;
  if (b) {
    if (!GetLengthPrefixed(&in, &s) || !get_byte(&b)) return corrupt;
    meta.spec.range_key = KeyAttribute{std::string(s), static_cast<AttributeType>(b)};
  }
  if (!get_byte(&b)) return corrupt;
  if (b != 0xFF) meta.spec.stream_view_type = static_cast<StreamViewType>(b);
  if (!GetVarint(&in, &v)) return corrupt;
  meta.spec.stream_shard_count = static_cast<int>(v);
  if (!GetVarint(&in, &v) || v > kMaxStreamShards) return corrupt;
  for (uint64_t i = 0; i < v; ++i) {
    if (!GetLengthPrefixed(&in, &s)) return corrupt;
    meta.shard_ids.emplace_back(s);
  }
  return meta;
}

std::string TableArn(std::string_view region, std::string_view account_id, std::string_view table) {
  std::string arn = "arn:aws:dynamodb:";
  arn.append(region).append(":").append(account_id).append(":table/").append(table);
  return arn;
}

std::string MakeShardId(int64_t creation_time_ms, uint32_t table_id, int index) {
  // FNV-1a over (table id, index) gives a stable, distinct-looking suffix per shard.
  uint32_t h = 2166136261u;
  auto mix = [&h](uint32_t x) {
    for (int i = 0; i < 4; ++i) {
      h ^= (x >> (8 * i)) & 0xFF;
      h *= 16777619u;
    }
  };
  mix(table_id);
  mix(static_cast<uint32_t>(index));
  mix(static_cast<uint32_t>(creation_time_ms));
  // The low byte is the index itself, so a table's shard ids are always distinct.
  h = (h & 0xFFFFFF00u) | (static_cast<uint32_t>(index) & 0xFFu);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "shardId-%020lld-%08x", static_cast<long long>(creation_time_ms), h);
  return buf;
}

}  // namespace tributary::table
