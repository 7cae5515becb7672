// BucketStore: openpca's built-in object store. Buckets are folders under <data>/buckets; openpca
// writes CRLs (and later audit reports) there and serves them S3-style (api/handlers/s3_handlers).
//
// Layout: <root>/<bucket>/<key> holds the object bytes; <root>/<bucket>/.openpca-meta/<key>.json
// its metadata (ACL, ETag, content type, last modified). Writes are atomic (temp file, fsync,
// rename, fsync of the folder): a reader sees the old object or the new one, never a mix.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"

namespace openpca::objects {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  std::string etag;  // quoted hex MD5, as S3 reports it
  std::string content_type = "application/octet-stream";
  bool public_read = false;
  int64_t last_modified_s = 0;
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

  // Errors: kInvalidArgs for a bucket or key that is not a safe name; kInternal for I/O.
  Status Put(std::string_view bucket, std::string_view key, std::span<const uint8_t> data,
             std::string_view content_type, bool public_read);
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

  static bool IsValidBucketName(std::string_view bucket);  // common/bucket_name.h
  static bool IsValidKey(std::string_view key);

 private:
  std::string root_;
  const Clock& clock_;
};

}  // namespace openpca::objects
