// LeaseStore: named, time-bounded leases in the shared database, so that periodic work (CRL
// sweeps, OCSP pre-signing, trail delivery, renewals, purges) runs on one server at a time when
// several serve one database, and moves to another within one lease term when its holder dies.
//
// A lease is held by one holder (a server's id, random per process) until it expires. The holder
// renews it before then; anyone may take it once it has expired. Every change of holder increases
// the lease's fencing token, so work stamped with a token can be told apart from work of an
// earlier holder that did not notice it lost the lease. Times are the caller's clock in epoch
// milliseconds: servers sharing a database must keep their clocks within a small part of the
// lease term (NTP). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace openpca::store {

struct LeaseRecord {
  std::string name;
  std::string holder;
  int64_t expires_at_ms = 0;
  int64_t fencing_token = 0;  // 1 for the first holder; +1 at every change of holder
};

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  // Takes the lease `name` for `holder` until now_ms + term_ms when nobody holds it, when it
  // expired at or before now_ms, or when `holder` holds it already (a renewal: same token).
  // Returns the lease as held now, or nullopt when another holder's lease is still running.
  // Durable before returning. Errors: kInvalidArgs when name or holder is empty or term_ms <= 0;
  // kInternal.
  virtual Result<std::optional<LeaseRecord>> AcquireLease(std::string_view name,
                                                          std::string_view holder, int64_t now_ms,
                                                          int64_t term_ms) = 0;

  // Gives the lease up when `holder` holds it: it counts as expired for every clock, so another
  // server takes it at once; otherwise nothing changes. Errors: kInternal.
  virtual Status ReleaseLease(std::string_view name, std::string_view holder) = 0;

  // The lease as stored, if it was ever taken. Errors: kInternal.
  virtual Result<std::optional<LeaseRecord>> GetLease(std::string_view name) = 0;
};

}  // namespace openpca::store
