// The legacy parameters older SDK code still sends (Expected, QueryFilter, ScanFilter,
// KeyConditions, AttributeUpdates, AttributesToGet), translated into the expression trees the
// expression parameters produce, so one evaluator serves both.
#include <set>

#include "core/dynamo_json.h"
#include "dynamodb/data_plane_internal.h"

namespace tributary::dynamodb::data_plane {

namespace {

using table::Condition;
using table::ConditionOperand;

ApiError Invalid(std::string message) {
  return ApiError::Validation("One or more parameter values were invalid: " + std::move(message));
}

constexpr std::string_view kComparisonOperators =
    "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS";

MaybeError ReadValueList(simdjson::dom::element entry, std::vector<AttributeValue>* out, bool* present) {
  std::optional<simdjson::dom::array> list;
  if (auto e = GetArray(entry, "AttributeValueList", &list)) return e;
  *present = list.has_value();
  if (!list) return std::nullopt;
  for (simdjson::dom::element v : *list) {
    auto value = AttributeValueFromDom(v);
    if (!value.ok()) return StatusError(value.status());
    out->push_back(std::move(value).value());
  }
  return std::nullopt;
}

bool IsScalar(const AttributeValue& v) {
  return v.type() == AttributeType::kS || v.type() == AttributeType::kN || v.type() == AttributeType::kB;
}

// One attribute's ComparisonOperator + AttributeValueList as a condition.
MaybeError Comparison(const std::string& attr, std::string_view op, std::vector<AttributeValue> args,
                      std::string_view member, Condition* out) {
  size_t want = 1;
  if (op == "NULL" || op == "NOT_NULL") {
    want = 0;
  } else if (op == "BETWEEN") {
    want = 2;
  } else if (op == "IN") {
    want = args.empty() ? 1 : args.size();
  } else if (op != "EQ" && op != "NE" && op != "LE" && op != "LT" && op != "GE" && op != "GT" && op != "CONTAINS" &&
             op != "NOT_CONTAINS" && op != "BEGINS_WITH") {
    ConstraintErrors errors;
    errors.Enum(op, std::string(member) + "." + attr + ".member.comparisonOperator", kComparisonOperators);
    return errors.ToError();
  }
  if (args.size() != want) {
    return Invalid("Invalid number of argument(s) for the " + std::string(op) + " ComparisonOperator");
  }
  bool scalar_only = op == "LE" || op == "LT" || op == "GE" || op == "GT" || op == "BETWEEN" || op == "BEGINS_WITH" ||
                     op == "CONTAINS" || op == "NOT_CONTAINS" || op == "IN";
  for (const AttributeValue& v : args) {
    bool ok = scalar_only ? IsScalar(v) && !(op == "BEGINS_WITH" && v.type() == AttributeType::kN)
                          : (IsScalar(v) || v.is_set() || op == "EQ" || op == "NE");
    if (!ok) {
      return Invalid("ComparisonOperator " + std::string(op) + " is not valid for " +
                     std::string(AttributeTypeName(v.type())) + " AttributeValue type");
    }
  }
  Condition c;
  c.operands.push_back(table::PathOperand(attr));
  for (AttributeValue& v : args) c.operands.push_back(table::ValueOperand(std::move(v)));
  if (op == "NULL") {
    c.kind = Condition::Kind::kAttributeNotExists;
  } else if (op == "NOT_NULL") {
    c.kind = Condition::Kind::kAttributeExists;
  } else if (op == "BETWEEN") {
    c.kind = Condition::Kind::kBetween;
  } else if (op == "IN") {
    c.kind = Condition::Kind::kIn;
  } else if (op == "BEGINS_WITH") {
    c.kind = Condition::Kind::kBeginsWith;
  } else if (op == "CONTAINS" || op == "NOT_CONTAINS") {
    c.kind = Condition::Kind::kContains;
    if (op == "NOT_CONTAINS") {
      Condition exists;
      exists.kind = Condition::Kind::kAttributeExists;
      exists.operands.push_back(table::PathOperand(attr));
      Condition negated;
      negated.kind = Condition::Kind::kNot;
      negated.children.push_back(std::move(c));
      Condition both;
      both.kind = Condition::Kind::kAnd;
      both.children.push_back(std::move(exists));
      both.children.push_back(std::move(negated));
      *out = std::move(both);
      return std::nullopt;
    }
  } else {
    c.kind = Condition::Kind::kCompare;
    c.op = op == "EQ"   ? table::CompareOp::kEq
           : op == "NE" ? table::CompareOp::kNe
           : op == "LE" ? table::CompareOp::kLe
           : op == "LT" ? table::CompareOp::kLt
           : op == "GE" ? table::CompareOp::kGe
                        : table::CompareOp::kGt;
  }
  *out = std::move(c);
  return std::nullopt;
}

MaybeError Combine(std::vector<Condition> parts, std::optional<std::string_view> conditional_operator,
                   std::string_view /*member*/, Condition* out) {
  bool is_or = false;
  if (conditional_operator) {
    if (*conditional_operator == "OR") {
      is_or = true;
    } else if (*conditional_operator != "AND") {
      ConstraintErrors errors;
      errors.Enum(*conditional_operator, "conditionalOperator", "OR, AND");
      return errors.ToError();
    }
  }
  if (parts.empty()) {
    *out = Condition();
    return std::nullopt;
  }
  if (parts.size() == 1) {
    *out = std::move(parts[0]);
    return std::nullopt;
  }
  Condition c;
  c.kind = is_or ? Condition::Kind::kOr : Condition::Kind::kAnd;
  c.children = std::move(parts);
  *out = std::move(c);
  return std::nullopt;
}

}  // namespace

MaybeError ConditionFromExpected(simdjson::dom::object expected, std::optional<std::string_view> conditional_operator,
                                 Condition* out) {
  std::vector<Condition> parts;
  for (auto field : expected) {
    std::string attr(field.key);
    simdjson::dom::element entry = field.value;
    if (entry.type() != simdjson::dom::element_type::OBJECT) return SerializationError("Expected");
    std::optional<std::string_view> op;
    std::optional<bool> exists;
    if (auto e = GetString(entry, "ComparisonOperator", &op)) return e;
    if (auto e = GetBool(entry, "Exists", &exists)) return e;
    Member value_member = GetMember(entry, "Value");
    std::vector<AttributeValue> args;
    bool has_list = false;
    if (auto e = ReadValueList(entry, &args, &has_list)) return e;
    std::optional<AttributeValue> value;
    if (value_member.present) {
      auto v = AttributeValueFromDom(value_member.value);
      if (!v.ok()) return StatusError(v.status());
      value = std::move(v).value();
    }
    Condition c;
    if (op) {
      if (value) return Invalid("Value and ComparisonOperator cannot be used together for Attribute: " + attr);
      if (exists) return Invalid("Exists and ComparisonOperator cannot be used together for Attribute: " + attr);
      if (auto e = Comparison(attr, *op, std::move(args), "expected", &c)) return e;
    } else {
      if (has_list) return Invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: " + attr);
      if (exists.value_or(true)) {
        if (!value) return Invalid("Value must be provided when Exists is true for Attribute: " + attr);
        c.kind = Condition::Kind::kCompare;
        c.op = table::CompareOp::kEq;
        c.operands.push_back(table::PathOperand(attr));
        c.operands.push_back(table::ValueOperand(std::move(*value)));
      } else {
        if (value) return Invalid("Value cannot be used when Exists is false for Attribute: " + attr);
        c.kind = Condition::Kind::kAttributeNotExists;
        c.operands.push_back(table::PathOperand(attr));
      }
    }
    parts.push_back(std::move(c));
  }
  return Combine(std::move(parts), conditional_operator, "expected", out);
}

MaybeError ConditionFromFilter(simdjson::dom::object filter, std::string_view member,
                               std::optional<std::string_view> conditional_operator, Condition* out) {
  std::vector<Condition> parts;
  for (auto field : filter) {
    std::string attr(field.key);
    simdjson::dom::element entry = field.value;
    if (entry.type() != simdjson::dom::element_type::OBJECT) return SerializationError(member);
    std::optional<std::string_view> op;
    if (auto e = GetString(entry, "ComparisonOperator", &op)) return e;
    if (!op) {
      ConstraintErrors errors;
      errors.Null(std::string(member) + "." + attr + ".member.comparisonOperator");
      return errors.ToError();
    }
    std::vector<AttributeValue> args;
    bool has_list = false;
    if (auto e = ReadValueList(entry, &args, &has_list)) return e;
    Condition c;
    if (auto e = Comparison(attr, *op, std::move(args), member, &c)) return e;
    parts.push_back(std::move(c));
  }
  return Combine(std::move(parts), conditional_operator, member, out);
}

MaybeError KeyConditionFromLegacy(simdjson::dom::object key_conditions, const table::KeyAttribute& hash_key,
                                  const std::optional<table::KeyAttribute>& range_key, table::KeyCondition* out) {
  if (key_conditions.size() == 0 || key_conditions.size() > 2) {
    return ApiError::Validation("Conditions can be of length 1 or 2 only");
  }
  std::vector<Condition> parts;
  for (auto field : key_conditions) {
    std::string attr(field.key);
    simdjson::dom::element entry = field.value;
    if (entry.type() != simdjson::dom::element_type::OBJECT) return SerializationError("KeyConditions");
    std::optional<std::string_view> op;
    if (auto e = GetString(entry, "ComparisonOperator", &op)) return e;
    if (!op) {
      ConstraintErrors errors;
      errors.Null("keyConditions." + attr + ".member.comparisonOperator");
      return errors.ToError();
    }
    std::vector<AttributeValue> args;
    bool has_list = false;
    if (auto e = ReadValueList(entry, &args, &has_list)) return e;
    if (*op != "EQ" && *op != "LE" && *op != "LT" && *op != "GE" && *op != "GT" && *op != "BEGINS_WITH" &&
        *op != "BETWEEN") {
      Condition ignored;
      if (auto e = Comparison(attr, *op, args, "keyConditions", &ignored)) return e;
      return ApiError::Validation("Attempted conditional constraint is not an indexable operation");
    }
    Condition c;
    if (auto e = Comparison(attr, *op, std::move(args), "keyConditions", &c)) return e;
    parts.push_back(std::move(c));
  }
  Condition all;
  if (auto e = Combine(std::move(parts), std::nullopt, "keyConditions", &all)) return e;
  auto key = table::KeyConditionFromTree(all, hash_key, range_key);
  if (!key.ok()) return StatusError(key.status());
  *out = std::move(key).value();
  return std::nullopt;
}

MaybeError UpdateFromAttributeUpdates(simdjson::dom::object updates, table::UpdateExpression* out) {
  using table::Operand;
  using table::UpdateAction;
  using table::UpdateActionType;
  for (auto field : updates) {
    std::string attr(field.key);
    simdjson::dom::element entry = field.value;
    if (entry.type() != simdjson::dom::element_type::OBJECT) return SerializationError("AttributeUpdates");
    std::optional<std::string_view> action_name;
    if (auto e = GetString(entry, "Action", &action_name)) return e;
    std::string_view action = action_name.value_or("PUT");
    if (action != "PUT" && action != "ADD" && action != "DELETE") {
      ConstraintErrors errors;
      errors.Enum(action, "attributeUpdates." + attr + ".member.action", "ADD, PUT, DELETE");
      return errors.ToError();
    }
    Member value_member = GetMember(entry, "Value");
    std::optional<AttributeValue> value;
    if (value_member.present) {
      auto v = AttributeValueFromDom(value_member.value);
      if (!v.ok()) return StatusError(v.status());
      value = std::move(v).value();
    }
    UpdateAction a;
    a.path.push_back({attr, -1});
    if (action == "PUT") {
      if (!value) return Invalid("Only DELETE action is allowed when no attribute value is specified");
      a.type = UpdateActionType::kSet;
      a.value.kind = Operand::Kind::kValue;
      a.value.value = std::move(*value);
    } else if (action == "DELETE") {
      if (!value) {
        a.type = UpdateActionType::kRemove;
      } else {
        if (!value->is_set()) {
          return Invalid("DELETE action with value is not supported for the type " +
                         std::string(AttributeTypeName(value->type())));
        }
        a.type = UpdateActionType::kDelete;
        a.value.kind = Operand::Kind::kValue;
        a.value.value = std::move(*value);
      }
    } else {
      if (!value) return Invalid("Only DELETE action is allowed when no attribute value is specified");
      if (value->type() == AttributeType::kL) {
        // ADD to a list appends (creating the list when missing).
        Operand path;
        path.kind = Operand::Kind::kPath;
        path.path = a.path;
        Operand empty;
        empty.kind = Operand::Kind::kValue;
        empty.value = AttributeValue::L({});
        Operand current;
        current.kind = Operand::Kind::kIfNotExists;
        current.args.push_back(std::move(path));
        current.args.push_back(std::move(empty));
        Operand added;
        added.kind = Operand::Kind::kValue;
        added.value = std::move(*value);
        a.type = UpdateActionType::kSet;
        a.value.kind = Operand::Kind::kListAppend;
        a.value.args.push_back(std::move(current));
        a.value.args.push_back(std::move(added));
      } else if (value->type() == AttributeType::kN || value->is_set()) {
        a.type = UpdateActionType::kAdd;
        a.value.kind = Operand::Kind::kValue;
        a.value.value = std::move(*value);
      } else {
        return Invalid("ADD action is not supported for the type " + std::string(AttributeTypeName(value->type())));
      }
    }
    out->actions.push_back(std::move(a));
  }
  return std::nullopt;
}

MaybeError PathsFromAttributesToGet(simdjson::dom::array names, std::vector<table::DocumentPath>* out) {
  if (names.size() == 0) {
    ConstraintErrors errors;
    errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
    return errors.ToError();
  }
  std::set<std::string_view> seen;
  for (simdjson::dom::element e : names) {
    std::string_view name;
    if (e.get_string().get(name) != simdjson::SUCCESS) return SerializationError("AttributesToGet");
    if (!seen.insert(name).second) return Invalid("Duplicate value in attribute name: " + std::string(name));
    out->push_back({table::PathElement{std::string(name), -1}});
  }
  return std::nullopt;
}

}  // namespace tributary::dynamodb::data_plane
