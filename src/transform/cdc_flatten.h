// cdc-flatten: the seed pipeline's Lambda, built in. Turns one stream record (a DynamoDB Streams
// record as the pipe writes it: eventID, eventName, dynamodb{ApproximateCreationDateTime, Keys,
// NewImage, OldImage, SequenceNumber, ...}, eventSourceARN) into ONE flat JSON row:
//
//   - every attribute of NewImage (OldImage for REMOVE; Keys when the stream carries no image;
//     with image: old, OldImage, and NewImage for INSERT),
//     unmarshalled to plain JSON and typed for the catalog:
//       S -> string (string)          N -> number as written (bigint if integral and fits int64,
//       BOOL -> true/false (boolean)       else double)
//       NULL -> null (no type)        B -> base64 text (string)
//       M -> object, L -> array, SS -> [strings], NS -> [numbers], BS -> [base64] (json)
//   - cdc_event_type (INSERT|MODIFY|REMOVE), creation_datetime ("YYYY-MM-DD HH:MM:SS.mmm" UTC,
//     timestamp), event_id, sequence_number (strings);
//   - for MODIFY, every OldImage attribute again as <old_prefix><name> (default "old_"), unless
//     old_values is false or image is old.
//
// Partition keys year/month/day/hour ("2024","05","01","09") come from ApproximateCreationDateTime
// in UTC (epoch seconds; milliseconds when dynamodb.ApproximateCreationDateTimePrecision is
// "MILLISECOND", as in Kinesis Data Streams for DynamoDB), so replays land in the same partitions.
//
// Name collisions: an item attribute always keeps its name and value; a metadata column or an
// old_ column whose name an item attribute already uses is left out of that row.
//
// A record that cannot be flattened (bad JSON, unknown eventName, missing or out-of-range time, a
// malformed attribute value) becomes ProcessingFailed with errorCode "Processor.ProcessingFailed"
// and a message naming the problem; it never aborts the batch.
//
// Parameters (docs/configuration.md):
//   old_prefix        "old_"     prefix of the old values' columns (non-empty)
//   image             new        new | old: which image gives the row's columns
//   old_values        true       true | false: on MODIFY, also write OldImage as <old_prefix>*
//   timestamp_format  sql        creation_datetime as sql "YYYY-MM-DD HH:MM:SS.mmm" (timestamp),
//                                iso8601 "YYYY-MM-DDTHH:MM:SS.mmmZ" (string) or epoch-millis
//                                (bigint)
//
// Thread-safety: immutable; Process() may run concurrently (simdjson parser and scratch buffers
// are thread-local). Steady state allocates nothing per record once the reused output buffers
// have grown to the row size.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "transform/processor.h"

namespace tributary::transform {

class CdcFlattenProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "cdc-flatten";
  static constexpr std::string_view kErrorCode = "Processor.ProcessingFailed";

  enum class Image : uint8_t { kNew, kOld };
  enum class TimestampFormat : uint8_t { kSql, kIso8601, kEpochMillis };
  struct Options {
    std::string old_prefix = "old_";
    Image image = Image::kNew;
    bool old_values = true;
    TimestampFormat timestamp_format = TimestampFormat::kSql;
  };

  static Result<std::unique_ptr<Processor>> Create(const ProcessorParams& params);
  explicit CdcFlattenProcessor(Options options);

  std::string_view type() const override { return kType; }
  std::string_view arn() const override { return "builtin:cdc-flatten"; }
  bool ReportsColumns() const override { return true; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;

  // One record; what Process() does for each input.
  void ProcessOne(const ProcessorInput& in, ProcessorOutput& out, ColumnSet* columns) const;

 private:
  const Options options_;
};

}  // namespace tributary::transform
