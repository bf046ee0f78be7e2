// PrefixLayout: a data `prefix` template (transform/prefix_template.h) read as a catalog table.
//
//   sales/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM}/
//   ^^^^^ location  ^^^^^^^^ key "customer"          ^^^^ partition_1 ^^ partition_2
//
// The leading folders without expressions are the table's location. Every folder level after
// them is one partition key: a level written "<key>=..." is the Hive key <key>; any other level
// is "partition_<i>", i its 0-based position among the partition levels, as Glue's crawler names
// them. Partition values are the rendered levels (a Hive level's value is the text after '=').
//
// Values from data (partitionKeyFromQuery / partitionKeyFromLambda) must be usable as part of a
// folder name: non-empty, valid UTF-8, no control characters, no '/' or '\\', not "." or "..",
// at most kMaxPartitionValueBytes; otherwise rendering fails with kInvalidPartitionValueCode and
// the record goes to the error prefix. The folder name is the value escaped the Hive way
// (SanitizePartitionValue), so nothing can leave the table's folder.
//
// Expressions other than keys: !{timestamp:...} renders the given instant (UTC);
// !{firehose:random-string} renders the `random` string the caller passes (delivery draws one
// per buffer, i.e. per flush, so records are not scattered over a partition each).
//
// Thread-safety: immutable after Create; Render is const.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/partition_spec.h"
#include "core/status.h"
#include "transform/prefix_template.h"
#include "transform/processor.h"

namespace tributary::delivery {

// Longest partition value taken from data, in bytes (before escaping).
inline constexpr size_t kMaxPartitionValueBytes = 128;

// Why a record's partition could not be rendered (the error record's errorCode and message).
struct PartitionFailure {
  std::string_view code;
  std::string message;
};

class PrefixLayout {
 public:
  // InvalidArgument (naming the folder level) when the template is not a usable table layout:
  // no leading literal folder, a prefix not ending in '/', a level "." or "..", an invalid or
  // repeated key, more than 32 levels.
  static Result<PrefixLayout> Create(const transform::PrefixTemplate& prefix);

  const std::string& location() const { return location_; }
  const std::vector<std::string>& partition_keys() const { return keys_; }
  // True when the values depend only on the timestamp (the caller may cache per
  // timestamp_granularity_ms() bucket).
  bool time_only() const { return time_only_; }
  int64_t timestamp_granularity_ms() const { return granularity_ms_; }
  const transform::PrefixTemplate& prefix() const { return prefix_; }

  // Renders the partition values of one record into `values` (resized to the key count; the
  // strings' storage is reused). False with `failure` filled when a key is missing
  // (kMissingPartitionKeyCode) or a value from data is unusable (kInvalidPartitionValueCode).
  bool Render(const transform::PartitionKeys& keys, int64_t timestamp_ms, std::string_view random,
              std::vector<std::string>& values, PartitionFailure& failure) const;
  // The folder of rendered `values` (lake-relative, no trailing '/') and the catalog's partition
  // values. InvalidArgument when a rendered value cannot be a folder name (too long escaped).
  Status FolderOf(const std::vector<std::string>& values, std::string& dir,
                  catalog::PartitionValues& partition_values) const;

 private:
  struct Level {
    std::string key;
    bool hive = false;
    std::vector<transform::PrefixPart> parts;  // the value's parts (Hive: after "key=")
  };

  transform::PrefixTemplate prefix_;
  std::string location_;
  std::vector<std::string> keys_;
  std::vector<Level> levels_;
  bool time_only_ = true;
  int64_t granularity_ms_ = 86400000;
};

// The checks of PrefixLayout on one value taken from data; InvalidArgument saying why.
Status CheckPartitionValueFromData(std::string_view value);

}  // namespace tributary::delivery
