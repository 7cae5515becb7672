// TrailStore: the durable event history behind CloudTrail (LookupEvents, trail delivery).
//
// One row per CloudTrail record and recipient account: a cross-account call is stored twice (the
// caller's and the resource owner's copy, sharing sharedEventID). A record becomes visible to
// readers only once it is final; `seq` orders final records in the order they became final, so a
// delivery cursor (`ReadEventsAfter`) never skips one. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace openpca::store {

// A resource a record names (LookupEvents' Resources; the ResourceType/ResourceName lookup keys).
struct EventResourceRef {
  std::string type;  // "AWS::ACMPCA::CertificateAuthority"
  std::string name;  // its ARN
};

struct StoredEvent {
  int64_t seq = 0;  // delivery order, strictly increasing; assigned by the store
  std::string event_id;
  std::string recipient_account_id;
  std::string region;
  int64_t event_time_ms = 0;
  std::string event_source;  // "acm-pca.amazonaws.com"
  std::string event_name;    // "IssueCertificate"
  bool read_only = false;
  std::string username;       // IAM user name or role session name; "root" for the account root
  std::string access_key_id;  // "" for service events
  std::vector<EventResourceRef> resources;
  std::string record_json;  // the whole CloudTrail record (one JSON object)
};

class TrailStore {
 public:
  virtual ~TrailStore() = default;

  // Final records with seq > after_seq, in seq order, at most `limit` (> 0).
  // Errors: kInternal.
  virtual Result<std::vector<StoredEvent>> ReadEventsAfter(int64_t after_seq, int limit) = 0;
};

}  // namespace openpca::store
