// CloudTrail trails on a running server: the trail operations on the pipeline (cloudtrail:<Op>
// through the authorizer) and the delivery worker that writes log files and signed digests into
// the built-in buckets. Intervals come from the configuration, overridden by the environment
// (OPENPCA_TRAIL_DELIVERY_INTERVAL_S, OPENPCA_TRAIL_DIGEST_INTERVAL_S).
// Owns its digest keys and worker; everything passed in must outlive it.
#pragma once

#include <memory>
#include <string>

#include "api/pipeline.h"
#include "audit/digest_keys.h"
#include "audit/trail_delivery.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/random.h"
#include "config/config.h"
#include "keys/key_store.h"
#include "objects/bucket_store.h"
#include "policy/policy_cache.h"
#include "store/trail_delivery_store.h"
#include "store/trail_store.h"

namespace openpca::server {

struct TrailWiringDeps {
  store::TrailDeliveryStore* trails = nullptr;
  store::TrailStore* history = nullptr;  // null: no event history yet (digests only)
  keys::KeyStore* keys = nullptr;
  objects::BucketStore* buckets = nullptr;
  policy::PolicyCache* policy_cache = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  const config::ServerConfig* config = nullptr;
  std::string bucket_owner;  // the account that owns the built-in buckets
  Leadership* leadership = nullptr;  // servers sharing a database: who delivers (null: this one)
};

class TrailWiring {
 public:
  // Reads the intervals (config, then env). Errors: kInvalidArgs (a bad env value).
  static Result<std::unique_ptr<TrailWiring>> Create(const TrailWiringDeps& deps);

  // Adds the cloudtrail service (if not there yet) and the trail operations.
  void Register(api::Pipeline& pipeline);
  void Start() { delivery_->Start(); }
  void Stop() { delivery_->Stop(); }

 private:
  explicit TrailWiring(const TrailWiringDeps& deps);

  TrailWiringDeps deps_;
  std::unique_ptr<audit::DigestKeys> digest_keys_;
  std::unique_ptr<audit::TrailDelivery> delivery_;
};

}  // namespace openpca::server
