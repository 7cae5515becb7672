// The acm-pca audit report operations: CreateCertificateAuthorityAuditReport and
// DescribeCertificateAuthorityAuditReport, over authority::AuditReports. The request pipeline has
// already validated the input against the model and authorized the call (acm-pca:<Operation> on
// the CA ARN, services/acm_pca/actions.cc); handlers never check permissions. Thread-safe;
// `reports` must outlive the handlers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "authority/audit_reports.h"

namespace openpca::services::acm_pca {

std::vector<std::pair<std::string, api::OperationHandler>> AcmPcaAuditReportOperations(
    authority::AuditReports& reports);

}  // namespace openpca::services::acm_pca
