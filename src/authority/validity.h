// Turning the API's Validity {Type, Value} into instants, as templates.md §4 describes.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace openpca::authority {

struct ValiditySpec {
  std::string type;  // END_DATE | ABSOLUTE | DAYS | MONTHS | YEARS
  int64_t value = 0;
};

// NotAfter for `spec` relative to the issuance instant `now`.
// Errors: kInvalidArgs (unknown type, END_DATE digits that are not a date, a date beyond 9999).
Result<TimePoint> ResolveNotAfter(const ValiditySpec& spec, TimePoint now);
// NotBefore from ValidityNotBefore (must be ABSOLUTE). Errors: kInvalidArgs.
Result<TimePoint> ResolveNotBefore(const ValiditySpec& spec);

}  // namespace openpca::authority
