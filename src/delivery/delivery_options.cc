#include "delivery/delivery_options.h"

#include <set>

#include "catalog/sqlite_catalog.h"
#include "delivery/lake_layout.h"

namespace tributary::delivery {

Status DeliveryOptions::Normalize() {
  TRIB_RETURN_IF_ERROR(ValidateDeliveryName(name));
  auto ctx = [&](const Status& s) { return s.WithContext("delivery stream '" + name + "'"); };
  Status s = catalog::ValidateTableName(table);
  if (!s.ok()) return ctx(s);
  if (table.size() > 248) return ctx(Status::InvalidArgument("table name is too long"));
  s = catalog::ValidateTableName(database, "database");
  if (!s.ok()) return ctx(s);
  if (lake_root.empty() || lake_root.front() != '/') {
    return ctx(Status::InvalidArgument("lake root '" + lake_root + "' must be an absolute path"));
  }
  while (lake_root.size() > 1 && lake_root.back() == '/') lake_root.pop_back();
  if (location.empty()) location = table;
  while (!location.empty() && location.back() == '/') location.pop_back();
  s = ValidateLakeRelativeDir(location, "table location");
  if (!s.ok()) return ctx(s);
  std::set<std::string> seen;
  for (const std::string& key : partition_keys) {
    s = ValidatePartitionKey(key);
    if (!s.ok()) return ctx(s);
    if (!seen.insert(key).second) {
      return ctx(Status::InvalidArgument("partition key '" + key + "' appears twice"));
    }
  }
  if (error_prefix.empty() || error_prefix.back() != '/') {
    return ctx(Status::InvalidArgument("error prefix '" + error_prefix + "' must end with '/'"));
  }
  s = ValidateLakeRelativeDir(std::string_view(error_prefix).substr(0, error_prefix.size() - 1),
                              "error prefix");
  if (!s.ok()) return ctx(s);
  std::string errors_location = ErrorLocation(error_prefix);
  if (location == errors_location || location.starts_with(errors_location + "/") ||
      errors_location.starts_with(location + "/")) {
    return ctx(Status::InvalidArgument("table location '" + location + "' and error location '" +
                                       errors_location + "' must not contain each other"));
  }
  if (buffering.interval_ms < 0 || buffering.interval_ms > 900000) {
    return ctx(Status::InvalidArgument("buffering interval must be 0..900000 ms"));
  }
  if (buffering.max_bytes < 1 || buffering.max_records < 1) {
    return ctx(Status::InvalidArgument("buffering max_bytes and max_records must be positive"));
  }
  if (read_batch_records < 1) read_batch_records = 1;
  if (processor_retries < 0) processor_retries = 0;
  return Status::Ok();
}

}  // namespace tributary::delivery
