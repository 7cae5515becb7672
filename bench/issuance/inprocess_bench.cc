// openpca_issue_inprocess: issuance throughput without HTTP.
//
// Builds an Authority over a temporary SqliteStore + SoftwareKeyStore (as
// tests/authority/test_authority.cc does, but with the system clock), activates an EC P-256 root
// through the Authority's own API, then measures, each case for --seconds of wall time:
//
//   sign      Signer::Sign(SHA256WITHECDSA) of a 450-byte message with the CA's software key.
//   csr       x509::ParseCsr + x509::VerifyCsr of a pooled PEM CSR (the OpenSSL reference path).
//   direct    PrepareCertificate(kDirect) + Issue: what IssueCertificate does in memory (CSR
//             parse + key decode + verify, plan, TBS encoding, signature), no database.
//   reference The same through PrepareCertificate(kOpenSsl), the OpenSSL object path.
//   ceiling   The cryptography alone: one ECDSA/RSA verification of a CSR signature with its key
//             already decoded plus one Signer::Sign of a TBS-sized message. `direct` is printed as
//             a fraction of 1 / (verify + sign).
//   breakdown Single thread, where each microsecond of `direct` goes, stage by stage.
//   build     The Authority's issuance steps that touch neither the database nor the HTTP layer,
//             called piecewise because Authority has no seam between them: ParseCsr, VerifyCsr,
//             PublicKeyDer, ExtensionPlan for EndEntityCertificate/V1 (template extensions,
//             SKI/AKI, the CSR's subjectAltName), a 16-byte random serial, BuildSignedCertificate
//             with the CA's Signer. Not included: LoadCa (a database read), the issuer-context
//             cache lookup, the certificate insert.
//   issue     Authority::IssueCertificate end to end: LoadCa, validation, signing, and the
//             SQLite insert (WAL, synchronous=FULL, group commit), durable on return.
//   ossl      Single OpenSSL 3.0 calls that csr/build make (d2i_X509_REQ, CsrPemToDer,
//             X509_REQ_verify, i2d_PUBKEY, d2i_X509_PUBKEY, X509_set_pubkey), one thread, to
//             attribute the cost of the cases above.
//   get       Authority::GetCertificate of certificates issued above (database read + PEM).
//
// Each case runs with several thread counts; every thread loops over the shared CSR pool.
// A benchmark, not a test: it prints figures and asserts nothing about them.
#include <openssl/sha.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "authority/authority.h"
#include "authority/certificate_builder.h"
#include "authority/issuer_context.h"
#include "authority/extension_plan.h"
#include "authority/templates.h"
#include "bench_stats.h"
#include "common/clock.h"
#include "common/random.h"
#include "csr_pool.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "store/sqlite/sqlite_store.h"
#include "x509/certificate.h"
#include "x509/csr_reader.h"
#include "x509/tbs_certificate.h"
#include "x509/csr.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/pem.h"

namespace openpca::bench {
namespace {

using Steady = std::chrono::steady_clock;

constexpr char kAccount[] = "123456789012";

[[noreturn]] void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "openpca_issue_inprocess: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what, r.status());
  return std::move(r).value();
}

void Must(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what, st);
}

// One case's outcome over all threads.
struct CaseResult {
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;
  LatencySummary latency;
};

// Runs `op(thread_index, iteration)` on `threads` threads until `seconds` have passed (each
// thread checks the deadline before every call). Latency is recorded per call.
CaseResult RunTimed(int threads, double seconds,
                    const std::function<bool(int thread, int64_t iteration)>& op) {
  std::vector<std::vector<int64_t>> samples(static_cast<size_t>(threads));
  std::vector<int64_t> errors(static_cast<size_t>(threads), 0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Steady::time_point start, deadline;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& mine = samples[static_cast<size_t>(t)];
      mine.reserve(1 << 16);
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int64_t i = 0;; ++i) {
        Steady::time_point t0 = Steady::now();
        if (t0 >= deadline) break;
        bool ok = op(t, i);
        Steady::time_point t1 = Steady::now();
        if (ok) {
          mine.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        } else {
          ++errors[static_cast<size_t>(t)];
        }
      }
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  start = Steady::now();
  deadline =
      start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  Steady::time_point end = Steady::now();

  CaseResult r;
  std::vector<int64_t> all;
  for (size_t t = 0; t < samples.size(); ++t) {
    all.insert(all.end(), samples[t].begin(), samples[t].end());
    r.errors += errors[t];
  }
  r.ok = static_cast<int64_t>(all.size());
  r.seconds = std::chrono::duration<double>(end - start).count();
  r.latency = Summarize(all);
  return r;
}

void PrintHeader() {
  std::printf("%-10s %7s %10s %7s %8s %12s %9s %9s %9s %9s\n", "case", "threads", "ok", "errors",
              "seconds", "per_second", "p50_ms", "p90_ms", "p99_ms", "max_ms");
}

void PrintRow(const char* name, int threads, const CaseResult& r, const std::string& extra = "") {
  std::printf("%-10s %7d %10lld %7lld %8.2f %12.1f %9.3f %9.3f %9.3f %9.3f%s\n", name, threads,
              static_cast<long long>(r.ok), static_cast<long long>(r.errors), r.seconds,
              static_cast<double>(r.ok) / r.seconds, r.latency.p50_ms, r.latency.p90_ms,
              r.latency.p99_ms, r.latency.max_ms, extra.c_str());
  std::fflush(stdout);
}

std::vector<int> ParseThreadList(const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    int n = std::atoi(text.substr(start, comma - start).c_str());
    if (n < 1 || n > 256) {
      std::fprintf(stderr, "openpca_issue_inprocess: thread counts must be 1..256\n");
      std::exit(2);
    }
    out.push_back(n);
    start = comma + 1;
  }
  return out;
}

// The temporary directory, removed on every exit path of main().
struct TempDir {
  std::filesystem::path path;
  bool keep = false;
  ~TempDir() {
    std::error_code ec;
    if (!keep && !path.empty()) std::filesystem::remove_all(path, ec);
  }
};

int Main(int argc, char** argv) {
  double seconds = 3;
  int pool_size = 256;
  std::string sign_threads_text = "1,2";
  std::string issue_threads_text = "1,2,32";
  std::string get_threads_text = "1,2";
  std::string dir_parent = std::filesystem::temp_directory_path().string();
  bool keep = false;
  std::string only_text;
  std::string ca_key = "EC_prime256v1";
  CLI::App app{"openpca_issue_inprocess: issuance throughput without HTTP"};
  app.add_option("--seconds", seconds, "Wall time per case (default 3, at most 60)")
      ->check(CLI::Range(0.1, 60.0));
  app.add_option("--csr-pool", pool_size, "Pre-made P-256 CSRs (default 256)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--sign-threads", sign_threads_text, "Threads for sign/csr/build (default 1,2)");
  app.add_option("--issue-threads", issue_threads_text, "Threads for issue (default 1,2,32)");
  app.add_option("--get-threads", get_threads_text, "Threads for get (default 1,2)");
  app.add_option("--tmp", dir_parent, "Parent of the temporary data directory (default $TMPDIR)");
  app.add_flag("--keep", keep, "Keep the temporary data directory");
  app.add_option("--only", only_text,
                 "Comma-separated cases to run: sign,csr,build,direct,reference,ceiling,"
                 "breakdown,ossl,issue,get (default all)");
  app.add_option("--ca-key", ca_key,
                 "KeyAlgorithm of the CA (default EC_prime256v1; RSA_2048, EC_secp384r1, ...)")
      ->check(CLI::IsMember({"EC_prime256v1", "EC_secp384r1", "EC_secp521r1", "RSA_2048",
                             "RSA_3072", "RSA_4096", "SM2"}));
  CLI11_PARSE(app, argc, argv);
  const std::vector<int> sign_threads = ParseThreadList(sign_threads_text);
  const std::vector<int> issue_threads = ParseThreadList(issue_threads_text);
  const std::vector<int> get_threads = ParseThreadList(get_threads_text);
  auto wanted = [&](const char* name) {
    if (only_text.empty()) return true;
    std::string list = "," + only_text + ",";
    return list.find("," + std::string(name) + ",") != std::string::npos;
  };

  TempDir dir;
  std::string templ = (std::filesystem::path(dir_parent) / "openpca-bench-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) Die("mkdtemp", InternalError(templ));
  dir.path = templ;
  dir.keep = keep;

  // --- Authority over a temporary SqliteStore + SoftwareKeyStore. ---
  SystemClock clock;
  OpenSslRandom random;
  Bytes master = random.RandomBytes(32);
  std::shared_ptr<const keys::SecretBox> box = Must(keys::SecretBox::Create(master), "SecretBox");
  std::unique_ptr<store::SqliteStore> store =
      Must(store::SqliteStore::Open((dir.path / "db.sqlite").string()), "SqliteStore::Open");
  std::unique_ptr<keys::SoftwareKeyStore> key_store =
      Must(keys::SoftwareKeyStore::Open((dir.path / "keys").string(), box, random), "key store");
  authority::Authority authority(*store, *key_store, clock, random, authority::AuthorityOptions{});
  const authority::Caller caller{kAccount};

  // --- An active root of --ca-key, through the Authority's API. ---
  const std::string sig_name = ca_key.rfind("RSA_", 0) == 0 ? "SHA256WITHRSA"
                               : ca_key == "SM2"            ? "SM3WITHSM2"
                               : ca_key == "EC_secp384r1"   ? "SHA384WITHECDSA"
                               : ca_key == "EC_secp521r1"   ? "SHA512WITHECDSA"
                                                            : "SHA256WITHECDSA";
  const SigningAlgorithm sig_alg = *ParseSigningAlgorithm(sig_name);
  authority::CreateCaRequest create;
  create.type = "ROOT";
  create.configuration = {{"KeyAlgorithm", ca_key},
                          {"SigningAlgorithm", sig_name},
                          {"Subject", {{"CommonName", "openpca bench root"}}}};
  std::string ca_arn = Must(authority.CreateCertificateAuthority(caller, create), "CreateCA");
  std::string ca_csr = Must(authority.GetCertificateAuthorityCsr(caller, ca_arn), "GetCaCsr");
  authority::IssueRequest root_req;
  root_req.ca_arn = ca_arn;
  root_req.csr = ToBytes(ca_csr);
  root_req.signing_algorithm = sig_name;
  root_req.template_arn = "arn:aws:acm-pca:::template/RootCACertificate/V1";
  root_req.validity = {"YEARS", 10};
  std::string root_arn = Must(authority.IssueCertificate(caller, root_req), "issue root");
  authority::CertificateAndChain root =
      Must(authority.GetCertificate(caller, ca_arn, root_arn), "GetCertificate(root)");
  Must(authority.ImportCertificateAuthorityCertificate(
           caller, authority::ImportRequest{ca_arn, ToBytes(root.certificate_pem), std::nullopt}),
       "import root");

  // The pieces the Authority keeps in its issuer context, rebuilt for the `build` case.
  std::string ca_id = ca_arn.substr(ca_arn.rfind('/') + 1);
  store::CaRecord ca = Must(store->GetCa(ca_id), "GetCa");
  std::shared_ptr<const keys::Signer> signer = Must(key_store->Load(ca.key_id), "key Load");
  x509::X509Ptr ca_cert = Must(x509::ParseCertificateDer(ca.certificate_der), "parse CA cert");
  Bytes ca_ski = Must(x509::SubjectKeyId(*ca_cert), "CA SKI");
  const authority::TemplateDefinition* end_entity =
      authority::FindTemplate(authority::kDefaultTemplate);
  if (end_entity == nullptr) Die("template", InternalError("EndEntityCertificate/V1 missing"));

  // --- CSR pool, made before any clock starts. ---
  Steady::time_point pool_start = Steady::now();
  std::vector<PooledCsr> pool = MakeCsrPool(pool_size);
  std::vector<Bytes> pool_pem;
  for (const PooledCsr& c : pool) pool_pem.push_back(ToBytes(c.pem));
  std::printf("setup: CA %s (%s, %s), %d CSRs in %.2f s, data dir %s\n", ca_arn.c_str(),
              ca_key.c_str(), sig_name.c_str(), pool_size,
              std::chrono::duration<double>(Steady::now() - pool_start).count(), dir.path.c_str());
  std::printf("machine: %u hardware threads; every case runs %.1f s\n\n",
              std::thread::hardware_concurrency(), seconds);
  PrintHeader();

  auto csr_for = [&](int thread, int64_t i) -> const Bytes& {
    return pool_pem[static_cast<size_t>((i * 7919 + thread * 131) % pool_size)];
  };

  // sign: the raw ECDSA signature through the Signer (SHA-256 + P-256 sign).
  Bytes message(450, 0x5a);
  for (int t : sign_threads) {
    if (!wanted("sign")) break;
    PrintRow("sign", t, RunTimed(t, seconds, [&](int, int64_t) {
               return signer->Sign(sig_alg, message).ok();
             }));
  }

  // csr: parse + verify (one ECDSA verification).
  for (int t : sign_threads) {
    if (!wanted("csr")) break;
    PrintRow("csr", t, RunTimed(t, seconds, [&](int thread, int64_t i) {
               auto csr = x509::ParseCsr(csr_for(thread, i));
               return csr.ok() && x509::VerifyCsr(**csr).ok();
             }));
  }

  // build: everything IssueCertificate does in memory for EndEntityCertificate/V1.
  auto build_one = [&](int thread, int64_t i) -> bool {
    auto csr = x509::ParseCsr(csr_for(thread, i));
    if (!csr.ok() || !x509::VerifyCsr(**csr).ok()) return false;
    const X509_PUBKEY* subject_key = X509_REQ_get_X509_PUBKEY(csr->get());
    if (subject_key == nullptr) return false;
    auto spki = x509::PublicKeyDer(*subject_key);
    auto ski = x509::KeyIdentifierFromPubkey(*subject_key);
    if (!spki.ok() || !ski.ok()) return false;
    authority::ExtensionPlan plan(*end_entity);
    if (!plan.AddTemplateExtensions().ok() || !plan.AddKeyIdentifiers(*ski, &ca_ski).ok() ||
        !plan.AddCsrExtensions(**csr).ok()) {
      return false;
    }
    x509::CertificateContent content;
    content.serial = random.RandomBytes(16);
    content.serial[0] = static_cast<uint8_t>((content.serial[0] & 0x7f) | 0x40);
    content.issuer = X509_get_subject_name(ca_cert.get());
    content.subject = X509_REQ_get_subject_name(csr->get());
    content.subject_key = subject_key;
    TimePoint now = clock.Now();
    content.not_before = now - std::chrono::minutes(60);
    content.not_after = now + std::chrono::hours(24 * 30);
    content.extensions = plan.Take();
    return x509::BuildSignedCertificate(content, *signer, sig_alg).ok();
  };
  for (int t : sign_threads) {
    if (!wanted("build")) break;
    PrintRow("build", t, RunTimed(t, seconds, build_one));
  }

  // The issuer context IssueCertificate uses (Authority::Issuer builds the same).
  authority::IssuerContext issuer;
  issuer.signer = signer;
  issuer.certificate = x509::X509Ptr(X509_dup(ca_cert.get()));
  issuer.subject_key_id = ca_ski;
  Must(issuer.PrepareEncodings(), "PrepareEncodings");
  auto finish_for = [&]() {
    authority::CertificateFinish f;
    f.serial = random.RandomBytes(16);
    f.serial[0] = static_cast<uint8_t>((f.serial[0] & 0x7f) | 0x40);
    TimePoint now = clock.Now();
    f.not_before = now - std::chrono::minutes(60);
    f.not_after = now + std::chrono::hours(24 * 30);
    f.alg = sig_alg;
    return f;
  };
  auto builder_one = [&](authority::CertificateBuilder b, int thread, int64_t i) -> bool {
    auto prepared = authority::PrepareCertificate(
        b, authority::CertificateInput{end_entity, &issuer, csr_for(thread, i), nullptr});
    if (!prepared.ok()) return false;
    return std::move(**prepared).Issue(finish_for(), *signer).ok();
  };
  std::map<int, double> direct_rate;  // by thread count
  for (int t : sign_threads) {
    if (!wanted("direct")) break;
    CaseResult r = RunTimed(t, seconds, [&](int thread, int64_t i) {
      return builder_one(authority::CertificateBuilder::kDirect, thread, i);
    });
    direct_rate[t] = static_cast<double>(r.ok) / r.seconds;
    PrintRow("direct", t, r);
  }
  for (int t : sign_threads) {
    if (!wanted("reference")) break;
    PrintRow("reference", t, RunTimed(t, seconds, [&](int thread, int64_t i) {
               return builder_one(authority::CertificateBuilder::kOpenSsl, thread, i);
             }));
  }

  // ceiling: one CSR verification (key decoded beforehand) + one signature of a TBS-sized
  // message: the cryptography every issued certificate needs, and nothing else.
  std::vector<x509::ParsedCsr> parsed;
  std::vector<x509::EvpPkeyPtr> parsed_keys;
  for (const Bytes& pem : pool_pem) {
    parsed.push_back(Must(x509::ParsedCsr::Parse(pem), "ParsedCsr::Parse"));
    parsed_keys.push_back(Must(x509::DecodeCsrPublicKey(parsed.back()), "DecodeCsrPublicKey"));
  }
  auto pick = [&](int thread, int64_t i) {
    return static_cast<size_t>((i * 7919 + thread * 131) % pool_size);
  };
  Bytes tbs_sized(380, 0x5a);
  if (wanted("ceiling")) {
    for (int t : sign_threads) {
      CaseResult r = RunTimed(t, seconds, [&](int thread, int64_t i) {
        size_t k = pick(thread, i);
        return x509::VerifyParsedCsr(parsed[k], *parsed_keys[k]).ok() &&
               signer->Sign(sig_alg, tbs_sized).ok();
      });
      double rate = static_cast<double>(r.ok) / r.seconds;
      char extra[96] = "";
      if (direct_rate.count(t) > 0) {
        std::snprintf(extra, sizeof extra, "  direct = %.0f%% of this ceiling",
                      100.0 * direct_rate[t] / rate);
      }
      PrintRow("ceiling", t, r, extra);
    }
  }

  // breakdown: the stages of `direct`, one thread, each timed alone over the pool.
  if (wanted("breakdown")) {
    auto us_per = [&](const std::function<bool(int64_t)>& op) {
      const int64_t n = std::max<int64_t>(200, static_cast<int64_t>(seconds * 300));
      Steady::time_point t0 = Steady::now();
      for (int64_t i = 0; i < n; ++i) {
        if (!op(i)) Die("breakdown", InternalError("a stage failed"));
      }
      return std::chrono::duration<double, std::micro>(Steady::now() - t0).count() /
             static_cast<double>(n);
    };
    std::vector<Bytes> ders;
    for (const x509::ParsedCsr& p : parsed) ders.emplace_back(p.der().begin(), p.der().end());
    auto prepared_tbs = [&](int64_t i) {
      const x509::ParsedCsr& p = parsed[pick(0, i)];
      Bytes ski = x509::SubjectKeyIdentifierExtensionDer(x509::CsrKeyIdentifier(p));
      x509::TbsCertificateParts parts;
      Bytes serial(16, 0x41);
      parts.serial = serial;
      parts.signature_and_issuer = issuer.SignatureAndIssuer(sig_alg);
      parts.not_before_s = 1'800'000'000;
      parts.not_after_s = 1'802'592'000;
      parts.subject = p.subject();
      parts.spki = p.public_key_der();
      parts.extensions = {ski, issuer.aki_extension_der};
      for (const auto& e : p.extensions()) parts.extensions.push_back(e.der);
      return Must(x509::EncodeTbsCertificate(parts), "EncodeTbsCertificate");
    };
    struct Stage {
      const char* name;
      double us;
    };
    std::vector<Stage> stages = {
        {"PEM -> DER (base64)", us_per([&](int64_t i) {
           return x509::CsrPemBlockToDer(AsStringView(pool_pem[pick(0, i)])).ok();
         })},
        {"parse DER (ParsedCsr)", us_per([&](int64_t i) {
           return x509::ParsedCsr::Parse(ders[pick(0, i)]).ok();
         })},
        {"decode key (EVP_PKEY_fromdata)", us_per([&](int64_t i) {
           return x509::DecodeCsrPublicKey(parsed[pick(0, i)]).ok();
         })},
        {"verify CSR signature", us_per([&](int64_t i) {
           size_t k = pick(0, i);
           return x509::VerifyParsedCsr(parsed[k], *parsed_keys[k]).ok();
         })},
        {"SKI (SHA-1) + extensions plan", us_per([&](int64_t i) {
           return !x509::SubjectKeyIdentifierExtensionDer(
                       x509::CsrKeyIdentifier(parsed[pick(0, i)]))
                       .empty();
         })},
        {"encode TBSCertificate", us_per([&](int64_t i) { return !prepared_tbs(i).empty(); })},
        {"sign (Signer::Sign of the TBS)", us_per([&](int64_t i) {
           Bytes tbs = prepared_tbs(i);
           return signer->Sign(sig_alg, tbs).ok();
         })},
    };
    double whole = us_per([&](int64_t i) {
      return builder_one(authority::CertificateBuilder::kDirect, 0, i);
    });
    double reference = us_per([&](int64_t i) {
      return builder_one(authority::CertificateBuilder::kOpenSsl, 0, i);
    });
    double sum = 0;
    std::printf("\nbreakdown (1 thread, microseconds per certificate; the sign row includes the "
                "TBS encoding of the row above it):\n");
    for (const Stage& st : stages) {
      std::printf("  %-34s %9.1f us\n", st.name, st.us);
      sum += st.us;
    }
    double tbs_us = stages[5].us;
    std::printf("  %-34s %9.1f us\n", "sum of stages (sign counted alone)", sum - tbs_us);
    std::printf("  %-34s %9.1f us  (rest: planning, copies, allocation %.1f us)\n",
                "direct, whole", whole, whole - (sum - tbs_us));
    std::printf("  %-34s %9.1f us\n\n", "reference (OpenSSL objects), whole", reference);
    PrintHeader();
  }

  // ossl: the OpenSSL 3.0 primitives that the csr/build cases call, one at a time, single
  // thread, to attribute their cost (see docs/benchmarks.md).
  if (wanted("ossl")) {
    std::vector<Bytes> ders;
    std::vector<x509::X509ReqPtr> reqs;
    std::vector<Bytes> spkis;
    for (const Bytes& pem : pool_pem) {
      x509::X509ReqPtr req = Must(x509::ParseCsr(pem), "ParseCsr");
      ders.push_back(Must(x509::CsrPemToDer(AsStringView(pem)), "CsrPemToDer"));
      spkis.push_back(Must(x509::PublicKeyDer(*X509_REQ_get0_pubkey(req.get())), "spki"));
      reqs.push_back(std::move(req));
    }
    auto pick = [&](int64_t i) { return static_cast<size_t>((i * 7919) % pool_size); };
    PrintRow("d2i_req", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        const Bytes& der = ders[pick(i)];
                        const unsigned char* in = der.data();
                        return x509::X509ReqPtr(d2i_X509_REQ(
                                   nullptr, &in, static_cast<long>(der.size()))) != nullptr;
                      }),
             "  d2i_X509_REQ of a DER CSR");
    PrintRow("pem2der", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        return x509::CsrPemToDer(AsStringView(pool_pem[pick(i)])).ok();
                      }),
             "  x509::CsrPemToDer");
    PrintRow("verify", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        X509_REQ* req = reqs[pick(i)].get();
                        return X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1;
                      }),
             "  X509_REQ_verify, key already decoded");
    PrintRow("i2d_pub", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        unsigned char* out = nullptr;
                        int len = i2d_PUBKEY(X509_REQ_get0_pubkey(reqs[pick(i)].get()), &out);
                        OPENSSL_free(out);
                        return len > 0;
                      }),
             "  i2d_PUBKEY (allocating, one call)");
    PrintRow("d2i_pub", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        const Bytes& spki = spkis[pick(i)];
                        const unsigned char* in = spki.data();
                        X509_PUBKEY* pub =
                            d2i_X509_PUBKEY(nullptr, &in, static_cast<long>(spki.size()));
                        bool ok = pub != nullptr;
                        X509_PUBKEY_free(pub);
                        return ok;
                      }),
             "  d2i_X509_PUBKEY");
    PrintRow("setpub", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        x509::X509Ptr cert(X509_new());
                        return X509_set_pubkey(cert.get(),
                                               X509_REQ_get0_pubkey(reqs[pick(i)].get())) == 1;
                      }),
             "  X509_new + X509_set_pubkey");
    // The same results without OpenSSL's encoder/decoder framework, from the X509_PUBKEY the
    // parsed CSR already holds (what-if rows for docs/benchmarks.md; not what src/ does).
    PrintRow("spki_alt", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        unsigned char* out = nullptr;
                        int len =
                            i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(reqs[pick(i)].get()), &out);
                        OPENSSL_free(out);
                        return len > 0;
                      }),
             "  i2d_X509_PUBKEY of the CSR's X509_PUBKEY");
    PrintRow(
        "ski_alt", 1,
        RunTimed(1, seconds,
                 [&](int, int64_t i) {
                   const unsigned char* key = nullptr;
                   int key_len = 0;
                   if (X509_PUBKEY_get0_param(nullptr, &key, &key_len, nullptr,
                                              X509_REQ_get_X509_PUBKEY(reqs[pick(i)].get())) != 1) {
                     return false;
                   }
                   unsigned char id[SHA_DIGEST_LENGTH];
                   return SHA1(key, static_cast<size_t>(key_len), id) != nullptr;
                 }),
        "  X509_PUBKEY_get0_param + SHA1 (SKI without decoding)");
    PrintRow("setpub_alt", 1,
             RunTimed(1, seconds,
                      [&](int, int64_t i) {
                        x509::X509Ptr cert(X509_new());
                        X509_PUBKEY* src = X509_REQ_get_X509_PUBKEY(reqs[pick(i)].get());
                        ASN1_OBJECT* alg_obj = nullptr;
                        const unsigned char* key = nullptr;
                        int key_len = 0;
                        X509_ALGOR* alg = nullptr;
                        if (X509_PUBKEY_get0_param(&alg_obj, &key, &key_len, &alg, src) != 1)
                          return false;
                        int ptype = V_ASN1_UNDEF;
                        const void* pval = nullptr;
                        X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
                        if (ptype != V_ASN1_OBJECT)
                          return false;  // EC named curve only, for this row
                        auto* penc = static_cast<unsigned char*>(OPENSSL_memdup(key, key_len));
                        return X509_PUBKEY_set0_param(
                                   X509_get_X509_PUBKEY(cert.get()), OBJ_dup(alg_obj), ptype,
                                   OBJ_dup(static_cast<const ASN1_OBJECT*>(pval)), penc,
                                   key_len) == 1;
                      }),
             "  X509_new + X509_PUBKEY_set0_param copy of the CSR's key");
  }

  // issue: Authority::IssueCertificate, durable on return.
  std::vector<std::vector<std::string>> issued(256);
  for (int t : issue_threads) {
    if (!wanted("issue")) break;
    for (auto& v : issued) v.clear();
    int64_t commits_before = store->commit_count();
    CaseResult r = RunTimed(t, seconds, [&](int thread, int64_t i) {
      authority::IssueRequest req;
      req.ca_arn = ca_arn;
      req.csr = csr_for(thread, i);
      req.signing_algorithm = sig_name;
      req.validity = {"DAYS", 30};
      auto arn = authority.IssueCertificate(caller, req);
      if (!arn.ok()) {
        if (i == 0) std::fprintf(stderr, "issue: %s\n", arn.status().ToString().c_str());
        return false;
      }
      auto& mine = issued[static_cast<size_t>(thread)];
      if (mine.size() < 4096) mine.push_back(std::move(arn).value());
      return true;
    });
    int64_t commits = store->commit_count() - commits_before;
    char extra[96];
    std::snprintf(extra, sizeof extra, "  commits=%lld certs/commit=%.1f",
                  static_cast<long long>(commits),
                  commits > 0 ? static_cast<double>(r.ok) / static_cast<double>(commits) : 0.0);
    PrintRow("issue", t, r, extra);
  }

  // get: GetCertificate of issued certificates.
  std::vector<std::string> arns;
  for (auto& v : issued) arns.insert(arns.end(), v.begin(), v.end());
  if (!arns.empty() && wanted("get")) {
    for (int t : get_threads) {
      PrintRow("get", t, RunTimed(t, seconds, [&](int thread, int64_t i) {
                 const std::string& arn =
                     arns[static_cast<size_t>((i * 7919 + thread * 131) % arns.size())];
                 return authority.GetCertificate(caller, ca_arn, arn).ok();
               }));
    }
  }
  return 0;
}

}  // namespace
}  // namespace openpca::bench

int main(int argc, char** argv) { return openpca::bench::Main(argc, argv); }
