// Whether a bucket's policy lets AWS Private CA (the service principal acm-pca.amazonaws.com)
// write a CA's CRL objects into it, as AWS evaluates the policy the Private CA guide documents:
// s3:PutObject on arn:<partition>:s3:::<bucket>/<key> with aws:SourceAccount (the CA's account)
// and aws:SourceArn (the CA, once it exists). A bucket without a policy is the account's own
// built-in bucket and takes the writes.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "policy/policy_cache.h"

namespace openpca::access {

// Errors: kAccessDenied (the policy does not allow it, or is not a valid policy).
Status ServiceMayWriteBucket(const std::optional<std::string>& bucket_policy,
                             policy::PolicyCache& cache, const std::string& bucket,
                             const std::string& partition, const std::string& ca_account,
                             const std::string& ca_arn);

// Whether the bucket's policy lets acm-pca.amazonaws.com s3:PutObject the object `key` (an audit
// report) on behalf of the CA, evaluated as above. Here a bucket without a policy grants nothing:
// a service principal may write only what a policy grants it, as AWS asks a policy of every audit
// report bucket. Errors: kAccessDenied (no policy, an invalid one, or one that does not allow it).
Status ServiceMayWriteObject(const std::optional<std::string>& bucket_policy,
                             policy::PolicyCache& cache, const std::string& bucket,
                             const std::string& key, const std::string& partition,
                             const std::string& ca_account, const std::string& ca_arn);
// Whether a bucket's policy lets CloudTrail (cloudtrail.amazonaws.com) deliver the trail
// `trail_arn` of `account`: s3:GetBucketAcl on arn:<partition>:s3:::<bucket> and s3:PutObject on
// arn:<partition>:s3:::<bucket>/[<prefix>/]AWSLogs/<account>/... with s3:x-amz-acl =
// bucket-owner-full-control, aws:SourceArn = the trail and aws:SourceAccount = `account`, as AWS
// evaluates the policy the CloudTrail guide documents. `bucket_owner` owns the bucket. Unlike
// ServiceMayWriteBucket, a bucket without a policy does not take CloudTrail's writes.
// Errors: kAccessDenied (no policy, an invalid one, or one that does not allow both).
Status CloudTrailMayWriteBucket(const std::optional<std::string>& bucket_policy,
                                policy::PolicyCache& cache, const std::string& partition,
                                const std::string& bucket, const std::string& prefix,
                                const std::string& account, const std::string& trail_arn,
                                const std::string& bucket_owner);

}  // namespace openpca::access
