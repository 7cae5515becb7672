#include "server/trail_wiring.h"

#include <cstdlib>

#include "access/bucket_writes.h"
#include "api/model.h"
#include "common/arn.h"
#include "services/cloudtrail/trail_actions.h"
#include "services/cloudtrail/trail_operations.h"

namespace openpca::server {
namespace {

// An interval in seconds from the environment, else `fallback`.
Result<int> IntervalFromEnv(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < 1 || n > 86400) {
    return Status(ErrorCode::kInvalidArgs, std::string(name) + " must be 1-86400 seconds");
  }
  return static_cast<int>(n);
}

}  // namespace

TrailWiring::TrailWiring(const TrailWiringDeps& deps) : deps_(deps) {}

Result<std::unique_ptr<TrailWiring>> TrailWiring::Create(const TrailWiringDeps& deps) {
  OPENPCA_CHECK(deps.trails && deps.keys && deps.buckets && deps.policy_cache && deps.clock &&
                deps.random && deps.config);
  const config::ServerConfig& cfg = *deps.config;
  ASSIGN_OR_RETURN(int delivery_s, IntervalFromEnv("OPENPCA_TRAIL_DELIVERY_INTERVAL_S",
                                                   cfg.trail_delivery_interval_s));
  ASSIGN_OR_RETURN(int digest_s, IntervalFromEnv("OPENPCA_TRAIL_DIGEST_INTERVAL_S",
                                                 cfg.trail_digest_interval_s));
  std::unique_ptr<TrailWiring> w(new TrailWiring(deps));
  w->digest_keys_ = std::make_unique<audit::DigestKeys>(
      *deps.trails, *deps.keys, *deps.clock,
      std::chrono::hours(cfg.trail_digest_key_lifetime_hours));
  audit::TrailDeliveryOptions options;
  options.delivery_interval = std::chrono::seconds(delivery_s);
  options.digest_interval = std::chrono::seconds(digest_s);
  options.regions = config::ServedRegions(cfg);
  options.leadership = deps.leadership;
  TrailWiring* self = w.get();
  audit::TrailBucketCheck check = [self](const store::TrailRecord& trail) -> Status {
    std::string partition(PartitionOfRegion(trail.home_region));
    if (!self->deps_.buckets->BucketExists(trail.s3_bucket)) {
      return Status(ErrorCode::kS3BucketDoesNotExist, "NoSuchBucket");
    }
    auto policy = self->deps_.buckets->GetPolicy(trail.s3_bucket);
    Status st = access::CloudTrailMayWriteBucket(
        policy.ok() ? *policy : std::nullopt, *self->deps_.policy_cache, partition,
        trail.s3_bucket, trail.s3_key_prefix, trail.account_id, trail.arn,
        self->deps_.bucket_owner);
    if (!st.ok()) return Status(ErrorCode::kInsufficientS3BucketPolicy, st.message());
    return Status::Ok();
  };
  w->delivery_ = std::make_unique<audit::TrailDelivery>(
      *deps.trails, deps.history, *deps.buckets, *w->digest_keys_, *deps.clock, *deps.random,
      std::move(check), std::move(options));
  return w;
}

void TrailWiring::Register(api::Pipeline& pipeline) {
  if (!pipeline.HasService("cloudtrail")) {
    pipeline.AddService(api::ServiceModel::Get("cloudtrail"));
  }
  services::cloudtrail::TrailDeps deps;
  deps.trails = deps_.trails;
  deps.clock = deps_.clock;
  deps.wake = [this] { delivery_->Wake(); };
  deps.check_bucket = [this](const std::string& bucket, const std::string& prefix,
                             const std::string& account,
                             const std::string& trail_arn) -> Status {
    if (!deps_.buckets->BucketExists(bucket)) {
      return Status(ErrorCode::kS3BucketDoesNotExist,
                    "S3 bucket " + bucket + " does not exist.");
    }
    auto policy = deps_.buckets->GetPolicy(bucket);
    if (!policy.ok()) return policy.status();
    std::string partition = "aws";
    if (auto parts = trail_arn.find(':', 4); parts != std::string::npos) {
      partition = trail_arn.substr(4, parts - 4);
    }
    Status st = access::CloudTrailMayWriteBucket(*policy, *deps_.policy_cache, partition, bucket,
                                                 prefix, account, trail_arn,
                                                 deps_.bucket_owner);
    if (!st.ok()) {
      return Status(ErrorCode::kInsufficientS3BucketPolicy,
                    "Incorrect S3 bucket policy is detected for bucket: " + bucket);
    }
    return Status::Ok();
  };
  for (auto& [name, handler] : services::cloudtrail::TrailOperations(std::move(deps))) {
    api::ActionSpec spec = services::cloudtrail::TrailActionFor(name);
    pipeline.AddOperation("cloudtrail", name, std::move(handler), std::move(spec));
  }
}

}  // namespace openpca::server
