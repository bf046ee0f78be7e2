#include "table/table_metadata.h"

#include <cstdio>
#include <map>

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

Status ValidateTableName(std::string_view name) { return ValidateName(name, "tableName"); }

Status ValidateName(std::string_view name, std::string_view field) {
  if (name.size() < 3) {
    return ConstraintError(name, field, "Member must have length greater than or equal to 3");
  }
  if (name.size() > 255) {
    return ConstraintError(name, field, "Member must have length less than or equal to 255");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) {
      return ConstraintError(name, field, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

Status ValidateIndexSpec(const TableSpec& spec, const IndexSpec& index) {
  const std::string invalid = "One or more parameter values were invalid: ";
  TRIB_RETURN_IF_ERROR(ValidateKeyAttribute(index.hash_key));
  if (index.range_key) {
    TRIB_RETURN_IF_ERROR(ValidateKeyAttribute(*index.range_key));
    if (index.range_key->name == index.hash_key.name) {
      return Status::InvalidArgument(
          "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the "
          "same name");
    }
  }
  if (index.local) {
    if (!spec.range_key) {
      return Status::InvalidArgument(
          invalid + "Table KeySchema does not have a range key, which is required when specifying a "
                    "LocalSecondaryIndex");
    }
    if (!index.range_key) {
      return Status::InvalidArgument(invalid + "Index KeySchema does not have a range key for index: " +
                                     index.name);
    }
    if (index.hash_key.name != spec.hash_key.name) {
      return Status::InvalidArgument(invalid +
                                     "Index KeySchema does not have the same leading hash key as table "
                                     "KeySchema for index: " +
                                     index.name + ". index hash key: " + index.hash_key.name +
                                     ", table hash key: " + spec.hash_key.name);
    }
  }
  if (index.projection == ProjectionType::kInclude) {
    if (index.non_key_attributes.empty()) {
      return Status::InvalidArgument(invalid + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    }
    if (index.non_key_attributes.size() > kMaxProjectedNonKeyAttributes) {
      return Status::InvalidArgument(
          invalid + "Number of NonKeyAttributes in all indexes exceeds limit. Limit: 100");
    }
  } else if (!index.non_key_attributes.empty()) {
    return Status::InvalidArgument(invalid + "ProjectionType is " +
                                   std::string(ProjectionTypeName(index.projection)) +
                                   ", but NonKeyAttributes is specified");
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
  size_t globals = 0, locals = 0;
  std::map<std::string, AttributeType, std::less<>> types;
  auto same_type = [&types](const KeyAttribute& k) -> Status {
    auto [it, inserted] = types.emplace(k.name, k.type);
    if (!inserted && it->second != k.type) {
      return Status::InvalidArgument(
          "One or more parameter values were invalid: Some AttributeDefinitions are not valid. "
          "AttributeDefinitions contain conflicting types for attribute: " +
          k.name);
    }
    return Status::Ok();
  };
  TRIB_RETURN_IF_ERROR(same_type(spec.hash_key));
  if (spec.range_key) TRIB_RETURN_IF_ERROR(same_type(*spec.range_key));
  for (size_t i = 0; i < spec.indexes.size(); ++i) {
    const IndexSpec& index = spec.indexes[i];
    TRIB_RETURN_IF_ERROR(ValidateName(index.name, "indexName"));
    for (size_t j = 0; j < i; ++j) {
      if (spec.indexes[j].name == index.name) {
        return Status::InvalidArgument("One or more parameter values were invalid: Duplicate index name: " +
                                       index.name);
      }
    }
    TRIB_RETURN_IF_ERROR(ValidateIndexSpec(spec, index));
    TRIB_RETURN_IF_ERROR(same_type(index.hash_key));
    if (index.range_key) TRIB_RETURN_IF_ERROR(same_type(*index.range_key));
    (index.local ? locals : globals)++;
  }
  if (globals > kMaxGlobalIndexes) {
    return Status::ResourceExhausted(
        "Subscriber limit exceeded: The number of global secondary indexes for this table exceeds the "
        "limit of 20");
  }
  if (locals > kMaxLocalIndexes) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table "
        "limit of 5");
  }
  return Status::Ok();
}

std::vector<KeyAttribute> EffectiveAttributeDefinitions(const TableSpec& spec) {
  if (!spec.attribute_definitions.empty()) return spec.attribute_definitions;
  std::vector<KeyAttribute> out;
  auto add = [&out](const KeyAttribute& k) {
    for (const auto& o : out) {
      if (o.name == k.name) return;
    }
    out.push_back(k);
  };
  add(spec.hash_key);
  if (spec.range_key) add(*spec.range_key);
  for (const auto& i : spec.indexes) {
    add(i.hash_key);
    if (i.range_key) add(*i.range_key);
  }
  return out;
}

std::string_view ProjectionTypeName(ProjectionType type) {
  switch (type) {
    case ProjectionType::kAll: return "ALL";
    case ProjectionType::kKeysOnly: return "KEYS_ONLY";
    case ProjectionType::kInclude: return "INCLUDE";
  }
  return "ALL";
}

std::string_view BillingModeName(BillingMode mode) {
  return mode == BillingMode::kProvisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
}

namespace {

void PutKeyAttribute(std::string* out, const KeyAttribute& k) {
  PutLengthPrefixed(out, k.name);
  out->push_back(static_cast<char>(k.type));
}

bool GetKeyAttribute(std::string_view* in, KeyAttribute* k) {
  std::string_view s;
  if (!GetLengthPrefixed(in, &s) || in->empty()) return false;
  k->name = s;
  k->type = static_cast<AttributeType>(in->front());
  in->remove_prefix(1);
  return true;
}

}  // namespace

// Format: version (1 or 2), table_id, creation ms, name, hash (name, type), has_range [range],
// stream view (0xFF = none), shard count, shard ids. Version 2 appends: billing mode, read and
// write throughput, attribute definitions, indexes (name, local, hash, has_range [range],
// projection, non-key attributes, read, write, index id), TTL (enabled, attribute), tags.
std::string EncodeTableMeta(const TableMeta& meta) {
  std::string out;
  out.push_back('\x02');
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
  // Version 2.
  const TableSpec& spec = meta.spec;
  out.push_back(static_cast<char>(spec.billing_mode));
  PutVarint(&out, static_cast<uint64_t>(spec.throughput.read));
  PutVarint(&out, static_cast<uint64_t>(spec.throughput.write));
  PutVarint(&out, spec.attribute_definitions.size());
  for (const auto& a : spec.attribute_definitions) PutKeyAttribute(&out, a);
  PutVarint(&out, spec.indexes.size());
  for (size_t i = 0; i < spec.indexes.size(); ++i) {
    const IndexSpec& index = spec.indexes[i];
    PutLengthPrefixed(&out, index.name);
    out.push_back(index.local ? '\1' : '\0');
    PutKeyAttribute(&out, index.hash_key);
    out.push_back(index.range_key ? '\1' : '\0');
    if (index.range_key) PutKeyAttribute(&out, *index.range_key);
    out.push_back(static_cast<char>(index.projection));
    PutVarint(&out, index.non_key_attributes.size());
    for (const auto& n : index.non_key_attributes) PutLengthPrefixed(&out, n);
    PutVarint(&out, static_cast<uint64_t>(index.throughput.read));
    PutVarint(&out, static_cast<uint64_t>(index.throughput.write));
    PutVarint(&out, i < meta.index_ids.size() ? meta.index_ids[i] : 0);
  }
  out.push_back(meta.ttl.enabled ? '\1' : '\0');
  PutLengthPrefixed(&out, meta.ttl.attribute);
  PutVarint(&out, meta.tags.size());
  for (const auto& [k, v] : meta.tags) {
    PutLengthPrefixed(&out, k);
    PutLengthPrefixed(&out, v);
  }
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
  if (!get_byte(&b) || (b != 1 && b != 2)) return corrupt;
  const uint8_t version = b;
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
  if (version == 1) return meta;
  TableSpec& spec = meta.spec;
  uint64_t r = 0, w = 0;
  if (!get_byte(&b) || !GetVarint(&in, &r) || !GetVarint(&in, &w)) return corrupt;
  spec.billing_mode = static_cast<BillingMode>(b);
  spec.throughput = {static_cast<int64_t>(r), static_cast<int64_t>(w)};
  if (!GetVarint(&in, &v)) return corrupt;
  for (uint64_t i = 0; i < v; ++i) {
    KeyAttribute k;
    if (!GetKeyAttribute(&in, &k)) return corrupt;
    spec.attribute_definitions.push_back(std::move(k));
  }
  if (!GetVarint(&in, &v)) return corrupt;
  for (uint64_t i = 0; i < v; ++i) {
    IndexSpec index;
    if (!GetLengthPrefixed(&in, &s) || !get_byte(&b)) return corrupt;
    index.name = s;
    index.local = b != 0;
    if (!GetKeyAttribute(&in, &index.hash_key) || !get_byte(&b)) return corrupt;
    if (b) {
      index.range_key.emplace();
      if (!GetKeyAttribute(&in, &*index.range_key)) return corrupt;
    }
    uint64_t n = 0;
    if (!get_byte(&b) || !GetVarint(&in, &n)) return corrupt;
    index.projection = static_cast<ProjectionType>(b);
    for (uint64_t j = 0; j < n; ++j) {
      if (!GetLengthPrefixed(&in, &s)) return corrupt;
      index.non_key_attributes.emplace_back(s);
    }
    uint64_t id = 0;
    if (!GetVarint(&in, &r) || !GetVarint(&in, &w) || !GetVarint(&in, &id)) return corrupt;
    index.throughput = {static_cast<int64_t>(r), static_cast<int64_t>(w)};
    spec.indexes.push_back(std::move(index));
    meta.index_ids.push_back(static_cast<uint32_t>(id));
  }
  if (!get_byte(&b) || !GetLengthPrefixed(&in, &s)) return corrupt;
  meta.ttl.enabled = b != 0;
  meta.ttl.attribute = s;
  if (!GetVarint(&in, &v)) return corrupt;
  for (uint64_t i = 0; i < v; ++i) {
    std::string_view key, value;
    if (!GetLengthPrefixed(&in, &key) || !GetLengthPrefixed(&in, &value)) return corrupt;
    meta.tags.emplace(std::string(key), std::string(value));
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

namespace tributary::table {

std::string MakeTableUuid(uint32_t table_id, int64_t creation_time_ms) {
  uint64_t a = 0x9e3779b97f4a7c15ULL ^ (static_cast<uint64_t>(table_id) << 20) ^ static_cast<uint64_t>(creation_time_ms);
  uint64_t b = static_cast<uint64_t>(creation_time_ms) * 0xbf58476d1ce4e5b9ULL + table_id;
  for (uint64_t* x : {&a, &b}) {
    *x ^= *x >> 30;
    *x *= 0x94d049bb133111ebULL;
    *x ^= *x >> 31;
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<uint32_t>(a >> 32),
                static_cast<uint32_t>((a >> 16) & 0xFFFF), static_cast<uint32_t>(a & 0xFFF),
                static_cast<uint32_t>(0x8000 | ((b >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace tributary::table
