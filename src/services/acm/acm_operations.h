// The AWS Certificate Manager service (JSON 1.1, CertificateManager.<Operation>, signing name
// "acm"): the operation table and handlers over certmanager::CertificateManager. Handlers take
// and return the botocore model's member names; timestamps are epoch seconds; blobs arrive as
// base64 strings.
//
// The request pipeline has authorized each call (services/acm/actions.cc) before its handler
// runs; handlers never check permissions. What ACM asks of the CA on the caller's behalf
// (acm-pca:IssueCertificate on the CA of a RequestCertificate) is answered by
// AcmDeps::authorize_ca_issue, the endpoint's authorizer, and a refusal fails the certificate
// (FailureReason PCA_ACCESS_DENIED) as on AWS.
//
// Thread-safe; `deps` must outlive the handlers.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "certmanager/certificate_manager.h"

namespace openpca::services::acm {

struct AcmDeps {
  certmanager::CertificateManager* manager = nullptr;
  // May the caller have the CA issue? Unset: yes.
  std::function<Status(const api::CallContext& ctx, const std::string& ca_arn)>
      authorize_ca_issue;
};

std::vector<std::pair<std::string, api::OperationHandler>> AcmOperations(AcmDeps deps);

}  // namespace openpca::services::acm
