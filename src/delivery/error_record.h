// Failed-record documents, in Firehose's processing-failed shape, one JSON object per line:
//
//   {"attemptsMade":1,"arrivalTimestamp":1714554000123,"errorCode":"Processor.ProcessingFailed",
//    "errorMessage":"cdc-flatten: ...","attemptEndingTimestamp":1714554000456,
//    "rawData":"<base64 of the stream record>","lambdaArn":"builtin:cdc-flatten",
//    "sequenceNumber":"4960...","errorOutputType":"processing-failed"}
//
// Every failure kind has an error output type (the !{firehose:error-output-type} folder) and an
// errorCode (the table below and docs/delivery-errors.md). Firehose adds lambdaArn to
// processing-failed records only; so do we. sequenceNumber (Firehose's format-conversion
// failures carry one too) traces a failed record back to its shard position; errorOutputType
// makes the type queryable. The files are registered in the catalog table "<table>_errors" with
// FailedRecordColumns(), so they are queryable like data.
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
  std::string_view lambda_arn;  // written for processing-failed records only
  std::string_view sequence_number;
  std::string_view error_output_type = "processing-failed";
};

// Appends the JSON object (no newline) to `out`.
void AppendFailedRecordJson(const FailedRecord& record, std::string& out);

// The errors table's columns, in document order.
std::vector<catalog::Column> FailedRecordColumns();

// Error output types: Firehose's processing-failed and format-conversion-failed, and ours for
// records whose partition cannot be determined (Firehose documents no type name for dynamic
// partitioning failures).
inline constexpr std::string_view kProcessingFailedType = "processing-failed";
inline constexpr std::string_view kPartitioningFailedType = "partitioning-failed";
inline constexpr std::string_view kFormatConversionFailedType = "format-conversion-failed";

// Error codes delivery itself assigns (processors assign their own, e.g.
// "Processor.ProcessingFailed" for a ProcessingFailed result without a code).
// processing-failed:
inline constexpr std::string_view kOutputErrorCode = "Processor.InvalidOutput";
inline constexpr std::string_view kBatchErrorCode = "Processor.InvocationFailed";
// partitioning-failed (legacy Hive layout without a prefix: kPartitionErrorCode for both):
inline constexpr std::string_view kPartitionErrorCode = "DynamicPartitioning.InvalidPartitionKey";
inline constexpr std::string_view kMissingPartitionKeyCode =
    "DynamicPartitioning.MetadataExtractionFailed";
inline constexpr std::string_view kInvalidPartitionValueCode =
    "DynamicPartitioning.InvalidPartitionKeyValue";
inline constexpr std::string_view kActivePartitionsExceededCode =
    "DynamicPartitioning.ActivePartitionExceeded";
// format-conversion-failed (an encoder could not write the row):
inline constexpr std::string_view kEncodingErrorCode = "DataFormatConversion.EncodingFailed";

}  // namespace tributary::delivery
