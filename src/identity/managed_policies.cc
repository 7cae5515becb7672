#include "identity/managed_policies.h"

#include <cstddef>

namespace openpca::identity {
namespace embedded {
#define OPENPCA_EMBEDDED(sym)             \
  extern const unsigned char sym[];       \
  extern const size_t sym##Size;
OPENPCA_EMBEDDED(kAdministratorAccess)
OPENPCA_EMBEDDED(kAWSPrivateCAFullAccess)
OPENPCA_EMBEDDED(kAWSPrivateCAReadOnly)
OPENPCA_EMBEDDED(kAWSPrivateCAUser)
OPENPCA_EMBEDDED(kAWSPrivateCAPrivilegedUser)
OPENPCA_EMBEDDED(kAWSCertificateManagerFullAccess)
OPENPCA_EMBEDDED(kAWSCertificateManagerReadOnly)
#undef OPENPCA_EMBEDDED
}  // namespace embedded

namespace {
std::string Text(const unsigned char* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}
#define DOC(sym) Text(embedded::sym, embedded::sym##Size)

AwsManagedPolicy Make(std::string name, std::string id, std::string description,
                      std::string version, std::string document, std::string created,
                      std::string updated) {
  AwsManagedPolicy p;
  p.arn = "arn:aws:iam::aws:policy/" + name;
  p.name = std::move(name);
  p.id = std::move(id);
  p.description = std::move(description);
  p.version_id = std::move(version);
  p.document = std::move(document);
  p.created = std::move(created);
  p.updated = std::move(updated);
  return p;
}
}  // namespace

const std::vector<AwsManagedPolicy>& AwsManagedPolicies() {
  // Ids are AWS's real policy ids where known; the others are fixed values of the same form.
  static const std::vector<AwsManagedPolicy> kPolicies = {
      Make("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK",
           "Provides full access to AWS services and resources.", "v1",
           DOC(kAdministratorAccess), "2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z"),
      Make("AWSPrivateCAFullAccess", "ANPAZKAPJZG4OPCAFULL1",
           "Provides full access to AWS Private Certificate Authority", "v1",
           DOC(kAWSPrivateCAFullAccess), "2023-02-14T18:20:00Z", "2023-02-14T18:20:00Z"),
      Make("AWSPrivateCAReadOnly", "ANPAZKAPJZG4OPCAREAD1",
           "Provides read only access to AWS Private Certificate Authority", "v1",
           DOC(kAWSPrivateCAReadOnly), "2023-02-14T18:30:00Z", "2023-02-14T18:30:00Z"),
      Make("AWSPrivateCAUser", "ANPAZKAPJZG4OPCAUSER1",
           "Provides certificate user access to AWS Private Certificate Authority", "v2",
           DOC(kAWSPrivateCAUser), "2023-02-14T18:16:00Z", "2025-01-22T21:22:00Z"),
      Make("AWSPrivateCAPrivilegedUser", "ANPAZKAPJZG4OPCAPRIV1",
           "Provides privileged certificate user access to AWS Private Certificate Authority",
           "v2", DOC(kAWSPrivateCAPrivilegedUser), "2023-02-14T18:26:00Z",
           "2025-01-22T21:07:00Z"),
      Make("AWSCertificateManagerFullAccess", "ANPAJYCHABBP6VQIVBCBQ",
           "Provides full access to AWS Certificate Manager (ACM)", "v4",
           DOC(kAWSCertificateManagerFullAccess), "2015-10-21T17:37:00Z",
           "2021-03-15T16:25:00Z"),
      Make("AWSCertificateManagerReadOnly", "ANPAI4GSWX6S4MESJ3EWC",
           "Provides read only access to AWS Certificate Manager (ACM).", "v4",
           DOC(kAWSCertificateManagerReadOnly), "2016-01-21T17:07:00Z",
           "2021-03-15T16:25:00Z"),
  };
  return kPolicies;
}

const AwsManagedPolicy* FindAwsManagedPolicy(std::string_view arn) {
  for (const AwsManagedPolicy& p : AwsManagedPolicies()) {
    if (p.arn == arn) return &p;
  }
  return nullptr;
}

}  // namespace openpca::identity
