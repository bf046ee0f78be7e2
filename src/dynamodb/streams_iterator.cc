#include "dynamodb/streams_iterator.h"

#include <cstring>
#include <ctime>

#include "core/encoding.h"

namespace tributary::dynamodb {

namespace {

constexpr std::string_view kSecret = "tributary-shard-iterator-v1";
constexpr std::string_view kSeparator = "|1|";

std::string Mac(std::string_view arn, std::string_view payload) {
  std::string input(kSecret);
  input.push_back('|');
  input.append(arn);
  input.push_back('|');
  input.append(payload);
  auto digest = Md5(input);
  return std::string(reinterpret_cast<const char*>(digest.data()), 8);
}

std::string JavaDate(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

}  // namespace

std::string EncodeShardIterator(const ShardIteratorState& state) {
  std::string payload;
  payload.push_back('\x01');
  payload.push_back(state.position.trim_horizon ? '\x00' : '\x01');
  AppendBigEndian64(payload, state.position.trim_horizon ? 0 : state.position.after);
  AppendBigEndian64(payload, static_cast<uint64_t>(state.created_ms));
  payload.push_back(static_cast<char>(state.shard_id.size()));
  payload.append(state.shard_id);
  payload.append(Mac(state.stream_arn, payload));
  return state.stream_arn + std::string(kSeparator) + Base64Encode(payload);
}

Result<ShardIteratorState> DecodeShardIterator(std::string_view text) {
  const Status invalid = Status::InvalidArgument("Invalid ShardIterator");
  size_t sep = text.find(kSeparator);
  if (sep == std::string_view::npos) return invalid;
  ShardIteratorState state;
  state.stream_arn = text.substr(0, sep);
  auto decoded = Base64Decode(text.substr(sep + kSeparator.size()));
  if (!decoded.ok()) return invalid;
  std::string_view p = *decoded;
  constexpr size_t kFixed = 1 + 1 + 8 + 8 + 1;
  if (p.size() < kFixed + 8 || p[0] != '\x01' || (p[1] != '\x00' && p[1] != '\x01')) return invalid;
  size_t shard_len = static_cast<uint8_t>(p[kFixed - 1]);
  if (p.size() != kFixed + shard_len + 8) return invalid;
  std::string_view body = p.substr(0, kFixed + shard_len);
  if (Mac(state.stream_arn, body) != p.substr(kFixed + shard_len)) return invalid;
  state.position.trim_horizon = p[1] == '\x00';
  state.position.after = ReadBigEndian64(p.data() + 2);
  state.created_ms = static_cast<int64_t>(ReadBigEndian64(p.data() + 10));
  state.shard_id = p.substr(kFixed, shard_len);
  return state;
}

std::string ExpiredIteratorMessage(int64_t created_ms, int64_t now_ms) {
  return "Iterator expired. The iterator was created at time " + JavaDate(created_ms) + " while right now it is " +
         JavaDate(now_ms) + " which is further in the future than the tolerated delay of " +
         std::to_string(kShardIteratorLifetimeMs) + " milliseconds.";
}

}  // namespace tributary::dynamodb
