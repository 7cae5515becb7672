// crl_bench: time and memory of building a CRL of N revoked certificates from a SQLite store.
//
// 1. A child process (fork) creates a temporary SqliteStore with one CA and N revoked
//    certificates. Most rows are written by a bench-only bulk path: one transaction of plain
//    INSERTs with synchronous=OFF on a raw connection to the store's file, after SqliteStore::Open
//    created the schema. That path is NOT how openpca writes (every write goes through the
//    store's writer thread and is synced); it exists only to fill a million rows in seconds.
//    --store-revocations M revokes M of the certificates through Store::RevokeCertificate from
//    --threads threads instead, and reports that rate (the real path, group commit).
// 2. The parent, which never held the rows in memory, then opens the store and times
//    CountRevoked + NextCrlNumber + PrepareCrl(StoreRevokedSource) + SignPreparedCrl (what
//    PrepareCrlFromStore does, with each step timed), signing through a
//    keys::SoftwareSigner. Its peak RSS (getrusage ru_maxrss) therefore covers start-up plus the
//    CRL build; the RSS just before the build is reported too, and the difference is the build's
//    own peak.
// 3. --verify parses the CRL with d2i_X509_CRL and checks the signature and entry count
//    (after the measurement). --out writes the DER. The temporary directory is removed at exit
//    unless --keep.
//
// Single-threaded parent; not a test. Results go to stdout, one "key: value" per line.
#include <openssl/x509v3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "revocation/crl/crl_builder.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_pki.h"
#include "x509/ossl.h"
#include "x509/signing.h"

namespace openpca::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kCaId[] = "0f0e0d0c-0b0a-4909-8807-060504030201";
constexpr int kReasons[] = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10};
constexpr int64_t kNowS = 1'700'000'000;

struct Options {
  int64_t count = 100'000;
  int64_t store_revocations = 0;
  int threads = 64;
  int der_bytes = 64;
  std::string key = "rsa2048";
  std::string dir;
  std::string out;
  std::string db;  // an existing database (from --keep): skip populating
  bool keep = false;
  bool verify = false;
  bool no_count_hint = false;
  int iterations = 1;
};

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::cerr << "crl_bench: " << what << ": " << s.ToString() << "\n";
  std::exit(1);
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// VmRSS or VmHWM from /proc/self/status, in KiB.
long ProcStatusKb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

long MaxRssKb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// --- Populating (child process) ---

std::string SerialHex(std::mt19937_64& rng) {
  // 16 random octets like AWS Private CA's serials; about half have the top bit set.
  Bytes serial(16);
  for (uint8_t& b : serial) b = static_cast<uint8_t>(rng());
  if (serial[0] == 0) serial[0] = 1;
  return HexEncode(serial);
}

void Populate(const Options& opt, const std::string& db_path) {
  auto start = Clock::now();
  {
    Result<std::unique_ptr<store::SqliteStore>> opened = store::SqliteStore::Open(db_path);
    if (!opened.ok()) Die("open store", opened.status());
    store::CaRecord ca;
    ca.id = kCaId;
    ca.arn = std::string("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/") + kCaId;
    ca.account_id = "111122223333";
    ca.type = "ROOT";
    ca.status = "ACTIVE";
    ca.created_at_ms = kNowS * 1000;
    Status s = (*opened)->InsertCa(ca, {}, std::nullopt);
    if (!s.ok()) Die("insert CA", s);
  }

  // Bench-only bulk path (see the file comment): one transaction, no syncs.
  Result<std::unique_ptr<store::SqliteConnection>> conn =
      store::SqliteConnection::Open(db_path, false, 5000);
  if (!conn.ok()) Die("open connection", conn.status());
  store::SqliteConnection& db = **conn;
  // A large page cache keeps the random-order primary-key inserts off the disk until COMMIT.
  Status s =
      db.ExecuteScript("PRAGMA synchronous = OFF; PRAGMA cache_size = -524288; BEGIN IMMEDIATE;");
  if (!s.ok()) Die("begin", s);
  std::mt19937_64 rng(20240229);
  Bytes der(static_cast<size_t>(opt.der_bytes), 0x30);
  const std::string template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
  std::vector<std::string> via_store;
  for (int64_t i = 0; i < opt.count; ++i) {
    Result<store::SqliteStatement> stmt = db.Prepare(
        "INSERT INTO certificates (ca_id, serial_hex, der, not_before_s, not_after_s, "
        "issued_at_ms, template_arn, revoked_at_ms, revocation_reason) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!stmt.ok()) Die("prepare insert", stmt.status());
    std::string serial = SerialHex(rng);
    // Revocations spread over the past year, a few per second.
    int64_t revoked_at_ms = (kNowS - 365 * 86400) * 1000 + i * 31'536'000'000 / opt.count;
    bool revoke_now = i >= opt.store_revocations;
    stmt->BindText(1, kCaId)
        .BindText(2, serial)
        .BindBlob(3, der)
        .BindInt64(4, kNowS - 400 * 86400)
        .BindInt64(5, kNowS + 365 * 86400)
        .BindInt64(6, (kNowS - 400 * 86400) * 1000)
        .BindText(7, template_arn);
    if (revoke_now) {
      stmt->BindInt64(8, revoked_at_ms).BindInt64(9, kReasons[i % 10]);
    } else {
      stmt->BindNull(8).BindNull(9);
      via_store.push_back(serial);
    }
    s = stmt->Run();
    if (!s.ok()) Die("insert", s);
  }
  s = db.ExecuteScript("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
  if (!s.ok()) Die("commit", s);
  conn->reset();
  std::printf("populate_bulk_ms: %.0f\n", Ms(Clock::now() - start));

  if (!via_store.empty()) {
    Result<std::unique_ptr<store::SqliteStore>> opened = store::SqliteStore::Open(db_path);
    if (!opened.ok()) Die("open store", opened.status());
    store::SqliteStore& st = **opened;
    int64_t commits_before = st.commit_count();
    auto t0 = Clock::now();
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < opt.threads; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < via_store.size(); i = next++) {
          Status r =
              st.RevokeCertificate(kCaId, via_store[i], kNowS * 1000 + static_cast<int64_t>(i), 1);
          if (!r.ok()) Die("RevokeCertificate", r);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    double ms = Ms(Clock::now() - t0);
    std::printf("store_revocations: %zu\nstore_revocation_threads: %d\n", via_store.size(),
                opt.threads);
    std::printf("store_revocation_ms: %.0f\nstore_revocations_per_s: %.0f\n", ms,
                via_store.size() / (ms / 1000));
    std::printf("store_revocation_commits: %lld\n",
                static_cast<long long>(st.commit_count() - commits_before));
  }
  std::fflush(stdout);
}

// --- Building (parent process) ---

// A self-signed CA (test_pki) for a fresh software key of --key: rsa2048 or ec-p256.
test_pki::TestCa MakeCa(const std::string& key) {
  if (key != "rsa2048" && key != "ec-p256") {
    Die("--key", Status(ErrorCode::kInvalidArgs, "rsa2048 or ec-p256"));
  }
  KeyAlgorithm alg = key == "rsa2048" ? KeyAlgorithm::kRsa2048 : KeyAlgorithm::kEcP256;
  return test_pki::MakeRootCa(alg, "openpca bench", "CRL bench root", 3650);
}

int Build(Options opt, const std::string& db_path) {
  test_pki::TestCa ca = MakeCa(opt.key);
  const SigningAlgorithm alg = ca.alg;
  std::shared_ptr<const keys::Signer> signer = ca.signer;
  x509::X509Ptr ca_cert = std::move(ca.cert);
  Result<revocation::CrlIssuer> issuer = revocation::CrlIssuerOf(*ca_cert);
  if (!issuer.ok()) Die("issuer", issuer.status());

  Result<std::unique_ptr<store::SqliteStore>> opened = store::SqliteStore::Open(db_path);
  if (!opened.ok()) Die("open store", opened.status());
  store::Store& st = **opened;

  if (!opt.db.empty()) {
    Result<int64_t> count = st.CountRevoked(kCaId);
    if (!count.ok()) Die("CountRevoked", count.status());
    opt.count = *count;
  }
  long rss_before_kb = ProcStatusKb("VmRSS");
  long maxrss_before_kb = MaxRssKb();
  std::printf("key: %s\nrevoked: %lld\n", opt.key.c_str(), static_cast<long long>(opt.count));
  std::printf("rss_before_build_kib: %ld\nmaxrss_before_build_kib: %ld\n", rss_before_kb,
              maxrss_before_kb);

  Bytes crl;
  for (int iteration = 0; iteration < opt.iterations; ++iteration) {
    crl = Bytes();  // release the previous CRL before building the next
    SystemClock clock;
    auto t0 = Clock::now();
    TimePoint now = clock.Now();
    int64_t hint = 0;
    if (!opt.no_count_hint) {
      Result<int64_t> count = st.CountRevoked(kCaId);
      if (!count.ok()) Die("CountRevoked", count.status());
      hint = *count;
    }
    auto t1 = Clock::now();
    Result<int64_t> number = st.NextCrlNumber(kCaId, ToUnixMillis(now));
    if (!number.ok()) Die("NextCrlNumber", number.status());
    auto t2 = Clock::now();

    revocation::CrlInput in;
    in.issuer_name_der = issuer->name_der;
    in.authority_key_id = issuer->key_id;
    in.this_update = now - std::chrono::hours(1);  // AWS backdates thisUpdate by an hour
    in.next_update = now + std::chrono::hours(24 * 7);
    in.crl_number = *number;
    in.expected_entries = hint;  // 0 with --no-count-hint: the buffer grows as entries come
    Result<revocation::PreparedCrl> prepared =
        revocation::PrepareCrl(in, alg, revocation::StoreRevokedSource(st, kCaId));
    if (!prepared.ok()) Die("PrepareCrl", prepared.status());
    auto t3 = Clock::now();
    int64_t entries = prepared->entry_count();
    Result<Bytes> der = revocation::SignPreparedCrl(std::move(prepared).value(), *signer);
    if (!der.ok()) Die("SignPreparedCrl", der.status());
    auto t4 = Clock::now();
    crl = std::move(der).value();

    std::printf("iteration: %d\n", iteration + 1);
    std::printf("  entries: %lld\n", static_cast<long long>(entries));
    std::printf("  count_revoked_ms: %.1f\n", Ms(t1 - t0));
    std::printf("  next_crl_number_ms: %.1f\n", Ms(t2 - t1));
    std::printf("  scan_and_encode_ms: %.1f\n", Ms(t3 - t2));
    std::printf("  sign_and_wrap_ms: %.1f\n", Ms(t4 - t3));
    std::printf("  total_ms: %.1f\n", Ms(t4 - t0));
  }
  // ru_maxrss and VmHWM are both high-water marks; take the larger.
  long maxrss_kb = std::max(MaxRssKb(), ProcStatusKb("VmHWM"));
  double crl_mib = crl.size() / 1048576.0;
  std::printf("crl_bytes: %zu\ncrl_mib: %.2f\nbytes_per_entry: %.1f\n", crl.size(), crl_mib,
              opt.count > 0 ? static_cast<double>(crl.size()) / opt.count : 0.0);
  std::printf("peak_rss_kib: %ld\n", maxrss_kb);
  std::printf("peak_rss_over_crl: %.2f\n", maxrss_kb / 1024.0 / crl_mib);
  std::printf("build_peak_delta_kib: %ld\n", maxrss_kb - rss_before_kb);
  std::printf("build_peak_delta_over_crl: %.2f\n", (maxrss_kb - rss_before_kb) / 1024.0 / crl_mib);

  if (!opt.out.empty()) {
    std::ofstream(opt.out, std::ios::binary)
        .write(reinterpret_cast<const char*>(crl.data()), static_cast<std::streamsize>(crl.size()));
  }
  if (opt.verify) {
    auto t0 = Clock::now();
    const unsigned char* p = crl.data();
    x509::X509CrlPtr parsed(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.size())));
    const unsigned char* k = signer->public_key_der().data();
    x509::EvpPkeyPtr pub(
        d2i_PUBKEY(nullptr, &k, static_cast<long>(signer->public_key_der().size())));
    bool ok = parsed != nullptr && p == crl.data() + crl.size() &&
              X509_CRL_verify(parsed.get(), pub.get()) == 1 &&
              sk_X509_REVOKED_num(X509_CRL_get_REVOKED(parsed.get())) == opt.count;
    std::printf("verify: %s (%.0f ms, OpenSSL d2i_X509_CRL + X509_CRL_verify)\n",
                ok ? "ok" : "FAILED", Ms(Clock::now() - t0));
    if (!ok) return 1;
  }
  return 0;
}

int Main(int argc, char** argv) {
  Options opt;
  CLI::App app("Builds a CRL of --count revoked certificates from a temporary SQLite store.");
  app.add_option("-n,--count", opt.count, "revoked certificates (e.g. 100000, 1000000)");
  app.add_option("--store-revocations", opt.store_revocations,
                 "revoke this many of them through Store::RevokeCertificate (group commit)");
  app.add_option("--threads", opt.threads, "threads for --store-revocations");
  app.add_option("--der-bytes", opt.der_bytes, "placeholder certificate DER size per row");
  app.add_option("--key", opt.key, "rsa2048 | ec-p256");
  app.add_option("--dir", opt.dir, "parent of the temporary directory (default: $TMPDIR or /tmp)");
  app.add_option("--out", opt.out, "write the CRL (DER) here");
  app.add_option("--iterations", opt.iterations, "builds to time (the CRL number advances)");
  app.add_option("--db", opt.db, "build from this database (left by --keep) without populating");
  app.add_flag("--keep", opt.keep, "keep the temporary directory");
  app.add_flag("--no-count-hint", opt.no_count_hint,
               "skip CountRevoked: no capacity hint, the buffer grows (1.25x steps)");
  app.add_flag("--verify", opt.verify, "parse and verify the CRL with OpenSSL afterwards");
  CLI11_PARSE(app, argc, argv);
  if (opt.count < 0 || opt.store_revocations > opt.count || opt.threads < 1 || opt.iterations < 1 ||
      opt.der_bytes < 1) {
    std::cerr << "crl_bench: bad arguments\n";
    return 2;
  }

  if (!opt.db.empty()) return Build(opt, opt.db);

  std::string parent = opt.dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr ? tmp : "/tmp";
  }
  std::string dir = parent + "/openpca-crl-bench-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string db_path = dir + "/openpca.db";
  std::printf("dir: %s\n", dir.c_str());
  std::fflush(stdout);

  // Populate in a child so that the parent's peak RSS is the CRL build's alone.
  pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) {
    Populate(opt, db_path);
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "crl_bench: populating failed\n";
    return 1;
  }
  std::error_code ec;
  std::printf("db_mib: %.1f\n", std::filesystem::file_size(db_path, ec) / 1048576.0);

  int rc = Build(opt, db_path);
  if (!opt.keep) std::filesystem::remove_all(dir, ec);
  return rc;
}

}  // namespace
}  // namespace openpca::bench

int main(int argc, char** argv) { return openpca::bench::Main(argc, argv); }
