// BucketStore: openpca's built-in object store. Buckets are folders under <data>/buckets; openpca
// writes CRLs (and later audit reports) there and serves them S3-style (api/handlers/s3_handlers).
//
// Layout: <root>/<bucket>/<key> holds the object bytes; <root>/<bucket>/.openpca-meta/<key>.json
// its metadata (ACL, ETag, content type, last modified). Writes are atomic (temp file, fsync,
// rename, fsync of the folder): a reader sees the old object or the new one, never a mix.
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"
#include "objects/object_writer.h"

namespace openpca::objects {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  std::string etag;  // quoted hex MD5, as S3 reports it
  std::string content_type = "application/octet-stream";
  bool public_read = false;
  int64_t last_modified_s = 0;
  // User metadata (x-amz-meta-<name>), names as stored (lower case), in the order written.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// S3's PublicAccessBlockConfiguration. openpca's own writes honour block_public_acls (a
// public-read Put is refused) and ignore_public_acls (objects read as private); the policy flags
// are stored for bucket-policy evaluation.
struct PublicAccessBlock {
  bool block_public_acls = false;
  bool ignore_public_acls = false;
  bool block_public_policy = false;
  bool restrict_public_buckets = false;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter
  bool truncated = false;
  std::string next_start_after;  // the last key returned when truncated
};

class BucketStore {
 public:
  BucketStore(std::string root, const Clock& clock);

  // Errors: kInvalidArgs for a bucket or key that is not a safe name; kAccessDenied when
  // `public_read` and the bucket's public access block has block_public_acls; kInternal for I/O.
  // A missing bucket is created (openpca's own writes: CRLs, the permission probe). `metadata`
  // is the object's user metadata (names without the x-amz-meta- prefix).
  Status Put(std::string_view bucket, std::string_view key, std::span<const uint8_t> data,
             std::string_view content_type, bool public_read,
             const std::vector<std::pair<std::string, std::string>>& metadata = {});
  // An object written piece by piece (objects/object_writer.h), private, visible under `key` once
  // committed. Unlike Put it does not create a missing bucket.
  // Errors: kInvalidArgs (bucket or key name); kResourceNotFound (no bucket); kInternal.
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view bucket, std::string_view key,
                                                   std::string_view content_type);
  // Errors: kResourceNotFound (bucket or key absent; `bucket_exists` tells which); kInternal.
  Result<ObjectInfo> Head(std::string_view bucket, std::string_view key) const;
  Result<std::string> Read(std::string_view bucket, std::string_view key) const;
  // Keys in byte order after `start_after` that begin with `prefix`, at most `max_keys`.
  Result<ListPage> List(std::string_view bucket, std::string_view prefix,
                        std::string_view delimiter, std::string_view start_after,
                        int max_keys) const;
  bool BucketExists(std::string_view bucket) const;
  struct BucketInfo {
    std::string name;
    int64_t created_s = 0;  // the folder's birth time (its modification time where unknown)
  };
  std::vector<BucketInfo> Buckets() const;  // sorted by name

  // Bucket lifecycle and configuration (the S3 write API). Bucket configuration lives under
  // <root>/.openpca-bucket-config/<bucket>/, beside the buckets.
  // Ok(true) when created, Ok(false) when it already existed. Errors: kInvalidArgs (name), kInternal.
  Result<bool> CreateBucket(std::string_view bucket);
  // Errors: kResourceNotFound; kInvalidState when the bucket holds objects; kInternal.
  Status DeleteBucket(std::string_view bucket);
  // Object removal; removing an absent key succeeds. Errors: kResourceNotFound (no bucket).
  Status Delete(std::string_view bucket, std::string_view key);
  // Changes a stored object's ACL. Errors: kResourceNotFound; kAccessDenied as Put.
  Status SetPublicRead(std::string_view bucket, std::string_view key, bool public_read);
  // The bucket policy document exactly as stored; nullopt when the bucket has none.
  // Errors: kResourceNotFound (no bucket).
  Status PutPolicy(std::string_view bucket, std::string_view policy);
  Result<std::optional<std::string>> GetPolicy(std::string_view bucket) const;
  Status DeletePolicy(std::string_view bucket);
  Status PutPublicAccessBlock(std::string_view bucket, const PublicAccessBlock& block);
  Result<std::optional<PublicAccessBlock>> GetPublicAccessBlock(std::string_view bucket) const;
  Status DeletePublicAccessBlock(std::string_view bucket);

  static bool IsValidBucketName(std::string_view bucket);  // common/bucket_name.h
  static bool IsValidKey(std::string_view key);

 private:
  std::string ConfigPath(std::string_view bucket, std::string_view name) const;

  std::string root_;
  const Clock& clock_;
};

}  // namespace openpca::objects
