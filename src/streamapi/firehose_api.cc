#include "streamapi/firehose_api.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "core/json_writer.h"
#include "streamapi/api_util.h"
#include "streamapi/base64.h"

namespace tributary::streamapi {

namespace {

using simdjson::dom::element;

#define FH_MEMBER(var, expr)                                      \
  auto var##_member = (expr);                                     \
  if (auto* var##_error = std::get_if<ApiError>(&var##_member)) { \
    return *var##_error;                                          \
  }                                                               \
  auto var = std::get<0>(std::move(var##_member))

// Inside ParseCreateDeliveryStream, member errors become InvalidArgument statuses.
#define FH_FIELD(var, expr)                                                  \
  auto var##_member = (expr);                                                \
  if (auto* var##_error = std::get_if<ApiError>(&var##_member)) {            \
    return Status::InvalidArgument(var##_error->message);                    \
  }                                                                          \
  auto var = std::get<0>(std::move(var##_member))

constexpr size_t kMaxBatchRecords = 500;
constexpr size_t kMaxBatchBytes = 4 << 20;
constexpr size_t kMaxRecordBytes = 1000 * 1024;

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// The SQL table of an API-created delivery: its name lower-cased, '-' and '.' as '_'.
std::string TableNameOf(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += (c == '-' || c == '.') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The last ARN segment after `marker` ("function:", "stream/"), or "".
std::string ArnResource(std::string_view arn, std::string_view marker) {
  const size_t at = arn.rfind(marker);
  if (at == std::string_view::npos) return "";
  return std::string(arn.substr(at + marker.size()));
}

// Processors[{Type, Parameters[{ParameterName, ParameterValue}]}] -> our processor steps.
Status MapProcessors(element processing, config::DeliveryConfig* dc) {
  bool on = true;
  simdjson::dom::element e;
  if (processing.at_key("Enabled").get(e) == simdjson::SUCCESS && !e.is_null()) {
    if (e.get_bool().get(on) != simdjson::SUCCESS) return Status::InvalidArgument("ProcessingConfiguration.Enabled must be a boolean");
  }
  FH_FIELD(list, OptArray(processing, "Processors"));
  if (!on || !list) return Status::Ok();
  for (element p : *list) {
    if (p.type() != simdjson::dom::element_type::OBJECT) return Status::InvalidArgument("Processors entries must be objects");
    FH_FIELD(type, OptString(p, "Type"));
    if (!type) return Status::InvalidArgument("Processor Type is required");
    std::map<std::string, std::string> params;
    FH_FIELD(plist, OptArray(p, "Parameters"));
    if (plist) {
      for (element kv : *plist) {
        std::string_view k, v;
        if (kv["ParameterName"].get_string().get(k) != simdjson::SUCCESS ||
            kv["ParameterValue"].get_string().get(v) != simdjson::SUCCESS) {
          return Status::InvalidArgument("Processor Parameters need ParameterName and ParameterValue strings");
        }
        params[std::string(k)] = std::string(v);
      }
    }
    config::ProcessorConfig pc;
    if (*type == "Lambda") {
      auto arn = params.find("LambdaArn");
      if (arn == params.end()) return Status::InvalidArgument("Lambda processor requires the LambdaArn parameter");
      std::string function = ArnResource(arn->second, "function:");
      if (const size_t colon = function.find(':'); colon != std::string::npos) function.resize(colon);  // :alias
      if (function.empty()) return Status::InvalidArgument("LambdaArn '" + arn->second + "' is not a Lambda function ARN");
      if (function == "cdc-flatten") {
        pc.type = "cdc-flatten";  // the seed's Lambda, built in
      } else {
        // A local handler: lambdas/<function>/lambda_function.py beside the pipeline YAML.
        pc.type = "lambda";
        pc.params["function_name"] = function;
        pc.params["handler"] = "lambda_function.lambda_handler";
        pc.params["code"] = "lambdas/" + function;
        if (auto r = params.find("NumberOfRetries"); r != params.end()) pc.params["number_of_retries"] = r->second;
        if (auto b = params.find("BufferSizeInMBs"); b != params.end()) pc.params["buffer_size_mb"] = b->second;
      }
    } else if (*type == "AppendDelimiterToRecord") {
      pc.type = "append-delimiter";
    } else if (*type == "MetadataExtraction") {
      auto q = params.find("MetadataExtractionQuery");
      if (q == params.end()) return Status::InvalidArgument("MetadataExtraction requires MetadataExtractionQuery");
      pc.type = "metadata-extraction";
      pc.params["query"] = q->second;
      if (auto j = params.find("JsonParsingEngine"); j != params.end()) pc.params["json_parsing_engine"] = j->second;
    } else if (*type == "Decompression") {
      pc.type = "decompress";
      if (auto f = params.find("CompressionFormat"); f != params.end()) {
        if (f->second != "GZIP") return Status::InvalidArgument("Decompression CompressionFormat must be GZIP");
        pc.params["format"] = "gzip";
      }
    } else {
      return Status::InvalidArgument("Processor type " + std::string(*type) +
                                     " is not supported here (Lambda, AppendDelimiterToRecord, MetadataExtraction, "
                                     "Decompression are)");
    }
    dc->processors.push_back(std::move(pc));
  }
  return Status::Ok();
}

Status MapDestination(element dest, config::DeliveryConfig* dc) {
  FH_FIELD(bucket, OptString(dest, "BucketARN"));
  if (!bucket) return Status::InvalidArgument("BucketARN is required");
  if (bucket->rfind("arn:aws:s3:::", 0) != 0 || bucket->size() <= 13) {
    return Status::InvalidArgument("BucketARN '" + std::string(*bucket) + "' is not an S3 bucket ARN (arn:aws:s3:::BUCKET)");
  }
  FH_FIELD(prefix, OptString(dest, "Prefix"));
  FH_FIELD(error_prefix, OptString(dest, "ErrorOutputPrefix"));
  if (prefix) dc->prefix = std::string(*prefix);
  if (error_prefix) dc->error_output_prefix = std::string(*error_prefix);
  FH_FIELD(hints, OptObject(dest, "BufferingHints"));
  if (hints) {
    FH_FIELD(size, OptInt(*hints, "SizeInMBs"));
    FH_FIELD(interval, OptInt(*hints, "IntervalInSeconds"));
    if (size.has_value() != interval.has_value()) {
      return Status::InvalidArgument("BufferingHints: specify both SizeInMBs and IntervalInSeconds, or neither");
    }
    if (size) {
      if (*size < 1 || *size > 128) return Status::InvalidArgument("BufferingHints.SizeInMBs must be between 1 and 128");
      if (*interval < 0 || *interval > 900) {
        return Status::InvalidArgument("BufferingHints.IntervalInSeconds must be between 0 and 900");
      }
      dc->buffering.max_bytes = *size * 1024 * 1024;
      dc->buffering.interval_ms = *interval * 1000;
    }
  } else {
    dc->buffering.max_bytes = 5 * 1024 * 1024;  // Firehose's defaults: 5 MiB, 300 s
    dc->buffering.interval_ms = 300 * 1000;
  }
  FH_FIELD(compression, OptString(dest, "CompressionFormat"));
  if (compression && *compression != "UNCOMPRESSED") {
    if (*compression == "GZIP") {
      dc->format.compression = config::FileCompression::kGzip;
    } else {
      return Status::InvalidArgument("CompressionFormat " + std::string(*compression) +
                                     " is not supported here (UNCOMPRESSED and GZIP are)");
    }
  }
  FH_FIELD(conversion, OptObject(dest, "DataFormatConversionConfiguration"));
  if (conversion) {
    bool enabled = true;
    simdjson::dom::element e;
    if (conversion->at_key("Enabled").get(e) == simdjson::SUCCESS && !e.is_null() &&
        e.get_bool().get(enabled) != simdjson::SUCCESS) {
      return Status::InvalidArgument("DataFormatConversionConfiguration.Enabled must be a boolean");
    }
    if (enabled) {
      simdjson::dom::element serializer;
      if ((*conversion)["OutputFormatConfiguration"]["Serializer"].get(serializer) != simdjson::SUCCESS ||
          serializer.at_key("ParquetSerDe").error() != simdjson::SUCCESS) {
        return Status::InvalidArgument("DataFormatConversionConfiguration: only the ParquetSerDe serializer is supported");
      }
      if (dc->format.compression) {
        return Status::InvalidArgument("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled");
      }
      dc->format.type = config::FileFormatType::kParquet;
    }
  }
  FH_FIELD(dynamic, OptObject(dest, "DynamicPartitioningConfiguration"));
  if (dynamic) {
    simdjson::dom::element e;
    bool enabled = false;
    if (dynamic->at_key("Enabled").get(e) == simdjson::SUCCESS && e.get_bool().get(enabled) == simdjson::SUCCESS) {
      dc->dynamic_partitioning = enabled;
    }
  }
  FH_FIELD(processing, OptObject(dest, "ProcessingConfiguration"));
  if (processing) TRIB_RETURN_IF_ERROR(MapProcessors(*processing, dc));
  return Status::Ok();
}

}  // namespace

std::string FirehoseArn(std::string_view region, std::string_view account_id, std::string_view name) {
  return "arn:aws:firehose:" + std::string(region) + ":" + std::string(account_id) + ":deliverystream/" +
         std::string(name);
}

Result<FirehoseStreamSpec> ParseCreateDeliveryStream(std::string_view request_json, std::string_view region,
                                                     std::string_view account_id) {
  (void)region;
  (void)account_id;
  simdjson::dom::parser parser;
  element req;
  if (parser.parse(request_json.data(), request_json.size()).get(req) != simdjson::SUCCESS ||
      req.type() != simdjson::dom::element_type::OBJECT) {
    return Status::InvalidArgument("the request is not a JSON object");
  }
  FirehoseStreamSpec spec;
  spec.request_json = std::string(request_json);
  FH_FIELD(name, OptString(req, "DeliveryStreamName"));
  if (!name || !ValidName(*name)) {
    return Status::InvalidArgument("DeliveryStreamName must match [a-zA-Z0-9_.-]{1,64}");
  }
  spec.name = std::string(*name);
  FH_FIELD(type, OptString(req, "DeliveryStreamType"));
  spec.type = type ? std::string(*type) : std::string(kDirectPut);
  if (spec.type != kDirectPut && spec.type != kKinesisStreamAsSource) {
    return Status::InvalidArgument("DeliveryStreamType " + spec.type +
                                   " is not supported here (DirectPut and KinesisStreamAsSource are)");
  }
  FH_FIELD(source, OptObject(req, "KinesisStreamSourceConfiguration"));
  if (spec.type == kKinesisStreamAsSource) {
    if (!source) return Status::InvalidArgument("KinesisStreamSourceConfiguration is required for KinesisStreamAsSource");
    FH_FIELD(arn, OptString(*source, "KinesisStreamARN"));
    if (!arn) return Status::InvalidArgument("KinesisStreamSourceConfiguration.KinesisStreamARN is required");
    spec.source_stream = ArnResource(*arn, ":stream/");
    if (spec.source_stream.empty()) return Status::InvalidArgument("KinesisStreamARN '" + std::string(*arn) + "' is not a Kinesis stream ARN");
  } else if (source) {
    return Status::InvalidArgument("KinesisStreamSourceConfiguration is only valid for KinesisStreamAsSource");
  }
  config::DeliveryConfig& dc = spec.delivery;
  dc.name = spec.name;
  dc.location.file = "CreateDeliveryStream " + spec.name;  // what runtime errors are prefixed with
  dc.table = TableNameOf(spec.name);
  dc.partitioning = config::Partitioning::kArrivalTime;  // producers' records carry no change time
  dc.compaction.enabled = false;
  if (!spec.source_stream.empty()) {
    dc.source.kind = config::ResourceKind::kStream;
    dc.source.name = spec.source_stream;
  }
  FH_FIELD(extended, OptObject(req, "ExtendedS3DestinationConfiguration"));
  FH_FIELD(plain, OptObject(req, "S3DestinationConfiguration"));
  for (std::string_view other : {"RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
                                 "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
                                 "HttpEndpointDestinationConfiguration", "SnowflakeDestinationConfiguration",
                                 "IcebergDestinationConfiguration"}) {
    if (req.at_key(other).error() == simdjson::SUCCESS) {
      return Status::InvalidArgument(std::string(other) + " is not supported here (only S3 destinations are)");
    }
  }
  if (extended.has_value() == plain.has_value()) {
    return Status::InvalidArgument("exactly one of ExtendedS3DestinationConfiguration and S3DestinationConfiguration is required");
  }
  TRIB_RETURN_IF_ERROR(MapDestination(extended ? *extended : *plain, &dc));
  if (dc.processors.empty()) {
    // No processing: each record is delivered as it is and must be one JSON object (a row).
    config::ProcessorConfig identity;
    identity.type = "jq";
    identity.params["program"] = ".";
    dc.processors.push_back(std::move(identity));
  }
  return spec;
}

namespace {

class FirehoseService {
 public:
  explicit FirehoseService(FirehoseOptions o) : o_(std::move(o)) {
    if (o_.clock == nullptr) o_.clock = SystemClock::Default();
  }

  ApiResult Create(element req);
  ApiResult Delete(element req);
  ApiResult Describe(element req);
  ApiResult List(element req);
  ApiResult Put(element req, bool batch);

 private:
  ApiError NotFound(std::string_view name) const {
    return Error("ResourceNotFoundException", "Firehose " + std::string(name) + " under account " + o_.account_id +
                                                  " not found.");
  }
  std::string Arn(std::string_view name) const { return FirehoseArn(o_.region, o_.account_id, name); }
  std::variant<std::string, ApiError> NameOf(element req) const {
    FH_MEMBER(name, OptString(req, "DeliveryStreamName"));
    if (!name) return ValidationError("deliveryStreamName", "null", "Member must not be null");
    if (!ValidName(*name)) {
      return ValidationError("deliveryStreamName", *name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    return std::string(*name);
  }
  // Entries over the per-second budget of the delivery stream (all admitted when there is none).
  size_t Admit(const std::string& name, size_t n) {
    if (o_.records_per_second <= 0) return n;
    const int64_t second = o_.clock->NowMillis() / 1000;
    std::lock_guard<std::mutex> lock(mu_);
    Window& w = windows_[name];
    if (w.second != second) w = Window{second, 0};
    const size_t room = static_cast<size_t>(std::max<int64_t>(0, o_.records_per_second - w.records));
    const size_t admitted = std::min(room, n);
    w.records += static_cast<int64_t>(admitted);
    return admitted;
  }

  FirehoseOptions o_;
  struct Window {
    int64_t second = -1;
    int64_t records = 0;
  };
  std::mutex mu_;
  std::map<std::string, Window> windows_;  // guarded by mu_
};

ApiResult FirehoseService::Create(element req) {
  auto name_or = NameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string json = simdjson::minify(req);
  auto spec = ParseCreateDeliveryStream(json, o_.region, o_.account_id);
  if (!spec.ok()) return Error("InvalidArgumentException", spec.status().message());
  spec->create_ms = o_.clock->NowMillis();
  Status s = o_.backend->CreateDeliveryStream(*spec);
  if (s.code() == StatusCode::kAlreadyExists) {
    return Error("ResourceInUseException", "Firehose " + spec->name + " under accountId " + o_.account_id +
                                               " already exists");
  }
  if (s.code() == StatusCode::kNotFound) {
    return Error("InvalidArgumentException", "Kinesis stream " + spec->source_stream + " under account " +
                                                 o_.account_id + " not found.");
  }
  if (s.code() == StatusCode::kInvalidArgument) return Error("InvalidArgumentException", s.message());
  if (!s.ok()) return Error("ServiceUnavailableException", s.message(), 500);
  JsonWriter w;
  w.BeginObject();
  w.Key("DeliveryStreamARN");
  w.String(Arn(spec->name));
  w.EndObject();
  return w.Take();
}

ApiResult FirehoseService::Delete(element req) {
  auto name_or = NameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  Status s = o_.backend->DeleteDeliveryStream(name);
  if (s.code() == StatusCode::kNotFound) return NotFound(name);
  if (s.code() == StatusCode::kFailedPrecondition) {
    return Error("ResourceInUseException", "Firehose " + name + " is declared in the pipeline configuration; "
                                                                 "remove it there instead.");
  }
  if (!s.ok()) return Error("ServiceUnavailableException", s.message(), 500);
  return std::string("{}");
}

ApiResult FirehoseService::Describe(element req) {
  auto name_or = NameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  std::vector<FirehoseStreamInfo> all = o_.backend->ListDeliveryStreams();
  auto it = std::find_if(all.begin(), all.end(), [&](const FirehoseStreamInfo& i) { return i.name == name; });
  if (it == all.end()) return NotFound(name);
  simdjson::dom::parser parser;
  element original;
  const bool have_request = !it->request_json.empty() &&
                            parser.parse(it->request_json).get(original) == simdjson::SUCCESS;
  JsonWriter w;
  w.BeginObject();
  w.Key("DeliveryStreamDescription");
  w.BeginObject();
  w.Key("DeliveryStreamName");
  w.String(name);
  w.Key("DeliveryStreamARN");
  w.String(Arn(name));
  w.Key("DeliveryStreamStatus");
  w.String("ACTIVE");
  w.Key("DeliveryStreamType");
  w.String(it->type);
  w.Key("VersionId");
  w.String("1");
  w.Key("CreateTimestamp");
  w.Double(EpochSeconds(it->create_ms));
  w.Key("DeliveryStreamEncryptionConfiguration");
  w.BeginObject();
  w.Key("Status");
  w.String("DISABLED");
  w.EndObject();
  if (it->type == kKinesisStreamAsSource) {
    w.Key("Source");
    w.BeginObject();
    w.Key("KinesisStreamSourceDescription");
    w.BeginObject();
    w.Key("KinesisStreamARN");
    w.String("arn:aws:kinesis:" + o_.region + ":" + o_.account_id + ":stream/" + it->source_stream);
    w.Key("DeliveryStartTimestamp");
    w.Double(EpochSeconds(it->create_ms));
    w.EndObject();
    w.EndObject();
  }
  w.Key("Destinations");
  w.BeginArray();
  w.BeginObject();
  w.Key("DestinationId");
  w.String("destinationId-000000000001");
  simdjson::dom::element dest;
  if (have_request && original["ExtendedS3DestinationConfiguration"].get(dest) == simdjson::SUCCESS) {
    w.Key("ExtendedS3DestinationDescription");
    w.Raw(simdjson::minify(dest));
  } else if (have_request && original["S3DestinationConfiguration"].get(dest) == simdjson::SUCCESS) {
    w.Key("S3DestinationDescription");
    w.Raw(simdjson::minify(dest));
  } else {
    // A delivery of the YAML configuration: its lake folder stands in for the bucket.
    w.Key("ExtendedS3DestinationDescription");
    w.BeginObject();
    w.Key("BucketARN");
    w.String("arn:aws:s3:::lake");
    w.EndObject();
  }
  w.EndObject();
  w.EndArray();
  w.Key("HasMoreDestinations");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

ApiResult FirehoseService::List(element req) {
  FH_MEMBER(limit, OptInt(req, "Limit"));
  FH_MEMBER(type, OptString(req, "DeliveryStreamType"));
  FH_MEMBER(start, OptString(req, "ExclusiveStartDeliveryStreamName"));
  if (limit && (*limit < 1 || *limit > 10000)) {
    return ValidationError("limit", std::to_string(*limit), "Member must have value between 1 and 10000");
  }
  std::vector<std::string> names;
  for (const FirehoseStreamInfo& i : o_.backend->ListDeliveryStreams()) {
    if (type && i.type != *type) continue;
    if (start && i.name <= *start) continue;
    names.push_back(i.name);
  }
  std::sort(names.begin(), names.end());
  const size_t max = static_cast<size_t>(limit.value_or(10));
  JsonWriter w;
  w.BeginObject();
  w.Key("DeliveryStreamNames");
  w.BeginArray();
  for (size_t i = 0; i < names.size() && i < max; ++i) w.String(names[i]);
  w.EndArray();
  w.Key("HasMoreDeliveryStreams");
  w.Bool(names.size() > max);
  w.EndObject();
  return w.Take();
}

ApiResult FirehoseService::Put(element req, bool batch) {
  auto name_or = NameOf(req);
  if (auto* e = std::get_if<ApiError>(&name_or)) return *e;
  const std::string& name = std::get<0>(name_or);
  std::vector<element> records;
  if (batch) {
    FH_MEMBER(list, OptArray(req, "Records"));
    if (!list) return ValidationError("records", "null", "Member must not be null");
    if (list->size() < 1) return ValidationError("records", "[]", "Member must have length greater than or equal to 1");
    if (list->size() > kMaxBatchRecords) {
      return ValidationError("records", "[...]", "Member must have length less than or equal to 500");
    }
    for (element r : *list) records.push_back(r);
  } else {
    FH_MEMBER(record, OptObject(req, "Record"));
    if (!record) return ValidationError("record", "null", "Member must not be null");
    records.push_back(*record);
  }
  size_t encoded = 0;
  for (element r : records) {
    std::string_view d;
    if (r.at_key("Data").get_string().get(d) == simdjson::SUCCESS) encoded += d.size();
  }
  std::string arena;
  arena.reserve(encoded / 4 * 3 + 16);
  std::vector<std::pair<size_t, size_t>> spans;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].type() != simdjson::dom::element_type::OBJECT) return Error("SerializationException", "Records entries must be objects");
    FH_MEMBER(data, OptString(records[i], "Data"));
    const std::string member = batch ? "records." + std::to_string(i + 1) + ".member.data" : "record.data";
    if (!data) return ValidationError(member, "null", "Member must not be null");
    const size_t before = arena.size();
    if (!AppendBase64Decoded(*data, &arena)) return Error("SerializationException", "Data must be base64-encoded bytes");
    const size_t size = arena.size() - before;
    if (size > kMaxRecordBytes) {
      return ValidationError(member, "java.nio.HeapByteBuffer[pos=0 lim=" + std::to_string(size) + " cap=" + std::to_string(size) + "]",
                             "Member must have length less than or equal to 1024000");
    }
    spans.emplace_back(before, size);
  }
  if (batch && arena.size() > kMaxBatchBytes) {
    return Error("InvalidArgumentException", "Records size exceeds 4 MiB limit");
  }
  const size_t admitted = Admit(name, records.size());
  if (!batch && admitted == 0) return Error("ServiceUnavailableException", "Slow down.");
  std::vector<std::string_view> views;
  for (size_t i = 0; i < admitted; ++i) views.push_back(std::string_view(arena).substr(spans[i].first, spans[i].second));
  std::vector<std::string> ids;
  if (!views.empty()) {
    auto put = o_.backend->PutRecords(name, views);
    if (!put.ok()) {
      if (put.status().code() == StatusCode::kNotFound) return NotFound(name);
      if (put.status().code() == StatusCode::kFailedPrecondition) {
        return Error("InvalidArgumentException", "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
      }
      return Error("ServiceUnavailableException", put.status().message(), 500);
    }
    ids = std::move(put).value();
  }
  JsonWriter w;
  w.BeginObject();
  if (batch) {
    w.Key("FailedPutCount");
    w.Int(static_cast<int64_t>(records.size() - admitted));
    w.Key("Encrypted");
    w.Bool(false);
    w.Key("RequestResponses");
    w.BeginArray();
    for (size_t i = 0; i < records.size(); ++i) {
      w.BeginObject();
      if (i < admitted) {
        w.Key("RecordId");
        w.String(ids[i]);
      } else {
        w.Key("ErrorCode");
        w.String("ServiceUnavailableException");
        w.Key("ErrorMessage");
        w.String("Slow down.");
      }
      w.EndObject();
    }
    w.EndArray();
  } else {
    w.Key("RecordId");
    w.String(ids[0]);
    w.Key("Encrypted");
    w.Bool(false);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterFirehose(dynamodb::OperationRegistry& registry, const FirehoseOptions& options) {
  auto service = std::make_shared<FirehoseService>(options);
  auto add = [&](std::string_view op, auto method) {
    registry.Add(std::string(kFirehoseTargetPrefix) + std::string(op),
                 [service, method](element req, dynamodb::ApiContext&) { return method(*service, req); });
  };
  add("CreateDeliveryStream", [](FirehoseService& s, element r) { return s.Create(r); });
  add("DeleteDeliveryStream", [](FirehoseService& s, element r) { return s.Delete(r); });
  add("DescribeDeliveryStream", [](FirehoseService& s, element r) { return s.Describe(r); });
  add("ListDeliveryStreams", [](FirehoseService& s, element r) { return s.List(r); });
  add("PutRecord", [](FirehoseService& s, element r) { return s.Put(r, false); });
  add("PutRecordBatch", [](FirehoseService& s, element r) { return s.Put(r, true); });
}

}  // namespace tributary::streamapi
