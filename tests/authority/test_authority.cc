#include "test_authority.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <random>

#include "x509/inspect.h"
#include "x509/pem.h"

namespace openpca::authority::testing {
namespace {

std::filesystem::path TempDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("openpca-authority-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TestAuthority::TestAuthority(AuthorityOptions options)
    : dir_(TempDir()), clock_(FromUnixSeconds(1'800'000'000)) {
  Bytes master(32, 7);
  box_ = std::shared_ptr<const keys::SecretBox>(std::move(keys::SecretBox::Create(master)).value());
  store_ = std::move(store::SqliteStore::Open((dir_ / "db.sqlite").string())).value();
  keys_ = std::move(keys::SoftwareKeyStore::Open((dir_ / "keys").string(), box_, random_)).value();
  authority_ = std::make_unique<Authority>(*store_, *keys_, clock_, random_, std::move(options));
}

TestAuthority::~TestAuthority() {
  authority_.reset();
  keys_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

std::string TestAuthority::MakeActiveRoot(const std::string& key_alg, const std::string& sig_alg,
                                          const std::string& usage_mode) {
  CreateCaRequest req;
  req.type = "ROOT";
  req.usage_mode = usage_mode;
  req.configuration = {{"KeyAlgorithm", key_alg},
                       {"SigningAlgorithm", sig_alg},
                       {"Subject", {{"CommonName", "Test Root"}, {"Organization", "openpca"}}}};
  auto arn = authority_->CreateCertificateAuthority(caller(), req);
  EXPECT_TRUE(arn.ok()) << arn.status().ToString();
  auto csr = authority_->GetCertificateAuthorityCsr(caller(), *arn);
  EXPECT_TRUE(csr.ok()) << csr.status().ToString();
  IssueRequest issue;
  issue.ca_arn = *arn;
  issue.csr = ToBytes(*csr);
  issue.signing_algorithm = sig_alg;
  issue.template_arn = "arn:aws:acm-pca:::template/RootCACertificate/V1";
  issue.validity = {"YEARS", 10};
  auto cert_arn = authority_->IssueCertificate(caller(), issue);
  EXPECT_TRUE(cert_arn.ok()) << cert_arn.status().ToString();
  auto cert = authority_->GetCertificate(caller(), *arn, *cert_arn);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  ImportRequest imp{*arn, ToBytes(cert->certificate_pem), std::nullopt};
  Status st = authority_->ImportCertificateAuthorityCertificate(caller(), imp);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return *arn;
}

std::string TestAuthority::MakeActiveSubordinate(const std::string& parent_arn,
                                                 const std::string& template_name,
                                                 const std::string& key_alg, int years) {
  CreateCaRequest req;
  req.type = "SUBORDINATE";
  std::string sig = key_alg.rfind("RSA", 0) == 0 ? "SHA256WITHRSA" : "SHA256WITHECDSA";
  req.configuration = {{"KeyAlgorithm", key_alg},
                       {"SigningAlgorithm", sig},
                       {"Subject", {{"CommonName", "Test Sub " + template_name}}}};
  auto arn = authority_->CreateCertificateAuthority(caller(), req);
  EXPECT_TRUE(arn.ok()) << arn.status().ToString();
  auto csr = authority_->GetCertificateAuthorityCsr(caller(), *arn);
  auto parent = authority_->DescribeCertificateAuthority(caller(), parent_arn);
  std::string parent_sig =
      nlohmann::json::parse(parent->configuration_json)["SigningAlgorithm"].get<std::string>();
  auto cert = Issue(parent_arn, *csr, template_name, parent_sig, {"YEARS", years});
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  auto parent_cert = authority_->GetCertificateAuthorityCertificate(caller(), parent_arn);
  Bytes der = std::move(x509::CertificateDer(**cert)).value();
  ImportRequest imp{*arn, ToBytes(x509::CertificateDerToPem(der)),
                    ToBytes(parent_cert->certificate_pem + parent_cert->chain_pem)};
  Status st = authority_->ImportCertificateAuthorityCertificate(caller(), imp);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return *arn;
}

Result<x509::X509Ptr> TestAuthority::Issue(const std::string& ca_arn, const std::string& csr_pem,
                                           const std::string& template_name,
                                           const std::string& sig_alg, ValiditySpec validity,
                                           std::optional<nlohmann::json> api_passthrough) {
  IssueRequest req;
  req.ca_arn = ca_arn;
  req.csr = ToBytes(csr_pem);
  req.signing_algorithm = sig_alg;
  req.template_arn = "arn:aws:acm-pca:::template/" + template_name;
  req.validity = validity;
  req.api_passthrough = std::move(api_passthrough);
  ASSIGN_OR_RETURN(std::string arn, authority_->IssueCertificate(caller(), req));
  ASSIGN_OR_RETURN(CertificateAndChain c, authority_->GetCertificate(caller(), ca_arn, arn));
  ASSIGN_OR_RETURN(Bytes der, x509::CertificatePemToDer(c.certificate_pem));
  return x509::ParseCertificateDer(der);
}

TestCsr MakeCsr(const std::string& common_name, int rsa_bits, const std::string& san_dns,
                bool extra_extension) {
  test_pki::CsrSpec spec = test_pki::EndEntityCsrSpec(common_name, san_dns);
  if (extra_extension) spec.extensions.push_back({NID_netscape_comment, "from csr"});
  return test_pki::MakeCsr(rsa_bits > 0 ? test_pki::NewRsaKey(static_cast<size_t>(rsa_bits))
                                        : test_pki::NewKey(KeyAlgorithm::kEcP256),
                           spec);
}

}  // namespace openpca::authority::testing
