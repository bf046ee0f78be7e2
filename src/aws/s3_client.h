// Amazon S3 (and S3-compatible stores) over its REST-XML API: objects, paged listings and
// multipart uploads, signed with SigV4 (payload hash in X-Amz-Content-Sha256) and retried like
// every client here (aws_client.h: status codes; NoSuchKey/NoSuchBucket/NoSuchUpload and a 404
// HEAD are kNotFound).
//
// Addressing: virtual-hosted (https://<bucket>.s3.<region>.amazonaws.com/<key>) on AWS's own
// endpoints; path style (<endpoint>/<bucket>/<key>) with a custom endpoint_url (moto, MinIO,
// Ceph...), for bucket names with dots, or when force_path_style.
//
// Thread-safety: thread-safe; share one client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"

namespace tributary::aws {

struct S3Object {
  std::string key;
  int64_t size = 0;
  std::string etag;           // with its quotes, as S3 sends it
  std::string last_modified;  // ISO-8601
};

struct S3ListPage {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter
  bool truncated = false;
  std::string next_continuation_token;
};

struct S3HeadResult {
  int64_t size = 0;
  std::string etag;
  std::string content_type;
  std::string last_modified;  // HTTP date
};

struct S3CompletedPart {
  int part_number = 0;
  std::string etag;
};

class S3Client {
 public:
  // config.service is set to "s3".
  static Result<std::unique_ptr<S3Client>> Create(ClientConfig config, bool force_path_style = false);
  ~S3Client();

  // Creates the bucket in the client's region (no error when this account already owns it).
  Status CreateBucket(std::string_view bucket);
  // Returns the ETag.
  Result<std::string> PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                                std::string_view content_type = {});
  Result<std::string> GetObject(std::string_view bucket, std::string_view key);
  Result<S3HeadResult> HeadObject(std::string_view bucket, std::string_view key);
  // Server-side copy within the store (objects up to 5 GiB); the destination appears whole.
  // Returns the new object's ETag.
  Result<std::string> CopyObject(std::string_view bucket, std::string_view source_key,
                                 std::string_view destination_key);
  // Deleting a missing key succeeds (S3's rule).
  Status DeleteObject(std::string_view bucket, std::string_view key);
  // One page (max_keys up to 1000); pass the previous page's next_continuation_token.
  Result<S3ListPage> ListObjectsV2(std::string_view bucket, std::string_view prefix,
                                   std::string_view continuation_token = {}, int max_keys = 1000,
                                   std::string_view delimiter = {});
  // Every object under `prefix`, all pages.
  Result<std::vector<S3Object>> ListAllObjects(std::string_view bucket, std::string_view prefix);

  // Returns the UploadId.
  Result<std::string> CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                            std::string_view content_type = {});
  // part_number 1..10000; every part but the last at least 5 MiB. Returns the part's ETag.
  Result<std::string> UploadPart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                 int part_number, std::string_view body);
  // Returns the object's ETag.
  Result<std::string> CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                              std::string_view upload_id,
                                              const std::vector<S3CompletedPart>& parts);
  Status AbortMultipartUpload(std::string_view bucket, std::string_view key, std::string_view upload_id);

  // PutObject when body.size() < multipart_threshold, else a multipart upload in part_size parts
  // (aborted when a part fails). Either way the object appears whole or not at all. Returns
  // the ETag.
  Result<std::string> Upload(std::string_view bucket, std::string_view key, std::string_view body,
                             std::string_view content_type = {}, size_t multipart_threshold = 16 << 20,
                             size_t part_size = 8 << 20);

  const std::string& region() const;
  const std::string& endpoint() const;
  ClientStats stats() const;

 private:
  S3Client(std::unique_ptr<Transport> transport, bool force_path_style);
  struct Target;
  Target Address(std::string_view bucket, std::string_view key) const;

  std::unique_ptr<Transport> transport_;
  bool force_path_style_;
};

}  // namespace tributary::aws
