// CrlPublisher: keeps every CRL that certificates of a CRL-enabled CA point to current in its
// bucket. A background thread regenerates a CA's CRLs a short delay after a change (revocation,
// new CA certificate, configuration update; AWS takes up to 30 minutes, openpca seconds) and
// again once half of the CRLs' validity has passed, so a relying party never holds an expired CRL.
// CRL numbers come from Store::NextCrlNumber (epoch milliseconds, strictly increasing across
// restarts and across all the CRLs of a CA).
//
// Which CRLs a CA has (docs/architecture.md, "Revocation path"): while its CRL is enabled, its
// certificate is valid and it is ACTIVE or DISABLED,
//   * the complete CRL, listing every revoked certificate of the CA, at the configuration's
//     "<CustomPath or crl>/<CA id>.crl", when its CrlType is COMPLETE or when any certificate was
//     issued while it was (Store::ListCrlPartitions has the "" row);
//   * every partition ever opened for it (CrlType PARTITIONED), each listing only its own
//     certificates, at the bucket and key fixed when it was opened, with a critical Issuing
//     Distribution Point naming the URI its certificates carry as CDP.
// A revocation regenerates only the CRLs that list the certificate (NotifyRevocation): its
// partition, and the complete CRL if the CA publishes one.
//
// Thread-safe; one CRL is built and written at a time (CRL numbers reach the bucket in order).
// Stop() (or the destructor) joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "audit/service_event.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/status.h"
#include "keys/key_store.h"
#include "metrics/histogram.h"
#include "objects/bucket_store.h"
#include "store/store.h"

namespace openpca::revocation {

// The outcome of one CRL generation, for AWS's "ACM Private CA CRL Generation" event. `reason` is
// "" on success, else AWS's wording: "Failed to write CRL to S3. Check your S3 bucket
// permissions." (the bucket refused the write), "Failed to write CRL to S3. Internal failure."
// (any other write failure) or "Failed to generate CRL. Internal failure." (building or signing).
struct CrlOutcome {
  std::string ca_arn;
  std::string account_id;
  bool success = true;
  std::string reason;
};

struct CrlPublisherOptions {
  std::string account_id;
  // Called after every CRL build-and-write, on the publishing thread; must not block. Unset: none.
  std::function<void(const CrlOutcome& outcome)> on_generated;
  // Receives a GenerateCRL service event per CRL written (CloudTrail); null: none. Not owned.
  audit::ServiceEventSink* service_events = nullptr;
  std::chrono::milliseconds regenerate_delay{std::chrono::seconds(2)};
  std::chrono::milliseconds sweep_interval{std::chrono::seconds(60)};
  // Observe, for every CRL built, signed and written, how long that took (seconds) and its DER
  // size (bytes). Null: not measured. Must outlive the publisher.
  metrics::Histogram* generation_seconds = nullptr;
  metrics::Histogram* crl_bytes = nullptr;
  // Servers sharing a database: only the holder of job "crl-sweep" sweeps (regenerates CRLs at
  // half-life); changes are still published at once by the server that made them. Null: always.
  Leadership* leadership = nullptr;
};

class CrlPublisher {
 public:
  CrlPublisher(store::Store& store, keys::KeyStore& keys, objects::BucketStore& buckets,
               const Clock& clock, CrlPublisherOptions options);
  ~CrlPublisher();

  void Start();
  void Stop();
  // Schedules every CRL of the CA for regeneration after the configured delay.
  void Notify(const std::string& ca_id);
  // Schedules one CRL of the CA: partition `partition_id`, or "" for the complete CRL.
  void NotifyCrl(const std::string& ca_id, const std::string& partition_id);
  // A certificate bound to `partition_id` ("" = the complete CRL) was revoked: schedules the CRLs
  // that list it, its partition and the complete CRL (which lists every revocation of the CA,
  // when it is published at all), and no other.
  void NotifyRevocation(const std::string& ca_id, const std::string& partition_id);
  // Builds, signs and writes every CRL of the CA now (all are attempted; the first error is
  // returned). Does nothing (OK) when the CA has no CRL to publish (CRL disabled, no CA
  // certificate, or a state that publishes none).
  // Errors: those of the store, key store, builder and bucket store.
  Status PublishNow(const std::string& ca_id);
  // Builds, signs and writes one CRL of the CA now: partition `partition_id`, or "" for the
  // complete CRL. OK without writing when the CA publishes no CRL, or no complete CRL.
  // Errors: kResourceNotFound for an unknown partition; those of PublishNow.
  Status PublishCrlNow(const std::string& ca_id, const std::string& partition_id);
  // Writes kPermissionTestKey (common/crl_location.h) into `bucket`, as AWS Private CA does when
  // a CRL configuration names a bucket. Errors: those of BucketStore::Put.
  Status ProbeBucket(const std::string& bucket, bool public_read);

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    bool all = false;                  // every CRL of the CA
    std::set<std::string> partitions;  // else these ("" = the complete CRL)
  };
  struct CaCrlContext;

  void Schedule(const std::string& ca_id, const std::optional<std::string>& partition_id);
  void Run();
  void Sweep();
  // Loads what signing the CA's CRLs needs; nullopt when the CA publishes none now.
  Result<std::optional<CaCrlContext>> LoadContext(const std::string& ca_id);
  // Builds and writes one CRL: the complete CRL (partition == nullptr) or a partition, and
  // reports the outcome to options_.on_generated.
  Status Publish(const CaCrlContext& ctx, const store::CrlPartitionRecord* partition);
  Status BuildAndWrite(const CaCrlContext& ctx, const store::CrlPartitionRecord* partition,
                       bool* write_failed);

  store::Store& store_;
  keys::KeyStore& keys_;
  objects::BucketStore& buckets_;
  const Clock& clock_;
  CrlPublisherOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::string, Pending> pending_;       // ca id → what to regenerate, when
  std::map<std::string, TimePoint> refresh_at_;  // ca id → half-life of its current CRLs
  std::thread thread_;
  std::mutex publish_mu_;  // held while one CRL is numbered, built and written
};

}  // namespace openpca::revocation
