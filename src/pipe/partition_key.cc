#include "pipe/partition_key.h"

#include "core/dynamo_json.h"

namespace tributary::pipe {

Result<PartitionKeyPath> PartitionKeyPath::Parse(std::string_view path) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid partition key path '" + std::string(path) + "': " +
                                   std::string(why));
  };
  if (path.empty() || path[0] != '$') return bad("must start with '$'");
  PartitionKeyPath p;
  p.text_ = std::string(path);
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
