#include "objects/bucket_store.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "common/bucket_name.h"
#include "common/durable_file.h"

namespace openpca::objects {
namespace {

namespace fs = std::filesystem;
constexpr char kMetaDir[] = ".openpca-meta";

std::string Md5Hex(std::span<const uint8_t> data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return HexEncode(std::span<const uint8_t>(digest, len));
}

// Objects are files written atomically (temp file, fsync, rename, fsync of the folder), so a
// reader never sees half an object; their folders are created on demand.
Status AtomicWrite(const fs::path& path, std::span<const uint8_t> data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return InternalError("cannot create " + path.parent_path().string());
  return WritePrivateFileAtomically(path.string(), data);
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kResourceNotFound, "no such object");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

BucketStore::BucketStore(std::string root, const Clock& clock)
    : root_(std::move(root)), clock_(clock) {}

bool BucketStore::IsValidBucketName(std::string_view b) { return openpca::IsValidBucketName(b); }

bool BucketStore::IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > 1024 || key.front() == '/') return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == ".." || seg == kMetaDir || seg.rfind(".tmp-", 0) == 0)
      return false;
    start = end + 1;
  }
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

Status BucketStore::Put(std::string_view bucket, std::string_view key,
                        std::span<const uint8_t> data, std::string_view content_type,
                        bool public_read,
                        const std::vector<std::pair<std::string, std::string>>& metadata) {
  if (!IsValidBucketName(bucket) || !IsValidKey(key)) {
    return Status(ErrorCode::kInvalidArgs, "invalid bucket or object key");
  }
  if (public_read) {
    ASSIGN_OR_RETURN(auto block, GetPublicAccessBlock(bucket));
    if (block.has_value() && block->block_public_acls) {
      return Status(ErrorCode::kAccessDenied,
                    "the bucket's public access block blocks public ACLs");
    }
  }
  fs::path dir = fs::path(root_) / std::string(bucket);
  nlohmann::json meta{{"etag", "\"" + Md5Hex(data) + "\""},
                      {"content_type", std::string(content_type)},
                      {"public_read", public_read},
                      {"last_modified_s", ToUnixSeconds(clock_.Now())},
                      {"size", data.size()}};
  if (!metadata.empty()) {
    nlohmann::json user = nlohmann::json::array();
    for (const auto& [name, value] : metadata) user.push_back(nlohmann::json::array({name, value}));
    meta["user_metadata"] = std::move(user);
  }
  // Metadata first, then the object: a reader that sees the new object sees its metadata.
  std::string meta_text = meta.dump();
  RETURN_IF_ERROR(AtomicWrite(dir / kMetaDir / (std::string(key) + ".json"), AsSpan(meta_text)));
  return AtomicWrite(dir / std::string(key), data);
}

bool BucketStore::BucketExists(std::string_view bucket) const {
  if (!IsValidBucketName(bucket)) return false;
  std::error_code ec;
  return fs::is_directory(fs::path(root_) / std::string(bucket), ec);
}

std::vector<BucketStore::BucketInfo> BucketStore::Buckets() const {
  std::vector<BucketInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_directory() || !IsValidBucketName(name)) continue;
    BucketInfo info{name, 0};
    struct statx st {};
    if (::statx(AT_FDCWD, e.path().c_str(), 0, STATX_BTIME | STATX_MTIME, &st) == 0) {
      info.created_s = (st.stx_mask & STATX_BTIME) != 0 ? st.stx_btime.tv_sec : st.stx_mtime.tv_sec;
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const BucketInfo& a, const BucketInfo& b) { return a.name < b.name; });
  return out;
}

Result<ObjectInfo> BucketStore::Head(std::string_view bucket, std::string_view key) const {
  if (!IsValidBucketName(bucket) || !IsValidKey(key)) {
    return Status(ErrorCode::kResourceNotFound, "no such object");
  }
  fs::path dir = fs::path(root_) / std::string(bucket);
  auto text = ReadFile(dir / kMetaDir / (std::string(key) + ".json"));
  if (!text.ok()) return text.status();
  nlohmann::json meta = nlohmann::json::parse(*text, nullptr, false);
  if (meta.is_discarded()) return InternalError("corrupt object metadata");
  ObjectInfo info;
  info.key = std::string(key);
  info.etag = meta.value("etag", "");
  info.content_type = meta.value("content_type", "application/octet-stream");
  info.public_read = meta.value("public_read", false);
  if (info.public_read) {
    auto block = GetPublicAccessBlock(bucket);
    if (!block.ok() || (block->has_value() && (*block)->ignore_public_acls)) {
      info.public_read = false;
    }
  }
  info.last_modified_s = meta.value("last_modified_s", int64_t{0});
  if (auto user = meta.find("user_metadata"); user != meta.end() && user->is_array()) {
    for (const auto& p : *user) {
      if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) {
        info.metadata.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
      }
    }
  }
  std::error_code ec;
  auto size = fs::file_size(dir / std::string(key), ec);
  if (ec) return Status(ErrorCode::kResourceNotFound, "no such object");
  info.size = static_cast<int64_t>(size);
  return info;
}

Result<std::string> BucketStore::Read(std::string_view bucket, std::string_view key) const {
  if (!IsValidBucketName(bucket) || !IsValidKey(key)) {
    return Status(ErrorCode::kResourceNotFound, "no such object");
  }
  return ReadFile(fs::path(root_) / std::string(bucket) / std::string(key));
}

Result<ListPage> BucketStore::List(std::string_view bucket, std::string_view prefix,
                                   std::string_view delimiter, std::string_view start_after,
                                   int max_keys) const {
  if (!BucketExists(bucket)) return Status(ErrorCode::kResourceNotFound, "no such bucket");
  fs::path dir = fs::path(root_) / std::string(bucket);
  std::vector<std::string> keys;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (it->is_directory() && name == kMetaDir) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || name.rfind(".tmp-", 0) == 0) continue;
    std::string key = fs::relative(it->path(), dir).generic_string();
    if (key.rfind(prefix, 0) == 0) keys.push_back(std::move(key));
  }
  std::sort(keys.begin(), keys.end());
  ListPage page;
  std::string last_prefix;
  for (const auto& key : keys) {
    if (!start_after.empty() && key <= start_after) continue;
    if (static_cast<int>(page.objects.size() + page.common_prefixes.size()) >= max_keys) {
      page.truncated = true;
      break;
    }
    if (!delimiter.empty()) {
      size_t d = key.find(delimiter, prefix.size());
      if (d != std::string::npos) {
        std::string common = key.substr(0, d + delimiter.size());
        if (common != last_prefix) {
          page.common_prefixes.push_back(common);
          last_prefix = common;
        }
        page.next_start_after = key;
        continue;
      }
    }
    auto info = Head(bucket, key);
    if (!info.ok()) continue;
    page.objects.push_back(std::move(info).value());
    page.next_start_after = key;
  }
  return page;
}

namespace {
constexpr char kConfigDir[] = ".openpca-bucket-config";

Status NoSuchBucket() { return Status(ErrorCode::kResourceNotFound, "no such bucket"); }

nlohmann::json BlockToJson(const PublicAccessBlock& b) {
  return {{"BlockPublicAcls", b.block_public_acls},
          {"IgnorePublicAcls", b.ignore_public_acls},
          {"BlockPublicPolicy", b.block_public_policy},
          {"RestrictPublicBuckets", b.restrict_public_buckets}};
}
}  // namespace

std::string BucketStore::ConfigPath(std::string_view bucket, std::string_view name) const {
  return (fs::path(root_) / kConfigDir / std::string(bucket) / std::string(name)).string();
}

Result<bool> BucketStore::CreateBucket(std::string_view bucket) {
  if (!IsValidBucketName(bucket)) return Status(ErrorCode::kInvalidArgs, "invalid bucket name");
  if (BucketExists(bucket)) return false;
  std::error_code ec;
  fs::path dir = fs::path(root_) / std::string(bucket);
  fs::create_directories(dir, ec);
  if (ec) return InternalError("cannot create " + dir.string());
  // A bucket created anew starts without the configuration of an earlier one of that name.
  fs::remove_all(fs::path(root_) / kConfigDir / std::string(bucket), ec);
  return true;
}

Status BucketStore::DeleteBucket(std::string_view bucket) {
  if (!BucketExists(bucket)) return NoSuchBucket();
  ASSIGN_OR_RETURN(ListPage page, List(bucket, "", "", "", 1));
  if (!page.objects.empty()) {
    return Status(ErrorCode::kInvalidState, "the bucket is not empty");
  }
  std::error_code ec;
  fs::remove_all(fs::path(root_) / std::string(bucket), ec);
  if (ec) return InternalError("cannot remove bucket " + std::string(bucket));
  fs::remove_all(fs::path(root_) / kConfigDir / std::string(bucket), ec);
  return Status::Ok();
}

Status BucketStore::Delete(std::string_view bucket, std::string_view key) {
  if (!BucketExists(bucket)) return NoSuchBucket();
  if (!IsValidKey(key)) return Status::Ok();  // no such object can exist
  fs::path dir = fs::path(root_) / std::string(bucket);
  std::error_code ec;
  fs::remove(dir / std::string(key), ec);
  if (ec) return InternalError("cannot remove object");
  fs::remove(dir / kMetaDir / (std::string(key) + ".json"), ec);
  return Status::Ok();
}

Status BucketStore::SetPublicRead(std::string_view bucket, std::string_view key,
                                  bool public_read) {
  if (!BucketExists(bucket) || !IsValidKey(key)) return NoSuchBucket();
  if (public_read) {
    ASSIGN_OR_RETURN(auto block, GetPublicAccessBlock(bucket));
    if (block.has_value() && block->block_public_acls) {
      return Status(ErrorCode::kAccessDenied,
                    "the bucket's public access block blocks public ACLs");
    }
  }
  fs::path meta_path =
      fs::path(root_) / std::string(bucket) / kMetaDir / (std::string(key) + ".json");
  ASSIGN_OR_RETURN(std::string text, ReadFile(meta_path));
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, false);
  if (meta.is_discarded()) return InternalError("corrupt object metadata");
  meta["public_read"] = public_read;
  std::string out = meta.dump();
  return AtomicWrite(meta_path, AsSpan(out));
}

Status BucketStore::PutPolicy(std::string_view bucket, std::string_view policy) {
  if (!BucketExists(bucket)) return NoSuchBucket();
  return AtomicWrite(ConfigPath(bucket, "policy.json"), AsSpan(policy));
}

Result<std::optional<std::string>> BucketStore::GetPolicy(std::string_view bucket) const {
  if (!BucketExists(bucket)) return NoSuchBucket();
  auto text = ReadFile(ConfigPath(bucket, "policy.json"));
  if (!text.ok()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(text).value());
}

Status BucketStore::DeletePolicy(std::string_view bucket) {
  if (!BucketExists(bucket)) return NoSuchBucket();
  std::error_code ec;
  fs::remove(ConfigPath(bucket, "policy.json"), ec);
  return ec ? InternalError("cannot remove the bucket policy") : Status::Ok();
}

Status BucketStore::PutPublicAccessBlock(std::string_view bucket, const PublicAccessBlock& block) {
  if (!BucketExists(bucket)) return NoSuchBucket();
  std::string text = BlockToJson(block).dump();
  return AtomicWrite(ConfigPath(bucket, "public-access-block.json"), AsSpan(text));
}

Result<std::optional<PublicAccessBlock>> BucketStore::GetPublicAccessBlock(
    std::string_view bucket) const {
  if (!IsValidBucketName(bucket)) return NoSuchBucket();
  auto text = ReadFile(ConfigPath(bucket, "public-access-block.json"));
  if (!text.ok()) return std::optional<PublicAccessBlock>();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InternalError("corrupt public access block");
  PublicAccessBlock b;
  b.block_public_acls = j.value("BlockPublicAcls", false);
  b.ignore_public_acls = j.value("IgnorePublicAcls", false);
  b.block_public_policy = j.value("BlockPublicPolicy", false);
  b.restrict_public_buckets = j.value("RestrictPublicBuckets", false);
  return std::optional<PublicAccessBlock>(b);
}

Status BucketStore::DeletePublicAccessBlock(std::string_view bucket) {
  if (!BucketExists(bucket)) return NoSuchBucket();
  std::error_code ec;
  fs::remove(ConfigPath(bucket, "public-access-block.json"), ec);
  return ec ? InternalError("cannot remove the public access block") : Status::Ok();
}

}  // namespace openpca::objects
