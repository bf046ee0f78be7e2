// The read side of the AWS Glue Data Catalog API (AWS JSON 1.1, X-Amz-Target "AWSGlue.<Op>"),
// served from Tributary's catalog so boto3.client("glue") code written for AWS works:
//
//   GetDatabases, GetDatabase, GetTables (Expression: table-name pattern), GetTable,
//   GetPartitions (Expression: glue_expression.h; NextToken/MaxResults; Segment;
//   ExcludeColumnSchema), GetPartition, GetTableVersions, GetTableVersion
//
// Shapes follow Glue (../shared/aws-compat-checklist.md section 5) and are written by
// catalog/glue_json.h (shared with `tributary catalog --json`): Table{Name, DatabaseName,
// CreateTime, UpdateTime (epoch seconds), TableType "EXTERNAL_TABLE", StorageDescriptor{Columns,
// Location, InputFormat, OutputFormat, Compressed, SerdeInfo, ...}, PartitionKeys (string),
// Parameters{classification, ...}, CatalogId, VersionId}. Locations are file:// URIs of the lake
// folders. Errors: EntityNotFoundException ("Database x not found.", "Table x not found."),
// InvalidInputException (bad members, bad Expression, bad NextToken). docs/athena-glue-api.md
// lists what differs from AWS.
//
// Thread-safety: the handlers only read the (thread-safe) catalog; they run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "dynamodb/api.h"

namespace tributary::lakeapi {

inline constexpr std::string_view kGlueTargetPrefix = "AWSGlue.";

struct GlueOptions {
  const catalog::Catalog* catalog = nullptr;  // borrowed; outlives the registry
  std::string lake_root;                      // absolute; Locations are file://<lake_root>/...
  std::string account_id = "000000000000";    // CatalogId
};

// Adds the AWSGlue.* operations above to `registry`.
void RegisterGlue(dynamodb::OperationRegistry& registry, const GlueOptions& options);

}  // namespace tributary::lakeapi
