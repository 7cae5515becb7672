// Name, path and document constraints of IAM and STS (botocore models; spec b.2), checked
// server-side because botocore checks neither patterns nor maximum lengths. Every check returns
// kValidation with AWS's "1 validation error detected" message. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace openpca::identity {

// `member` is the model member in lower camel case as AWS reports it ("userName").
// Names: [\w+=,.@-]+ of min..max characters.
Status CheckName(std::string_view value, std::string_view member, size_t min, size_t max);
// Path: "/" or "/…/" with characters \u0021-\u007E, 1..512.
Status CheckPath(std::string_view value, std::string_view member);
// Managed policy path: ((/[A-Za-z0-9\.,\+@=_-]+)*)/.
Status CheckPolicyPath(std::string_view value, std::string_view member);
// Policy documents: 1..131072 characters of [\u0009\u000A\u000D\u0020-\u00FF] (UTF-8 input).
Status CheckPolicyDocumentChars(std::string_view value, std::string_view member);
// Tag key 1..128 / value 0..256 of [\p{L}\p{Z}\p{N}_.:/=+\-@] (non-ASCII letters accepted).
Status CheckTag(std::string_view key, std::string_view value);
// Characters of a policy document other than whitespace (IAM's size rule).
size_t NonWhitespaceSize(std::string_view document);
// RFC 3986 percent-encoding of everything but unreserved characters (IAM's document encoding).
std::string UrlEncode(std::string_view s);

Status ValidationError(std::string_view member, std::string_view value,
                       std::string_view constraint);

}  // namespace openpca::identity
