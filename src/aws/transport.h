// Transport: what every AWS client here shares. It resolves the region, endpoint and
// credentials of a ClientConfig once, then for each request: signs it (SigV4), sends it over the
// pooled HttpClient, turns a non-2xx answer into a Status (JSON or XML error shapes), and
// retries throttling, 5xx and connection errors with full-jitter exponential backoff
// (aws_client.h documents the codes). Used by JsonClient, QueryClient and S3Client.
//
// Thread-safety: Send() may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_client.h"
#include "aws/http.h"

namespace tributary::aws {

enum class ErrorProtocol { kJson, kXml };

struct ServiceRequest {
  std::string method = "POST";
  std::string path = "/";    // percent-encoded, below the endpoint's base path
  std::string query;         // percent-encoded, without '?'
  std::string host_prefix;   // prepended to the endpoint host ("bucket." for S3 virtual hosting)
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host and the signature's
  std::string_view body;
  // S3 answers some calls (CompleteMultipartUpload, CopyObject) 200 with an <Error> body.
  bool error_in_ok_body = false;
};

class Transport {
 public:
  static Result<std::unique_ptr<Transport>> Create(ClientConfig config, ErrorProtocol protocol);

  // The 2xx response, or the error Status after retries.
  Result<HttpResponse> Send(const ServiceRequest& request);

  const ClientConfig& config() const { return config_; }  // region resolved
  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& endpoint_url() const { return endpoint_url_; }
  bool uses_default_endpoint() const { return default_endpoint_; }
  ClientStats stats() const;

  // The Status of a non-2xx (or error-bodied) response: code and message from the body or
  // x-amzn-ErrorType, StatusCode as aws_client.h lists.
  static Status ErrorStatus(const HttpResponse& response, ErrorProtocol protocol);
  // Whether a failed attempt is worth retrying.
  static bool Retryable(const Status& status, int http_status);

 private:
  Transport(ClientConfig config, ErrorProtocol protocol, Endpoint endpoint, std::string endpoint_url,
            bool default_endpoint);
  Result<HttpResponse> SendOnce(const ServiceRequest& request, int* http_status);

  ClientConfig config_;
  ErrorProtocol protocol_;
  Endpoint endpoint_;
  std::string endpoint_url_;
  bool default_endpoint_;
  HttpClient http_;
  std::atomic<int64_t> calls_{0}, attempts_{0}, retries_{0}, failures_{0};
};

// https://<prefix>.<region>.amazonaws.com (".amazonaws.com.cn" in cn-* regions).
std::string DefaultEndpointUrl(std::string_view endpoint_prefix, std::string_view region);

}  // namespace tributary::aws
