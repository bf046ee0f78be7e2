#include "aws/s3_client.h"

#include <charconv>

#include "aws/transport.h"
#include "aws/xml.h"

namespace tributary::aws {

namespace {

int64_t ParseInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string Query(std::vector<std::pair<std::string, std::string>> params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += UriEncode(k, false);
    out += '=';
    out += UriEncode(v, false);
  }
  return out;
}

}  // namespace

struct S3Client::Target {
  std::string host_prefix;
  std::string path;
};

S3Client::S3Client(std::unique_ptr<Transport> transport, bool force_path_style)
    : transport_(std::move(transport)), force_path_style_(force_path_style) {}
S3Client::~S3Client() = default;

Result<std::unique_ptr<S3Client>> S3Client::Create(ClientConfig config, bool force_path_style) {
  config.service = "s3";
  TRIB_ASSIGN_OR_RETURN(auto transport, Transport::Create(std::move(config), ErrorProtocol::kXml));
  return std::unique_ptr<S3Client>(new S3Client(std::move(transport), force_path_style));
}

const std::string& S3Client::region() const { return transport_->config().region; }
const std::string& S3Client::endpoint() const { return transport_->endpoint_url(); }
ClientStats S3Client::stats() const { return transport_->stats(); }

S3Client::Target S3Client::Address(std::string_view bucket, std::string_view key) const {
  Target t;
  bool virtual_host =
      !force_path_style_ && transport_->uses_default_endpoint() && bucket.find('.') == std::string_view::npos;
  std::string encoded_key = UriEncode(key, true);
  if (virtual_host) {
    t.host_prefix = std::string(bucket) + ".";
    t.path = "/" + encoded_key;
  } else {
    t.path = "/" + UriEncode(bucket, false) + (key.empty() ? "" : "/" + encoded_key);
  }
  return t;
}

Status S3Client::CreateBucket(std::string_view bucket) {
  Target t = Address(bucket, {});
  ServiceRequest r;
  r.method = "PUT";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  std::string body;
  if (region() != "us-east-1") {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           XmlEscape(region()) + "</LocationConstraint></CreateBucketConfiguration>";
    r.headers.emplace_back("Content-Type", "application/xml");
  }
  r.body = body;
  auto result = transport_->Send(r);
  if (!result.ok() && ErrorCode(result.status()) == "BucketAlreadyOwnedByYou") return Status::Ok();
  return result.status();
}

Result<std::string> S3Client::PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                                        std::string_view content_type) {
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "PUT";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", std::string(content_type));
  r.body = body;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  return std::string(response.Header("etag"));
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key) {
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "GET";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  return std::move(response.body);
}

Result<S3HeadResult> S3Client::HeadObject(std::string_view bucket, std::string_view key) {
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "HEAD";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  S3HeadResult h;
  h.size = ParseInt(response.Header("content-length"));
  h.etag = std::string(response.Header("etag"));
  h.content_type = std::string(response.Header("content-type"));
  h.last_modified = std::string(response.Header("last-modified"));
  return h;
}

Result<std::string> S3Client::CopyObject(std::string_view bucket, std::string_view source_key,
                                         std::string_view destination_key) {
  Target t = Address(bucket, destination_key);
  ServiceRequest r;
  r.method = "PUT";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  r.headers.emplace_back("x-amz-copy-source", "/" + UriEncode(bucket, false) + "/" + UriEncode(source_key, true));
  r.error_in_ok_body = true;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  return XmlText(response.body, "ETag");
}

Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "DELETE";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  auto result = transport_->Send(r);
  if (!result.ok() && ErrorCode(result.status()) == "NoSuchKey") return Status::Ok();
  return result.status();
}

Result<S3ListPage> S3Client::ListObjectsV2(std::string_view bucket, std::string_view prefix,
                                           std::string_view continuation_token, int max_keys,
                                           std::string_view delimiter) {
  Target t = Address(bucket, {});
  ServiceRequest r;
  r.method = "GET";
  r.host_prefix = t.host_prefix;
  r.path = t.host_prefix.empty() ? t.path : "/";
  std::vector<std::pair<std::string, std::string>> params = {{"list-type", "2"},
                                                             {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) params.emplace_back("prefix", std::string(prefix));
  if (!continuation_token.empty()) params.emplace_back("continuation-token", std::string(continuation_token));
  if (!delimiter.empty()) params.emplace_back("delimiter", std::string(delimiter));
  r.query = Query(std::move(params));
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  S3ListPage page;
  for (std::string_view c : XmlElements(response.body, "Contents")) {
    S3Object o;
    o.key = XmlText(c, "Key");
    o.size = ParseInt(XmlText(c, "Size"));
    o.etag = XmlText(c, "ETag");
    o.last_modified = XmlText(c, "LastModified");
    page.objects.push_back(std::move(o));
  }
  for (std::string_view c : XmlElements(response.body, "CommonPrefixes")) {
    page.common_prefixes.push_back(XmlText(c, "Prefix"));
  }
  page.truncated = XmlText(response.body, "IsTruncated") == "true";
  page.next_continuation_token = XmlText(response.body, "NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::Internal("S3 ListObjectsV2: truncated page without NextContinuationToken");
  }
  return page;
}

Result<std::vector<S3Object>> S3Client::ListAllObjects(std::string_view bucket, std::string_view prefix) {
  std::vector<S3Object> all;
  std::string token;
  while (true) {
    TRIB_ASSIGN_OR_RETURN(S3ListPage page, ListObjectsV2(bucket, prefix, token));
    for (auto& o : page.objects) all.push_back(std::move(o));
    if (!page.truncated) break;
    token = page.next_continuation_token;
  }
  return all;
}

Result<std::string> S3Client::CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                                    std::string_view content_type) {
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "POST";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  r.query = "uploads=";
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", std::string(content_type));
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  std::string id = XmlText(response.body, "UploadId");
  if (id.empty()) return Status::Internal("S3 CreateMultipartUpload answered without an UploadId");
  return id;
}

Result<std::string> S3Client::UploadPart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                         int part_number, std::string_view body) {
  if (part_number < 1 || part_number > 10000) {
    return Status::InvalidArgument("S3 UploadPart: part number " + std::to_string(part_number) +
                                   " outside 1..10000");
  }
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "PUT";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  r.query = Query({{"partNumber", std::to_string(part_number)}, {"uploadId", std::string(upload_id)}});
  r.body = body;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  std::string etag(response.Header("etag"));
  if (etag.empty()) return Status::Internal("S3 UploadPart answered without an ETag");
  return etag;
}

Result<std::string> S3Client::CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                                      std::string_view upload_id,
                                                      const std::vector<S3CompletedPart>& parts) {
  Target t = Address(bucket, key);
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : parts) {
    body += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>" + XmlEscape(p.etag) +
            "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  ServiceRequest r;
  r.method = "POST";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  r.query = Query({{"uploadId", std::string(upload_id)}});
  r.headers.emplace_back("Content-Type", "application/xml");
  r.body = body;
  r.error_in_ok_body = true;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(r));
  return XmlText(response.body, "ETag");
}

Status S3Client::AbortMultipartUpload(std::string_view bucket, std::string_view key, std::string_view upload_id) {
  Target t = Address(bucket, key);
  ServiceRequest r;
  r.method = "DELETE";
  r.host_prefix = t.host_prefix;
  r.path = t.path;
  r.query = Query({{"uploadId", std::string(upload_id)}});
  auto result = transport_->Send(r);
  if (!result.ok() && ErrorCode(result.status()) == "NoSuchUpload") return Status::Ok();
  return result.status();
}

Result<std::string> S3Client::Upload(std::string_view bucket, std::string_view key, std::string_view body,
                                     std::string_view content_type, size_t multipart_threshold, size_t part_size) {
  if (body.size() < multipart_threshold || part_size == 0) return PutObject(bucket, key, body, content_type);
  TRIB_ASSIGN_OR_RETURN(std::string upload_id, CreateMultipartUpload(bucket, key, content_type));
  std::vector<S3CompletedPart> parts;
  Status failure;
  for (size_t offset = 0, n = 1; offset < body.size(); offset += part_size, ++n) {
    auto etag = UploadPart(bucket, key, upload_id, static_cast<int>(n), body.substr(offset, part_size));
    if (!etag.ok()) {
      failure = etag.status();
      break;
    }
    parts.push_back({static_cast<int>(n), std::move(*etag)});
  }
  if (failure.ok()) {
    auto done = CompleteMultipartUpload(bucket, key, upload_id, parts);
    if (done.ok()) return done;
    failure = done.status();
  }
  (void)AbortMultipartUpload(bucket, key, upload_id);
  return failure.WithContext("S3 multipart upload of " + std::string(key));
}

}  // namespace tributary::aws
