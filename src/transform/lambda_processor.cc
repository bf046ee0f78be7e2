#include "transform/lambda_processor.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <unordered_map>

#include "core/dynamo_json.h"
#include "core/encoding.h"
#include "core/json_writer.h"

namespace tributary::transform {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kProcessingFailed = "Lambda.ProcessingFailed";
constexpr std::string_view kMissingRecordId = "Lambda.MissingRecordId";
constexpr std::string_view kDuplicatedRecordId = "Lambda.DuplicatedRecordId";
constexpr std::string_view kInvalidRecordResult = "Lambda.InvalidRecordResult";
constexpr std::string_view kRequestTooLarge = "Lambda.RequestTooLarge";

std::string RandomUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  char buf[40];
  snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
           static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
           static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
           static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

Result<int64_t> IntParam(const ProcessorParams& params, std::string_view key, int64_t def,
                         int64_t min, int64_t max) {
  auto it = params.find(key);
  if (it == params.end()) return def;
  int64_t v = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) {
    return ParamError(LambdaProcessor::kType, key,
                      "'" + s + "' is not an integer between " + std::to_string(min) + " and " +
                          std::to_string(max));
  }
  return v;
}

void Fail(ProcessorOutput& out, std::string_view code, std::string message) {
  out.result = ProcessingResult::kProcessingFailed;
  out.data.clear();
  out.partition_keys.Clear();
  out.error_code.assign(code);
  out.error_message = std::move(message);
}

// Text of an 'E' frame: "<errorType>: <errorMessage>\n<stackTrace>".
std::string DescribeError(const std::string& payload) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(payload).get(doc) != simdjson::SUCCESS) return payload;
  std::string_view type, message, trace;
  if (doc["errorType"].get_string().get(type) != simdjson::SUCCESS) type = "Error";
  if (doc["errorMessage"].get_string().get(message) != simdjson::SUCCESS) message = "";
  if (doc["stackTrace"].get_string().get(trace) != simdjson::SUCCESS) trace = "";
  std::string out = std::string(type) + ": " + std::string(message);
  if (!trace.empty()) out += "\n" + std::string(trace);
  return out;
}

}  // namespace

Result<std::unique_ptr<Processor>> LambdaProcessor::Create(const ProcessorParams& params,
                                                           const ProcessorEnv& env) {
  TRIB_RETURN_IF_ERROR(CheckParams(kType, params,
                                   {"handler", "code", "runtime", "function_name",
                                    "timeout_seconds", "number_of_retries", "buffer_size_mb",
                                    "max_workers"}));
  Options o;
  auto handler = params.find("handler");
  if (handler == params.end() || handler->second.empty()) {
    return ParamError(kType, "handler", "required, e.g. lambda_function.lambda_handler");
  }
  o.handler = handler->second;
  const size_t dot = o.handler.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == o.handler.size()) {
    return ParamError(kType, "handler", "'" + o.handler + "' is not <module>.<function>");
  }
  auto code = params.find("code");
  if (code == params.end() || code->second.empty()) {
    return ParamError(kType, "code", "required: the directory of the handler's module");
  }
  fs::path code_dir(code->second);
  if (code_dir.is_relative() && !env.base_dir.empty()) code_dir = fs::path(env.base_dir) / code_dir;
  std::error_code ec;
  code_dir = fs::absolute(code_dir, ec).lexically_normal();
  if (ec || !fs::is_directory(code_dir, ec)) {
    return ParamError(kType, "code", "'" + code_dir.string() + "' is not a directory");
  }
  o.code_dir = code_dir.string();
  if (auto it = params.find("runtime"); it != params.end()) {
    const std::string& r = it->second;
    bool ok = r == "python3";
    if (!ok && r.starts_with("python3.") && r.size() > 8) {
      ok = r.find_first_not_of("0123456789", 8) == std::string::npos;
    }
    if (!ok) {
      return ParamError(kType, "runtime", "'" + r + "' is not supported (use python3 or python3.N)");
    }
  }
  if (auto it = params.find("function_name"); it != params.end()) {
    const std::string& n = it->second;
    if (n.empty() || n.size() > 64 ||
        n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
            std::string::npos) {
      return ParamError(kType, "function_name",
                        "'" + n + "' is not 1 to 64 characters of a-z, A-Z, 0-9, '-' and '_'");
    }
    o.function_name = n;
  } else {
    o.function_name = env.delivery_name + "-transform";
  }
  TRIB_ASSIGN_OR_RETURN(int64_t timeout, IntParam(params, "timeout_seconds", 60, 1, 300));
  o.timeout_ms = timeout * 1000;
  TRIB_ASSIGN_OR_RETURN(int64_t retries, IntParam(params, "number_of_retries", 3, 0, 300));
  o.number_of_retries = static_cast<int>(retries);
  TRIB_ASSIGN_OR_RETURN(int64_t workers, IntParam(params, "max_workers", 2, 1, 64));
  o.max_workers = static_cast<int>(workers);
  if (auto it = params.find("buffer_size_mb"); it != params.end()) {
    double mb = 0;
    const std::string& s = it->second;
    auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), mb);
    if (err != std::errc() || ptr != s.data() + s.size() || !(mb >= 0.2 && mb <= 3)) {
      return ParamError(kType, "buffer_size_mb", "'" + s + "' is not a number between 0.2 and 3");
    }
    o.buffer_bytes = static_cast<size_t>(mb * 1024 * 1024);
  }
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<LambdaProcessor> p, CreateWithOptions(std::move(o), env));
  return std::unique_ptr<Processor>(std::move(p));
}

Result<std::unique_ptr<LambdaProcessor>> LambdaProcessor::CreateWithOptions(
    Options options, const ProcessorEnv& env) {
  if (options.work_dir.empty()) {
    options.work_dir = env.work_dir;
    if (options.work_dir.empty()) {
      options.work_dir =
          (fs::temp_directory_path() / ("tributary-lambda-" + env.delivery_name)).string();
    }
  }
  std::error_code ec;
  fs::create_directories(options.work_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create the Lambda work directory " + options.work_dir +
                               ": " + ec.message());
  }
  auto p = std::unique_ptr<LambdaProcessor>(new LambdaProcessor(std::move(options), env));
  {
    const std::string tmp = p->adapter_path_ + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << LambdaAdapterSource();
    out.close();
    if (!out) return Status::Unavailable("cannot write " + tmp);
    fs::rename(tmp, p->adapter_path_, ec);
    if (ec) return Status::Unavailable("cannot write " + p->adapter_path_ + ": " + ec.message());
  }
  // Start one worker now: a handler that does not import is a configuration error.
  std::unique_ptr<LambdaWorker> first = p->NewWorker();
  Status s = first->Start();
  if (!s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument) return ParamError(kType, "handler", s.message());
    return s;
  }
  std::lock_guard<std::mutex> lock(p->mu_);
  p->workers_ = 1;
  p->idle_.push_back(std::move(first));
  return p;
}

LambdaProcessor::LambdaProcessor(Options options, const ProcessorEnv& env)
    : options_(std::move(options)),
      arn_("arn:aws:lambda:" + env.region + ":" + env.account_id + ":function:" +
           options_.function_name),
      delivery_arn_(env.DeliveryStreamArn()),
      source_arn_(env.SourceStreamArn()),
      region_(env.region) {
  adapter_path_ = (fs::path(options_.work_dir) / "lambda_adapter.py").string();
  std::string s = "{";
  auto field = [&](std::string_view key, std::string_view value) {
    if (s.size() > 1) s += ',';
    JsonWriter::AppendQuoted(s, key);
    s += ':';
    JsonWriter::AppendQuoted(s, value);
  };
  field("handler", options_.handler);
  field("code_dir", options_.code_dir);
  field("function_name", options_.function_name);
  field("function_arn", arn_);
  s += ",\"memory_mb\":128";
  field("log_stream_name", "tributary/" + env.delivery_name);
  s += ",\"environment\":{";
  std::string envs;
  auto env_var = [&](std::string_view key, std::string_view value) {
    if (!envs.empty()) envs += ',';
    JsonWriter::AppendQuoted(envs, key);
    envs += ':';
    JsonWriter::AppendQuoted(envs, value);
  };
  env_var("AWS_LAMBDA_FUNCTION_NAME", options_.function_name);
  env_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
  env_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
  env_var("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + options_.function_name);
  env_var("AWS_REGION", env.region);
  env_var("AWS_DEFAULT_REGION", env.region);
  env_var("AWS_EXECUTION_ENV", "AWS_Lambda_python3");
  env_var("LAMBDA_TASK_ROOT", options_.code_dir);
  env_var("_HANDLER", options_.handler);
  s += envs + "}}";
  settings_json_ = std::move(s);
}

LambdaProcessor::~LambdaProcessor() = default;

std::string LambdaProcessor::log_path() const {
  return (fs::path(options_.work_dir) / (options_.function_name + ".log")).string();
}

std::unique_ptr<LambdaWorker> LambdaProcessor::NewWorker() const {
  LambdaWorkerOptions w;
  w.executable = options_.executable;
  w.adapter_path = adapter_path_;
  w.settings_json = settings_json_;
  w.log_path = log_path();
  w.start_timeout_ms = std::max<int64_t>(options_.timeout_ms, 30000);
  return std::make_unique<LambdaWorker>(std::move(w));
}

std::unique_ptr<LambdaWorker> LambdaProcessor::AcquireWorker() const {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      auto w = std::move(idle_.back());
      idle_.pop_back();
      return w;
    }
    if (workers_ < options_.max_workers) {
      ++workers_;
      lock.unlock();
      return NewWorker();  // started by its first Call
    }
    cv_.wait(lock);
  }
}

void LambdaProcessor::ReleaseWorker(std::unique_ptr<LambdaWorker> w) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(w));
  }
  cv_.notify_one();
}

int LambdaProcessor::WorkerStarts() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = retired_starts_;
  for (const auto& w : idle_) n += w->starts();
  return n;
}

std::vector<int> LambdaProcessor::IdleWorkerPids() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int> out;
  for (const auto& w : idle_) {
    if (w->running()) out.push_back(static_cast<int>(w->pid()));
  }
  return out;
}

Status LambdaProcessor::Process(std::span<const ProcessorInput> inputs,
                                std::vector<ProcessorOutput>& outputs,
                                ColumnSet* /*columns*/) const {
  const size_t n = inputs.size();
  outputs.resize(n);
  // Each record's JSON in the event, built once.
  std::vector<std::string> records(n);
  for (size_t i = 0; i < n; ++i) {
    const ProcessorInput& in = inputs[i];
    ProcessorOutput& out = outputs[i];
    out.record_id.assign(in.record_id);
    out.result = ProcessingResult::kOk;
    out.data.clear();
    out.partition_keys.Clear();
    out.error_code.clear();
    out.error_message.clear();
    out.event_time_ms.reset();
    std::string& r = records[i];
    const std::string arrival = std::to_string(in.approximate_arrival_ms);
    r += "{\"recordId\":";
    JsonWriter::AppendQuoted(r, in.record_id);
    r += ",\"approximateArrivalTimestamp\":" + arrival + ",\"data\":\"";
    r += Base64Encode(in.data);
    r += "\",\"kinesisRecordMetadata\":{\"shardId\":";
    JsonWriter::AppendQuoted(r, in.shard_id);
    r += ",\"partitionKey\":";
    JsonWriter::AppendQuoted(r, in.partition_key);
    r += ",\"approximateArrivalTimestamp\":" + arrival + ",\"sequenceNumber\":";
    JsonWriter::AppendQuoted(r, in.sequence_number);
    r += ",\"subsequenceNumber\":\"0\"}}";
  }
  // Room the envelope takes (the event's fixed fields and the request wrapper).
  const size_t envelope = 400 + delivery_arn_.size() + source_arn_.size() + region_.size();

  std::unique_ptr<LambdaWorker> worker;
  Status status;
  size_t begin = 0;
  while (begin < n && status.ok()) {
    if (envelope + records[begin].size() > options_.max_request_bytes) {
      Fail(outputs[begin], kRequestTooLarge,
           "the record's event entry (" + std::to_string(records[begin].size()) +
               " bytes) does not fit in one " + std::to_string(options_.max_request_bytes) +
               "-byte Lambda request");
      ++begin;
      continue;
    }
    size_t end = begin, bytes = envelope, data = 0;
    while (end < n) {
      const size_t add = records[end].size() + 1;
      if (end > begin && (bytes + add > options_.max_request_bytes ||
                          data + inputs[end].data.size() > options_.buffer_bytes)) {
        break;
      }
      if (end > begin && envelope + records[end].size() > options_.max_request_bytes) break;
      bytes += add;
      data += inputs[end].data.size();
      ++end;
    }
    if (worker == nullptr) worker = AcquireWorker();
    status = Invoke(*worker, inputs, records, begin, end, outputs);
    begin = end;
  }
  if (worker != nullptr) ReleaseWorker(std::move(worker));
  return status;
}

Status LambdaProcessor::Invoke(LambdaWorker& worker, std::span<const ProcessorInput> inputs,
                               const std::vector<std::string>& records, size_t begin, size_t end,
                               std::vector<ProcessorOutput>& outputs) const {
  const std::string invocation_id = RandomUuid();
  std::string request = "{\"event\":{\"invocationId\":";
  JsonWriter::AppendQuoted(request, invocation_id);
  request += ",\"deliveryStreamArn\":";
  JsonWriter::AppendQuoted(request, delivery_arn_);
  request += ",\"region\":";
  JsonWriter::AppendQuoted(request, region_);
  if (!source_arn_.empty()) {
    request += ",\"sourceKinesisStreamArn\":";
    JsonWriter::AppendQuoted(request, source_arn_);
  }
  request += ",\"records\":[";
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) request += ',';
    request += records[i];
  }
  request += "]},\"context\":{\"aws_request_id\":";
  JsonWriter::AppendQuoted(request, RandomUuid());
  request += ",\"timeout_ms\":" + std::to_string(options_.timeout_ms) + "}}";

  auto reply = worker.Call(request, options_.timeout_ms, kMaxPayloadBytes);
  if (!reply.ok()) {
    return reply.status().WithContext("Lambda " + options_.function_name + " invocation " +
                                      invocation_id);
  }
  if (reply->kind == 'E') {
    return Status::Unavailable("Lambda " + options_.function_name + " invocation " +
                               invocation_id + " failed (Lambda.FunctionError): " +
                               DescribeError(reply->payload));
  }

  auto invalid = [&](std::string what) {
    return Status::Unavailable("Lambda " + options_.function_name + " invocation " +
                               invocation_id + " returned an invalid response: " + what);
  };
  simdjson::dom::parser& parser = ThreadLocalJsonParser();
  simdjson::dom::element doc;
  if (auto e = parser.parse(reply->payload).get(doc); e != simdjson::SUCCESS) {
    return invalid(std::string("not JSON (") + simdjson::error_message(e) + ")");
  }
  simdjson::dom::array results;
  if (doc["records"].get_array().get(results) != simdjson::SUCCESS) {
    return invalid("expected {\"records\": [...]}, got " +
                   std::string(reply->payload.substr(0, 200)));
  }

  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = begin; i < end; ++i) index.emplace(inputs[i].record_id, i);
  std::vector<char> answered(end - begin, 0);
  std::vector<std::string> unknown;
  for (simdjson::dom::element r : results) {
    std::string_view id;
    if (r["recordId"].get_string().get(id) != simdjson::SUCCESS) {
      unknown.emplace_back("(no recordId)");
      continue;
    }
    auto it = index.find(id);
    if (it == index.end()) {
      unknown.emplace_back(id);
      continue;
    }
    const size_t i = it->second;
    ProcessorOutput& out = outputs[i];
    if (answered[i - begin]) {
      Fail(out, kDuplicatedRecordId, "the function returned recordId '" + std::string(id) +
                                         "' more than once");
      continue;
    }
    answered[i - begin] = 1;
    std::string_view result;
    if (r["result"].get_string().get(result) != simdjson::SUCCESS) {
      Fail(out, kInvalidRecordResult, "the function's result for this record has no 'result'");
      continue;
    }
    auto parsed = ParseProcessingResult(result);
    if (!parsed.ok()) {
      Fail(out, kInvalidRecordResult, "the function returned " + parsed.status().message());
      continue;
    }
    if (*parsed == ProcessingResult::kDropped) {
      out.result = ProcessingResult::kDropped;
      continue;
    }
    if (*parsed == ProcessingResult::kProcessingFailed) {
      Fail(out, kProcessingFailed, "the function returned ProcessingFailed for this record");
      continue;
    }
    std::string_view data;
    if (r["data"].get_string().get(data) != simdjson::SUCCESS) {
      Fail(out, kInvalidRecordResult, "the function returned Ok without base64 'data'");
      continue;
    }
    auto decoded = Base64Decode(data);
    if (!decoded.ok()) {
      Fail(out, kInvalidRecordResult,
           "the function's 'data' is not base64: " + decoded.status().message());
      continue;
    }
    out.data = std::move(decoded).value();
    simdjson::dom::element keys;
    if (r["metadata"]["partitionKeys"].get(keys) == simdjson::SUCCESS && !keys.is_null()) {
      simdjson::dom::object obj;
      if (keys.get_object().get(obj) != simdjson::SUCCESS) {
        Fail(out, kInvalidRecordResult, "metadata.partitionKeys is not an object");
        continue;
      }
      std::string bad;
      for (auto field : obj) {
        std::string_view v;
        if (field.value.get_string().get(v) != simdjson::SUCCESS) {
          bad = "metadata.partitionKeys." + std::string(field.key) + " is not a string";
          break;
        }
        out.partition_keys.Set(field.key, v);
      }
      if (!bad.empty()) {
        Fail(out, kInvalidRecordResult, bad);
        continue;
      }
    }
    out.result = ProcessingResult::kOk;
  }
  std::string unknown_note;
  for (size_t k = 0; k < unknown.size() && k < 5; ++k) {
    unknown_note += (k == 0 ? "" : ", ") + std::string("'") + unknown[k] + "'";
  }
  for (size_t i = begin; i < end; ++i) {
    if (answered[i - begin]) continue;
    Fail(outputs[i], kMissingRecordId,
         "the function's response has no result for this recordId" +
             (unknown.empty() ? std::string()
                              : " (it returned unknown recordIds: " + unknown_note + ")"));
  }
  return Status::Ok();
}

}  // namespace tributary::transform
