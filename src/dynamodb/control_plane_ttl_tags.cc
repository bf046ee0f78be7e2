// UpdateTimeToLive, DescribeTimeToLive, TagResource, UntagResource, ListTagsOfResource.
#include "core/json_writer.h"
#include "dynamodb/control_plane_internal.h"

namespace tributary::dynamodb::control {

namespace {

ApiResult DescribeTimeToLive(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto name = String(req, "TableName", &error);
  if (error) return *error;
  ControlErrors errors;
  CheckName(name, "tableName", &errors);
  if (!errors.empty()) return errors.ToError();
  auto d = ctx.engine->DescribeTable(*name);
  if (!d.ok()) return TableError(d.status(), *name);
  JsonWriter w;
  w.BeginObject();
  w.Key("TimeToLiveDescription");
  w.BeginObject();
  w.Key("TimeToLiveStatus");
  w.String(d->ttl.enabled ? "ENABLED" : "DISABLED");
  if (d->ttl.enabled) {
    w.Key("AttributeName");
    w.String(d->ttl.attribute);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

ApiResult UpdateTimeToLive(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto name = String(req, "TableName", &error);
  auto spec = Object(req, "TimeToLiveSpecification", &error);
  if (error) return *error;
  ControlErrors errors;
  CheckName(name, "tableName", &errors);
  std::optional<bool> enabled;
  std::optional<std::string_view> attribute;
  if (!spec) {
    errors.Null("timeToLiveSpecification");
  } else {
    enabled = Bool(*spec, "Enabled", &error);
    attribute = String(*spec, "AttributeName", &error);
    if (error) return *error;
    if (!attribute) {
      errors.Null("timeToLiveSpecification.attributeName");
    } else if (attribute->empty()) {
      errors.Add(*attribute, "timeToLiveSpecification.attributeName",
                 "Member must have length greater than or equal to 1");
    } else if (attribute->size() > 255) {
      errors.Add(*attribute, "timeToLiveSpecification.attributeName",
                 "Member must have length less than or equal to 255");
    }
    if (!enabled) errors.Null("timeToLiveSpecification.enabled");
  }
  if (!errors.empty()) return errors.ToError();
  auto d = ctx.engine->DescribeTable(*name);
  if (!d.ok()) return TableError(d.status(), *name);
  if (*enabled && d->ttl.enabled) return ApiError::Validation("TimeToLive is already enabled");
  if (!*enabled && !d->ttl.enabled) return ApiError::Validation("TimeToLive is already disabled");
  if (!*enabled && d->ttl.attribute != *attribute) {
    return ApiError::Validation("TimeToLive is active on a different AttributeName: current AttributeName is " +
                                d->ttl.attribute);
  }
  Status s = ctx.engine->SetTimeToLive(*name, table::TimeToLive{std::string(*attribute), *enabled});
  if (!s.ok()) return TableError(s, *name);
  JsonWriter w;
  w.BeginObject();
  w.Key("TimeToLiveSpecification");
  w.BeginObject();
  w.Key("Enabled");
  w.Bool(*enabled);
  w.Key("AttributeName");
  w.String(*attribute);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

// ResourceArn -> table name, with DynamoDB's errors.
std::optional<ApiError> ResolveArn(simdjson::dom::element req, ApiContext& ctx, std::string* table) {
  std::optional<ApiError> error;
  auto arn = String(req, "ResourceArn", &error);
  if (error) return error;
  ControlErrors errors;
  if (!arn) {
    errors.Null("resourceArn");
    return errors.ToError();
  }
  if (arn->size() > 1283) {
    errors.Add(*arn, "resourceArn", "Member must have length less than or equal to 1283");
    return errors.ToError();
  }
  auto name = TableNameFromArn(*arn);
  if (!name) return ApiError::Validation("Invalid TableArn: Invalid ResourceArn provided as input " + std::string(*arn));
  if (*arn != table::TableArn(ctx.engine->options().region, ctx.engine->options().account_id, *name) ||
      !ctx.engine->DescribeTable(*name).ok()) {
    return ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " + std::string(*arn) + " not found");
  }
  *table = *name;
  return std::nullopt;
}

ApiResult TagResource(simdjson::dom::element req, ApiContext& ctx) {
  std::string table;
  std::optional<ApiError> error;
  auto tags = Array(req, "Tags", &error);
  if (error) return *error;
  if (!tags) {
    ControlErrors errors;
    errors.Null("tags");
    return errors.ToError();
  }
  if (auto e = ResolveArn(req, ctx, &table)) return *e;
  std::map<std::string, std::string> map;
  size_t i = 0;
  for (simdjson::dom::element t : *tags) {
    ++i;
    auto k = String(t, "Key", &error);
    auto v = String(t, "Value", &error);
    if (error) return *error;
    ControlErrors errors;
    std::string member = "tags." + std::to_string(i) + ".member.";
    if (!k) errors.Null(member + "key");
    if (!v) errors.Null(member + "value");
    if (k && k->empty()) errors.Add(*k, member + "key", "Member must have length greater than or equal to 1");
    if (k && k->size() > 128) errors.Add(*k, member + "key", "Member must have length less than or equal to 128");
    if (v && v->size() > 256) errors.Add(*v, member + "value", "Member must have length less than or equal to 256");
    if (!errors.empty()) return errors.ToError();
    map[std::string(*k)] = std::string(*v);
  }
  auto current = ctx.engine->ListTags(table);
  if (!current.ok()) return EngineError(current.status());
  size_t total = current->size();
  for (const auto& [k, v] : map) total += current->count(k) ? 0 : 1;
  if (total > 50) {
    return ApiError::Dynamo("LimitExceededException",
                            "One or more parameter values were invalid: The number of tags exceeds the limit of 50");
  }
  Status s = ctx.engine->TagTable(table, map);
  if (!s.ok()) return EngineError(s);
  return std::string("{}");
}

ApiResult UntagResource(simdjson::dom::element req, ApiContext& ctx) {
  std::string table;
  std::optional<ApiError> error;
  auto keys = Array(req, "TagKeys", &error);
  if (error) return *error;
  if (!keys) {
    ControlErrors errors;
    errors.Null("tagKeys");
    return errors.ToError();
  }
  if (auto e = ResolveArn(req, ctx, &table)) return *e;
  std::vector<std::string> names;
  for (simdjson::dom::element k : *keys) {
    std::string_view s;
    if (k.get(s) != simdjson::SUCCESS) {
      return ApiError::Service("SerializationException", "Unexpected value type in payload, expected string");
    }
    names.emplace_back(s);
  }
  Status s = ctx.engine->UntagTable(table, names);
  if (!s.ok()) return EngineError(s);
  return std::string("{}");
}

ApiResult ListTagsOfResource(simdjson::dom::element req, ApiContext& ctx) {
  std::string table;
  if (auto e = ResolveArn(req, ctx, &table)) return *e;
  auto tags = ctx.engine->ListTags(table);
  if (!tags.ok()) return EngineError(tags.status());
  JsonWriter w;
  w.BeginObject();
  w.Key("Tags");
  w.BeginArray();
  for (const auto& [k, v] : *tags) {
    w.BeginObject();
    w.Key("Key");
    w.String(k);
    w.Key("Value");
    w.String(v);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterTtlAndTags(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.DescribeTimeToLive", DescribeTimeToLive);
  registry.Add("DynamoDB_20120810.UpdateTimeToLive", UpdateTimeToLive);
  registry.Add("DynamoDB_20120810.TagResource", TagResource);
  registry.Add("DynamoDB_20120810.UntagResource", UntagResource);
  registry.Add("DynamoDB_20120810.ListTagsOfResource", ListTagsOfResource);
}

}  // namespace tributary::dynamodb::control
