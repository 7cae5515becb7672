// ObjectWriter: one object of the BucketStore written piece by piece, for objects too large to
// hold in memory (audit reports). BucketStore::OpenWriter() creates it.
//
// Appends go to a private temp file ".tmp-<random>" in the object's folder through a small
// buffer, with the ETag (MD5) computed on the way; Commit() syncs it, writes the metadata and
// renames it over the key, as BucketStore::Put does: a reader sees the old object or the whole new
// one, never a part. Destroying an uncommitted writer removes the temp file. Memory stays
// constant whatever the object's size. Thread-compatible: one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::objects {

class ObjectWriter {
 public:
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  ~ObjectWriter();

  // Errors: kInternal (I/O); kInvalidState after Commit().
  Status Append(std::string_view data);
  // Makes the object visible under its key. Errors: kInternal (I/O); kInvalidState when called
  // twice. After an error the temp file is gone and the key unchanged.
  Status Commit();
  int64_t size() const { return size_; }

 private:
  friend class BucketStore;
  ObjectWriter(std::string object_path, std::string meta_path, std::string temp_path, int fd,
               x509::EvpMdCtxPtr md5, std::string content_type, int64_t last_modified_s);
  Status Flush();
  void Abandon();

  const std::string object_path_;
  const std::string meta_path_;
  const std::string temp_path_;
  int fd_;  // -1 once closed
  x509::EvpMdCtxPtr md5_;
  const std::string content_type_;
  const int64_t last_modified_s_;
  std::string buffer_;
  int64_t size_ = 0;
  bool done_ = false;
};

}  // namespace openpca::objects
