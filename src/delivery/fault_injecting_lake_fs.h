// FaultInjectingLakeFs (test utility): a LakeFs over a real one (DefaultLakeFs() by default) that
// misbehaves like a sick disk, for unit tests of the commit protocol (delivery, compaction):
//
//   FailWritesWith(EIO)   every WriteFile writes half its data, then fails with that errno
//   SetFreeSpace(n)       a disk with n bytes free: a write past it writes what fits and fails
//                         with ENOSPC; Remove of a file written through this object frees its bytes
//   FailSyncsWith(EIO)    fdatasync (WriteFile with sync) and SyncDir fail; the data was written
//   FailRenamesWith(EIO)  Rename fails and moves nothing
//   CrashOnWrite(n, k)    the n-th next WriteFile (1 = the next) writes only k bytes (a torn write)
//                         and the file system "dies" with it: that call and every later call fail
//                         with kAborted and touch nothing, like a process killed mid-write. The
//                         test then "restarts" over a healthy LakeFs and recovers.
//   Heal()                clears every fault except a crash (a dead process stays dead)
//
// Errors carry the same codes as PosixLakeFs (LakeFsError), so the retry logic sees what it
// would see on a real disk. Counters tell a test how often the code under test tried.
//
// Thread-safety: thread-safe (one mutex; the base LakeFs must be thread-safe).
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/lake_fs.h"

namespace tributary::delivery {

class FaultInjectingLakeFs final : public LakeFs {
 public:
  static constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();

  explicit FaultInjectingLakeFs(LakeFs& base = DefaultLakeFs()) : base_(base) {}

  void FailWritesWith(int err) {
    std::lock_guard<std::mutex> lock(mu_);
    write_errno_ = err;
  }
  void SetFreeSpace(int64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    free_bytes_ = bytes;
  }
  void FailSyncsWith(int err) {
    std::lock_guard<std::mutex> lock(mu_);
    sync_errno_ = err;
  }
  void FailRenamesWith(int err) {
    std::lock_guard<std::mutex> lock(mu_);
    rename_errno_ = err;
  }
  void CrashOnWrite(int nth, size_t keep_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    crash_countdown_ = nth;
    crash_keep_bytes_ = keep_bytes;
  }
  void Heal() {
    std::lock_guard<std::mutex> lock(mu_);
    write_errno_ = sync_errno_ = rename_errno_ = 0;
    free_bytes_ = kUnlimited;
  }

  bool crashed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return crashed_;
  }
  // Calls that failed because of an injected fault (not counting calls after a crash).
  int64_t injected_failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return injected_failures_;
  }
  // Times of the WriteFile calls that failed by injection (to check retry backoff).
  std::vector<std::chrono::steady_clock::time_point> failed_write_times() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_write_times_;
  }
  int64_t writes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }
  // The last torn file CrashOnWrite left behind ("" if none).
  std::string torn_path() const {
    std::lock_guard<std::mutex> lock(mu_);
    return torn_path_;
  }

  Status CreateDirs(const std::string& dir, bool sync) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("mkdir", dir);
    return base_.CreateDirs(dir, sync);
  }

  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("write", path);
    ++writes_;
    if (crash_countdown_ > 0 && --crash_countdown_ == 0) {
      (void)base_.WriteFile(path, data.substr(0, std::min(crash_keep_bytes_, data.size())), false);
      crashed_ = true;
      torn_path_ = path;
      return Dead("write", path);
    }
    if (write_errno_ != 0) {
      Track(path, data.size() / 2);
      (void)base_.WriteFile(path, data.substr(0, data.size() / 2), false);
      return Injected(true, "write", path, write_errno_);
    }
    if (free_bytes_ != kUnlimited) {
      auto it = sizes_.find(path);
      const int64_t reclaimed = it == sizes_.end() ? 0 : it->second;  // O_TRUNC frees the old bytes
      const int64_t available = std::max<int64_t>(0, free_bytes_ - used_ + reclaimed);
      if (static_cast<int64_t>(data.size()) > available) {
        Track(path, static_cast<size_t>(available));
        (void)base_.WriteFile(path, data.substr(0, static_cast<size_t>(available)), false);
        return Injected(true, "write", path, ENOSPC);
      }
    }
    Track(path, data.size());
    if (sync && sync_errno_ != 0) {
      TRIB_RETURN_IF_ERROR(base_.WriteFile(path, data, false));
      return Injected(true, "fdatasync", path, sync_errno_);
    }
    return base_.WriteFile(path, data, sync);
  }

  Status SyncDir(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("fsync directory", dir);
    if (sync_errno_ != 0) return Injected(false, "fsync directory", dir, sync_errno_);
    return base_.SyncDir(dir);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("rename", from);
    if (rename_errno_ != 0) return Injected(false, "rename", from + "' -> '" + to, rename_errno_);
    TRIB_RETURN_IF_ERROR(base_.Rename(from, to));
    auto it = sizes_.find(from);
    if (it != sizes_.end()) {
      int64_t size = it->second;
      sizes_.erase(it);
      Untrack(to);
      sizes_[to] = size;
    }
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("unlink", path);
    TRIB_RETURN_IF_ERROR(base_.Remove(path));
    Untrack(path);
    return Status::Ok();
  }

  bool Exists(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    return base_.Exists(path);
  }

  Result<std::string> ReadFile(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("read", path);
    return base_.ReadFile(path);
  }

  Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Dead("list", dir);
    return base_.ListFilesRecursive(dir);
  }

 private:
  Status Dead(std::string_view op, const std::string& path) const {
    return Status::Aborted(std::string(op) + " '" + path + "': the process crashed (injected)");
  }
  Status Injected(bool is_write, std::string_view op, const std::string& path, int err) {
    ++injected_failures_;
    if (is_write) failed_write_times_.push_back(std::chrono::steady_clock::now());
    return LakeFsError(op, path, err);
  }
  void Track(const std::string& path, size_t bytes) {
    Untrack(path);
    sizes_[path] = static_cast<int64_t>(bytes);
    used_ += static_cast<int64_t>(bytes);
  }
  void Untrack(const std::string& path) {
    auto it = sizes_.find(path);
    if (it == sizes_.end()) return;
    used_ -= it->second;
    sizes_.erase(it);
  }

  LakeFs& base_;
  mutable std::mutex mu_;
  int write_errno_ = 0;              // guarded by mu_
  int sync_errno_ = 0;               // guarded by mu_
  int rename_errno_ = 0;             // guarded by mu_
  int64_t free_bytes_ = kUnlimited;  // guarded by mu_
  int64_t used_ = 0;                 // guarded by mu_; bytes of the files in sizes_
  std::map<std::string, int64_t> sizes_;  // guarded by mu_; files written through this object
  int crash_countdown_ = 0;          // guarded by mu_
  size_t crash_keep_bytes_ = 0;      // guarded by mu_
  bool crashed_ = false;             // guarded by mu_
  std::string torn_path_;            // guarded by mu_
  int64_t injected_failures_ = 0;    // guarded by mu_
  int64_t writes_ = 0;               // guarded by mu_
  std::vector<std::chrono::steady_clock::time_point> failed_write_times_;  // guarded by mu_
};

}  // namespace tributary::delivery
