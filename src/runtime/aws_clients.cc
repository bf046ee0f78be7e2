#include "runtime/aws_clients.h"

namespace tributary::runtime {

aws::ClientConfig AwsClientConfig(const config::AwsConfig& a, std::string_view service_id, std::string signing_name,
                                  std::string_view endpoint_override, std::string_view region_override) {
  aws::ClientConfig c;
  c.service = std::move(signing_name);
  c.region = !region_override.empty() ? std::string(region_override) : a.region;
  c.endpoint_url = !endpoint_override.empty() ? std::string(endpoint_override) : a.EndpointFor(service_id);
  c.profile = a.profile;
  if (service_id == "dynamodbstreams") c.endpoint_prefix = "streams.dynamodb";
  return c;
}

Result<std::unique_ptr<delivery::S3LakeFs>> S3LakeFor(const config::PipelineConfig& config,
                                                      const config::DeliveryConfig& d,
                                                      const std::string& lake_root) {
  aws::ClientConfig c = AwsClientConfig(config.aws, "s3", "s3", d.destination.endpoint_url, d.destination.region);
  auto client = aws::S3Client::Create(std::move(c));
  if (!client.ok()) return client.status().WithContext("delivery " + d.name + " s3 destination");
  delivery::S3LakeOptions o;
  o.bucket = d.destination.bucket;
  o.prefix = d.destination.prefix;
  o.root = lake_root;
  return std::make_unique<delivery::S3LakeFs>(std::shared_ptr<aws::S3Client>(std::move(*client)), std::move(o));
}

Result<std::unique_ptr<catalog::GlueSync>> CreateGlueSync(const config::PipelineConfig& config,
                                                          const std::string& lake_root,
                                                          const catalog::Catalog& catalog, const Clock& clock) {
  const config::GlueSyncConfig& g = config.catalog.glue_sync;
  auto client = aws::JsonClient::Create(AwsClientConfig(config.aws, "glue", "glue", g.endpoint_url, g.region));
  if (!client.ok()) return client.status().WithContext("glue_sync");
  catalog::GlueSyncOptions o;
  o.database = g.database;
  o.interval_ms = g.interval_ms;
  o.location_root = "file://" + lake_root;
  for (const config::DeliveryConfig& d : config.deliveries) {
    if (d.destination.type != config::DestinationType::kS3) continue;
    std::string root = "s3://" + d.destination.bucket;
    std::string prefix = d.destination.prefix;
    if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty()) root += "/" + prefix;
    o.table_roots[d.table] = root;
    o.table_roots[d.table + "_errors"] = root;
  }
  return std::make_unique<catalog::GlueSync>(std::move(o), std::move(*client), catalog, clock);
}

}  // namespace tributary::runtime
