// The IAM view of each RAM operation: ram:<Operation> on the resource share the input names, else
// "*" (invitations, permissions, listings); aws:RequestTag/<k> and aws:TagKeys on CreateResourceShare
// and TagResource.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::ram {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::ram
