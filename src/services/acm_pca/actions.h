// The IAM view of each acm-pca operation (Service Authorization Reference, "AWS Private
// Certificate Authority"): action acm-pca:<Operation>, the CA ARN it acts on ("*" for
// CreateCertificateAuthority and ListCertificateAuthorities) and its condition keys:
// acm-pca:TemplateArn on IssueCertificate; aws:RequestTag/<k> and aws:TagKeys on
// CreateCertificateAuthority, TagCertificateAuthority and UntagCertificateAuthority.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::acm_pca {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::acm_pca
