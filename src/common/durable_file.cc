#include "common/durable_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/random.h"

namespace openpca {
namespace {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes explicitly so that a close() error (which can report a failed write) is seen.
  int Close() {
    int r = ::close(fd_);
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

Status Errno(const char* what, const std::string& path, int err) {
  return InternalError(std::string(what) + " " + path + ": " + std::strerror(err));
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::span<const uint8_t> data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Writes, fsyncs and closes `fd`; on any failure the file at `path` is unlinked.
Status FinishFile(Fd& fd, std::span<const uint8_t> data, const std::string& path) {
  Status st = WriteAll(fd.get(), data, path);
  if (st.ok() && ::fsync(fd.get()) != 0) st = Errno("fsync", path, errno);
  if (fd.Close() != 0 && st.ok()) st = Errno("close", path, errno);
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

}  // namespace

Status FsyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("open", dir, errno);
  if (::fsync(fd.get()) != 0) return Errno("fsync", dir, errno);
  return Status::Ok();
}

Status CreatePrivateFileDurably(const std::string& path, std::span<const uint8_t> data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return Status(ErrorCode::kRequestAlreadyProcessed, path + " exists");
    return Errno("create", path, errno);
  }
  RETURN_IF_ERROR(FinishFile(fd, data, path));
  return FsyncDirectory(DirOf(path));
}

Status WritePrivateFileAtomically(const std::string& path, std::span<const uint8_t> data) {
  // A unique temp name: a crashed earlier attempt may have left a temp file behind.
  OpenSslRandom random;
  std::string tmp = DirOf(path) + "/.tmp-" + HexEncode(random.RandomBytes(8));
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return Errno("create", tmp, errno);
  RETURN_IF_ERROR(FinishFile(fd, data, tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno("rename", path, err);
  }
  return FsyncDirectory(DirOf(path));
}

Result<Bytes> ReadPrivateFile(const std::string& path, size_t max_size, bool require_private) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status(ErrorCode::kResourceNotFound, path + " does not exist");
    return Errno("open", path, errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Errno("stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status(ErrorCode::kInvalidArgs, path + " is not a regular file");
  }
  if (require_private && (st.st_mode & 077) != 0) {
    return Status(ErrorCode::kInvalidArgs,
                  path + " is accessible by group or other; it must be mode 0600");
  }
  if (static_cast<size_t>(st.st_size) > max_size) {
    return Status(ErrorCode::kInvalidArgs, path + " is too large");
  }
  Bytes out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      OPENSSL_cleanse(out.data(), out.size());
      return Errno("read", path, err);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done != out.size()) {
    OPENSSL_cleanse(out.data(), out.size());
    return InternalError(path + " changed size while being read");
  }
  return out;
}

Status RemoveFileDurably(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status(ErrorCode::kResourceNotFound, path + " does not exist");
    return Errno("unlink", path, errno);
  }
  return FsyncDirectory(DirOf(path));
}

Status EnsurePrivateDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    // The new entry must survive a crash before any key file is written into it.
    return FsyncDirectory(DirOf(dir));
  }
  if (errno != EEXIST) return Errno("mkdir", dir, errno);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Errno("stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status(ErrorCode::kInvalidArgs, dir + " is not a directory");
  if ((st.st_mode & 022) != 0) {
    return Status(ErrorCode::kInvalidArgs, dir + " is writable by group or other");
  }
  return Status::Ok();
}

}  // namespace openpca
