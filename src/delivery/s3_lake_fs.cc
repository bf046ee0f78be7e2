#include "delivery/s3_lake_fs.h"

namespace tributary::delivery {

S3LakeFs::S3LakeFs(std::shared_ptr<aws::S3Client> client, S3LakeOptions options)
    : client_(std::move(client)), options_(std::move(options)) {
  while (options_.root.size() > 1 && options_.root.back() == '/') options_.root.pop_back();
  if (!options_.prefix.empty() && options_.prefix.back() != '/') options_.prefix += '/';
}

Result<std::string> S3LakeFs::KeyFor(const std::string& path) const {
  if (path == options_.root) return options_.prefix;
  if (path.size() <= options_.root.size() || path.compare(0, options_.root.size(), options_.root) != 0 ||
      path[options_.root.size()] != '/') {
    return Status::InvalidArgument("path '" + path + "' is outside the S3 lake root '" + options_.root + "'");
  }
  std::string rel = path.substr(options_.root.size() + 1);
  if (rel.find("..") != std::string::npos || rel.find("//") != std::string::npos) {
    return Status::InvalidArgument("path '" + path + "' is not a clean lake path");
  }
  return options_.prefix + rel;
}

Status S3LakeFs::CreateDirs(const std::string&, bool) { return Status::Ok(); }
Status S3LakeFs::SyncDir(const std::string&) { return Status::Ok(); }

Status S3LakeFs::WriteFile(const std::string& path, std::string_view data, bool) {
  TRIB_ASSIGN_OR_RETURN(std::string key, KeyFor(path));
  auto put = client_->Upload(options_.bucket, key, data, {}, options_.multipart_threshold, options_.part_size);
  if (!put.ok()) return put.status().WithContext("S3 put s3://" + options_.bucket + "/" + key);
  return Status::Ok();
}

Status S3LakeFs::Rename(const std::string& from, const std::string& to) {
  TRIB_ASSIGN_OR_RETURN(std::string from_key, KeyFor(from));
  TRIB_ASSIGN_OR_RETURN(std::string to_key, KeyFor(to));
  auto copied = client_->CopyObject(options_.bucket, from_key, to_key);
  if (!copied.ok()) {
    return copied.status().WithContext("S3 copy s3://" + options_.bucket + "/" + from_key + " -> " + to_key);
  }
  Status st = client_->DeleteObject(options_.bucket, from_key);
  if (!st.ok()) return st.WithContext("S3 delete s3://" + options_.bucket + "/" + from_key);
  return Status::Ok();
}

Status S3LakeFs::Remove(const std::string& path) {
  TRIB_ASSIGN_OR_RETURN(std::string key, KeyFor(path));
  Status st = client_->DeleteObject(options_.bucket, key);
  if (!st.ok()) return st.WithContext("S3 delete s3://" + options_.bucket + "/" + key);
  return Status::Ok();
}

bool S3LakeFs::Exists(const std::string& path) {
  auto key = KeyFor(path);
  if (!key.ok()) return false;
  return client_->HeadObject(options_.bucket, *key).ok();
}

Result<std::string> S3LakeFs::ReadFile(const std::string& path) {
  TRIB_ASSIGN_OR_RETURN(std::string key, KeyFor(path));
  auto got = client_->GetObject(options_.bucket, key);
  if (!got.ok()) return got.status().WithContext("S3 get s3://" + options_.bucket + "/" + key);
  return got;
}

Result<std::vector<std::string>> S3LakeFs::ListFilesRecursive(const std::string& dir) {
  TRIB_ASSIGN_OR_RETURN(std::string key, KeyFor(dir));
  if (!key.empty() && key.back() != '/') key += '/';
  auto objects = client_->ListAllObjects(options_.bucket, key);
  if (!objects.ok()) return objects.status().WithContext("S3 list s3://" + options_.bucket + "/" + key);
  std::vector<std::string> out;
  out.reserve(objects->size());
  for (const aws::S3Object& o : *objects) {
    if (o.key.size() < options_.prefix.size() || o.key.back() == '/') continue;
    out.push_back(options_.root + "/" + o.key.substr(options_.prefix.size()));
  }
  return out;
}

}  // namespace tributary::delivery
