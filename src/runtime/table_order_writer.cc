#include "runtime/table_order_writer.h"

namespace tributary::runtime {
namespace {

std::optional<EventName> EventOf(const table::WriteResult& r, bool removal) {
  if (!r.stream_record) return std::nullopt;
  if (removal) return EventName::kRemove;
  return r.old_item ? EventName::kModify : EventName::kInsert;
}

}  // namespace

Result<std::optional<EventName>> TableOrderWriter::Put(const Item& item) {
  table::WriteOptions options;
  options.return_old_item = true;
  TRIB_ASSIGN_OR_RETURN(table::WriteResult r, engine_->PutItem(table_, item, options));
  return EventOf(r, false);
}

Result<std::optional<EventName>> TableOrderWriter::Update(const Item& key, const Item& set_values) {
  table::UpdateSpec spec;
  std::string expr = "SET ";
  int i = 0;
  for (const auto& [name, value] : set_values) {
    std::string n = "#a" + std::to_string(i);
    std::string v = ":v" + std::to_string(i);
    if (i) expr += ", ";
    expr += n + " = " + v;
    spec.expression_attribute_names[n] = name;
    spec.expression_attribute_values[v] = value;
    ++i;
  }
  spec.update_expression = std::move(expr);
  TRIB_ASSIGN_OR_RETURN(table::WriteResult r, engine_->UpdateItem(table_, key, spec));
  return EventOf(r, false);
}

Result<std::optional<EventName>> TableOrderWriter::Delete(const Item& key) {
  TRIB_ASSIGN_OR_RETURN(table::WriteResult r, engine_->DeleteItem(table_, key));
  return EventOf(r, true);
}

}  // namespace tributary::runtime
