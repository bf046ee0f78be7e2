#include "delivery/delivery_options.h"

#include <set>

#include "catalog/sqlite_catalog.h"
#include "delivery/error_record.h"
#include "delivery/lake_layout.h"

namespace tributary::delivery {

namespace {

constexpr std::string_view kHiveTimeFolders =
    "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";
constexpr std::string_view kFirehoseTimeFolders = "!{timestamp:yyyy/MM/dd/HH}/";

std::string WithSlash(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out.back() != '/') out += '/';
  return out;
}

}  // namespace

Result<std::string> EffectivePrefix(std::string_view prefix, std::string_view location,
                                    DefaultPrefix default_prefix) {
  const std::string_view folders =
      default_prefix == DefaultPrefix::kHive ? kHiveTimeFolders : kFirehoseTimeFolders;
  if (prefix.empty()) {
    if (default_prefix == DefaultPrefix::kHive) return std::string();
    return WithSlash(location) + std::string(folders);
  }
  TRIB_ASSIGN_OR_RETURN(transform::PrefixTemplate t,
                        transform::PrefixTemplate::Parse(prefix, transform::PrefixRole::kPrefix));
  if (t.has_timestamp() || t.has_partition_keys()) return std::string(prefix);
  return WithSlash(prefix) + std::string(folders);
}

std::string EffectiveErrorOutputPrefix(std::string_view error_output_prefix) {
  auto t = transform::PrefixTemplate::Parse(error_output_prefix,
                                            transform::PrefixRole::kErrorOutputPrefix);
  if (!t.ok() || t->has_expressions()) return std::string(error_output_prefix);
  return WithSlash(error_output_prefix) + "!{firehose:error-output-type}/" +
         std::string(kFirehoseTimeFolders);
}

std::string DeliveryOptions::errors_location() const {
  if (error_template == nullptr) return ErrorLocation(error_prefix);
  std::string out;
  for (const auto& segment : error_template->segments()) {
    if (segment.size() != 1 || segment[0].kind != transform::PrefixPart::Kind::kLiteral) break;
    if (!out.empty()) out += '/';
    out += segment[0].text;
  }
  return out;
}

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
  const std::string given_location = location;
  if (location.empty()) location = table;
  while (!location.empty() && location.back() == '/') location.pop_back();
  layout.reset();
  Result<std::string> effective = EffectivePrefix(prefix, location, default_prefix);
  if (!effective.ok()) return ctx(effective.status());
  if (!effective->empty()) {
    auto parsed = transform::PrefixTemplate::Parse(*effective, transform::PrefixRole::kPrefix);
    if (!parsed.ok()) return ctx(parsed.status());
    auto created = PrefixLayout::Create(*parsed);
    if (!created.ok()) return ctx(created.status());
    if (!given_location.empty() && given_location != created->location() &&
        given_location != created->location() + "/") {
      return ctx(Status::InvalidArgument("table location '" + given_location +
                                         "' differs from the prefix's location '" +
                                         created->location() + "'"));
    }
    location = created->location();
    partition_keys = created->partition_keys();
    layout = std::make_shared<const PrefixLayout>(std::move(created).value());
  }
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
  error_template.reset();
  if (!error_output_prefix.empty()) {
    auto parsed = transform::PrefixTemplate::Parse(EffectiveErrorOutputPrefix(error_output_prefix),
                                                   transform::PrefixRole::kErrorOutputPrefix);
    if (!parsed.ok()) return ctx(parsed.status());
    if (!parsed->has_error_output_type()) {
      return ctx(Status::InvalidArgument(
          "error_output_prefix '" + error_output_prefix +
          "' has expressions, so it must contain !{firehose:error-output-type}"));
    }
    if (!parsed->ends_with_slash()) {
      return ctx(Status::InvalidArgument("error_output_prefix '" + error_output_prefix +
                                         "' must end with '/'"));
    }
    // Error folders hold no data values: a sample rendering shows every folder name they can
    // take (timestamp letters render digits and names, the type and random string [a-z0-9-]).
    auto sample = parsed->Render({0, kProcessingFailedType},
                                 [](const transform::PrefixPart&) { return nullptr; });
    if (sample.ok()) {
      s = ValidateLakeRelativeDir(std::string_view(*sample).substr(0, sample->size() - 1),
                                  "error_output_prefix");
      if (!s.ok()) return ctx(s);
    }
    error_template = std::make_shared<const transform::PrefixTemplate>(std::move(parsed).value());
    if (errors_location().empty()) {
      return ctx(Status::InvalidArgument(
          "error_output_prefix '" + error_output_prefix +
          "' must start with a folder without expressions (the errors table's location)"));
    }
    s = ValidateLakeRelativeDir(errors_location(), "error_output_prefix");
    if (!s.ok()) return ctx(s);
  } else {
    if (error_prefix.empty() || error_prefix.back() != '/') {
      return ctx(Status::InvalidArgument("error prefix '" + error_prefix + "' must end with '/'"));
    }
    s = ValidateLakeRelativeDir(std::string_view(error_prefix).substr(0, error_prefix.size() - 1),
                                "error prefix");
    if (!s.ok()) return ctx(s);
  }
  std::string errors_location = this->errors_location();
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
  if (max_open_partitions < 1) {
    return ctx(Status::InvalidArgument("max_open_partitions must be positive"));
  }
  s = format.Validate();
  if (!s.ok()) return ctx(s.WithContext("format"));
  if (read_batch_records < 1) read_batch_records = 1;
  if (processor_retries < 0) processor_retries = 0;
  return Status::Ok();
}

}  // namespace tributary::delivery
