// S3-compatible reads of the built-in buckets (objects::BucketStore), path-style:
//   GET  /                         ListBuckets            (signed)
//   GET  /<bucket>?list-type=2     ListObjectsV2          (signed; ListObjects v1 answered alike)
//   GET  /<bucket>/<key>           GetObject (Range too)  (signed, or anonymous when public-read)
//   HEAD /<bucket>[/<key>]         HeadBucket/HeadObject
//   GET  /<bucket>?location        GetBucketLocation      (signed)
// A request whose Host header (without port) names an existing bucket is virtual-hosted style:
// the whole path is the key, as S3 serves a bucket named like the CNAME pointed at it.
//   GET  /<bucket>?policy | ?publicAccessBlock, GET /<bucket>/<key>?acl
//   PUT  /<bucket>                 CreateBucket; ?policy, ?publicAccessBlock
//   PUT  /<bucket>/<key>           PutObject (x-amz-acl), CopyObject (x-amz-copy-source); ?acl
//   DELETE /<bucket>[/<key>]       DeleteBucket, DeleteObject; ?policy, ?publicAccessBlock
// Every other S3 operation (other sub-resources, POST operations) gets 501 NotImplemented.
// Signatures are SigV4 for service "s3"; any valid key of the account may do everything (bucket
// policies are stored, not evaluated). Errors are S3's XML errors with a RequestId (NoSuchBucket,
// NoSuchKey, AccessDenied, BucketNotEmpty, ...).
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

  // Signed requests are then authorized as s3:<Action> on arn:<partition>:s3:::<bucket>[/<key>]
  // (the bucket policy is that resource's policy). Null: any valid signature may do anything.
  // Must outlive the handlers; set before serving.
  void SetAuthorizer(const Authorizer* authorizer) { authorizer_ = authorizer; }

  HttpResponse Get(const HttpRequest& request);
  HttpResponse Head(const HttpRequest& request);
  // CreateBucket, PutBucketPolicy, PutPublicAccessBlock, PutObject, CopyObject, PutObjectAcl.
  HttpResponse Put(const HttpRequest& request);
  // DeleteBucket, DeleteBucketPolicy, DeletePublicAccessBlock, DeleteObject.
  HttpResponse Delete(const HttpRequest& request);
  // Every POST operation of S3 (DeleteObjects, multipart uploads, ...): 501 NotImplemented.
  HttpResponse Post(const HttpRequest& request);

 private:
  struct Target {
    std::string bucket;
    std::string key;
  };
  // Path-style, or virtual-hosted when the Host names an existing bucket (or, `creating`, a
  // bucket CreateBucket is about to make).
  Target Resolve(const HttpRequest& request, bool creating) const;
  HttpResponse Handle(const HttpRequest& request, bool head);
  HttpResponse CreateBucket(const HttpRequest& request, const std::string& bucket);

  objects::BucketStore& buckets_;
  std::string region_;
  SigV4Verifier verifier_;
  const Authorizer* authorizer_ = nullptr;

  // SigV4, then the authorizer for `action` ("GetObject") on the bucket or object.
  Status Check(const HttpRequest& request, std::string_view action, std::string_view bucket,
               std::string_view key) const;
};

}  // namespace openpca::api
