// Where delivery puts things in the lake, and what the names look like.
//
//   data:    <location>/year=2024/month=05/day=01/hour=09/<Name>-1-2024-05-01-09-00-01-<id>.json
//   errors:  <error_prefix>processing-failed/2024/05/01/09/<Name>-1-2024-05-01-09-00-01-<id>.json
//   temp:    the same directory, "_" + the final file name (readers skip '_'-prefixed files)
//
// The name follows Firehose's object name (<DeliveryStreamName>-<version>-<YYYY-MM-DD-HH-MM-SS>-
// <uuid>) with version 1; the timestamp is the flush's wall-clock time in UTC and <id> a random
// UUID v4, so names never collide across flushes, shards or processes.
//
// Partition values can come from user data (jq / Lambda partition keys), so they are sanitized
// before they become path segments; see SanitizePartitionValue.
//
// Thread-safety: pure functions, except NewFileId (thread-safe, thread-local generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary::delivery {

// Longest sanitized partition value; keeps "<key>=<value>" within NAME_MAX (255) bytes.
inline constexpr size_t kMaxPartitionSegmentBytes = 200;
inline constexpr std::string_view kFileVersion = "1";
inline constexpr std::string_view kFileExtension = ".json";
// Every extension a delivered file can have (file_format.h: JSON lines, gzip, zstd, Parquet).
inline constexpr std::string_view kLakeFileExtensions[] = {".json", ".json.gz", ".json.zst",
                                                           ".parquet"};

// A partition value as one safe path segment. Characters the Hive layout escapes ('/', '\\', '=',
// ':', '%', '#', quotes, control characters, ...) are percent-encoded the way the catalog's
// EscapePathName does (so catalog::ParsePartitionSpec reads the value back); a leading '.' or '_'
// is percent-encoded too, so no value can name "..", a hidden folder or a temp-looking folder.
// InvalidArgument for an empty value, invalid UTF-8, or a result longer than
// kMaxPartitionSegmentBytes.
Result<std::string> SanitizePartitionValue(std::string_view value);

// Delivery stream names: [A-Za-z0-9_.-]{1,64}, not starting with '_' or '.' (Firehose's rule plus
// our temp-name rule).
Status ValidateDeliveryName(std::string_view name);
// Partition keys: 1..50 of [a-z0-9_], not starting with '_'.
Status ValidatePartitionKey(std::string_view key);
// Configured lake-relative folders (table location, error prefix without its trailing '/'):
// non-empty, relative, every segment non-empty printable ASCII without '\\' and not starting
// with '.' or '_' (so no "..", hidden or temp-looking folders). `what` names it in the error.
Status ValidateLakeRelativeDir(std::string_view dir, std::string_view what);

// A random UUID v4 ("3f2b...-...."), 36 characters.
std::string NewFileId();

// "<name>-1-YYYY-MM-DD-HH-MM-SS-<id><extension>" for a flush at `now_ms`.
std::string DataFileName(std::string_view delivery_name, int64_t now_ms, std::string_view id,
                         std::string_view extension = kFileExtension);

// "_" + base name, in the same directory: "a/b/x.json" -> "a/b/_x.json".
std::string TempPathFor(std::string_view final_path);
// True when `file_name` (a base name) is a temp file this delivery stream writes:
// "_<name>-1-YYYY-MM-DD-HH-MM-SS-<anything><one of kLakeFileExtensions>". Distinguishes "orders"
// from "orders-1".
bool IsOwnTempFileName(std::string_view file_name, std::string_view delivery_name);
// The final base name of a temp base name ("_x.json" -> "x.json").
std::string_view FinalNameOfTemp(std::string_view temp_file_name);

// "errors/" + "processing-failed/2024/05/01/09" for an arrival time (UTC).
std::string ErrorDirFor(std::string_view error_prefix, int64_t arrival_ms);
// The errors table's location: "<error_prefix>processing-failed" without a trailing '/'.
std::string ErrorLocation(std::string_view error_prefix);

}  // namespace tributary::delivery
