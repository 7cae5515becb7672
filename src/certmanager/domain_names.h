// Names ACM accepts: domain names of a request (the model's DomainNameString) and ACM
// certificate ARNs (the model's Arn with service "acm" and resource "certificate/<id>").
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace openpca::certmanager {

// 1..253 characters of labels [A-Za-z0-9-] (1..63, no leading or trailing '-'), at least two,
// and a wildcard only as the whole leftmost label ("*.example.com").
// Errors: kValidation with the model's message.
Status CheckDomainName(std::string_view name);

// arn:<partition>:acm:<region>:<account digits>:certificate/<id>
bool IsAcmCertificateArn(std::string_view arn);

// "2020-09-30T06:51:08Z" (EventBridge's event time and date fields).
std::string IsoTime(int64_t unix_ms);

}  // namespace openpca::certmanager
