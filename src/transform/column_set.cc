#include "transform/column_set.h"

#include <simdjson.h>

#include "core/dynamo_json.h"

namespace tributary::transform {

using catalog::ColumnType;

void ColumnSet::Update(Entry& e, bool typed, ColumnType type) {
  if (!typed) return;
  if (!e.typed) {
    e.typed = true;
    e.type = type;
  } else if (e.type != type) {
    e.type = catalog::WidenColumnType(e.type, type);
  }
}

void ColumnSet::Note(std::string_view name, bool typed, ColumnType type) {
  if (cursor_ < entries_.size() && entries_[cursor_].name == name) {
    Entry& e = entries_[cursor_++];
    if (typed && (!e.typed || e.type != type)) Update(e, typed, type);
    return;
  }
  auto it = index_.find(name);
  if (it != index_.end()) {
    Update(entries_[it->second], typed, type);
    cursor_ = it->second + 1;
    return;
  }
  entries_.push_back(Entry{std::string(name), type, typed});
  index_.emplace(std::string(name), entries_.size() - 1);
  cursor_ = entries_.size();
}

std::vector<catalog::Column> ColumnSet::Columns() const {
  std::vector<catalog::Column> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) {
    if (e.typed) out.push_back(catalog::Column{e.name, e.type});
  }
  return out;
}

void ColumnSet::Merge(const ColumnSet& other) {
  BeginRow();
  for (const Entry& e : other.entries_) Note(e.name, e.typed, e.type);
}

void ColumnSet::Clear() {
  entries_.clear();
  index_.clear();
  cursor_ = 0;
}

bool LooksLikeTimestamp(std::string_view s) {
  // 0123456789012345678
  // YYYY-MM-DD HH:MM:SS
  if (s.size() < 19) return false;
  static constexpr char kShape[] = "dddd-dd-dd dd:dd:dd";
  for (size_t i = 0; i < 19; ++i) {
    char want = kShape[i];
    char c = s[i];
    if (want == 'd' ? (c < '0' || c > '9') : c != want) return false;
  }
  if (s.size() == 19) return true;
  if (s[19] != '.' || s.size() == 20 || s.size() > 29) return false;
  for (size_t i = 20; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

Status InferColumns(std::string_view row, ColumnSet& columns) {
  simdjson::dom::element doc;
  auto error = ThreadLocalJsonParser().parse(row.data(), row.size()).get(doc);
  if (error != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("row is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("row is not a JSON object");
  }
  columns.BeginRow();
  for (auto field : obj) {
    simdjson::dom::element v = field.value;
    switch (v.type()) {
      case simdjson::dom::element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();
        columns.Observe(field.key, LooksLikeTimestamp(s) ? ColumnType::kTimestamp
                                                         : ColumnType::kString);
        break;
      }
      case simdjson::dom::element_type::INT64: columns.Observe(field.key, ColumnType::kBigint); break;
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        columns.Observe(field.key, ColumnType::kDouble);
        break;
      case simdjson::dom::element_type::BOOL: columns.Observe(field.key, ColumnType::kBoolean); break;
      case simdjson::dom::element_type::NULL_VALUE: columns.ObserveNull(field.key); break;
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::OBJECT:
        columns.Observe(field.key, ColumnType::kJson);
        break;
    }
  }
  return Status::Ok();
}

}  // namespace tributary::transform
