// Two small processors of Firehose's processor list:
//
//   append-delimiter (Firehose AppendDelimiterToRecord): appends "\n" to every record's data. No
//     parameters. Delivery writes JSON lines either way; the step matters for rows a Lambda or
//     jq program passes on and for Firehose configurations brought over unchanged.
//   decompress (Firehose Decompression, CompressionFormat GZIP): gunzips each record's data
//     (concatenated gzip members are joined). Parameter `format`: "gzip" (the only one, and the
//     default). Data that is not gzip, is corrupt or truncated, or inflates past 16 MiB is
//     ProcessingFailed with errorCode "Processor.DecompressionFailed".
//
// Both keep record ids, leave partition keys empty and never fail a batch as a whole.
// Thread-safety: immutable; Process() may run concurrently.
#pragma once

#include <memory>

#include "transform/processor.h"

namespace tributary::transform {

class AppendDelimiterProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "append-delimiter";
  static Result<std::unique_ptr<Processor>> Create(const ProcessorParams& params);

  std::string_view type() const override { return kType; }
  std::string_view arn() const override { return "builtin:append-delimiter"; }
  bool KeepsColumns() const override { return true; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;
};

class DecompressProcessor final : public Processor {
 public:
  static constexpr std::string_view kType = "decompress";
  static constexpr std::string_view kErrorCode = "Processor.DecompressionFailed";
  static constexpr size_t kMaxOutputBytes = 16 * 1024 * 1024;
  static Result<std::unique_ptr<Processor>> Create(const ProcessorParams& params);

  std::string_view type() const override { return kType; }
  std::string_view arn() const override { return "builtin:decompress"; }
  Status Process(std::span<const ProcessorInput> inputs, std::vector<ProcessorOutput>& outputs,
                 ColumnSet* columns) const override;
};

// Gunzips `in` (one or more gzip members) into `out`; InvalidArgument naming the problem.
Status GunzipInto(std::string_view in, std::string& out, size_t max_output_bytes);

}  // namespace tributary::transform
