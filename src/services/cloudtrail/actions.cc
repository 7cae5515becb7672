#include "services/cloudtrail/actions.h"

#include <string>

namespace openpca::services::cloudtrail {

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "cloudtrail:" + std::string(operation);
  return spec;
}

}  // namespace openpca::services::cloudtrail
