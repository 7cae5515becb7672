// TrailDelivery: the worker that turns the event history into a trail's S3 objects.
//
// Every round (RunOnce), for each trail that is logging or owes a final delivery:
//   1. deliver  when its delivery interval has passed (or a final delivery is owed): the final
//               records after the trail's cursor (TrailStore::ReadEventsAfter, seq order) that
//               belong to the trail (its account; its home region, or every region when
//               multi-region; from StartLogging on, up to StopLogging) become gzip log files
//               {"Records":[...]}, one per region and at most max_records_per_file records, at
//               [prefix/]AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_
//               <YYYYMMDDTHHmmZ>_<16 random>.json.gz. One store transaction moves the cursor past
//               the records read, queues the files in the outbox and notes them for the digest.
//   2. digest   with log-file validation, when the digest interval has passed since each
//               region's previous digest (or a final digest is owed): for every region with a
//               chain a digest listing the log files delivered since the previous one (possibly
//               none), chained to it, signed with the region's key (DigestKeys), queued in the
//               outbox with the chain's new state in one transaction. The home region's chain
//               runs from StartLogging; another region's (multi-region trails) from the first log
//               file delivered there.
//   3. flush    every queued object is written to its bucket (objects::BucketStore) and removed
//               from the outbox.
// Guarantee: each record of a trail's scope is written in exactly one log file, once. A crash
// after a commit and before the flush loses nothing: the outbox row survives and the same bytes
// are written under the same key at the next start; a crash before the commit repeats the step
// from the unchanged cursor. Objects are atomic (BucketStore writes temp file + rename).
//
// Thread-safety: RunOnce() is called by one thread at a time (the worker's own thread after
// Start(), or a test). Wake() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/digest_keys.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/random.h"
#include "common/status.h"
#include "objects/bucket_store.h"
#include "store/trail_delivery_store.h"
#include "store/trail_store.h"

namespace openpca::audit {

struct TrailDeliveryOptions {
  std::chrono::seconds delivery_interval{300};
  std::chrono::seconds digest_interval{3600};
  // The regions a multi-region trail covers (the served regions): records of others are passed
  // over.
  std::vector<std::string> regions = {"us-east-1"};
  // Most records in one log file.
  int max_records_per_file = 10000;
  // Servers sharing a database: only the holder of job "trail-delivery" delivers (cursors and the
  // outbox are in the database, so the next holder goes on where the last one stopped). Null:
  // always.
  Leadership* leadership = nullptr;
};

// Whether the trail's bucket still lets CloudTrail write (its policy); kInsufficientS3BucketPolicy
// or kS3BucketDoesNotExist otherwise. Null: always allowed.
using TrailBucketCheck = std::function<Status(const store::TrailRecord& trail)>;

class TrailDelivery {
 public:
  // `history` may be null (no event history: digests without log files). Everything passed must
  // outlive the worker.
  TrailDelivery(store::TrailDeliveryStore& trails, store::TrailStore* history,
                objects::BucketStore& buckets, DigestKeys& keys, const Clock& clock,
                Random& random, TrailBucketCheck bucket_check, TrailDeliveryOptions options);
  ~TrailDelivery();
  TrailDelivery(const TrailDelivery&) = delete;
  TrailDelivery& operator=(const TrailDelivery&) = delete;

  // Runs rounds on a thread of its own until Stop().
  void Start();
  void Stop();
  // Starts the next round now (StopLogging: the final digest need not wait).
  void Wake();

  // One round (see above). Errors of single trails are recorded as their latest delivery errors
  // and logged; the round goes on with the next trail. Errors: kInternal (store failure).
  Status RunOnce();

 private:
  Status DeliverTrail(const store::TrailRecord& trail, int64_t now_ms);
  Status DigestTrail(const store::TrailRecord& trail, int64_t now_ms);
  // Writes queued objects. Errors: kInternal.
  Status FlushOutbox();
  void Loop();

  store::TrailDeliveryStore& trails_;
  store::TrailStore* history_;
  objects::BucketStore& buckets_;
  DigestKeys& keys_;
  const Clock& clock_;
  Random& random_;
  TrailBucketCheck bucket_check_;
  const TrailDeliveryOptions options_;

  // When each trail was last delivered (ms); only RunOnce's thread touches it.
  std::map<std::string, int64_t> last_delivery_ms_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::thread thread_;
};

}  // namespace openpca::audit
