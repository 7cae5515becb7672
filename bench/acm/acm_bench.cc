// acm_bench: AWS Certificate Manager costs, in process, over a temporary SQLite store.
//
// 1. RequestCertificate per second (server-side key generation, CSR, issuance by the Authority
//    with EndEntityCertificate/V1, sealed key and record stored) for EC_prime256v1 on an EC P-256
//    root and RSA_2048 on an RSA-2048 root, one thread; beside it, in the same run, the key
//    generation alone (keys::GenerateKeyPair, i.e. OpenSSL's EVP keygen) as the reference.
// 2. The scheduler's scan at scale: --certs rows (default 1,000,000) are bulk-inserted into
//    acm_certificates (a bench-only path: one transaction on the store's writer, not how openpca
//    writes), --due-percent of them due for renewal; then the time of AcmStore::DueForRenewal
//    (the partial index on next_renewal_s) and of the same query forced to scan the table
//    (NOT INDEXED), and of ExpiringBetween for a 45-day window.
//
// Not a test. Results go to stdout, one "key: value" per line.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "authority/authority.h"
#include "certmanager/certificate_manager.h"
#include "keys/ephemeral_signer.h"
#include "keys/software_key_store.h"
#include "store/sqlite/sqlite_acm_store.h"
#include "store/sqlite/sqlite_sharing_store.h"
#include "store/sqlite/sqlite_store.h"

using namespace openpca;
using Clock_ = std::chrono::steady_clock;

namespace {

class NullSink final : public events::EventSink {
 public:
  void Publish(events::Event) override {}
};

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::cerr << what << ": " << r.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

void Must(const Status& st, const char* what) {
  if (!st.ok()) {
    std::cerr << what << ": " << st.ToString() << "\n";
    std::exit(1);
  }
}

std::string MakeRoot(authority::Authority& a, const std::string& key_alg,
                     const std::string& sig_alg) {
  authority::Caller caller{"123456789012", "us-east-1"};
  authority::CreateCaRequest req;
  req.type = "ROOT";
  req.configuration = {{"KeyAlgorithm", key_alg},
                       {"SigningAlgorithm", sig_alg},
                       {"Subject", {{"CommonName", "Bench Root " + key_alg}}}};
  std::string arn = Must(a.CreateCertificateAuthority(caller, req), "create CA");
  std::string csr = Must(a.GetCertificateAuthorityCsr(caller, arn), "csr");
  authority::IssueRequest issue;
  issue.ca_arn = arn;
  issue.csr = ToBytes(csr);
  issue.signing_algorithm = sig_alg;
  issue.template_arn = "arn:aws:acm-pca:::template/RootCACertificate/V1";
  issue.validity = {"YEARS", 10};
  std::string cert_arn = Must(a.IssueCertificate(caller, issue), "issue root");
  auto cert = Must(a.GetCertificate(caller, arn, cert_arn), "get root");
  authority::ImportRequest imp;
  imp.ca_arn = arn;
  imp.certificate = ToBytes(cert.certificate_pem);
  Must(a.ImportCertificateAuthorityCertificate(caller, imp), "import root");
  return arn;
}

double Seconds(Clock_::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"acm_bench"};
  int ec_requests = 200, rsa_requests = 30, certs = 1'000'000;
  double due_percent = 1.0;
  app.add_option("--ec-requests", ec_requests);
  app.add_option("--rsa-requests", rsa_requests);
  app.add_option("--certs", certs);
  app.add_option("--due-percent", due_percent);
  CLI11_PARSE(app, argc, argv);

  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("acm-bench-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  SystemClock clock;
  OpenSslRandom random;
  auto box = std::shared_ptr<const keys::SecretBox>(
      Must(keys::SecretBox::Create(Bytes(32, 3)), "box"));
  auto db = Must(store::SqliteStore::Open((dir / "db.sqlite").string()), "store");
  auto key_store = Must(keys::SoftwareKeyStore::Open((dir / "keys").string(), box, random), "keys");
  authority::Authority authority(*db, *key_store, clock, random, {});
  store::SqliteAcmStore acm_store(*db);
  store::SqliteSharingStore sharing(*db);
  keys::ExportableKeys exportable(box);
  NullSink sink;
  certmanager::CertificateManager manager(acm_store, sharing, authority, exportable, clock,
                                          random, sink, {});
  certmanager::Requester who{"123456789012", "us-east-1", nullptr};

  auto run = [&](const std::string& ca, const std::string& alg, int n, const char* label,
                 KeyAlgorithm raw) {
    if (n <= 0) return;
    certmanager::RequestSpec spec;
    spec.ca_arn = ca;
    spec.key_algorithm = alg;
    auto start = Clock_::now();
    for (int i = 0; i < n; ++i) {
      spec.domain_name = "host" + std::to_string(i) + ".example.com";
      std::string arn = Must(manager.Request(who, spec), "request");
      (void)arn;
    }
    double t = Seconds(Clock_::now() - start);
    std::cout << label << "_request_certificate_per_s: " << n / t << "\n";
    start = Clock_::now();
    for (int i = 0; i < n; ++i) (void)Must(keys::GenerateKeyPair(raw), "keygen");
    t = Seconds(Clock_::now() - start);
    std::cout << label << "_keygen_only_per_s: " << n / t << "\n";
  };
  run(MakeRoot(authority, "EC_prime256v1", "SHA256WITHECDSA"), "EC_prime256v1", ec_requests,
      "ec_p256", KeyAlgorithm::kEcP256);
  run(MakeRoot(authority, "RSA_2048", "SHA256WITHRSA"), "RSA_2048", rsa_requests, "rsa_2048",
      KeyAlgorithm::kRsa2048);

  // --- the scheduler's scan over many certificates ---
  const int64_t now_s = ToUnixSeconds(clock.Now());
  const int64_t due_every = due_percent > 0 ? static_cast<int64_t>(100.0 / due_percent) : 0;
  auto fill_start = Clock_::now();
  Must(db->writer().Run([&](store::SqliteConnection& conn) -> Status {
         std::mt19937_64 rng(42);
         for (int i = 0; i < certs; ++i) {
           std::string arn = "arn:aws:acm:us-east-1:123456789012:certificate/bench-" +
                             std::to_string(i);
           int64_t not_after = now_s + 61 * 86400 + static_cast<int64_t>(rng() % (330 * 86400));
           int64_t next = not_after - 60 * 86400;
           if (due_every > 0 && i % due_every == 0) {
             not_after = now_s + 59 * 86400;
             next = now_s - 60;
           }
             ASSIGN_OR_RETURN(
                 store::SqliteStatement stmt,
                 conn.Prepare("INSERT INTO acm_certificates (arn, account_id, region, type, status, "
                              "failure_reason, domain_name, sans_json, key_algorithm, ca_arn, "
                              "pca_certificate_arn, serial_hex, certificate_der, chain_pem, "
                              "sealed_key, not_before_s, not_after_s, created_at_ms, "
                              "revocation_reason, export_option, ct_logging, exported, "
                              "in_use_by_json, renewal_status, renewal_reason, next_renewal_s, "
                              "last_expiry_event_day, tags_json, version) VALUES (?1, "
                              "'123456789012', 'us-east-1', 'PRIVATE', 'ISSUED', '', 'x.example', "
                              "'[]', 'EC_prime256v1', '', '', '', x'', '', x'', ?2, ?3, 0, '', "
                              "'ENABLED', 'ENABLED', 1, '[]', '', '', ?4, 0, '[]', 1)"));
           stmt.BindText(1, arn).BindInt64(2, not_after - 395 * 86400).BindInt64(3, not_after)
               .BindInt64(4, next);
           RETURN_IF_ERROR(stmt.Run());
         }
         return Status::Ok();
       }),
       "fill");
  std::cout << "rows: " << certs << "\n";
  std::cout << "fill_s: " << Seconds(Clock_::now() - fill_start) << "\n";

  auto due_start = Clock_::now();
  std::vector<std::string> due = Must(acm_store.DueForRenewal(now_s, certs), "due");
  std::cout << "due_rows: " << due.size() << "\n";
  std::cout << "due_for_renewal_indexed_ms: " << Seconds(Clock_::now() - due_start) * 1000 << "\n";
  auto first_start = Clock_::now();
  (void)Must(acm_store.DueForRenewal(now_s, 1000), "due batch");
  std::cout << "due_for_renewal_first_batch_1000_ms: "
            << Seconds(Clock_::now() - first_start) * 1000 << "\n";
  auto scan_start = Clock_::now();
  int64_t scanned = Must(
      [&]() -> Result<int64_t> {
        ASSIGN_OR_RETURN(store::SqliteReadPool::Lease lease, db->read_pool().Acquire());
        ASSIGN_OR_RETURN(store::SqliteStatement stmt,
                         lease->Prepare("SELECT arn FROM acm_certificates NOT INDEXED WHERE "
                                        "next_renewal_s IS NOT NULL AND next_renewal_s <= ?1"));
        stmt.BindInt64(1, now_s);
        int64_t n = 0;
        for (;;) {
          ASSIGN_OR_RETURN(bool row, stmt.Step());
          if (!row) break;
          ++n;
        }
        return n;
      }(),
      "scan");
  std::cout << "due_for_renewal_full_scan_ms: " << Seconds(Clock_::now() - scan_start) * 1000
            << " (rows " << scanned << ")\n";
  auto exp_start = Clock_::now();
  int64_t expiring = Must(acm_store.CountExpiringBetween(now_s, now_s + 45 * 86400), "count");
  std::cout << "count_expiring_45_days_ms: " << Seconds(Clock_::now() - exp_start) * 1000
            << " (rows " << expiring << ")\n";
  std::filesystem::remove_all(dir);
  return 0;
}
