// Failed-record documents, in Firehose's processing-failed shape, one JSON object per line:
//
//   {"attemptsMade":1,"arrivalTimestamp":1714554000123,"errorCode":"Processor.ProcessingFailed",
//    "errorMessage":"cdc-flatten: ...","attemptEndingTimestamp":1714554000456,
//    "rawData":"<base64 of the stream record>","lambdaArn":"builtin:cdc-flatten",
//    "sequenceNumber":"4960..."}
//
// sequenceNumber is our addition (Firehose's format-conversion failures carry one too) so a
// failed record can be traced back to its shard position. The files are registered in the catalog
// table "<table>_errors" with FailedRecordColumns(), so they are queryable like data.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace tributary::delivery {

struct FailedRecord {
  int attempts_made = 1;
  int64_t arrival_ms = 0;
  std::string_view error_code;
  std::string_view error_message;
  int64_t attempt_ending_ms = 0;
  std::string_view raw_data;  // raw bytes; base64-encoded into rawData
  std::string_view lambda_arn;
  std::string_view sequence_number;
};

// Appends the JSON object (no newline) to `out`.
void AppendFailedRecordJson(const FailedRecord& record, std::string& out);

// The errors table's columns, in document order.
std::vector<catalog::Column> FailedRecordColumns();

// Error codes delivery itself assigns.
inline constexpr std::string_view kPartitionErrorCode = "DynamicPartitioning.InvalidPartitionKey";
inline constexpr std::string_view kOutputErrorCode = "Processor.InvalidOutput";
inline constexpr std::string_view kBatchErrorCode = "Processor.InvocationFailed";

}  // namespace tributary::delivery
