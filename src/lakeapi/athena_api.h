// The Athena query API (AWS JSON 1.1, X-Amz-Target "AmazonAthena.<Op>") over a QueryExecutor,
// so boto3.client("athena") code written for AWS works against the local endpoint:
//
//   StartQueryExecution   QueryString, QueryExecutionContext{Database}, ResultConfiguration
//                         {OutputLocation}, WorkGroup, ClientRequestToken -> QueryExecutionId
//   GetQueryExecution     QueryExecution{Status{State, StateChangeReason, ...}, Statistics,
//                         ResultConfiguration{OutputLocation = <location>/<id>.csv}, ...}
//   GetQueryResults       ResultSet{Rows (the header row first on the first page),
//                         ResultSetMetadata{ColumnInfo}}, MaxResults <= 1000, NextToken
//   ListQueryExecutions   MaxResults <= 50, NextToken, WorkGroup
//   BatchGetQueryExecution, StopQueryExecution
//   GetWorkGroup, ListWorkGroups   the one workgroup, "primary"
//
// Errors: InvalidRequestException (with AthenaErrorCode "INVALID_INPUT"), e.g. "Query has not
// yet finished. Current state: RUNNING", TooManyRequestsException when the queue is full,
// InternalServerException (500). docs/athena-glue-api.md lists the differences from AWS.
//
// Thread-safety: the handlers are thread-safe (the executor is).
#pragma once

#include <string>
#include <string_view>

#include "dynamodb/api.h"
#include "lakeapi/query_executor.h"

namespace tributary::lakeapi {

inline constexpr std::string_view kAthenaTargetPrefix = "AmazonAthena.";

struct AthenaOptions {
  QueryExecutor* executor = nullptr;  // borrowed; outlives the registry
  // The primary workgroup's output location, used when a request names none.
  std::string default_output_location = "s3://tributary-athena-results/";
};

void RegisterAthena(dynamodb::OperationRegistry& registry, const AthenaOptions& options);

// Athena (Trino) type names for DuckDB result types: VARCHAR -> varchar, BIGINT -> bigint,
// DOUBLE -> double, TIMESTAMP WITH TIME ZONE -> "timestamp with time zone", DECIMAL(18,3) ->
// decimal (precision 18, scale 3), VARCHAR[] -> array, STRUCT(...) -> row, ...
struct AthenaType {
  std::string name;
  int precision = 0;
  int scale = 0;
};
AthenaType AthenaTypeOf(std::string_view duckdb_type);

}  // namespace tributary::lakeapi
