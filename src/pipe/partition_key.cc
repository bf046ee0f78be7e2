#include "pipe/partition_key.h"

#include "core/dynamo_json.h"

namespace tributary::pipe {

namespace {
size_t Utf8CharCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}
}  // namespace

Result<PartitionKeyPath> PartitionKeyPath::Parse(std::string_view path) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid partition key path '" + std::string(path) + "': " +
                                   std::string(why));
  };
  PartitionKeyPath p;
  p.text_ = std::string(path);
  if (path.empty()) return bad("a partition key must not be empty");
  if (path[0] != '$') {
    if (Utf8CharCount(path) > 256) return bad("a static partition key has at most 256 characters");
    p.static_ = true;
    return p;
  }
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      if (j == i + 1) return bad("empty name after '.'");
      p.segments_.emplace_back(path.substr(i + 1, j - i - 1));
      i = j;
    } else if (path[i] == '[') {
      if (i + 1 >= path.size() || (path[i + 1] != '\'' && path[i + 1] != '"')) {
        return bad("only quoted names are supported inside [ ]");
      }
      char q = path[i + 1];
      size_t end = path.find(q, i + 2);
      if (end == std::string_view::npos || end + 1 >= path.size() || path[end + 1] != ']') {
        return bad("unterminated [ ]");
      }
      p.segments_.emplace_back(path.substr(i + 2, end - i - 2));
      i = end + 2;
    } else {
      return bad("expected '.' or '['");
    }
  }
  return p;
}

Result<std::string> PartitionKeyPath::Evaluate(const ChangeRecord& record,
                                               std::string_view record_json) const {
  if (static_) return text_;
  // Fast paths for the common shapes avoid re-parsing the record.
  if (segments_.size() == 2 && segments_[0] == "dynamodb" && segments_[1] == "Keys") {
    return ItemToJson(record.keys);
  }
  if (segments_.size() == 4 && segments_[0] == "dynamodb" && segments_[1] == "Keys") {
    auto it = record.keys.find(segments_[2]);
    if (it != record.keys.end() && it->second.is_scalar_text() &&
        AttributeTypeName(it->second.type()) == segments_[3] &&
        it->second.type() != AttributeType::kB && !it->second.text().empty()) {
      return it->second.text();
    }
  }
  simdjson::dom::element e;
  if (auto err = ThreadLocalJsonParser().parse(record_json.data(), record_json.size()).get(e)) {
    return Status::InvalidArgument(std::string("record is not JSON: ") + simdjson::error_message(err));
  }
  for (const auto& seg : segments_) {
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS || obj[seg].get(e) != simdjson::SUCCESS) {
      return Status::InvalidArgument("partition key path " + text_ + " selects nothing in the event");
    }
  }
  std::string out;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    out = std::string(s);
  } else {
    out = simdjson::minify(e);
  }
  if (out.empty()) {
    return Status::InvalidArgument("partition key path " + text_ + " selects an empty value");
  }
  return out;
}

}  // namespace tributary::pipe
