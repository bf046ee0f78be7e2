// Clients for the remote AWS services: the AWS JSON protocol (DynamoDB, DynamoDB Streams,
// Kinesis, Glue, Firehose) through JsonClient, the Query protocol (SNS, SQS) through QueryClient
// and SnsClient; S3 (REST-XML) is s3_client.h. Every call is signed with SigV4 (sigv4.h) using
// the standard credential chain (credentials.h), goes over pooled keep-alive connections
// (http.h), and is retried with full-jitter exponential backoff on throttling, 5xx and
// connection errors.
//
// Status codes of a failed call (after retries where retryable):
//   kNotFound          ResourceNotFoundException, EntityNotFoundException, NoSuchKey/Bucket/Upload,
//                      NotFound, or HTTP 404
//   kResourceExhausted throttling (ThrottlingException, ProvisionedThroughputExceededException,
//                      LimitExceededException, SlowDown, RequestLimitExceeded, HTTP 429, ...)
//   kUnavailable       connection refused/reset/timed out, HTTP 5xx
//   kInvalidArgument   every other 4xx (AccessDenied, ValidationException, ExpiredIterator...)
// The message is "<Code>: <message>" (ErrorCode() takes the code back out), or curl's reason for
// connection errors.
//
// Endpoints: ClientConfig::endpoint_url, else AWS_ENDPOINT_URL_<SERVICE> (e.g.
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3), else AWS_ENDPOINT_URL, else
// https://<endpoint_prefix>.<region>.amazonaws.com.
//
// Thread-safety: all clients are thread-safe; share one per service.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "core/status.h"

namespace tributary::aws {

class Transport;

struct ClientConfig {
  std::string service;       // signing name: "dynamodb", "kinesis", "glue", "s3", "sns", "firehose"
  std::string region;        // "" -> AWS_REGION / AWS_DEFAULT_REGION / profile / "us-east-1"
  std::string endpoint_url;  // "" -> https://<endpoint_prefix>.<region>.amazonaws.com
  std::string profile;       // "" -> AWS_PROFILE / "default"
  int max_attempts = 8;      // retries with full-jitter backoff on throttling, 5xx, connection errors
  int64_t timeout_ms = 30000;
  // The host label of the default endpoint when it differs from `service` ("streams.dynamodb"
  // for DynamoDB Streams); "" -> service.
  std::string endpoint_prefix;
  // Backoff before retry n (1-based): uniform in [0, min(cap, base * 2^(n-1))].
  int64_t backoff_base_ms = 100;
  int64_t backoff_cap_ms = 20000;
  // nullptr -> the default chain for `profile` (credentials.h).
  std::shared_ptr<CredentialProvider> credentials;
  bool imds = true;  // let the default chain ask EC2 instance metadata
};

// The AWS error code of a failed call ("ResourceNotFoundException", "ExpiredIteratorException",
// "TrimmedDataAccessException", "ProvisionedThroughputExceededException", ...), "" if none.
// Looks through context prefixes added by Status::WithContext ("ctx: Code: message").
std::string_view ErrorCode(const Status& status);

// Whether an AWS error code means "slow down" (retried, then kResourceExhausted).
bool IsThrottlingCode(std::string_view code);

// Call counters of one client (for status pages and tests).
struct ClientStats {
  int64_t calls = 0;      // Call()s made
  int64_t attempts = 0;   // HTTP requests sent (calls + retries)
  int64_t retries = 0;
  int64_t failures = 0;   // calls that returned an error
};

// AWS JSON 1.0 / 1.1 services (X-Amz-Target): DynamoDB, DynamoDB Streams, Kinesis, Glue, Firehose.
class JsonClient {
 public:
  static Result<std::unique_ptr<JsonClient>> Create(ClientConfig config);
  ~JsonClient();

  // target e.g. "Kinesis_20131202.PutRecords"; returns the 2xx body. Thread-safe; reuses
  // connections. Content-Type is application/x-amz-json-1.0 for DynamoDB_20120810.* and
  // DynamoDBStreams_20120810.*, 1.1 otherwise.
  Result<std::string> Call(std::string_view target, std::string_view json_body);

  const std::string& region() const;
  const std::string& endpoint() const;  // origin + base path actually used
  ClientStats stats() const;

 private:
  explicit JsonClient(std::unique_ptr<Transport> transport);
  std::unique_ptr<Transport> transport_;
};

// The AWS Query protocol (form-encoded POST, XML answers): SNS, SQS.
class QueryClient {
 public:
  // `version`: the API version ("2010-03-31" for SNS, "2012-11-05" for SQS).
  static Result<std::unique_ptr<QueryClient>> Create(ClientConfig config, std::string version);
  ~QueryClient();
  // Action=<action>&Version=<version>&<params...>; returns the 2xx XML body.
  Result<std::string> Call(std::string_view action,
                           const std::vector<std::pair<std::string, std::string>>& params);
  const std::string& region() const;
  ClientStats stats() const;

 private:
  QueryClient(std::unique_ptr<Transport> transport, std::string version);
  std::unique_ptr<Transport> transport_;
  std::string version_;
};

// Amazon SNS (signing name "sns"; ClientConfig::service is set for you).
class SnsClient {
 public:
  static Result<std::unique_ptr<SnsClient>> Create(ClientConfig config);
  // Returns the MessageId. `subject` may be empty (SNS limits it to 100 printable ASCII characters).
  Result<std::string> Publish(std::string_view topic_arn, std::string_view subject, std::string_view message);
  // Returns the TopicArn (idempotent, as SNS has it).
  Result<std::string> CreateTopic(std::string_view name);
  // Returns the SubscriptionArn.
  Result<std::string> Subscribe(std::string_view topic_arn, std::string_view protocol, std::string_view endpoint);
  QueryClient& query() { return *query_; }

 private:
  explicit SnsClient(std::unique_ptr<QueryClient> query) : query_(std::move(query)) {}
  std::unique_ptr<QueryClient> query_;
};

}  // namespace tributary::aws
