#include "access/bucket_writes.h"

#include "policy/evaluator.h"
#include "policy/request_context.h"

namespace openpca::access {
namespace {

Status PolicyAllowsPut(const std::string& bucket_policy, policy::PolicyCache& cache,
                       const std::string& bucket, const std::string& key,
                       const std::string& partition, const std::string& ca_account,
                       const std::string& ca_arn) {
  auto parsed = cache.GetOrParse(bucket_policy, policy::PolicyKind::kResource);
  if (!parsed.ok()) {
    return Status(ErrorCode::kAccessDenied,
                  "the bucket policy is not a valid policy: " + parsed.status().message());
  }
  policy::RequestContext rc;
  rc.action = "s3:PutObject";
  rc.resource = "arn:" + partition + ":s3:::" + bucket + "/" + key;
  rc.principal.type = policy::PrincipalType::kService;
  rc.principal.arn = "acm-pca.amazonaws.com";
  rc.Set("aws:SourceAccount", ca_account);
  if (!ca_arn.empty()) rc.Set("aws:SourceArn", ca_arn);
  policy::AddPrincipalKeys(rc);
  policy::EvaluationInput in;
  in.resource = std::move(parsed).value();
  in.resource_account = ca_account;
  policy::EvaluationResult result = policy::Evaluate(in, rc);
  if (result.decision == policy::Decision::kAllow) return Status::Ok();
  return Status(ErrorCode::kAccessDenied, policy::AccessDeniedMessage(rc, result));
}

}  // namespace

Status ServiceMayWriteBucket(const std::optional<std::string>& bucket_policy,
                             policy::PolicyCache& cache, const std::string& bucket,
                             const std::string& partition, const std::string& ca_account,
                             const std::string& ca_arn) {
  if (!bucket_policy.has_value()) return Status::Ok();
  return PolicyAllowsPut(*bucket_policy, cache, bucket, "acm-pca-permission-test-key", partition,
                         ca_account, ca_arn);
}

Status ServiceMayWriteObject(const std::optional<std::string>& bucket_policy,
                             policy::PolicyCache& cache, const std::string& bucket,
                             const std::string& key, const std::string& partition,
                             const std::string& ca_account, const std::string& ca_arn) {
  if (!bucket_policy.has_value()) {
    return Status(ErrorCode::kAccessDenied,
                  "the bucket has no policy granting acm-pca.amazonaws.com s3:PutObject");
  }
  return PolicyAllowsPut(*bucket_policy, cache, bucket, key, partition, ca_account, ca_arn);
}

Status CloudTrailMayWriteBucket(const std::optional<std::string>& bucket_policy,
                                policy::PolicyCache& cache, const std::string& partition,
                                const std::string& bucket, const std::string& prefix,
                                const std::string& account, const std::string& trail_arn,
                                const std::string& bucket_owner) {
  if (!bucket_policy.has_value()) {
    return Status(ErrorCode::kAccessDenied, "the bucket has no policy");
  }
  auto parsed = cache.GetOrParse(*bucket_policy, policy::PolicyKind::kResource);
  if (!parsed.ok()) {
    return Status(ErrorCode::kAccessDenied,
                  "the bucket policy is not a valid policy: " + parsed.status().message());
  }
  const std::string bucket_arn = "arn:" + partition + ":s3:::" + bucket;
  const std::string key = (prefix.empty() ? "" : prefix + "/") + "AWSLogs/" + account +
                          "/CloudTrail/openpca-permission-check";
  struct Check {
    const char* action;
    std::string resource;
  };
  for (const Check& check : {Check{"s3:GetBucketAcl", bucket_arn},
                             Check{"s3:PutObject", bucket_arn + "/" + key}}) {
    policy::RequestContext rc;
    rc.action = check.action;
    rc.resource = check.resource;
    rc.principal.type = policy::PrincipalType::kService;
    rc.principal.arn = "cloudtrail.amazonaws.com";
    rc.Set("aws:SourceAccount", account);
    rc.Set("aws:SourceArn", trail_arn);
    if (std::string_view(check.action) == "s3:PutObject") {
      rc.Set("s3:x-amz-acl", "bucket-owner-full-control");
    }
    policy::AddPrincipalKeys(rc);
    policy::EvaluationInput in;
    in.resource = *parsed;
    in.resource_account = bucket_owner;
    policy::EvaluationResult result = policy::Evaluate(in, rc);
    if (result.decision != policy::Decision::kAllow) {
      return Status(ErrorCode::kAccessDenied, policy::AccessDeniedMessage(rc, result));
    }
  }
  return Status::Ok();
}

}  // namespace openpca::access
