// Fixtures shared by the delivery tests: a fault-injecting LakeFs and file helpers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "delivery/lake_fs.h"

namespace tributary::delivery::testing_util {

// Wraps DefaultLakeFs(); each fail_* counter makes that many next calls fail (kUnavailable;
// a failed Remove leaves the file, like a crash before the cleanup). HoldWrites() makes WriteFile
// block on entry until ReleaseWrites(), to keep a commit in flight.
//
// Thread-safety: thread-safe.
class FaultyLakeFs final : public LakeFs {
 public:
  std::atomic<int> fail_writes{0};
  std::atomic<int> fail_renames{0};
  std::atomic<int> fail_syncs{0};
  std::atomic<int> fail_removes{0};
  std::atomic<int> renames{0};

  void HoldWrites() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void ReleaseWrites() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hold_ = false;
    }
    cv_.notify_all();
  }
  // WriteFile calls blocked by HoldWrites() right now.
  int held_writes() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_;
  }

  Status CreateDirs(const std::string& dir, bool sync) override {
    return DefaultLakeFs().CreateDirs(dir, sync);
  }
  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++held_;
      cv_.wait(lock, [this] { return !hold_; });
      --held_;
    }
    if (Take(fail_writes)) {
      (void)DefaultLakeFs().WriteFile(path, data.substr(0, data.size() / 2), false);  // torn
      return Status::Unavailable("injected write failure: " + path);
    }
    return DefaultLakeFs().WriteFile(path, data, sync);
  }
  Status SyncDir(const std::string& dir) override {
    if (Take(fail_syncs)) return Status::Unavailable("injected sync failure: " + dir);
    return DefaultLakeFs().SyncDir(dir);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (Take(fail_renames)) return Status::Unavailable("injected rename failure: " + from);
    ++renames;
    return DefaultLakeFs().Rename(from, to);
  }
  Status Remove(const std::string& path) override {
    if (Take(fail_removes)) return Status::Unavailable("injected remove failure: " + path);
    return DefaultLakeFs().Remove(path);
  }
  bool Exists(const std::string& path) override { return DefaultLakeFs().Exists(path); }
  Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) override {
    return DefaultLakeFs().ListFilesRecursive(dir);
  }

 private:
  static bool Take(std::atomic<int>& n) {
    int v = n.load();
    while (v > 0) {
      if (n.compare_exchange_weak(v, v - 1)) return true;
    }
    return false;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;  // guarded by mu_
  int held_ = 0;       // guarded by mu_
};

// Files below `root` as root-relative paths, sorted.
inline std::vector<std::string> ListLake(const std::filesystem::path& root) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool IsTempName(const std::string& rel_path) {
  size_t slash = rel_path.rfind('/');
  return rel_path[slash == std::string::npos ? 0 : slash + 1] == '_';
}

}  // namespace tributary::delivery::testing_util
