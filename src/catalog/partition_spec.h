// Hive-style partition specs: "year=2024/month=05/day=01/hour=10". Keys and values are escaped the
// way Hive escapes path names ('%XX' for '/', '=', '%', ':', '#', control characters, ...), so a
// spec round-trips whatever the values contain, and the spec doubles as the partition's folder
// below the table location.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tributary::catalog {

using PartitionValues = std::vector<std::pair<std::string, std::string>>;

std::string EscapePathName(std::string_view name);
// Fails on a malformed '%' escape.
Result<std::string> UnescapePathName(std::string_view name);

// {{"year","2024"},{"month","05"}} -> "year=2024/month=05"; {} -> "".
std::string FormatPartitionSpec(const PartitionValues& values);
Result<PartitionValues> ParsePartitionSpec(std::string_view spec);

// A list of names (e.g. partition keys) as escaped names joined by '/'; {} <-> "". Names must be
// non-empty for the round trip to hold.
std::string JoinEscaped(const std::vector<std::string>& names);
Result<std::vector<std::string>> SplitEscaped(std::string_view joined);

}  // namespace tributary::catalog
