#include "delivery/prefix_layout.h"

#include <simdjson.h>

#include <set>

#include "delivery/error_record.h"
#include "delivery/lake_layout.h"

namespace tributary::delivery {

namespace {

using transform::PrefixPart;

bool AllLiteral(const std::vector<PrefixPart>& parts) {
  for (const PrefixPart& p : parts) {
    if (p.kind != PrefixPart::Kind::kLiteral) return false;
  }
  return true;
}

std::string LevelText(const std::vector<PrefixPart>& parts) {
  std::string out;
  for (const PrefixPart& p : parts) {
    switch (p.kind) {
      case PrefixPart::Kind::kLiteral:
        out += p.text;
        break;
      case PrefixPart::Kind::kQueryKey:
        out += "!{partitionKeyFromQuery:" + p.text + "}";
        break;
      case PrefixPart::Kind::kLambdaKey:
        out += "!{partitionKeyFromLambda:" + p.text + "}";
        break;
      default:
        out += "!{...}";
        break;
    }
  }
  return out;
}

}  // namespace

Status CheckPartitionValueFromData(std::string_view value) {
  if (value.empty()) return Status::InvalidArgument("the value is empty");
  if (value.size() > kMaxPartitionValueBytes) {
    return Status::InvalidArgument("the value is " + std::to_string(value.size()) +
                                   " bytes long (at most " +
                                   std::to_string(kMaxPartitionValueBytes) + ")");
  }
  if (value == "." || value == "..") {
    return Status::InvalidArgument("the value '" + std::string(value) +
                                   "' would name a relative folder");
  }
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument("the value contains a control character");
    }
    if (c == '/' || c == '\\') {
      return Status::InvalidArgument(std::string("the value contains '") + c +
                                     "' (a partition value is one folder level)");
    }
  }
  if (!simdjson::validate_utf8(value.data(), value.size())) {
    return Status::InvalidArgument("the value is not valid UTF-8");
  }
  return Status::Ok();
}

Result<PrefixLayout> PrefixLayout::Create(const transform::PrefixTemplate& prefix) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("prefix '" + prefix.text() + "': " + why);
  };
  if (prefix.role() != transform::PrefixRole::kPrefix) return bad("is not a data prefix");
  if (!prefix.ends_with_slash()) {
    return bad("must end with '/' (the object name follows the last folder)");
  }
  PrefixLayout out;
  out.prefix_ = prefix;
  const auto& segments = prefix.segments();
  size_t first_level = 0;
  while (first_level < segments.size() && AllLiteral(segments[first_level])) {
    if (!out.location_.empty()) out.location_ += '/';
    out.location_ += segments[first_level][0].text;
    ++first_level;
  }
  if (first_level == segments.size()) {
    // No expression at all: the whole prefix is the location and the table has no partitions.
    return out;
  }
  if (first_level == 0) {
    return bad("must start with a folder without expressions (the table's location, e.g. "
               "'sales/')");
  }
  if (segments.size() - first_level > 32) return bad("has more than 32 partition levels");
  std::set<std::string> seen;
  for (size_t i = first_level; i < segments.size(); ++i) {
    const std::vector<PrefixPart>& parts = segments[i];
    Level level;
    const PrefixPart& head = parts.front();
    size_t eq = head.kind == PrefixPart::Kind::kLiteral ? head.text.find('=') : std::string::npos;
    if (eq != std::string::npos) {
      level.hive = true;
      level.key = head.text.substr(0, eq);
      Status s = ValidatePartitionKey(level.key);
      if (!s.ok()) return bad("folder '" + LevelText(parts) + "': " + s.message());
      if (eq + 1 < head.text.size()) {
        PrefixPart rest;
        rest.text = head.text.substr(eq + 1);
        level.parts.push_back(std::move(rest));
      }
      level.parts.insert(level.parts.end(), parts.begin() + 1, parts.end());
      if (level.parts.empty()) return bad("folder '" + LevelText(parts) + "' has no value");
    } else {
      level.key = "partition_" + std::to_string(i - first_level);
      level.parts = parts;
    }
    if (AllLiteral(level.parts)) {
      const std::string& text = level.parts[0].text;
      if (text == "." || text == "..") {
        return bad("folder '" + LevelText(parts) + "' would name a relative folder");
      }
    }
    if (!seen.insert(level.key).second) {
      return bad("partition key '" + level.key + "' appears twice");
    }
    for (const PrefixPart& p : level.parts) {
      if (p.is_data() || p.kind == PrefixPart::Kind::kRandomString) out.time_only_ = false;
    }
    out.keys_.push_back(level.key);
    out.levels_.push_back(std::move(level));
  }
  out.granularity_ms_ = prefix.timestamp_granularity_ms();
  return out;
}

bool PrefixLayout::Render(const transform::PartitionKeys& keys, int64_t timestamp_ms,
                          std::string_view random, std::vector<std::string>& values,
                          PartitionFailure& failure) const {
  values.resize(levels_.size());
  transform::UtcTime time{};
  bool have_time = false;
  for (size_t i = 0; i < levels_.size(); ++i) {
    std::string& v = values[i];
    v.clear();
    for (const PrefixPart& p : levels_[i].parts) {
      switch (p.kind) {
        case PrefixPart::Kind::kLiteral:
          v += p.text;
          break;
        case PrefixPart::Kind::kTimestamp:
          if (!have_time) {
            time = transform::ToUtc(timestamp_ms);
            have_time = true;
          }
          p.timestamp.Append(time, v);
          break;
        case PrefixPart::Kind::kRandomString:
          v += random;
          break;
        case PrefixPart::Kind::kErrorOutputType:
          break;
        case PrefixPart::Kind::kQueryKey:
        case PrefixPart::Kind::kLambdaKey: {
          const std::string* value = keys.Find(p.text);
          const char* ns = p.kind == PrefixPart::Kind::kQueryKey ? "partitionKeyFromQuery"
                                                                 : "partitionKeyFromLambda";
          if (value == nullptr) {
            failure.code = kMissingPartitionKeyCode;
            failure.message = std::string("!{") + ns + ":" + p.text +
                              "}: the record has no partition key '" + p.text + "'";
            return false;
          }
          Status s = CheckPartitionValueFromData(*value);
          if (!s.ok()) {
            failure.code = kInvalidPartitionValueCode;
            failure.message = std::string("!{") + ns + ":" + p.text + "}: " + s.message();
            return false;
          }
          v += *value;
          break;
        }
      }
    }
  }
  return true;
}

Status PrefixLayout::FolderOf(const std::vector<std::string>& values, std::string& dir,
                              catalog::PartitionValues& partition_values) const {
  dir = location_;
  partition_values.clear();
  for (size_t i = 0; i < levels_.size(); ++i) {
    Result<std::string> segment = SanitizePartitionValue(values[i]);
    if (!segment.ok()) {
      return Status::InvalidArgument("partition key '" + levels_[i].key +
                                     "': " + segment.status().message());
    }
    dir += '/';
    if (levels_[i].hive) {
      dir += levels_[i].key;
      dir += '=';
    }
    dir += *segment;
    partition_values.emplace_back(levels_[i].key, values[i]);
  }
  return Status::Ok();
}

}  // namespace tributary::delivery
