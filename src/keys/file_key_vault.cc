#include <utility>

#include "common/durable_file.h"
#include "keys/key_vault.h"

namespace openpca::keys {
namespace {

// Sealed PKCS#8 of an RSA-4096 key is ~2.4 KB; anything much larger is not one of our files.
constexpr size_t kMaxKeyFileSize = 64 * 1024;
constexpr std::string_view kSoftIdPrefix = "soft:";

bool IsLowerHexUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Status NoSuchKey(const std::string& key_id) {
  return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
}

}  // namespace

Result<std::unique_ptr<FileKeyVault>> FileKeyVault::Open(const std::string& dir) {
  std::string clean = dir;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  if (clean.empty()) return Status(ErrorCode::kInvalidArgs, "empty key directory");
  RETURN_IF_ERROR(EnsurePrivateDirectory(clean));
  return std::unique_ptr<FileKeyVault>(new FileKeyVault(std::move(clean)));
}

Result<std::string> FileKeyVault::PathFor(const std::string& key_id) const {
  std::string_view id(key_id);
  // WARNING: key ids come from the database and requests; only a strict UUID may become a path.
  if (!id.starts_with(kSoftIdPrefix) || !IsLowerHexUuid(id.substr(kSoftIdPrefix.size()))) {
    return Status(ErrorCode::kResourceNotFound, "not a software key id");
  }
  return dir_ + "/" + std::string(id.substr(kSoftIdPrefix.size())) + ".key";
}

Status FileKeyVault::Put(const std::string& key_id, std::span<const uint8_t> sealed) {
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));
  return WritePrivateFileAtomically(path, sealed);
}

Result<Bytes> FileKeyVault::Get(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));
  Result<Bytes> sealed = ReadPrivateFile(path, kMaxKeyFileSize, /*require_private=*/false);
  if (!sealed.ok() && sealed.status().code() == ErrorCode::kResourceNotFound) {
    return NoSuchKey(key_id);
  }
  return sealed;
}

Status FileKeyVault::Remove(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));
  Status st = RemoveFileDurably(path);
  if (st.code() == ErrorCode::kResourceNotFound) return NoSuchKey(key_id);
  return st;
}

}  // namespace openpca::keys
