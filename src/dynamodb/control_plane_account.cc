// DescribeLimits, DescribeEndpoints and DescribeContinuousBackups: the account-level and backup
// queries that tools (Terraform, the AWS CLI, SDK endpoint discovery) make around tables.
#include "core/json_writer.h"
#include "dynamodb/control_plane_internal.h"

namespace tributary::dynamodb::control {

namespace {

ApiResult DescribeLimits(simdjson::dom::element, ApiContext&) {
  return std::string(
      R"({"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,)"
      R"("TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000})");
}

ApiResult DescribeEndpoints(simdjson::dom::element, ApiContext& ctx) {
  JsonWriter w;
  w.BeginObject();
  w.Key("Endpoints");
  w.BeginArray();
  w.BeginObject();
  w.Key("Address");
  w.String("dynamodb." + ctx.engine->options().region + ".amazonaws.com");
  w.Key("CachePeriodInMinutes");
  w.Int(1440);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return w.Take();
}

// Point-in-time recovery is not offered: continuous backups ENABLED (as for every DynamoDB
// table), PITR DISABLED.
ApiResult DescribeContinuousBackups(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto name = String(req, "TableName", &error);
  if (error) return *error;
  ControlErrors errors;
  CheckName(name, "tableName", &errors);
  if (!errors.empty()) return errors.ToError();
  auto d = ctx.engine->DescribeTable(*name);
  if (!d.ok()) {
    if (d.status().code() == StatusCode::kNotFound) {
      return ApiError::Dynamo("TableNotFoundException", "Table not found: " + std::string(*name));
    }
    return EngineError(d.status());
  }
  return std::string(
      R"({"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",)"
      R"("PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}})");
}

}  // namespace

void RegisterAccount(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.DescribeLimits", DescribeLimits);
  registry.Add("DynamoDB_20120810.DescribeEndpoints", DescribeEndpoints);
  registry.Add("DynamoDB_20120810.DescribeContinuousBackups", DescribeContinuousBackups);
}

}  // namespace tributary::dynamodb::control
