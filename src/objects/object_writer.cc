#include "objects/object_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "common/bytes.h"
#include "common/durable_file.h"
#include "common/random.h"
#include "objects/bucket_store.h"

namespace openpca::objects {
namespace {

namespace fs = std::filesystem;
constexpr size_t kBufferSize = 64 * 1024;
constexpr char kMetaDir[] = ".openpca-meta";

Status Errno(const char* what, const std::string& path, int err) {
  return InternalError(std::string(what) + " " + path + ": " + std::strerror(err));
}

}  // namespace

Result<std::unique_ptr<ObjectWriter>> BucketStore::OpenWriter(std::string_view bucket,
                                                              std::string_view key,
                                                              std::string_view content_type) {
  if (!IsValidBucketName(bucket) || !IsValidKey(key)) {
    return Status(ErrorCode::kInvalidArgs, "invalid bucket or object key");
  }
  if (!BucketExists(bucket)) return Status(ErrorCode::kResourceNotFound, "no such bucket");
  fs::path dir = fs::path(root_) / std::string(bucket);
  fs::path object_path = dir / std::string(key);
  fs::path meta_path = dir / kMetaDir / (std::string(key) + ".json");
  std::error_code ec;
  fs::create_directories(object_path.parent_path(), ec);
  if (ec) return InternalError("cannot create " + object_path.parent_path().string());
  fs::create_directories(meta_path.parent_path(), ec);
  if (ec) return InternalError("cannot create " + meta_path.parent_path().string());
  OpenSslRandom random;
  std::string temp = (object_path.parent_path() / (".tmp-" + HexEncode(random.RandomBytes(8))))
                         .string();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Errno("create", temp, errno);
  x509::EvpMdCtxPtr md5(EVP_MD_CTX_new());
  if (md5 == nullptr || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
    ::close(fd);
    ::unlink(temp.c_str());
    return x509::OsslError("EVP_DigestInit_ex");
  }
  return std::unique_ptr<ObjectWriter>(new ObjectWriter(
      object_path.string(), meta_path.string(), std::move(temp), fd, std::move(md5),
      std::string(content_type), ToUnixSeconds(clock_.Now())));
}

ObjectWriter::ObjectWriter(std::string object_path, std::string meta_path, std::string temp_path,
                           int fd, x509::EvpMdCtxPtr md5, std::string content_type,
                           int64_t last_modified_s)
    : object_path_(std::move(object_path)),
      meta_path_(std::move(meta_path)),
      temp_path_(std::move(temp_path)),
      fd_(fd),
      md5_(std::move(md5)),
      content_type_(std::move(content_type)),
      last_modified_s_(last_modified_s) {
  buffer_.reserve(kBufferSize);
}

ObjectWriter::~ObjectWriter() {
  if (!done_) Abandon();
}

void ObjectWriter::Abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_path_.c_str());
  done_ = true;
}

Status ObjectWriter::Flush() {
  size_t written = 0;
  while (written < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", temp_path_, errno);
    }
    written += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status ObjectWriter::Append(std::string_view data) {
  if (done_) return Status(ErrorCode::kInvalidState, "object already committed");
  if (EVP_DigestUpdate(md5_.get(), data.data(), data.size()) != 1) {
    return x509::OsslError("EVP_DigestUpdate");
  }
  size_ += static_cast<int64_t>(data.size());
  if (buffer_.size() + data.size() > kBufferSize) {
    RETURN_IF_ERROR(Flush());
    if (data.size() >= kBufferSize) {
      buffer_.assign(data);
      return Flush();
    }
  }
  buffer_.append(data);
  return Status::Ok();
}

Status ObjectWriter::Commit() {
  if (done_) return Status(ErrorCode::kInvalidState, "object already committed");
  Status st = Flush();
  if (st.ok() && ::fsync(fd_) != 0) st = Errno("fsync", temp_path_, errno);
  if (st.ok()) {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) st = Errno("close", temp_path_, errno);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (st.ok() && EVP_DigestFinal_ex(md5_.get(), digest, &len) != 1) {
    st = x509::OsslError("EVP_DigestFinal_ex");
  }
  if (st.ok()) {
    // Metadata first, then the object: a reader that sees the new object sees its metadata.
    nlohmann::json meta{
        {"etag", "\"" + HexEncode(std::span<const uint8_t>(digest, len)) + "\""},
        {"content_type", content_type_},
        {"public_read", false},
        {"last_modified_s", last_modified_s_},
        {"size", size_}};
    std::string meta_text = meta.dump();
    st = WritePrivateFileAtomically(meta_path_, AsSpan(meta_text));
  }
  if (st.ok() && ::rename(temp_path_.c_str(), object_path_.c_str()) != 0) {
    st = Errno("rename", object_path_, errno);
  }
  if (!st.ok()) {
    Abandon();
    return st;
  }
  done_ = true;
  return FsyncDirectory(fs::path(object_path_).parent_path().string());
}

}  // namespace openpca::objects
