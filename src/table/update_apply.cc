// ApplyUpdate: evaluation half of update_expression.h.
#include <algorithm>
#include <unordered_set>

#include "table/number_math.h"
#include "table/update_expression.h"

namespace tributary::table {

namespace {

const Status& IncorrectDataType() {
  static const Status s =
      Status::InvalidArgument("An operand in the update expression has an incorrect data type");
  return s;
}

const Status& MissingAttribute() {
  static const Status s = Status::InvalidArgument(
      "The provided expression refers to an attribute that does not exist in the item");
  return s;
}

Result<AttributeValue> Evaluate(const Operand& op, const Item& item) {
  switch (op.kind) {
    case Operand::Kind::kValue:
      return op.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = FindPath(item, op.path);
      if (v == nullptr) return MissingAttribute();
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      const AttributeValue* v = FindPath(item, op.args[0].path);
      if (v != nullptr) return *v;
      return Evaluate(op.args[1], item);
    }
    case Operand::Kind::kListAppend: {
      TRIB_ASSIGN_OR_RETURN(AttributeValue a, Evaluate(op.args[0], item));
      TRIB_ASSIGN_OR_RETURN(AttributeValue b, Evaluate(op.args[1], item));
      if (a.type() != AttributeType::kL || b.type() != AttributeType::kL) return IncorrectDataType();
      AttributeList list = a.list();
      list.insert(list.end(), b.list().begin(), b.list().end());
      return AttributeValue::L(std::move(list));
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      TRIB_ASSIGN_OR_RETURN(AttributeValue a, Evaluate(op.args[0], item));
      TRIB_ASSIGN_OR_RETURN(AttributeValue b, Evaluate(op.args[1], item));
      if (a.type() != AttributeType::kN || b.type() != AttributeType::kN) return IncorrectDataType();
      auto sum = op.kind == Operand::Kind::kPlus ? AddNumbers(a.text(), b.text())
                                                 : SubtractNumbers(a.text(), b.text());
      if (!sum.ok()) return sum.status();
      return AttributeValue::N(*sum);
    }
  }
  return Status::Internal("unknown operand kind");
}

Result<AttributeValue> MakeSet(AttributeType type, std::vector<std::string> members) {
  switch (type) {
    case AttributeType::kSS: return AttributeValue::SS(std::move(members));
    case AttributeType::kNS: return AttributeValue::NS(std::move(members));
    default: return AttributeValue::BS(std::move(members));
  }
}

// ADD: number addition or set union; a missing attribute takes the value.
Result<AttributeValue> EvaluateAdd(const AttributeValue* current, const AttributeValue& value) {
  if (current == nullptr) return value;
  if (current->type() != value.type()) return IncorrectDataType();
  if (value.type() == AttributeType::kN) {
    auto sum = AddNumbers(current->text(), value.text());
    if (!sum.ok()) return sum.status();
    return AttributeValue::N(*sum);
  }
  std::unordered_set<std::string_view> have(current->set().begin(), current->set().end());
  std::vector<std::string> members = current->set();
  for (const auto& m : value.set()) {
    if (!have.count(m)) members.push_back(m);
  }
  return MakeSet(value.type(), std::move(members));
}

// DELETE: set difference; nullopt when nothing remains (the attribute is removed).
Result<std::optional<AttributeValue>> EvaluateDelete(const AttributeValue& current,
                                                     const AttributeValue& value) {
  if (current.type() != value.type()) return IncorrectDataType();
  std::unordered_set<std::string_view> drop(value.set().begin(), value.set().end());
  std::vector<std::string> members;
  for (const auto& m : current.set()) {
    if (!drop.count(m)) members.push_back(m);
  }
  if (members.empty()) return std::optional<AttributeValue>();
  TRIB_ASSIGN_OR_RETURN(AttributeValue set, MakeSet(value.type(), std::move(members)));
  return std::optional<AttributeValue>(std::move(set));
}

// Orders paths so that, among siblings in one list, higher indices come first (removing them
// first keeps the lower indices valid).
bool RemoveBefore(const DocumentPath* a, const DocumentPath* b) {
  size_t n = std::min(a->size(), b->size());
  for (size_t i = 0; i < n; ++i) {
    const PathElement& x = (*a)[i];
    const PathElement& y = (*b)[i];
    if (x.is_index() != y.is_index()) return x.is_index() < y.is_index();
    if (x.is_index()) {
      if (x.index != y.index) return x.index > y.index;
    } else if (x.name != y.name) {
      return x.name > y.name;
    }
  }
  return a->size() > b->size();
}

}  // namespace

Status ApplyUpdate(const UpdateExpression& update, Item* item) {
  // Phase 1: evaluate against the unmodified item.
  std::vector<const DocumentPath*> write_paths;
  AttributeList write_values;
  std::vector<const DocumentPath*> removes;
  write_paths.reserve(update.actions.size());
  write_values.reserve(update.actions.size());
  for (const UpdateAction& action : update.actions) {
    switch (action.type) {
      case UpdateActionType::kSet: {
        auto v = Evaluate(action.value, *item);
        if (!v.ok()) return v.status();
        write_paths.push_back(&action.path);
        write_values.push_back(std::move(v).value());
        break;
      }
      case UpdateActionType::kRemove:
        removes.push_back(&action.path);
        break;
      case UpdateActionType::kAdd: {
        auto v = EvaluateAdd(FindPath(*item, action.path), action.value.value);
        if (!v.ok()) return v.status();
        write_paths.push_back(&action.path);
        write_values.push_back(std::move(v).value());
        break;
      }
      case UpdateActionType::kDelete: {
        const AttributeValue* current = FindPath(*item, action.path);
        if (current == nullptr) break;
        TRIB_ASSIGN_OR_RETURN(auto v, EvaluateDelete(*current, action.value.value));
        if (v) {
          write_paths.push_back(&action.path);
          write_values.push_back(std::move(*v));
        } else {
          removes.push_back(&action.path);
        }
        break;
      }
    }
  }
  // Phase 2: apply. Paths never overlap (checked when parsing).
  for (size_t i = 0; i < write_paths.size(); ++i) {
    TRIB_RETURN_IF_ERROR(SetPath(item, *write_paths[i], std::move(write_values[i])));
  }
  std::sort(removes.begin(), removes.end(), RemoveBefore);
  for (const DocumentPath* path : removes) TRIB_RETURN_IF_ERROR(RemovePath(item, *path));
  return Status::Ok();
}

}  // namespace tributary::table
