// TransactWriteItems and TransactGetItems. Conditions use the data plane's ConditionExpression
// evaluator (table/condition_expression.h), evaluated by the engine under the items' locks.
// ClientRequestToken: a successful TransactWriteItems is remembered for 10 minutes per token; the
// same token with the same request returns the same result without applying it again, with a
// different request IdempotentParameterMismatchException.
#include <deque>
#include <map>
#include <mutex>

#include "core/dynamo_json.h"
#include "core/json_writer.h"
#include "dynamodb/control_plane_internal.h"
#include "dynamodb/request_json.h"
#include "table/condition_expression.h"
#include "table/projection_expression.h"
#include "table/update_expression.h"

namespace tributary::dynamodb::control {

namespace {

using table::TransactWriteAction;
using Kind = TransactWriteAction::Kind;

constexpr size_t kMaxTransactItems = 100;
constexpr int64_t kTokenLifetimeMs = 10 * 60 * 1000;

// Remembered successful requests by (engine, token).
class TokenCache {
 public:
  struct Entry {
    std::string fingerprint;
    std::string response;
    int64_t expires_ms = 0;
  };
  std::optional<Entry> Find(const void* engine, const std::string& token, int64_t now_ms) {
    std::lock_guard lock(mu_);
    Expire(now_ms);
    auto it = entries_.find({engine, token});
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void Put(const void* engine, const std::string& token, Entry entry) {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(engine, token);
    order_.emplace_back(entry.expires_ms, key);
    entries_[key] = std::move(entry);
  }

 private:
  void Expire(int64_t now_ms) {
    while (!order_.empty() && order_.front().first <= now_ms) {
      auto it = entries_.find(order_.front().second);
      if (it != entries_.end() && it->second.expires_ms <= now_ms) entries_.erase(it);
      order_.pop_front();
    }
  }
  std::mutex mu_;
  std::map<std::pair<const void*, std::string>, Entry> entries_;
  std::deque<std::pair<int64_t, std::pair<const void*, std::string>>> order_;
};

TokenCache& Tokens() {
  static TokenCache* cache = new TokenCache();
  return *cache;
}

ApiError Canceled(const std::string& message, const std::vector<table::CancellationReason>& reasons) {
  ApiError e = ApiError::Dynamo("TransactionCanceledException", message);
  JsonWriter w;
  w.BeginArray();
  for (const auto& r : reasons) {
    w.BeginObject();
    if (r.item) {
      w.Key("Item");
      AppendItemJson(w, *r.item);
    }
    w.Key("Code");
    w.String(r.code);
    if (!r.message.empty()) {
      w.Key("Message");
      w.String(r.message);
    }
    w.EndObject();
  }
  w.EndArray();
  e.extra_json = ",\"CancellationReasons\":" + w.Take();
  return e;
}

// The parts of one TransactItems entry.
struct ParsedAction {
  TransactWriteAction action;
  table::Condition condition;
  bool has_condition = false;
};

std::optional<ApiError> ParseWriteAction(simdjson::dom::element entry, size_t index, ControlErrors* errors,
                                         ParsedAction* out) {
  static constexpr std::pair<std::string_view, Kind> kKinds[] = {
      {"ConditionCheck", Kind::kConditionCheck}, {"Put", Kind::kPut}, {"Delete", Kind::kDelete}, {"Update", Kind::kUpdate}};
  std::optional<ApiError> error;
  std::optional<simdjson::dom::element> body;
  std::string_view kind_name;
  int found = 0;
  for (const auto& [name, kind] : kKinds) {
    auto b = Object(entry, name, &error);
    if (error) return error;
    if (b) {
      ++found;
      body = b;
      kind_name = name;
      out->action.kind = kind;
    }
  }
  if (found != 1) {
    return ApiError::Validation("TransactItems can only contain one of Check, Put, Update or Delete");
  }
  std::string member = "transactItems." + std::to_string(index + 1) + ".member.";
  member += kind_name == "ConditionCheck" ? "conditionCheck" : kind_name == "Put" ? "put" : kind_name == "Delete" ? "delete" : "update";
  const Kind kind = out->action.kind;
  auto table = String(*body, "TableName", &error);
  auto condition = String(*body, "ConditionExpression", &error);
  auto update = String(*body, "UpdateExpression", &error);
  auto rvcf = String(*body, "ReturnValuesOnConditionCheckFailure", &error);
  if (error) return error;
  CheckName(table, member + ".tableName", errors);
  const std::string_view item_member = kind == Kind::kPut ? "Item" : "Key";
  auto item = Object(*body, item_member, &error);
  if (error) return error;
  if (!item) errors->Null(member + (kind == Kind::kPut ? ".item" : ".key"));
  if (kind == Kind::kConditionCheck && !condition) errors->Null(member + ".conditionExpression");
  if (kind == Kind::kUpdate && !update) errors->Null(member + ".updateExpression");
  if (rvcf && *rvcf != "ALL_OLD" && *rvcf != "NONE") {
    errors->Add(*rvcf, member + ".returnValuesOnConditionCheckFailure",
                "Member must satisfy enum value set: [ALL_OLD, NONE]");
  }
  if (!errors->empty()) return std::nullopt;
  out->action.table = std::string(*table);
  out->action.return_item_on_condition_failure = rvcf && *rvcf == "ALL_OLD";
  auto parsed_item = ItemFromDom(*item);
  if (!parsed_item.ok()) return StatusError(parsed_item.status());
  out->action.item = std::move(*parsed_item);

  ExpressionAttributes attrs;
  if (auto e = ReadExpressionAttributes(*body, condition.has_value() || update.has_value(), &attrs)) return e;
  table::ExpressionContext ctx(attrs.names, attrs.values);
  if (auto s = ctx.ValidateKeys(); !s.ok()) return StatusError(s);
  if (update) {
    auto u = table::ParseUpdateExpression(*update, &ctx);
    if (!u.ok()) return StatusError(u.status());
    out->action.update = std::move(*u);
  }
  if (condition) {
    auto c = table::ParseConditionExpression(*condition, "ConditionExpression", &ctx);
    if (!c.ok()) return StatusError(c.status());
    out->condition = std::move(*c);
    out->has_condition = true;
  }
  if (auto s = ctx.CheckAllUsed(); !s.ok()) return StatusError(s);
  return std::nullopt;
}

// TransactItems must hold 1..100 actions (both Transact* operations).
template <typename Items>
void CheckTransactItemsLength(const Items& items, ControlErrors* errors) {
  if (!items) {
    errors->Null("transactItems");
  } else if (items->size() == 0) {
    errors->Add("[]", "transactItems", "Member must have length greater than or equal to 1");
  } else if (items->size() > kMaxTransactItems) {
    errors->Add("[" + std::to_string(items->size()) + " items]", "transactItems",
                "Member must have length less than or equal to 100");
  }
}

ApiResult TransactWriteItems(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto items = Array(req, "TransactItems", &error);
  auto token = String(req, "ClientRequestToken", &error);
  if (error) return *error;
  ControlErrors errors;
  ConstraintErrors capacity_errors;
  CapacityMode capacity = ReadCapacityMode(req, &capacity_errors);
  if (!capacity_errors.empty()) return *capacity_errors.ToError();
  CheckTransactItemsLength(items, &errors);
  if (token && (token->empty() || token->size() > 36)) {
    errors.Add(*token, "clientRequestToken",
               token->empty() ? "Member must have length greater than or equal to 1"
                              : "Member must have length less than or equal to 36");
  }
  if (!errors.empty()) return errors.ToError();

  std::string fingerprint;
  const int64_t now_ms = ctx.clock != nullptr ? ctx.clock->NowMillis() : ctx.engine->options().clock != nullptr
                                                                              ? ctx.engine->options().clock->NowMillis()
                                                                              : SystemClock::Default()->NowMillis();
  if (token) {
    fingerprint = simdjson::to_string(*items);
    if (auto hit = Tokens().Find(ctx.engine, std::string(*token), now_ms)) {
      if (hit->fingerprint != fingerprint) {
        return ApiError::Dynamo("IdempotentParameterMismatchException",
                                "The request uses the same client token as a previous, but non-identical request.");
      }
      return hit->response;
    }
  }

  std::vector<ParsedAction> parsed(items->size());
  size_t i = 0;
  for (simdjson::dom::element entry : *items) {
    if (auto e = ParseWriteAction(entry, i, &errors, &parsed[i])) return *e;
    ++i;
  }
  if (!errors.empty()) return errors.ToError();
  std::vector<TransactWriteAction> actions;
  actions.reserve(parsed.size());
  for (auto& p : parsed) {
    if (p.has_condition) {
      const table::Condition* cond = &p.condition;
      p.action.condition = [cond](const Item* current) -> Status {
        if (table::EvaluateCondition(*cond, current)) return Status::Ok();
        return Status::FailedPrecondition("The conditional request failed");
      };
    }
    actions.push_back(std::move(p.action));
  }
  std::vector<table::CancellationReason> reasons;
  Status s = ctx.engine->TransactWriteItems(actions, &reasons);
  if (s.code() == StatusCode::kAborted) return Canceled(s.message(), reasons);
  if (!s.ok()) return EngineError(s);
  JsonWriter w;
  w.BeginObject();
  if (capacity != CapacityMode::kNone) {
    w.Key("ConsumedCapacity");
    w.BeginArray();
    std::vector<std::string> tables;
    for (const auto& a : actions) {
      if (std::find(tables.begin(), tables.end(), a.table) == tables.end()) tables.push_back(a.table);
    }
    for (const auto& t : tables) {
      double units = 0;
      for (const auto& a : actions) {
        if (a.table == t) units += 2 * WriteUnits(ItemSizeBytes(a.item));
      }
      WriteCapacityObject(w, capacity, t, units);
    }
    w.EndArray();
  }
  w.EndObject();
  std::string response = w.Take();
  if (token) Tokens().Put(ctx.engine, std::string(*token), {fingerprint, response, now_ms + kTokenLifetimeMs});
  return response;
}

ApiResult TransactGetItems(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto items = Array(req, "TransactItems", &error);
  if (error) return *error;
  ControlErrors errors;
  ConstraintErrors capacity_errors;
  CapacityMode capacity = ReadCapacityMode(req, &capacity_errors);
  if (!capacity_errors.empty()) return *capacity_errors.ToError();
  CheckTransactItemsLength(items, &errors);
  if (!errors.empty()) return errors.ToError();
  std::vector<table::TransactGetAction> gets;
  std::vector<std::vector<table::DocumentPath>> projections;
  size_t i = 0;
  for (simdjson::dom::element entry : *items) {
    ++i;
    auto get = Object(entry, "Get", &error);
    if (error) return *error;
    std::string member = "transactItems." + std::to_string(i) + ".member.get";
    if (!get) {
      errors.Null(member);
      continue;
    }
    auto table = String(*get, "TableName", &error);
    auto key = Object(*get, "Key", &error);
    auto projection = String(*get, "ProjectionExpression", &error);
    if (error) return *error;
    CheckName(table, member + ".tableName", &errors);
    if (!key) errors.Null(member + ".key");
    if (!errors.empty()) continue;
    auto parsed_key = ItemFromDom(*key);
    if (!parsed_key.ok()) return StatusError(parsed_key.status());
    gets.push_back({std::string(*table), std::move(*parsed_key)});
    ExpressionAttributes attrs;
    if (auto e = ReadExpressionAttributes(*get, projection.has_value(), &attrs)) return *e;
    table::ExpressionContext ectx(attrs.names, attrs.values);
    std::vector<table::DocumentPath> paths;
    if (projection) {
      auto p = table::ParseProjectionExpression(*projection, &ectx);
      if (!p.ok()) return StatusError(p.status());
      paths = std::move(*p);
      if (auto s = ectx.CheckAllUsed(); !s.ok()) return StatusError(s);
    }
    projections.push_back(std::move(paths));
  }
  if (!errors.empty()) return errors.ToError();
  auto result = ctx.engine->TransactGetItems(gets);
  if (!result.ok()) return EngineError(result.status());
  JsonWriter w;
  w.BeginObject();
  if (capacity != CapacityMode::kNone) {
    w.Key("ConsumedCapacity");
    w.BeginArray();
    std::vector<std::string> tables;
    for (const auto& g : gets) {
      if (std::find(tables.begin(), tables.end(), g.table) == tables.end()) tables.push_back(g.table);
    }
    for (const auto& t : tables) {
      double units = 0;
      for (size_t j = 0; j < gets.size(); ++j) {
        if (gets[j].table == t) units += 2 * ReadUnits((*result)[j] ? ItemSizeBytes(*(*result)[j]) : 0, true);
      }
      WriteCapacityObject(w, capacity, t, units);
    }
    w.EndArray();
  }
  w.Key("Responses");
  w.BeginArray();
  for (size_t j = 0; j < result->size(); ++j) {
    w.BeginObject();
    if ((*result)[j]) {
      w.Key("Item");
      AppendItemJson(w, projections[j].empty() ? *(*result)[j] : table::ProjectPaths(*(*result)[j], projections[j]));
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterTransactions(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.TransactWriteItems", TransactWriteItems);
  registry.Add("DynamoDB_20120810.TransactGetItems", TransactGetItems);
}

}  // namespace tributary::dynamodb::control
