#include "table/table_stream.h"

#include <cstdio>
#include <cstring>

#include "core/encoding.h"
#include "table/item_codec.h"

namespace tributary::table {

namespace {

bool IncludesNew(StreamViewType t) {
  return t == StreamViewType::kNewImage || t == StreamViewType::kNewAndOldImages;
}
bool IncludesOld(StreamViewType t) {
  return t == StreamViewType::kOldImage || t == StreamViewType::kNewAndOldImages;
}

uint64_t Mix64(uint64_t x) {  // splitmix64 finalizer: a bijection on 64-bit values
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

std::string FormatSequenceNumber(uint64_t counter) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "1%020llu", static_cast<unsigned long long>(counter));
  return buf;
}

Result<uint64_t> ParseSequenceNumber(std::string_view text) {
  auto invalid = [&text]() {
    return Status::InvalidArgument("Invalid SequenceNumber: " + std::string(text));
  };
  if (text.size() != 21 || text[0] != '1') return invalid();
  uint64_t v = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return invalid();
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return invalid();
    v = v * 10 + d;
  }
  return v;
}

std::string StreamKey(uint32_t table_id, uint32_t shard, uint64_t counter) {
  std::string key;
  key.reserve(kStreamKeySize);
  AppendBigEndian32(key, table_id);
  AppendBigEndian32(key, shard);
  AppendBigEndian64(key, counter);
  return key;
}

std::string StreamShardPrefix(uint32_t table_id, uint32_t shard) {
  std::string key;
  AppendBigEndian32(key, table_id);
  AppendBigEndian32(key, shard);
  return key;
}

uint64_t StreamKeyCounter(std::string_view key) { return ReadBigEndian64(key.data() + 8); }

uint32_t ShardForPartition(std::string_view encoded_partition_key, uint32_t shard_count) {
  if (shard_count <= 1) return 0;
  uint64_t h = 14695981039346656037ULL;
  for (char c : encoded_partition_key) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return static_cast<uint32_t>(Mix64(h) % shard_count);
}

void EncodeStreamRecord(const StreamRecordInput& in, std::string* out) {
  out->push_back('\x01');
  AppendBigEndian64(*out, static_cast<uint64_t>(in.create_ms));
  out->push_back(static_cast<char>(in.event_name));
  out->push_back(static_cast<char>(in.view_type));
  out->append(16, '\0');  // event id
  PutVarint(out, static_cast<uint64_t>(in.size_bytes));
  PutLengthPrefixed(out, in.keys);
  const std::string* new_image = IncludesNew(in.view_type) ? in.new_image : nullptr;
  const std::string* old_image = IncludesOld(in.view_type) ? in.old_image : nullptr;
  out->push_back(static_cast<char>((new_image ? 1 : 0) | (old_image ? 2 : 0) | (in.by_service ? 4 : 0)));
  if (new_image) PutLengthPrefixed(out, *new_image);
  if (old_image) PutLengthPrefixed(out, *old_image);
}

void SetEventId(std::string* record, uint64_t counter, uint64_t salt) {
  // Distinct counters give distinct high halves (Mix64 is a bijection), so ids never repeat
  // within one salt; the salt changes per engine instance.
  std::string id;
  AppendBigEndian64(id, Mix64(counter ^ salt));
  AppendBigEndian64(id, Mix64(counter + 0x9e3779b97f4a7c15ULL * (salt | 1)));
  std::memcpy(record->data() + kEventIdOffset, id.data(), 16);
}

int64_t StreamRecordCreateMillis(std::string_view record) {
  if (record.size() < 9) return 0;
  return static_cast<int64_t>(ReadBigEndian64(record.data() + 1));
}

Result<ChangeRecord> DecodeStreamRecord(std::string_view in, uint64_t counter, std::string_view region) {
  const Status corrupt = Status::DataLoss("corrupt stream record");
  if (in.size() < kEventIdOffset + 16 || in[0] != '\x01') return corrupt;
  ChangeRecord r;
  r.approximate_creation_date_time = static_cast<int64_t>(ReadBigEndian64(in.data() + 1)) / 1000;
  auto name = static_cast<uint8_t>(in[9]);
  auto view = static_cast<uint8_t>(in[10]);
  if (name > static_cast<uint8_t>(EventName::kRemove) ||
      view > static_cast<uint8_t>(StreamViewType::kNewAndOldImages)) {
    return corrupt;
  }
  r.event_name = static_cast<EventName>(name);
  r.stream_view_type = static_cast<StreamViewType>(view);
  r.event_id = HexEncode(in.substr(kEventIdOffset, 16));
  r.aws_region = region;
  r.sequence_number = FormatSequenceNumber(counter);
  in.remove_prefix(kEventIdOffset + 16);
  uint64_t size = 0;
  std::string_view bytes;
  if (!GetVarint(&in, &size) || !GetLengthPrefixed(&in, &bytes) || in.empty()) return corrupt;
  r.size_bytes = static_cast<int64_t>(size);
  TRIB_ASSIGN_OR_RETURN(r.keys, DecodeItem(bytes));
  uint8_t flags = static_cast<uint8_t>(in.front());
  in.remove_prefix(1);
  if (flags & 4) {
    r.user_identity_type = "Service";
    r.user_identity_principal_id = "dynamodb.amazonaws.com";
  }
  if (flags & 1) {
    if (!GetLengthPrefixed(&in, &bytes)) return corrupt;
    TRIB_ASSIGN_OR_RETURN(r.new_image, DecodeItem(bytes));
  }
  if (flags & 2) {
    if (!GetLengthPrefixed(&in, &bytes)) return corrupt;
    TRIB_ASSIGN_OR_RETURN(r.old_image, DecodeItem(bytes));
  }
  return r;
}

}  // namespace tributary::table
