#include "transform/jq_processor.h"

extern "C" {
#include <jq.h>
#include <jv.h>
}

#include <utility>

namespace tributary::transform {

namespace internal {

namespace {

// Collects the messages jq reports through its error callback (compile errors, `stderr`).
struct ErrorSink {
  std::string text;
};

void CollectError(void* data, jv msg) {
  auto* sink = static_cast<ErrorSink*>(data);
  jv text = jv_get_kind(msg) == JV_KIND_STRING ? msg : jv_dump_string(msg, 0);
  if (!sink->text.empty()) sink->text += "; ";
  sink->text += jv_string_value(text);
  jv_free(text);
}

}  // namespace

// A compiled program with its own error sink.
struct JqState {
  jq_state* jq = nullptr;
  ErrorSink sink;
  ~JqState() {
    if (jq != nullptr) jq_teardown(&jq);
  }
};

// Compiled copies of one program; each is used by one thread at a time.
class JqPool {
 public:
  static Result<std::unique_ptr<JqPool>> Create(std::string program) {
    auto pool = std::unique_ptr<JqPool>(new JqPool(std::move(program)));
    TRIB_ASSIGN_OR_RETURN(std::unique_ptr<JqState> first, pool->Compile());
    pool->free_.push_back(std::move(first));
    return pool;
  }

  Result<std::unique_ptr<JqState>> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        auto s = std::move(free_.back());
        free_.pop_back();
        return s;
      }
    }
    return Compile();
  }
  void Release(std::unique_ptr<JqState> s) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(s));
  }

 private:
  explicit JqPool(std::string program) : program_(std::move(program)) {}

  Result<std::unique_ptr<JqState>> Compile() const {
    auto s = std::make_unique<JqState>();
    s->jq = jq_init();
    if (s->jq == nullptr) return Status::Internal("jq_init failed");
    jq_set_error_cb(s->jq, CollectError, &s->sink);
    if (!jq_compile(s->jq, program_.c_str())) {
      std::string message = s->sink.text.empty() ? "the program does not compile" : s->sink.text;
      return Status::InvalidArgument(message);
    }
    s->sink.text.clear();
    return s;
  }

  const std::string program_;
  std::mutex mu_;
  std::vector<std::unique_ptr<JqState>> free_;  // guarded by mu_
};

}  // namespace internal

namespace {

using internal::JqPool;
using internal::JqState;

// Returns a JqState to its pool when the scope ends.
class Lease {
 public:
  Lease(JqPool& pool, std::unique_ptr<JqState> s) : pool_(pool), s_(std::move(s)) {}
  ~Lease() { pool_.Release(std::move(s_)); }
  JqState& operator*() { return *s_; }

 private:
  JqPool& pool_;
  std::unique_ptr<JqState> s_;
};

Result<std::unique_ptr<JqPool>> CompileParam(std::string_view type, const ProcessorParams& params,
                                             std::string_view key) {
  auto it = params.find(key);
  if (it == params.end() || it->second.empty()) {
    return ParamError(type, key, "a jq program is required");
  }
  auto pool = JqPool::Create(it->second);
  if (!pool.ok()) {
    return ParamError(type, key, "does not compile: " + pool.status().message());
  }
  return pool;
}

// The message of an invalid jv (consumed); "" when it has none (jq's `empty` ending).
std::string InvalidMessage(jv v) {
  if (!jv_invalid_has_msg(jv_copy(v))) {
    jv_free(v);
    return "";
  }
  jv msg = jv_invalid_get_msg(v);
  std::string out;
  if (jv_get_kind(msg) == JV_KIND_STRING) {
    out = jv_string_value(msg);
    jv_free(msg);
  } else {
    jv text = jv_dump_string(msg, 0);
    out = std::string(jv_string_value(text)) + " (not a string)";
    jv_free(text);
  }
  return out.empty() ? "error" : out;
}

void StartOk(const ProcessorInput& in, ProcessorOutput& out) {
  out.record_id.assign(in.record_id);
  out.result = ProcessingResult::kOk;
  out.partition_keys.Clear();
  out.error_code.clear();
  out.error_message.clear();
  out.event_time_ms.reset();
}

void Fail(ProcessorOutput& out, std::string_view code, std::string message) {
  out.result = ProcessingResult::kProcessingFailed;
  out.data.clear();
  out.partition_keys.Clear();
  out.error_code.assign(code);
  out.error_message = std::move(message);
}

// Parses `data` as one JSON value; on failure returns an invalid jv and sets `error`.
jv ParseRecord(std::string_view data, std::string& error) {
  jv value = jv_parse_sized(data.data(), static_cast<int>(data.size()));
  if (jv_is_valid(value)) return value;
  error = "record is not valid JSON (" + InvalidMessage(value) + ")";
  return jv_invalid();
}

// Runs the program on `input` (consumed), collecting at most `max` results into `results`
// (owned by the caller). Returns the runtime error message, or "" on success.
std::string Run(JqState& s, jv input, std::vector<jv>& results, size_t max, size_t* total) {
  *total = 0;
  s.sink.text.clear();
  jq_start(s.jq, input, 0);
  while (true) {
    jv r = jq_next(s.jq);
    if (!jv_is_valid(r)) {
      std::string msg = InvalidMessage(r);
      if (!msg.empty() || jq_halted(s.jq)) {
        for (jv& v : results) jv_free(v);
        results.clear();
        return msg.empty() ? "the program halted" : msg;
      }
      return "";
    }
    ++*total;
    if (results.size() < max) {
      results.push_back(r);
    } else {
      jv_free(r);
    }
  }
}

}  // namespace

JqProcessor::JqProcessor(std::unique_ptr<JqPool> pool) : pool_(std::move(pool)) {}
JqProcessor::~JqProcessor() = default;

Result<std::unique_ptr<Processor>> JqProcessor::Create(const ProcessorParams& params) {
  TRIB_RETURN_IF_ERROR(CheckParams(kType, params, {"program"}));
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<JqPool> pool, CompileParam(kType, params, "program"));
  return std::unique_ptr<Processor>(new JqProcessor(std::move(pool)));
}

Status JqProcessor::Process(std::span<const ProcessorInput> inputs,
                            std::vector<ProcessorOutput>& outputs, ColumnSet* /*columns*/) const {
  outputs.resize(inputs.size());
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<JqState> state, pool_->Acquire());
  Lease lease(*pool_, std::move(state));
  std::vector<jv> results;
  std::string error;
  for (size_t i = 0; i < inputs.size(); ++i) {
    ProcessorOutput& out = outputs[i];
    StartOk(inputs[i], out);
    jv value = ParseRecord(inputs[i].data, error);
    if (!jv_is_valid(value)) {
      Fail(out, kErrorCode, "jq: " + error);
      continue;
    }
    size_t total = 0;
    std::string message = Run(*lease, value, results, 1, &total);
    if (!message.empty()) {
      Fail(out, kErrorCode, "jq: " + message);
      continue;
    }
    if (total == 0) {
      out.result = ProcessingResult::kDropped;
      out.data.clear();
    } else if (total > 1) {
      Fail(out, kErrorCode,
           "jq: the program produced " + std::to_string(total) + " results (expected one)");
    } else {
      jv text = jv_dump_string(results[0], 0);  // consumes the result
      out.data.assign(jv_string_value(text), static_cast<size_t>(jv_string_length_bytes(jv_copy(text))));
      jv_free(text);
    }
    results.clear();
  }
  return Status::Ok();
}

MetadataExtractionProcessor::MetadataExtractionProcessor(std::unique_ptr<JqPool> pool)
    : pool_(std::move(pool)) {}
MetadataExtractionProcessor::~MetadataExtractionProcessor() = default;

Result<std::unique_ptr<Processor>> MetadataExtractionProcessor::Create(
    const ProcessorParams& params) {
  TRIB_RETURN_IF_ERROR(CheckParams(kType, params, {"query", "json_parsing_engine"}));
  if (auto it = params.find("json_parsing_engine"); it != params.end() && it->second != "JQ-1.6") {
    return ParamError(kType, "json_parsing_engine",
                      "'" + it->second + "' is not supported (the only engine is JQ-1.6)");
  }
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<JqPool> pool, CompileParam(kType, params, "query"));
  return std::unique_ptr<Processor>(new MetadataExtractionProcessor(std::move(pool)));
}

Status MetadataExtractionProcessor::Process(std::span<const ProcessorInput> inputs,
                                            std::vector<ProcessorOutput>& outputs,
                                            ColumnSet* /*columns*/) const {
  outputs.resize(inputs.size());
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<JqState> state, pool_->Acquire());
  Lease lease(*pool_, std::move(state));
  std::vector<jv> results;
  std::string error;
  for (size_t i = 0; i < inputs.size(); ++i) {
    ProcessorOutput& out = outputs[i];
    StartOk(inputs[i], out);
    out.data.assign(inputs[i].data);
    jv value = ParseRecord(inputs[i].data, error);
    if (!jv_is_valid(value)) {
      Fail(out, kErrorCode, "metadata extraction: " + error);
      continue;
    }
    size_t total = 0;
    std::string message = Run(*lease, value, results, 1, &total);
    if (!message.empty()) {
      Fail(out, kErrorCode, "metadata extraction: " + message);
      continue;
    }
    if (total != 1 || jv_get_kind(results[0]) != JV_KIND_OBJECT) {
      std::string got = total == 0 ? "no result"
                        : total > 1 ? std::to_string(total) + " results"
                                    : std::string("a ") + jv_kind_name(jv_get_kind(results[0]));
      Fail(out, kErrorCode, "metadata extraction: the query produced " + got +
                                " (expected one object of partition keys)");
      for (jv& v : results) jv_free(v);
      results.clear();
      continue;
    }
    jv object = results[0];
    results.clear();
    std::string bad;
    int it = jv_object_iter(object);
    while (jv_object_iter_valid(object, it)) {
      jv key = jv_object_iter_key(object, it);
      jv v = jv_object_iter_value(object, it);
      const std::string_view name = jv_string_value(key);
      switch (jv_get_kind(v)) {
        case JV_KIND_STRING:
          out.partition_keys.Set(name, std::string_view(jv_string_value(v), static_cast<size_t>(
                                                                               jv_string_length_bytes(jv_copy(v)))));
          break;
        case JV_KIND_NUMBER:
        case JV_KIND_TRUE:
        case JV_KIND_FALSE: {
          jv text = jv_dump_string(jv_copy(v), 0);
          out.partition_keys.Set(name, jv_string_value(text));
          jv_free(text);
          break;
        }
        default:
          if (bad.empty()) {
            bad = "partition key '" + std::string(name) + "' is " +
                  (jv_get_kind(v) == JV_KIND_NULL ? std::string("null or missing")
                                                  : std::string("an ") + jv_kind_name(jv_get_kind(v))) +
                  " (it must be a string, number or boolean)";
          }
      }
      jv_free(key);
      jv_free(v);
      it = jv_object_iter_next(object, it);
    }
    jv_free(object);
    if (!bad.empty()) Fail(out, kErrorCode, "metadata extraction: " + bad);
  }
  return Status::Ok();
}

}  // namespace tributary::transform
