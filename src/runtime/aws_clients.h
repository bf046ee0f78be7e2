// The AWS clients of a pipeline, from its config: the top-level `aws:` block (region, profile,
// per-service endpoints) with a component's own endpoint_url/region on top. See
// docs/aws-mode.md.
//
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "aws/aws_client.h"
#include "catalog/glue_sync.h"
#include "config/pipeline_config.h"
#include "core/status.h"
#include "delivery/s3_lake_fs.h"

namespace tributary::runtime {

// service_id: the `aws.endpoints` key ("s3", "glue", "dynamodbstreams", ...); signing_name: the
// SigV4 service ("s3", "glue", "dynamodb", ...). Overrides win over the aws block when not empty.
aws::ClientConfig AwsClientConfig(const config::AwsConfig& aws, std::string_view service_id,
                                  std::string signing_name, std::string_view endpoint_override = {},
                                  std::string_view region_override = {});

// The S3 file system of an s3 destination; paths under `lake_root` map below its prefix.
Result<std::unique_ptr<delivery::S3LakeFs>> S3LakeFor(const config::PipelineConfig& config,
                                                      const config::DeliveryConfig& delivery,
                                                      const std::string& lake_root);

// The Glue sync of catalog.glue_sync: table locations are s3://<bucket>/<prefix><location> for
// tables of s3 deliveries (and their _errors tables), file://<lake_root>/<location> otherwise.
Result<std::unique_ptr<catalog::GlueSync>> CreateGlueSync(const config::PipelineConfig& config,
                                                          const std::string& lake_root,
                                                          const catalog::Catalog& catalog, const Clock& clock);

}  // namespace tributary::runtime
