#include "delivery/error_counts.h"

#include <simdjson.h>

#include "core/dynamo_json.h"
#include "core/json_writer.h"
#include "stream/stream.h"

namespace tributary::delivery {

std::string ErrorCountsKey(std::string_view errors_checkpoint_key) {
  return std::string(errors_checkpoint_key) + "/counts";
}

std::string ErrorCountsJson(const PersistedErrorCounts& counts) {
  JsonWriter w;
  w.BeginObject();
  w.Key("through");
  w.String(counts.through);
  w.Key("counts");
  w.BeginObject();
  for (const auto& [code, n] : counts.counts) {
    w.Key(code);
    w.Int(n);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

Result<PersistedErrorCounts> ParseErrorCounts(std::string_view json) {
  simdjson::dom::element doc;
  std::string_view through;
  simdjson::dom::object counts;
  if (ThreadLocalJsonParser().parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
      doc["through"].get_string().get(through) != simdjson::SUCCESS ||
      doc["counts"].get_object().get(counts) != simdjson::SUCCESS) {
    return Status::InvalidArgument("error counts: not {\"through\":...,\"counts\":{...}}: " +
                                   std::string(json.substr(0, 120)));
  }
  PersistedErrorCounts out;
  out.through = through;
  for (auto [code, value] : counts) {
    int64_t n = 0;
    if (value.get_int64().get(n) != simdjson::SUCCESS) {
      return Status::InvalidArgument("error counts: the count of '" + std::string(code) +
                                     "' is not an integer");
    }
    out.counts.emplace(std::string(code), n);
  }
  return out;
}

Result<PersistedErrorCounts> LoadErrorCounts(const catalog::Catalog& catalog, LakeFs& fs,
                                             const ErrorCountsSource& where) {
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint,
                        catalog.GetCheckpoint(where.errors_checkpoint_key));
  if (!checkpoint) return PersistedErrorCounts{};
  PersistedErrorCounts out;
  TRIB_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        catalog.GetCheckpoint(ErrorCountsKey(where.errors_checkpoint_key)));
  if (stored) {
    TRIB_ASSIGN_OR_RETURN(out, ParseErrorCounts(*stored));
    if (out.through == *checkpoint) return out;
  }
  // Behind the errors checkpoint: count the missing records from the committed files.
  const std::string from = out.through;
  auto table = catalog.GetTable(where.errors_table);
  if (!table.ok()) {
    if (table.status().code() == StatusCode::kNotFound) {
      out.through = *checkpoint;
      return out;
    }
    return table.status();
  }
  TRIB_ASSIGN_OR_RETURN(std::vector<catalog::DataFile> files, catalog.ListFiles(where.errors_table));
  auto in_range = [&](std::string_view sequence) {
    return (from.empty() || stream::CompareSequenceNumbers(sequence, from) > 0) &&
           stream::CompareSequenceNumbers(sequence, *checkpoint) <= 0;
  };
  simdjson::dom::parser parser;
  for (const catalog::DataFile& f : files) {
    if (f.source != where.source) continue;
    if (!from.empty() && !f.last_sequence.empty() &&
        stream::CompareSequenceNumbers(f.last_sequence, from) <= 0) {
      continue;  // every record of the file was counted already
    }
    TRIB_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(where.lake_root + "/" + f.path));
    for (size_t start = 0; start < text.size();) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      simdjson::dom::element doc;
      std::string_view code;
      std::string_view sequence;
      if (nl > start &&
          parser.parse(text.data() + start, nl - start).get(doc) == simdjson::SUCCESS &&
          doc["errorCode"].get_string().get(code) == simdjson::SUCCESS &&
          doc["sequenceNumber"].get_string().get(sequence) == simdjson::SUCCESS &&
          in_range(sequence)) {
        ++out.counts[std::string(code)];
      }
      start = nl + 1;
    }
  }
  out.through = *checkpoint;
  return out;
}

}  // namespace tributary::delivery
