// The IAM view of each AWS Certificate Manager operation: acm:<Operation> on the certificate ARN
// (CertificateArn), or "*" for RequestCertificate, ListCertificates, a first ImportCertificate and
// the account configuration; aws:RequestTag/<k> and aws:TagKeys for tags, and for
// RequestCertificate acm:DomainNames, acm:KeyAlgorithm, acm:CertificateAuthority and
// acm:CertificateTransparencyLogging.
//
// A CertificateArn that is not an ACM certificate ARN is authorized as "*", so the handler
// answers InvalidArnException as AWS does.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::acm {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::acm
