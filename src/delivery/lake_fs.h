// LakeFs: the file operations the delivery commit protocol needs, behind a narrow interface so
// tests can inject a failure at any step (write, sync, rename) and an object-store destination can
// slot in later. Paths are absolute.
//
// Thread-safety: implementations are thread-safe (PosixLakeFs is stateless).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary::delivery {

class LakeFs {
 public:
  virtual ~LakeFs() = default;
  // mkdir -p. With sync, fsyncs the parent of every directory it creates, so the new entries
  // survive a machine crash.
  virtual Status CreateDirs(const std::string& dir, bool sync) = 0;
  // Creates or truncates `path` and writes `data`; with sync, fdatasync before returning. Does
  // not sync the directory (see SyncDir).
  virtual Status WriteFile(const std::string& path, std::string_view data, bool sync) = 0;
  // fsync a directory, making the entries created/renamed in it durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Atomic rename within a file system (replaces `to`).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes a file; ok if it does not exist.
  virtual Status Remove(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // The whole file (compaction reads the files it merges). The default reads the local file.
  virtual Result<std::string> ReadFile(const std::string& path);
  // Regular files below `dir`, recursively, as absolute paths; empty when `dir` does not exist.
  virtual Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) = 0;
};

// The Status for a failed file operation: "<op> '<path>': <strerror>", with the code the commit
// protocol's retry logic reads: ENOSPC/EDQUOT -> kResourceExhausted, EIO/EAGAIN/EINTR ->
// kUnavailable, anything else kInternal. Shared by every LakeFs implementation.
Status LakeFsError(std::string_view op, const std::string& path, int err);

// The local-directory implementation (POSIX calls; errors carry errno text and the path).
LakeFs& DefaultLakeFs();

}  // namespace tributary::delivery
