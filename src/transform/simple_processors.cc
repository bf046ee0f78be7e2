#include "transform/simple_processors.h"

#include <zlib.h>

namespace tributary::transform {

namespace {

void StartOk(const ProcessorInput& in, ProcessorOutput& out) {
  out.record_id.assign(in.record_id);
  out.result = ProcessingResult::kOk;
  out.partition_keys.Clear();
  out.error_code.clear();
  out.error_message.clear();
  out.event_time_ms.reset();
}

}  // namespace

Result<std::unique_ptr<Processor>> AppendDelimiterProcessor::Create(const ProcessorParams& params) {
  TRIB_RETURN_IF_ERROR(CheckParams(kType, params, {}));
  return std::unique_ptr<Processor>(new AppendDelimiterProcessor());
}

Status AppendDelimiterProcessor::Process(std::span<const ProcessorInput> inputs,
                                         std::vector<ProcessorOutput>& outputs,
                                         ColumnSet* /*columns*/) const {
  outputs.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    StartOk(inputs[i], outputs[i]);
    outputs[i].data.assign(inputs[i].data);
    outputs[i].data.push_back('\n');
  }
  return Status::Ok();
}

Result<std::unique_ptr<Processor>> DecompressProcessor::Create(const ProcessorParams& params) {
  TRIB_RETURN_IF_ERROR(CheckParams(kType, params, {"format"}));
  if (auto it = params.find("format"); it != params.end() && it->second != "gzip") {
    return ParamError(kType, "format", "unsupported format '" + it->second + "' (supported: gzip)");
  }
  return std::unique_ptr<Processor>(new DecompressProcessor());
}

Status GunzipInto(std::string_view in, std::string& out, size_t max_output_bytes) {
  out.clear();
  if (in.size() < 2 || static_cast<unsigned char>(in[0]) != 0x1f ||
      static_cast<unsigned char>(in[1]) != 0x8b) {
    return Status::InvalidArgument("data is not gzip (no gzip header)");
  }
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::Internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[16384];
  Status result;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_output_bytes) {
      result = Status::InvalidArgument("data inflates to more than " +
                                       std::to_string(max_output_bytes) + " bytes");
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (as `cat a.gz b.gz` produces).
      if (inflateReset(&zs) != Z_OK) {
        result = Status::Internal("inflateReset failed");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      result = Status::InvalidArgument("gzip data is truncated");
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result = Status::InvalidArgument(std::string("gzip data is corrupt (") +
                                       (zs.msg != nullptr ? zs.msg : "inflate error") + ")");
      break;
    }
  }
  inflateEnd(&zs);
  if (!result.ok()) out.clear();
  return result;
}

Status DecompressProcessor::Process(std::span<const ProcessorInput> inputs,
                                    std::vector<ProcessorOutput>& outputs,
                                    ColumnSet* /*columns*/) const {
  outputs.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    ProcessorOutput& out = outputs[i];
    StartOk(inputs[i], out);
    Status s = GunzipInto(inputs[i].data, out.data, kMaxOutputBytes);
    if (!s.ok()) {
      out.result = ProcessingResult::kProcessingFailed;
      out.error_code.assign(kErrorCode);
      out.error_message = "decompress: " + s.message();
    }
  }
  return Status::Ok();
}

}  // namespace tributary::transform
