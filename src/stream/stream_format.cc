#include "stream/stream_format.h"

#include <algorithm>
#include <limits>

namespace tributary::stream::format {
namespace {

// Writes `v` as exactly `width` decimal digits ending at out[width-1]; the caller guarantees fit.
void WriteDigits(char* out, size_t width, uint64_t v) {
  for (size_t i = width; i > 0; --i, v /= 10) out[i - 1] = static_cast<char>('0' + v % 10);
}

// Parses exactly the digits of `s`; false on a non-digit or on overflow of uint64.
bool ReadDigits(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

constexpr std::string_view kSequenceVersion = "49";
constexpr std::string_view kShardIdPrefix = "shardId-";
constexpr size_t kShardIdDigits = 12;
constexpr uint8_t kDescriptorVersion = 1;
constexpr size_t kDescriptorSize = 1 + 4 + 4 + 4 + 8;

}  // namespace

std::string StreamPrefix(char tag, uint32_t stream_id) {
  std::string s(kStreamPrefixSize, '\0');
  s[0] = tag;
  PutBig32(s.data() + 1, stream_id);
  return s;
}

std::string ShardPrefix(char tag, uint32_t stream_id, uint32_t shard) {
  std::string s(kShardPrefixSize, '\0');
  s[0] = tag;
  PutBig32(s.data() + 1, stream_id);
  PutBig32(s.data() + 5, shard);
  return s;
}

std::string CheckpointKey(uint32_t stream_id, std::string_view key) {
  std::string s = StreamPrefix(kCheckpointTag, stream_id);
  s.append(key);
  return s;
}

std::string StreamKey(std::string_view name) {
  std::string s(1, kStreamTag);
  s.append(name);
  return s;
}

Result<RecordView> DecodeRecordValue(std::string_view value) {
  if (value.size() < kRecordHeaderSize) {
    return Status::DataLoss("stream record value shorter than its header");
  }
  const size_t pk_size =
      (static_cast<size_t>(static_cast<uint8_t>(value[8])) << 8) | static_cast<uint8_t>(value[9]);
  if (value.size() < kRecordHeaderSize + pk_size) {
    return Status::DataLoss("stream record value shorter than its partition key");
  }
  RecordView r;
  r.arrival_ms = RecordArrivalMs(value);
  r.partition_key = value.substr(kRecordHeaderSize, pk_size);
  r.data = value.substr(kRecordHeaderSize + pk_size);
  return r;
}

std::string EncodeStreamDescriptor(const StreamDescriptor& d) {
  std::string s(kDescriptorSize, '\0');
  s[0] = static_cast<char>(kDescriptorVersion);
  PutBig32(s.data() + 1, d.id);
  PutBig32(s.data() + 5, d.shard_count);
  PutBig32(s.data() + 9, d.retention_hours);
  PutBig64(s.data() + 13, static_cast<uint64_t>(d.creation_ms));
  return s;
}

Result<StreamDescriptor> DecodeStreamDescriptor(std::string_view name, std::string_view value) {
  if (value.size() != kDescriptorSize || static_cast<uint8_t>(value[0]) != kDescriptorVersion) {
    return Status::DataLoss("bad descriptor for stream " + std::string(name));
  }
  StreamDescriptor d;
  d.name = std::string(name);
  d.id = GetBig32(value.data() + 1);
  d.shard_count = GetBig32(value.data() + 5);
  d.retention_hours = GetBig32(value.data() + 9);
  d.creation_ms = static_cast<int64_t>(GetBig64(value.data() + 13));
  if (d.shard_count == 0 || d.shard_count > static_cast<uint32_t>(kMaxShardCount)) {
    return Status::DataLoss("bad shard count in descriptor of stream " + d.name);
  }
  return d;
}

std::string SequencePrefix(int64_t stream_creation_ms, uint32_t stream_id, uint32_t shard) {
  std::string s(kSequencePrefixDigits, '0');
  s.replace(0, 2, kSequenceVersion);
  WriteDigits(s.data() + 2, 20, static_cast<uint64_t>(stream_creation_ms));
  WriteDigits(s.data() + 22, 10, stream_id);
  WriteDigits(s.data() + 32, 4, shard);
  return s;
}

std::string FormatSequenceNumber(std::string_view prefix, uint64_t counter) {
  std::string s(kSequenceNumberDigits, '0');
  std::copy(prefix.begin(), prefix.end(), s.begin());
  WriteDigits(s.data() + kSequencePrefixDigits, 20, counter);
  return s;
}

void FormatSequenceNumberInto(std::string_view prefix, uint64_t counter, std::string* out) {
  out->resize(kSequenceNumberDigits);
  std::copy(prefix.begin(), prefix.end(), out->begin());
  WriteDigits(out->data() + kSequencePrefixDigits, 20, counter);
}

std::string FormatSequenceNumber(const SequenceParts& p) {
  return FormatSequenceNumber(SequencePrefix(p.stream_creation_ms, p.stream_id, p.shard),
                              p.counter);
}

Result<SequenceParts> ParseSequenceNumber(std::string_view s) {
  auto invalid = [&] {
    return Status::InvalidArgument("invalid sequence number '" + std::string(s.substr(0, 80)) +
                                   "' for this stream");
  };
  if (s.size() != kSequenceNumberDigits || s.substr(0, 2) != kSequenceVersion) return invalid();
  uint64_t creation = 0, stream_id = 0, shard = 0, counter = 0;
  if (!ReadDigits(s.substr(2, 20), &creation) || !ReadDigits(s.substr(22, 10), &stream_id) ||
      !ReadDigits(s.substr(32, 4), &shard) || !ReadDigits(s.substr(36, 20), &counter) ||
      creation > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
      stream_id > std::numeric_limits<uint32_t>::max()) {
    return invalid();
  }
  SequenceParts p;
  p.stream_creation_ms = static_cast<int64_t>(creation);
  p.stream_id = static_cast<uint32_t>(stream_id);
  p.shard = static_cast<uint32_t>(shard);
  p.counter = counter;
  return p;
}

std::string ShardIdOf(uint32_t index) {
  std::string s(kShardIdPrefix.size() + kShardIdDigits, '0');
  std::copy(kShardIdPrefix.begin(), kShardIdPrefix.end(), s.begin());
  WriteDigits(s.data() + kShardIdPrefix.size(), kShardIdDigits, index);
  return s;
}

std::optional<uint32_t> ParseShardId(std::string_view shard_id) {
  if (shard_id.size() != kShardIdPrefix.size() + kShardIdDigits ||
      shard_id.substr(0, kShardIdPrefix.size()) != kShardIdPrefix) {
    return std::nullopt;
  }
  uint64_t v = 0;
  if (!ReadDigits(shard_id.substr(kShardIdPrefix.size()), &v) ||
      v > std::numeric_limits<uint32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

std::vector<uint128> StartingHashKeys(uint32_t shard_count) {
  // 2^128 = q * n + r with 0 <= r < n, computed without overflowing 128 bits; then
  // floor(i * 2^128 / n) = i*q + floor(i*r / n).
  const uint128 max = ~uint128{0};
  const uint128 n = shard_count;
  uint128 q = max / n;
  uint128 r = max % n + 1;
  if (r == n) {
    ++q;
    r = 0;
  }
  std::vector<uint128> starts(shard_count);
  for (uint32_t i = 0; i < shard_count; ++i) starts[i] = q * i + (r * i) / n;
  return starts;
}

uint32_t ShardForHashKey(std::span<const uint128> starting_hash_keys, uint128 hash_key) {
  // The last start <= hash_key; starts[0] is 0 so there always is one.
  auto it = std::upper_bound(starting_hash_keys.begin(), starting_hash_keys.end(), hash_key);
  return static_cast<uint32_t>(it - starting_hash_keys.begin() - 1);
}

bool IsValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

size_t Utf8CharCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace tributary::stream::format
