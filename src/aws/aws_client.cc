#include "aws/aws_client.h"

#include "aws/transport.h"
#include "aws/xml.h"

namespace tributary::aws {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

// ---- JsonClient ----

JsonClient::JsonClient(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}
JsonClient::~JsonClient() = default;

Result<std::unique_ptr<JsonClient>> JsonClient::Create(ClientConfig config) {
  TRIB_ASSIGN_OR_RETURN(auto transport, Transport::Create(std::move(config), ErrorProtocol::kJson));
  return std::unique_ptr<JsonClient>(new JsonClient(std::move(transport)));
}

Result<std::string> JsonClient::Call(std::string_view target, std::string_view json_body) {
  ServiceRequest request;
  request.method = "POST";
  request.path = "/";
  bool json10 = StartsWith(target, "DynamoDB_20120810.") || StartsWith(target, "DynamoDBStreams_20120810.");
  request.headers = {{"Content-Type", json10 ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1"},
                     {"X-Amz-Target", std::string(target)}};
  request.body = json_body;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(request));
  return std::move(response.body);
}

const std::string& JsonClient::region() const { return transport_->config().region; }
const std::string& JsonClient::endpoint() const { return transport_->endpoint_url(); }
ClientStats JsonClient::stats() const { return transport_->stats(); }

// ---- QueryClient ----

QueryClient::QueryClient(std::unique_ptr<Transport> transport, std::string version)
    : transport_(std::move(transport)), version_(std::move(version)) {}
QueryClient::~QueryClient() = default;

Result<std::unique_ptr<QueryClient>> QueryClient::Create(ClientConfig config, std::string version) {
  TRIB_ASSIGN_OR_RETURN(auto transport, Transport::Create(std::move(config), ErrorProtocol::kXml));
  return std::unique_ptr<QueryClient>(new QueryClient(std::move(transport), std::move(version)));
}

Result<std::string> QueryClient::Call(std::string_view action,
                                      const std::vector<std::pair<std::string, std::string>>& params) {
  std::string body = "Action=" + UriEncode(action, false) + "&Version=" + UriEncode(version_, false);
  for (const auto& [k, v] : params) {
    body += '&';
    body += UriEncode(k, false);
    body += '=';
    body += UriEncode(v, false);
  }
  ServiceRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = body;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(request));
  return std::move(response.body);
}

const std::string& QueryClient::region() const { return transport_->config().region; }
ClientStats QueryClient::stats() const { return transport_->stats(); }

// ---- SnsClient ----

Result<std::unique_ptr<SnsClient>> SnsClient::Create(ClientConfig config) {
  config.service = "sns";
  TRIB_ASSIGN_OR_RETURN(auto query, QueryClient::Create(std::move(config), "2010-03-31"));
  return std::unique_ptr<SnsClient>(new SnsClient(std::move(query)));
}

Result<std::string> SnsClient::Publish(std::string_view topic_arn, std::string_view subject,
                                       std::string_view message) {
  std::vector<std::pair<std::string, std::string>> params = {{"TopicArn", std::string(topic_arn)},
                                                             {"Message", std::string(message)}};
  if (!subject.empty()) params.emplace_back("Subject", std::string(subject));
  TRIB_ASSIGN_OR_RETURN(std::string xml, query_->Call("Publish", params));
  std::string id = XmlText(xml, "MessageId");
  if (id.empty()) return Status::Internal("SNS Publish answered without a MessageId: " + xml.substr(0, 200));
  return id;
}

Result<std::string> SnsClient::CreateTopic(std::string_view name) {
  TRIB_ASSIGN_OR_RETURN(std::string xml, query_->Call("CreateTopic", {{"Name", std::string(name)}}));
  std::string arn = XmlText(xml, "TopicArn");
  if (arn.empty()) return Status::Internal("SNS CreateTopic answered without a TopicArn: " + xml.substr(0, 200));
  return arn;
}

Result<std::string> SnsClient::Subscribe(std::string_view topic_arn, std::string_view protocol,
                                         std::string_view endpoint) {
  TRIB_ASSIGN_OR_RETURN(std::string xml,
                        query_->Call("Subscribe", {{"TopicArn", std::string(topic_arn)},
                                                   {"Protocol", std::string(protocol)},
                                                   {"Endpoint", std::string(endpoint)},
                                                   {"ReturnSubscriptionArn", "true"}}));
  return XmlText(xml, "SubscriptionArn");
}

}  // namespace tributary::aws
