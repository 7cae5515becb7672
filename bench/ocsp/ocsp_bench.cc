// ocsp_bench: in-process throughput of the OCSP responder (no HTTP).
//
// Setup: a temporary SqliteStore with one CA and --certs certificates (every 10th revoked), a
// keys::SoftwareSigner for the CA (--key rsa2048 | ec-p256), a StaticOcspIssuerDirectory and an
// OcspResponder. One SHA-1 CertID request per certificate, DER, as `openssl ocsp -no_nonce`
// makes them.
//
// Then, for each --threads value, each mode runs for --seconds with that many threads calling
// OcspResponder::Respond() in a loop over the requests (thread i starts at a different offset):
//   cached    exact request bytes already cached: the hit path (hash lookup, no parsing)
//   from_cache  the same through RespondFromCache() (what an I/O thread would call)
//   certid    the same CertIDs with a 33-octet nonce (which the responder ignores): every
//             request is parsed and answered from the CertID map
//   signed    the cache disabled: every request is parsed, read from the store and signed
//   nonce     16-octet nonces (echoed, never cached): parsed, read and signed
// plus `sign_only`: Signer::Sign over a 200-octet message, the floor of the two signing modes.
// Every response of a run is checked to be `successful` (the run fails otherwise); --verify
// also parses one response of each mode with OpenSSL and checks its signature.
//
// Single process; results go to stdout, one "key: value" per line. Not a test.
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "revocation/ocsp/ocsp_responder.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_pki.h"
#include "x509/ossl.h"
#include "x509/signing.h"

namespace openpca::bench {
namespace {

using Steady = std::chrono::steady_clock;

constexpr char kCaId[] = "0f0e0d0c-0b0a-4909-8807-0605040302aa";

struct Options {
  int certs = 1000;
  std::string key = "ec-p256";
  double seconds = 3;
  std::vector<int> threads = {1, 2};
  std::vector<std::string> modes = {"cached", "from_cache", "certid",
                                    "signed", "nonce",      "sign_only"};
  bool verify = false;
  std::string dir;
  std::string write_request;  // write the first request's DER here (for run_wrk.sh)
};

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::cerr << "ocsp_bench: " << what << ": " << s.ToString() << "\n";
  std::exit(1);
}

// A self-signed CA (test_pki) for a fresh software key of --key: rsa2048 or ec-p256.
test_pki::TestCa MakeCa(const std::string& key) {
  if (key != "rsa2048" && key != "ec-p256") {
    Die("--key", Status(ErrorCode::kInvalidArgs, "rsa2048 or ec-p256"));
  }
  KeyAlgorithm alg = key == "rsa2048" ? KeyAlgorithm::kRsa2048 : KeyAlgorithm::kEcP256;
  return test_pki::MakeRootCa(alg, "openpca bench", "OCSP bench root", 3650);
}

std::string SerialHex(int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "4%07x%024x", i, 0x5eed);
  return buf;
}

// One OCSPRequest with a SHA-1 CertID for `serial_hex`, optionally with a nonce.
Bytes MakeRequest(const X509& ca, const std::string& serial_hex, int nonce_octets) {
  BIGNUM* bn = nullptr;
  OPENPCA_CHECK(BN_hex2bn(&bn, serial_hex.c_str()) > 0);
  x509::BignumPtr serial_bn(bn);
  x509::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(serial_bn.get(), nullptr));
  x509::OcspCertIdPtr id(OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(&ca),
                                          X509_get0_pubkey_bitstr(&ca), serial.get()));
  OPENPCA_CHECK(id != nullptr);
  x509::OcspRequestPtr req(OCSP_REQUEST_new());
  OPENPCA_CHECK(OCSP_request_add0_id(req.get(), id.get()) != nullptr);
  id.release();
  if (nonce_octets > 0) {
    OPENPCA_CHECK(OCSP_request_add1_nonce(req.get(), nullptr, nonce_octets) == 1);
  }
  unsigned char* der = nullptr;
  int len = i2d_OCSP_REQUEST(req.get(), &der);
  OPENPCA_CHECK(len > 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

struct RunResult {
  uint64_t responses = 0;
  double seconds = 0;
  uint64_t failures = 0;
};

template <typename Fn>
RunResult RunThreads(int threads, double seconds, Fn&& one) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::atomic<uint64_t> failures{0};
  std::vector<std::thread> pool;
  const Steady::time_point start = Steady::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      uint64_t n = 0;
      uint64_t bad = 0;
      size_t i = static_cast<size_t>(t) * 7919;
      while (!stop.load(std::memory_order_relaxed)) {
        // Check the clock flag every 64 calls only.
        for (int k = 0; k < 64; ++k, ++i, ++n) {
          if (!one(i)) ++bad;
        }
      }
      total.fetch_add(n);
      failures.fetch_add(bad);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : pool) t.join();
  RunResult r;
  r.responses = total.load();
  r.failures = failures.load();
  r.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  return r;
}

void Report(const std::string& mode, int threads, const RunResult& r) {
  double rate = static_cast<double>(r.responses) / r.seconds;
  std::printf("%s.threads_%d.responses: %llu\n", mode.c_str(), threads,
              static_cast<unsigned long long>(r.responses));
  std::printf("%s.threads_%d.per_second: %.0f\n", mode.c_str(), threads, rate);
  std::printf("%s.threads_%d.us_per_response_per_thread: %.3f\n", mode.c_str(), threads,
              1e6 * r.seconds * threads / static_cast<double>(r.responses));
  if (r.failures != 0) {
    std::printf("%s.threads_%d.failures: %llu\n", mode.c_str(), threads,
                static_cast<unsigned long long>(r.failures));
  }
  std::fflush(stdout);
}

bool VerifyOne(const std::string& der, const X509& ca) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(der.data());
  x509::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &in, static_cast<long>(der.size())));
  if (resp == nullptr) return false;
  x509::OcspBasicRespPtr basic(OCSP_response_get1_basic(resp.get()));
  if (basic == nullptr) return false;
  x509::X509StorePtr trust(X509_STORE_new());
  X509_STORE_add_cert(trust.get(), const_cast<X509*>(&ca));
  x509::X509StackPtr certs(sk_X509_new_null());
  X509_up_ref(const_cast<X509*>(&ca));
  sk_X509_push(certs.get(), const_cast<X509*>(&ca));
  return OCSP_basic_verify(basic.get(), certs.get(), trust.get(), 0) == 1;
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"ocsp_bench: in-process OCSP responder throughput"};
  app.add_option("--certs", o.certs, "certificates in the store (one request each)");
  app.add_option("--key", o.key, "rsa2048 | ec-p256");
  app.add_option("--seconds", o.seconds, "duration of each run");
  app.add_option("--threads", o.threads, "thread counts to run, e.g. --threads 1 2");
  app.add_option("--modes", o.modes, "cached from_cache certid signed nonce sign_only");
  app.add_flag("--verify", o.verify, "verify one response per mode with OCSP_basic_verify");
  app.add_option("--dir", o.dir, "working directory (default: a temporary one, removed)");
  app.add_option("--write-request", o.write_request, "write the first request (DER) here");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::path dir = o.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ocsp-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp", InternalError("failed"));
    dir = tmpl;
    remove_dir = true;
  }

  test_pki::TestCa test_ca = MakeCa(o.key);
  const SigningAlgorithm alg = test_ca.alg;
  std::shared_ptr<const keys::Signer> signer = test_ca.signer;
  Bytes ca_der = std::move(test_ca.der);
  x509::X509Ptr ca = std::move(test_ca.cert);

  Result<std::unique_ptr<store::SqliteStore>> db = store::SqliteStore::Open(dir / "bench.db");
  if (!db.ok()) Die("store", db.status());
  SystemClock clock;
  const int64_t now_ms = ToUnixMillis(clock.Now());
  {
    store::CaRecord record;
    record.id = kCaId;
    record.arn =
        std::string("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/") + kCaId;
    record.account_id = "111122223333";
    record.type = "ROOT";
    record.status = "ACTIVE";
    record.configuration_json =
        R"({"SigningAlgorithm":")" + std::string(SigningAlgorithmName(alg)) + R"("})";
    record.revocation_json = R"({"OcspConfiguration":{"Enabled":true}})";
    record.key_id = "soft:bench";
    record.certificate_der = ca_der;
    record.created_at_ms = now_ms;
    record.last_state_change_at_ms = now_ms;
    Status s = (*db)->InsertCa(record, {}, std::nullopt);
    if (!s.ok()) Die("InsertCa", s);
  }

  // Certificates: inserted from 32 threads (group commit), every 10th revoked.
  const Steady::time_point fill_start = Steady::now();
  {
    std::atomic<int> next{0};
    std::vector<std::thread> fillers;
    for (int t = 0; t < 32; ++t) {
      fillers.emplace_back([&] {
        for (int i = next++; i < o.certs; i = next++) {
          store::CertificateRecord c;
          c.ca_id = kCaId;
          c.serial_hex = SerialHex(i);
          c.der = Bytes(600, 0x30);  // content is irrelevant to OCSP
          c.not_before_s = now_ms / 1000 - 3600;
          c.not_after_s = now_ms / 1000 + 86400 * 365;
          c.issued_at_ms = now_ms;
          c.template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
          Status s = (*db)->InsertCertificate(c, std::nullopt);
          if (!s.ok()) Die("InsertCertificate", s);
          if (i % 10 == 0) {
            s = (*db)->RevokeCertificate(kCaId, c.serial_hex, now_ms - 1000, 1);
            if (!s.ok()) Die("RevokeCertificate", s);
          }
        }
      });
    }
    for (std::thread& t : fillers) t.join();
  }
  std::printf("key: %s\ncerts: %d\nfill_seconds: %.2f\n", o.key.c_str(), o.certs,
              std::chrono::duration<double>(Steady::now() - fill_start).count());

  revocation::OcspIssuerConfig config;
  config.ca_id = kCaId;
  config.certificate_der = ca_der;
  config.signer = signer;
  config.signing_algorithm = alg;
  Result<std::shared_ptr<const revocation::OcspIssuer>> issuer =
      revocation::OcspIssuer::Create(config);
  if (!issuer.ok()) Die("OcspIssuer", issuer.status());
  revocation::StaticOcspIssuerDirectory directory;
  directory.Add(*issuer);

  std::vector<Bytes> plain, long_nonce;
  for (int i = 0; i < o.certs; ++i) {
    plain.push_back(MakeRequest(*ca, SerialHex(i), 0));
    long_nonce.push_back(MakeRequest(*ca, SerialHex(i), 33));
  }
  if (!o.write_request.empty()) {
    std::FILE* f = std::fopen(o.write_request.c_str(), "wb");
    std::fwrite(plain[0].data(), 1, plain[0].size(), f);
    std::fclose(f);
  }
  std::printf("request_bytes: %zu\n", plain[0].size());

  revocation::OcspResponder cached(**db, clock, directory);
  revocation::OcspResponderOptions no_cache_options;
  no_cache_options.cache_max_entries = 0;
  revocation::OcspResponder uncached(**db, clock, directory, no_cache_options);
  // Warm the cache (and report the response size).
  for (const Bytes& r : plain) {
    Result<revocation::OcspHttpResult> res = cached.Respond(r);
    if (!res.ok() || res->status() != revocation::OcspResponseStatus::kSuccessful) {
      Die("warm-up", InternalError("unsuccessful response"));
    }
  }
  std::printf("response_bytes: %zu\ncache_slots: %zu\ncache_bytes: %zu\n",
              cached.Respond(plain[0])->der().size(), cached.cache().size(),
              cached.cache().bytes());

  const size_t n = plain.size();
  auto ok = [](const Result<revocation::OcspHttpResult>& r) {
    return r.ok() && r->status() == revocation::OcspResponseStatus::kSuccessful;
  };
  bool all_ok = true;
  for (const std::string& mode : o.modes) {
    std::vector<Bytes> nonce_requests;
    if (mode == "nonce") {
      for (size_t i = 0; i < std::min<size_t>(n, 1000); ++i) {
        nonce_requests.push_back(MakeRequest(*ca, SerialHex(static_cast<int>(i)), 16));
      }
    }
    for (int threads : o.threads) {
      RunResult r;
      if (mode == "cached") {
        r = RunThreads(threads, o.seconds,
                       [&](size_t i) { return ok(cached.Respond(plain[i % n])); });
      } else if (mode == "from_cache") {
        r = RunThreads(threads, o.seconds, [&](size_t i) {
          std::optional<revocation::OcspHttpResult> hit = cached.RespondFromCache(plain[i % n]);
          return hit.has_value() && !hit->der().empty();
        });
      } else if (mode == "certid") {
        r = RunThreads(threads, o.seconds,
                       [&](size_t i) { return ok(cached.Respond(long_nonce[i % n])); });
      } else if (mode == "signed") {
        r = RunThreads(threads, o.seconds,
                       [&](size_t i) { return ok(uncached.Respond(plain[i % n])); });
      } else if (mode == "nonce") {
        r = RunThreads(threads, o.seconds, [&](size_t i) {
          return ok(cached.Respond(nonce_requests[i % nonce_requests.size()]));
        });
      } else if (mode == "sign_only") {
        const Bytes message(200, 0x42);
        r = RunThreads(threads, o.seconds, [&](size_t) { return signer->Sign(alg, message).ok(); });
      } else {
        Die("--modes", Status(ErrorCode::kInvalidArgs, "unknown mode " + mode));
      }
      Report(mode, threads, r);
      all_ok = all_ok && r.failures == 0;
    }
    if (o.verify && mode != "sign_only" && mode != "from_cache") {
      const Bytes& req = mode == "certid"  ? long_nonce[1]
                         : mode == "nonce" ? nonce_requests[1]
                                           : plain[1];
      revocation::OcspResponder& responder = mode == "signed" ? uncached : cached;
      bool verified = VerifyOne(responder.Respond(req)->der(), *ca);
      std::printf("%s.verified: %s\n", mode.c_str(), verified ? "yes" : "NO");
      all_ok = all_ok && verified;
    }
  }
  revocation::OcspResponderStats stats = cached.stats();
  std::printf(
      "cached_responder.requests: %llu\ncached_responder.cache_hits: %llu\n"
      "cached_responder.signed: %llu\n",
      static_cast<unsigned long long>(stats.requests),
      static_cast<unsigned long long>(stats.cache_hits),
      static_cast<unsigned long long>(stats.signed_responses));

  db->reset();
  if (remove_dir) std::filesystem::remove_all(dir);
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace openpca::bench

int main(int argc, char** argv) { return openpca::bench::Main(argc, argv); }
