#include "transform/cdc_flatten.h"

#include <cmath>
#include <cstring>

#include "core/dynamo_json.h"
#include "core/json_writer.h"
#include "transform/dynamo_unmarshal.h"
#include "transform/event_time.h"

namespace tributary::transform {

using catalog::ColumnType;

namespace {

constexpr std::string_view kCdcEventType = "cdc_event_type";
constexpr std::string_view kCreationDatetime = "creation_datetime";
constexpr std::string_view kEventId = "event_id";
constexpr std::string_view kSequenceNumber = "sequence_number";
// 9999-12-31T23:59:59.999Z: the widest time the fixed-width formats can show.
constexpr int64_t kMaxEventMillis = 253402300799999;

constexpr unsigned kHasCdcEventType = 1, kHasCreation = 2, kHasEventId = 4, kHasSeq = 8;

unsigned ReservedBit(std::string_view name) {
  switch (name.size()) {
    case kCdcEventType.size(): return name == kCdcEventType ? kHasCdcEventType : 0;
    case kCreationDatetime.size(): return name == kCreationDatetime ? kHasCreation : 0;
    case kEventId.size(): return name == kEventId ? kHasEventId : 0;
    case kSequenceNumber.size(): return name == kSequenceNumber ? kHasSeq : 0;
    default: return 0;
  }
}

// A column observation kept until the row is known good. Names either point into the parsed
// document (stable until the next parse) or into Scratch::names (offset, since it may grow).
struct Observation {
  const char* data;  // nullptr: name is names.substr(offset, size)
  size_t offset;
  size_t size;
  ColumnType type;
  bool is_null;
};

struct Scratch {
  std::vector<Observation> observations;
  std::string names;
  std::string error;
  // The calendar fields of the last event second seen (records of a batch share seconds).
  int64_t cached_second = -1;
  UtcTime cached_time;
  HourPartition cached_partition{};
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

void Failed(ProcessorOutput& out, std::string message) {
  out.result = ProcessingResult::kProcessingFailed;
  out.data.clear();
  out.partition_keys.Clear();
  out.event_time_ms.reset();
  out.error_code.assign(CdcFlattenProcessor::kErrorCode);
  out.error_message = "cdc-flatten: " + std::move(message);
}

// Reads ApproximateCreationDateTime as epoch millis; false if missing, not a number or out of range.
bool EventMillis(simdjson::dom::element e, bool millis_precision, int64_t* out) {
  double seconds = 0;
  int64_t i = 0;
  uint64_t u = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    if (millis_precision) {
      *out = i;
    } else {
      if (i > kMaxEventMillis / 1000 || i < 0) return false;
      *out = i * 1000;
    }
    return *out >= 0 && *out <= kMaxEventMillis;
  }
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return false;  // > int64: out of range
  if (e.get_double().get(seconds) != simdjson::SUCCESS) return false;
  double ms = millis_precision ? seconds : seconds * 1000.0;
  if (!(ms >= 0 && ms <= static_cast<double>(kMaxEventMillis))) return false;
  *out = static_cast<int64_t>(std::floor(ms));
  return true;
}

}  // namespace

Result<std::unique_ptr<Processor>> CdcFlattenProcessor::Create(const ProcessorParams& params) {
  TRIB_RETURN_IF_ERROR(
      CheckParams(kType, params, {"old_prefix", "image", "old_values", "timestamp_format"}));
  Options options;
  if (auto it = params.find("old_prefix"); it != params.end()) {
    if (it->second.empty()) return ParamError(kType, "old_prefix", "must not be empty");
    options.old_prefix = it->second;
  }
  if (auto it = params.find("image"); it != params.end()) {
    if (it->second == "new") {
      options.image = Image::kNew;
    } else if (it->second == "old") {
      options.image = Image::kOld;
    } else {
      return ParamError(kType, "image", "'" + it->second + "' is not new or old");
    }
  }
  if (auto it = params.find("old_values"); it != params.end()) {
    if (it->second == "true") {
      options.old_values = true;
    } else if (it->second == "false") {
      options.old_values = false;
    } else {
      return ParamError(kType, "old_values", "'" + it->second + "' is not true or false");
    }
  }
  if (auto it = params.find("timestamp_format"); it != params.end()) {
    if (it->second == "sql") {
      options.timestamp_format = TimestampFormat::kSql;
    } else if (it->second == "iso8601") {
      options.timestamp_format = TimestampFormat::kIso8601;
    } else if (it->second == "epoch-millis") {
      options.timestamp_format = TimestampFormat::kEpochMillis;
    } else {
      return ParamError(kType, "timestamp_format",
                        "'" + it->second + "' is not sql, iso8601 or epoch-millis");
    }
  }
  return std::unique_ptr<Processor>(new CdcFlattenProcessor(std::move(options)));
}

CdcFlattenProcessor::CdcFlattenProcessor(Options options) : options_(std::move(options)) {}

Status CdcFlattenProcessor::Process(std::span<const ProcessorInput> inputs,
                                    std::vector<ProcessorOutput>& outputs,
                                    ColumnSet* columns) const {
  outputs.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) ProcessOne(inputs[i], outputs[i], columns);
  return Status::Ok();
}

void CdcFlattenProcessor::ProcessOne(const ProcessorInput& in, ProcessorOutput& out,
                                     ColumnSet* columns) const {
  out.record_id.assign(in.record_id);
  out.error_code.clear();
  out.error_message.clear();

  simdjson::dom::element doc;
  auto error = ThreadLocalJsonParser().parse(in.data.data(), in.data.size()).get(doc);
  if (error != simdjson::SUCCESS) {
    return Failed(out, std::string("record is not valid JSON (") + simdjson::error_message(error) + ")");
  }
  simdjson::dom::object record;
  if (doc.get_object().get(record) != simdjson::SUCCESS) {
    return Failed(out, "record is not a JSON object");
  }

  // One pass over each level picks out the fields we need.
  std::string_view event_name, event_id, sequence_number;
  bool have_event_id = false, have_sequence = false, have_dynamodb = false;
  simdjson::dom::object dynamodb;
  for (auto field : record) {
    std::string_view key = field.key;
    if (key == "eventName") {
      if (field.value.get_string().get(event_name) != simdjson::SUCCESS) {
        return Failed(out, "eventName is not a string");
      }
    } else if (key == "eventID") {
      have_event_id = field.value.get_string().get(event_id) == simdjson::SUCCESS;
    } else if (key == "dynamodb") {
      if (field.value.get_object().get(dynamodb) != simdjson::SUCCESS) {
        return Failed(out, "dynamodb is not an object");
      }
      have_dynamodb = true;
    }
  }
  if (!have_dynamodb) return Failed(out, "record has no dynamodb field (not a DynamoDB Streams record)");
  if (event_name != "INSERT" && event_name != "MODIFY" && event_name != "REMOVE") {
    return Failed(out, event_name.empty()
                           ? std::string("record has no eventName")
                           : "eventName '" + std::string(event_name) +
                                 "' is not INSERT, MODIFY or REMOVE");
  }
  const bool is_modify = event_name == "MODIFY";
  const bool is_remove = event_name == "REMOVE";

  simdjson::dom::element new_image, old_image, keys, creation;
  bool have_new = false, have_old = false, have_keys = false, have_creation = false;
  bool millis_precision = false;
  for (auto field : dynamodb) {
    std::string_view key = field.key;
    if (key == "NewImage") {
      new_image = field.value;
      have_new = true;
    } else if (key == "OldImage") {
      old_image = field.value;
      have_old = true;
    } else if (key == "Keys") {
      keys = field.value;
      have_keys = true;
    } else if (key == "ApproximateCreationDateTime") {
      creation = field.value;
      have_creation = true;
    } else if (key == "SequenceNumber") {
      have_sequence = field.value.get_string().get(sequence_number) == simdjson::SUCCESS;
    } else if (key == "ApproximateCreationDateTimePrecision") {
      std::string_view p;
      millis_precision = field.value.get_string().get(p) == simdjson::SUCCESS && p == "MILLISECOND";
    }
  }
  int64_t event_ms = 0;
  if (!have_creation) return Failed(out, "dynamodb.ApproximateCreationDateTime is missing");
  if (!EventMillis(creation, millis_precision, &event_ms)) {
    return Failed(out, "dynamodb.ApproximateCreationDateTime is not an epoch time between 1970 and 9999");
  }

  Scratch& scratch = ThreadScratch();
  if (event_ms / 1000 != scratch.cached_second) {
    scratch.cached_second = event_ms / 1000;
    scratch.cached_time = ToUtc(scratch.cached_second * 1000);
    scratch.cached_partition = ToHourPartition(scratch.cached_time);
  }
  UtcTime t = scratch.cached_time;
  t.millis = static_cast<int>(event_ms % 1000);

  simdjson::dom::element image;
  std::string_view image_name;
  // image new: NewImage (REMOVE: OldImage); image old: OldImage (INSERT: NewImage).
  const bool use_old = options_.image == Image::kOld ? !(event_name == "INSERT") : is_remove;
  if (use_old ? have_old : have_new) {
    image = use_old ? old_image : new_image;
    image_name = use_old ? "OldImage" : "NewImage";
  } else if (have_keys) {
    image = keys;
    image_name = "Keys";
  } else {
    return Failed(out, std::string("record has no ") + (use_old ? "OldImage" : "NewImage") +
                           " and no Keys");
  }
  simdjson::dom::object image_obj;
  if (image.get_object().get(image_obj) != simdjson::SUCCESS) {
    return Failed(out, "dynamodb." + std::string(image_name) + " is not an object");
  }
  simdjson::dom::object old_obj;
  const bool write_old =
      is_modify && have_old && options_.old_values && options_.image == Image::kNew;
  if (write_old && old_image.get_object().get(old_obj) != simdjson::SUCCESS) {
    return Failed(out, "dynamodb.OldImage is not an object");
  }

  scratch.observations.clear();
  scratch.names.clear();
  std::string& row = out.data;
  row.clear();
  row.push_back('{');
  bool first = true;
  unsigned reserved_seen = 0;
  bool has_prefixed = false;
  const std::string_view prefix = options_.old_prefix;
  PlainValueInfo info;

  for (auto field : image_obj) {
    std::string_view name = field.key;
    if (!first) row.push_back(',');
    first = false;
    JsonWriter::AppendQuoted(row, name);
    row.push_back(':');
    if (!AppendPlainJson(field.value, row, info, scratch.error)) {
      return Failed(out, std::string(image_name) + " attribute '" + std::string(name) + "': " +
                             scratch.error);
    }
    reserved_seen |= ReservedBit(name);
    has_prefixed = has_prefixed || name.starts_with(prefix);
    scratch.observations.push_back({name.data(), 0, name.size(), info.type, info.is_null});
  }

  auto add_string_column = [&](std::string_view name, unsigned bit, std::string_view value,
                               bool present) {
    if (reserved_seen & bit) return;
    if (!first) row.push_back(',');
    first = false;
    JsonWriter::AppendQuoted(row, name);
    row.push_back(':');
    if (present) {
      JsonWriter::AppendQuoted(row, value);
    } else {
      row += "null";
    }
    scratch.observations.push_back({name.data(), 0, name.size(), ColumnType::kString, !present});
  };
  add_string_column(kCdcEventType, kHasCdcEventType, event_name, true);
  if (!(reserved_seen & kHasCreation)) {
    char buf[32];
    if (!first) row.push_back(',');
    first = false;
    ColumnType type = ColumnType::kTimestamp;
    switch (options_.timestamp_format) {
      case TimestampFormat::kSql: {
        char* end = FormatTimestamp(t, buf);
        row += "\"creation_datetime\":\"";
        row.append(buf, end);
        row.push_back('"');
        break;
      }
      case TimestampFormat::kIso8601: {
        char* end = FormatTimestamp(t, buf);
        buf[10] = 'T';
        row += "\"creation_datetime\":\"";
        row.append(buf, end);
        row += "Z\"";
        type = ColumnType::kString;
        break;
      }
      case TimestampFormat::kEpochMillis:
        row += "\"creation_datetime\":";
        row += std::to_string(event_ms);
        type = ColumnType::kBigint;
        break;
    }
    scratch.observations.push_back(
        {kCreationDatetime.data(), 0, kCreationDatetime.size(), type, false});
  }
  add_string_column(kEventId, kHasEventId, event_id, have_event_id);
  add_string_column(kSequenceNumber, kHasSeq, sequence_number, have_sequence);

  if (write_old) {
    for (auto field : old_obj) {
      std::string_view name = field.key;
      size_t offset = scratch.names.size();
      scratch.names.append(prefix);
      scratch.names.append(name);
      std::string_view full(scratch.names.data() + offset, prefix.size() + name.size());
      if (ReservedBit(full) != 0 || (has_prefixed && image_obj.at_key(full).error() == simdjson::SUCCESS)) {
        scratch.names.resize(offset);  // an item attribute owns this name
        continue;
      }
      row.push_back(',');
      JsonWriter::AppendQuoted(row, full);
      row.push_back(':');
      if (!AppendPlainJson(field.value, row, info, scratch.error)) {
        return Failed(out, "OldImage attribute '" + std::string(name) + "': " + scratch.error);
      }
      scratch.observations.push_back({nullptr, offset, full.size(), info.type, info.is_null});
    }
  }
  row.push_back('}');

  const HourPartition& p = scratch.cached_partition;
  out.partition_keys.Clear();
  out.partition_keys.Append("year", std::string_view(p.year, 4));
  out.partition_keys.Append("month", std::string_view(p.month, 2));
  out.partition_keys.Append("day", std::string_view(p.day, 2));
  out.partition_keys.Append("hour", std::string_view(p.hour, 2));
  out.event_time_ms = event_ms;
  out.result = ProcessingResult::kOk;

  if (columns != nullptr) {
    columns->BeginRow();
    for (const Observation& o : scratch.observations) {
      std::string_view name = o.data != nullptr ? std::string_view(o.data, o.size)
                                                : std::string_view(scratch.names).substr(o.offset, o.size);
      if (o.is_null) {
        columns->ObserveNull(name);
      } else {
        columns->Observe(name, o.type);
      }
    }
  }
}

}  // namespace tributary::transform
