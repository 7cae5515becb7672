// acm-pca's operation table declares which call's success is the commit of its announced write
// (the audit recorder commits that call's final record with it): IssueCertificate alone.
#include "services/acm_pca/actions.h"

#include <gtest/gtest.h>

namespace openpca::services::acm_pca {
namespace {

TEST(AcmPcaActionsTest, OnlyIssueCertificateIsAnAnnouncedWrite) {
  EXPECT_TRUE(ActionFor("IssueCertificate").outcome_is_announced_write);
  for (const char* op :
       {"CreateCertificateAuthority", "ImportCertificateAuthorityCertificate", "RevokeCertificate",
        "GetCertificate", "DeleteCertificateAuthority", "TagCertificateAuthority",
        "CreateCertificateAuthorityAuditReport", "PutPolicy"}) {
    EXPECT_FALSE(ActionFor(op).outcome_is_announced_write) << op;
  }
}

}  // namespace
}  // namespace openpca::services::acm_pca
