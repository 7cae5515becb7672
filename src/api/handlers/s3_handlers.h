// S3-compatible reads of the built-in buckets (objects::BucketStore), path-style:
//   GET  /                         ListBuckets            (signed)
//   GET  /<bucket>?list-type=2     ListObjectsV2          (signed; ListObjects v1 answered alike)
//   GET  /<bucket>/<key>           GetObject (Range too)  (signed, or anonymous when public-read)
//   HEAD /<bucket>[/<key>]         HeadBucket/HeadObject
//   GET  /<bucket>?location        GetBucketLocation      (signed)
// A request whose Host header (without port) names an existing bucket is virtual-hosted style:
// the whole path is the key, as S3 serves a bucket named like the CNAME pointed at it.
// Other sub-resources (?acl, ?tagging, ...) get 501 NotImplemented.
// Signatures are SigV4 for service "s3". Errors are S3's XML errors (NoSuchBucket, NoSuchKey,
// AccessDenied, InvalidRange, ...). Writes are not offered: openpca itself writes the objects.
// Thread-safe.
#pragma once

#include "api/http_types.h"
#include "api/operation.h"
#include "common/clock.h"
#include "objects/bucket_store.h"

namespace openpca::api {

class S3Handlers {
 public:
  S3Handlers(objects::BucketStore& buckets, std::string region, CredentialLookup lookup,
             const Clock& clock);

  HttpResponse Get(const HttpRequest& request);
  HttpResponse Head(const HttpRequest& request);

 private:
  HttpResponse Handle(const HttpRequest& request, bool head);

  objects::BucketStore& buckets_;
  std::string region_;
  SigV4Verifier verifier_;
};

}  // namespace openpca::api
