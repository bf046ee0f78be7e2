#include "table/key_condition.h"

namespace tributary::table {

namespace {

Status Invalid(std::string message) { return Status::InvalidArgument(std::move(message)); }

Status InvalidOperator(std::string_view op) {
  return Invalid("Invalid operator used in KeyConditionExpression: " + std::string(op));
}

// Flattens nested ANDs into `out`; rejects every other connective.
Status Conjuncts(const Condition& c, std::vector<const Condition*>* out) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
      for (const Condition& child : c.children) TRIB_RETURN_IF_ERROR(Conjuncts(child, out));
      return Status::Ok();
    case Condition::Kind::kOr: return InvalidOperator("OR");
    case Condition::Kind::kNot: return InvalidOperator("NOT");
    case Condition::Kind::kIn: return InvalidOperator("IN");
    case Condition::Kind::kAttributeExists: return InvalidOperator("attribute_exists");
    case Condition::Kind::kAttributeNotExists: return InvalidOperator("attribute_not_exists");
    case Condition::Kind::kAttributeType: return InvalidOperator("attribute_type");
    case Condition::Kind::kContains: return InvalidOperator("contains");
    case Condition::Kind::kCompare:
      if (c.op == CompareOp::kNe) return InvalidOperator("<>");
      out->push_back(&c);
      return Status::Ok();
    case Condition::Kind::kTrue: return Status::Ok();
    default:
      out->push_back(&c);
      return Status::Ok();
  }
}

CompareOp Flip(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return CompareOp::kGt;
    case CompareOp::kLe: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLt;
    case CompareOp::kGe: return CompareOp::kLe;
    default: return op;
  }
}

}  // namespace

Result<KeyCondition> KeyConditionFromTree(const Condition& cond, const KeyAttribute& hash_key,
                                          const std::optional<KeyAttribute>& range_key) {
  std::vector<const Condition*> parts;
  TRIB_RETURN_IF_ERROR(Conjuncts(cond, &parts));
  KeyCondition out;
  bool have_hash = false;
  bool have_range = false;
  bool unknown = false;
  for (const Condition* c : parts) {
    // The key attribute operand first, then values.
    const ConditionOperand* attr = &c->operands[0];
    CompareOp op = c->op;
    size_t first_value = 1;
    if (c->kind == Condition::Kind::kCompare && attr->kind == ConditionOperand::Kind::kValue &&
        c->operands[1].kind == ConditionOperand::Kind::kPath) {
      attr = &c->operands[1];
      op = Flip(op);
      first_value = 0;
    }
    if (attr->kind != ConditionOperand::Kind::kPath) return Invalid("Query key condition not supported");
    for (size_t i = 0; i < c->operands.size(); ++i) {
      if (&c->operands[i] == attr) continue;
      if (c->operands[i].kind != ConditionOperand::Kind::kValue) return Invalid("Query key condition not supported");
    }
    const std::string& name = attr->path[0].name;
    if (attr->path.size() > 1) {
      return Invalid(
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: " + name);
    }
    const AttributeValue& v1 = c->operands[first_value].value;
    if (name == hash_key.name) {
      if (have_hash) return Invalid("KeyConditionExpressions must only contain one condition per key");
      if (c->kind != Condition::Kind::kCompare || op != CompareOp::kEq) {
        return Invalid("Query key condition not supported");
      }
      have_hash = true;
      out.hash_value = v1;
    } else if (range_key && name == range_key->name) {
      if (have_range) return Invalid("KeyConditionExpressions must only contain one condition per key");
      have_range = true;
      RangeCondition r;
      r.value = v1;
      switch (c->kind) {
        case Condition::Kind::kCompare:
          r.op = op == CompareOp::kEq   ? RangeOp::kEq
                 : op == CompareOp::kLt ? RangeOp::kLt
                 : op == CompareOp::kLe ? RangeOp::kLe
                 : op == CompareOp::kGt ? RangeOp::kGt
                                        : RangeOp::kGe;
          break;
        case Condition::Kind::kBetween:
          r.op = RangeOp::kBetween;
          r.value2 = c->operands[2].value;
          break;
        case Condition::Kind::kBeginsWith:
          r.op = RangeOp::kBeginsWith;
          break;
        default:
          return Invalid("Query key condition not supported");
      }
      out.range = std::move(r);
    } else {
      unknown = true;
    }
  }
  if (!have_hash) return Invalid("Query condition missed key schema element: " + hash_key.name);
  if (unknown) {
    if (range_key && !have_range) return Invalid("Query condition missed key schema element: " + range_key->name);
    return Invalid("Query key condition not supported");
  }
  return out;
}

Result<KeyCondition> ParseKeyConditionExpression(std::string_view text, ExpressionContext* ctx,
                                                 const KeyAttribute& hash_key,
                                                 const std::optional<KeyAttribute>& range_key) {
  TRIB_ASSIGN_OR_RETURN(Condition cond, ParseConditionExpression(text, "KeyConditionExpression", ctx));
  return KeyConditionFromTree(cond, hash_key, range_key);
}

}  // namespace tributary::table
