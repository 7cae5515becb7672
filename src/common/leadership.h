// Leadership: whether this server should run a periodic job now. Several servers may share one
// database; periodic work (CRL sweeps, renewals, trail delivery, purges) must run on one of them
// per period, and move to another when that one dies. Periodic loops ask before each pass; a
// job's name is fixed ("crl-sweep", "acm-renewal", ...). Null Leadership (or none given): a
// single server, which always runs its jobs. Implementations are thread-safe and fail closed:
// when they cannot tell (the database is unreachable), the answer is no.
#pragma once

#include <string_view>

namespace openpca {

class Leadership {
 public:
  virtual ~Leadership() = default;
  virtual bool Holds(std::string_view job) = 0;
};

// Whether to run `job` now under `leadership` (null: always).
inline bool MayRun(Leadership* leadership, std::string_view job) {
  return leadership == nullptr || leadership->Holds(job);
}

}  // namespace openpca
