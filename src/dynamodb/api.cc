#include "dynamodb/api.h"

#include <exception>

#include "core/json_writer.h"

namespace tributary::dynamodb {

namespace {
constexpr std::string_view kDynamoNs = "com.amazonaws.dynamodb.v20120810#";
constexpr std::string_view kValidateNs = "com.amazon.coral.validate#";
constexpr std::string_view kServiceNs = "com.amazon.coral.service#";
}  // namespace

ApiError ApiError::Validation(std::string message) {
  return {400, std::string(kValidateNs) + "ValidationException", std::move(message), {}};
}
ApiError ApiError::Dynamo(std::string_view name, std::string message) {
  return {400, std::string(kDynamoNs) + std::string(name), std::move(message), {}};
}
ApiError ApiError::ResourceNotFound(std::string message) {
  return Dynamo("ResourceNotFoundException", std::move(message));
}
ApiError ApiError::ResourceInUse(std::string message) {
  return Dynamo("ResourceInUseException", std::move(message));
}
ApiError ApiError::ConditionalCheckFailed(std::string message) {
  return Dynamo("ConditionalCheckFailedException", std::move(message));
}
ApiError ApiError::Service(std::string_view name, std::string message) {
  return {400, std::string(kServiceNs) + std::string(name), std::move(message), {}};
}
ApiError ApiError::Internal(std::string message) {
  return {500, std::string(kDynamoNs) + "InternalServerError", std::move(message), {}};
}

ApiError ApiError::FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Validation(status.message());
    case StatusCode::kNotFound: return ResourceNotFound();
    case StatusCode::kAlreadyExists: return ResourceInUse(status.message());
    case StatusCode::kFailedPrecondition: return ConditionalCheckFailed();
    case StatusCode::kOutOfRange: return Dynamo("TrimmedDataAccessException", status.message());
    case StatusCode::kResourceExhausted: return Dynamo("LimitExceededException", status.message());
    default: return Internal(status.message());
  }
}

std::string_view ApiError::code() const {
  std::string_view t = type;
  size_t hash = t.rfind('#');
  return hash == std::string_view::npos ? t : t.substr(hash + 1);
}

std::string ApiError::ToJson() const {
  std::string out = "{\"__type\":";
  JsonWriter::AppendQuoted(out, type);
  out += ",\"message\":";
  JsonWriter::AppendQuoted(out, message);
  out += extra_json;
  out += "}";
  return out;
}

void OperationRegistry::Add(std::string target, Handler handler) {
  handlers_[std::move(target)] = std::move(handler);
}

const Handler* OperationRegistry::Find(std::string_view target) const {
  auto it = handlers_.find(target);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> OperationRegistry::Targets() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : handlers_) out.push_back(k);
  return out;
}

OperationRegistry BuildRegistry() {
  OperationRegistry r;
  RegisterControlPlane(r);
  RegisterDataPlane(r);
  RegisterStreams(r);
  return r;
}

ApiResponse Dispatch(const OperationRegistry& registry, std::string_view target, std::string_view body,
                     ApiContext& context) {
  auto fail = [](const ApiError& e) {
    return ApiResponse{e.http_status, e.ToJson(), std::string(e.code())};
  };
  const Handler* handler = registry.Find(target);
  if (handler == nullptr) {
    return fail(ApiError::Service("UnknownOperationException", ""));
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.type() != simdjson::dom::element_type::OBJECT) {
    return fail(ApiError::Service("SerializationException", "Start of structure or map found where not expected."));
  }
  try {
    ApiResult r = (*handler)(root, context);
    if (auto* e = std::get_if<ApiError>(&r)) return fail(*e);
    return ApiResponse{200, std::move(std::get<std::string>(r)), {}};
  } catch (const std::exception& ex) {
    return fail(ApiError::Internal(ex.what()));
  }
}

}  // namespace tributary::dynamodb
