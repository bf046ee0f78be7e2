// S3LakeFs: the delivery commit protocol's file operations (lake_fs.h) on S3 or an S3-compatible
// store. Paths below `root` (the lake root the delivery was given, an absolute local-looking
// path) map to keys below `prefix` in `bucket`: <root>/orders/year=2026/x.json ->
// s3://<bucket>/<prefix>orders/year=2026/x.json.
//
//   WriteFile   PutObject, or a multipart upload at or above multipart_threshold bytes; either
//               way the object appears whole or not at all (`sync` is moot: a 200 is durable)
//   Rename      CopyObject to the new key, then DeleteObject of the old one. Not atomic as a
//               pair, but the protocol only renames a temp object ("_" + name, which Athena, Hive
//               and Spark skip) to its final name after the catalog committed it, and a repeated
//               rename (recovery, retry) copies the same bytes again, so readers never see a
//               partial object and never two copies of one file's rows (docs/delivery-semantics.md)
//   Remove      DeleteObject (a missing key is fine)
//   ListFilesRecursive  ListObjectsV2 over <prefix><dir>/, all pages
//   CreateDirs / SyncDir  no-ops (S3 has no directories)
//
// Errors keep the AWS client's codes (kUnavailable / kResourceExhausted after its retries), which
// the shard worker's commit retry loop already treats as transient.
//
// Thread-safety: thread-safe (the S3 client is).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/s3_client.h"
#include "delivery/lake_fs.h"

namespace tributary::delivery {

struct S3LakeOptions {
  std::string bucket;
  std::string prefix;  // "" or ending in '/'
  std::string root;    // the lake root paths arrive under (absolute, no trailing '/')
  size_t multipart_threshold = 16 << 20;
  size_t part_size = 8 << 20;
};

class S3LakeFs final : public LakeFs {
 public:
  S3LakeFs(std::shared_ptr<aws::S3Client> client, S3LakeOptions options);

  Status CreateDirs(const std::string& dir, bool sync) override;
  Status WriteFile(const std::string& path, std::string_view data, bool sync) override;
  Status SyncDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  bool Exists(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) override;

  // The key a lake path maps to; InvalidArgument for a path outside the root.
  Result<std::string> KeyFor(const std::string& path) const;
  const S3LakeOptions& options() const { return options_; }
  aws::S3Client& client() { return *client_; }

 private:
  std::shared_ptr<aws::S3Client> client_;
  S3LakeOptions options_;
};

}  // namespace tributary::delivery
