#include "delivery/lake_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace tributary::delivery {

Status LakeFsError(std::string_view op, const std::string& path, int err) {
  std::string message = std::string(op) + " '" + path + "': " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::ResourceExhausted(std::move(message));
  if (err == EIO || err == EAGAIN || err == EINTR) return Status::Unavailable(std::move(message));
  return Status::Internal(std::move(message));
}

namespace {

Status Errno(std::string_view op, const std::string& path, int err) { return LakeFsError(op, path, err); }

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixLakeFs final : public LakeFs {
 public:
  Status CreateDirs(const std::string& dir, bool sync) override {
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::Ok();
      return Status::FailedPrecondition("'" + dir + "' exists and is not a directory");
    }
    std::string parent = Parent(dir);
    if (parent != dir) TRIB_RETURN_IF_ERROR(CreateDirs(parent, sync));
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir", dir, errno);
    if (sync) return SyncDir(parent);
    return Status::Ok();
  }

  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("open", path, errno);
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return Errno("write", path, err);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (sync && ::fdatasync(fd) != 0) {
      int err = errno;
      ::close(fd);
      return Errno("fdatasync", path, err);
    }
    if (::close(fd) != 0) return Errno("close", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("open directory", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Errno("fsync directory", dir, err);
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename", from + "' -> '" + to, errno);
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink", path, errno);
    return Status::Ok();
  }

  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) override {
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) out.push_back(it->path().string());
    }
    if (ec) return Status::Internal("listing '" + dir + "': " + ec.message());
    return out;
  }
};

}  // namespace

Result<std::string> LakeFs::ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Errno("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

LakeFs& DefaultLakeFs() {
  static PosixLakeFs fs;
  return fs;
}

}  // namespace tributary::delivery
