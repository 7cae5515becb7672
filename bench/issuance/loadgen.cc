// openpca_loadgen: an HTTP/1.1 keep-alive load generator for the acm-pca JSON 1.1 API.
//
// Opens --concurrency connections to a loopback endpoint and, on each, sends one SigV4-signed
// request after another (no pipelining) until --duration has passed or --requests have been
// sent, whichever comes first. Operations: IssueCertificate (cycling over a pool of P-256 CSRs
// made before the clock starts), GetCertificate (cycling over certificates issued before the
// clock starts), or mixed (alternating). Afterwards it fetches --verify-sample issued
// certificates and checks each with X509_verify against the CA certificate (and that it carries
// the CSR's public key).
//
// Latency is measured per request from just before the request is written (after signing) to
// the end of the response, and summarized with exact percentiles over all samples.
//
// Signing uses api::SignRequest (src/api/sigv4.h), which caches the derived signing key per
// thread, keyed by (secret, date, region, service): the HMAC chain runs once per day and thread.
//
// WARNING: refuses any endpoint that does not resolve only to loopback addresses, and connects
// only to the addresses it checked.
// A benchmark, not a test: it prints figures and asserts nothing about them.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "api/sigv4.h"
#include "bench_stats.h"
#include "common/bytes.h"
#include "csr_pool.h"
#include "x509/ossl.h"

namespace openpca::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr std::string_view kTargetPrefix = "ACMPrivateCA.";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";
constexpr double kMaxDurationSeconds = 300;
constexpr int64_t kMaxRequests = 1'000'000;
constexpr auto kRequestTimeout = std::chrono::seconds(30);

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "openpca_loadgen: %s\n", message.c_str());
  std::exit(1);
}

// --- Endpoint and credentials. ---

struct Endpoint {
  std::string host;                       // as given, without brackets
  std::string port;                       // decimal
  std::string host_header;                // "127.0.0.1:8080" or "[::1]:8080"
  tcp::resolver::results_type addresses;  // resolved and checked to be loopback
};

bool IsLoopback(const asio::ip::address& a) {
  if (a.is_v4()) return a.to_v4().is_loopback();
  asio::ip::address_v6 v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
  }
  return v6.is_loopback();
}

// Accepts http://HOST[:PORT][/]; HOST a name, an IPv4 address or a bracketed IPv6 address.
Endpoint ParseEndpoint(asio::io_context& io, const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    Die("--endpoint must be an http:// URL on a loopback address (got '" + url + "')");
  }
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos || rest.find('@') != std::string::npos) {
    Die("--endpoint must be http://HOST:PORT without path or user info");
  }
  Endpoint ep;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) Die("--endpoint: unterminated '[' in " + url);
    ep.host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    ep.port = after.empty() ? "80" : (after[0] == ':' ? after.substr(1) : "");
  } else {
    size_t colon = rest.rfind(':');
    ep.host = rest.substr(0, colon);
    ep.port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  }
  if (ep.host.empty() || ep.port.empty() ||
      ep.port.find_first_not_of("0123456789") != std::string::npos) {
    Die("--endpoint: cannot parse host and port of " + url);
  }
  ep.host_header = (ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host) +
                   (ep.port == "80" ? "" : ":" + ep.port);
  tcp::resolver resolver(io);
  beast::error_code ec;
  ep.addresses = resolver.resolve(ep.host, ep.port, ec);
  if (ec || ep.addresses.empty()) Die("cannot resolve " + ep.host + ": " + ec.message());
  for (const auto& entry : ep.addresses) {
    if (!IsLoopback(entry.endpoint().address())) {
      Die("refusing non-loopback endpoint " + url + " (" + entry.endpoint().address().to_string() +
          "): this tool only targets loopback");
    }
  }
  return ep;
}

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (STS); empty for long-term keys
};

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// AWS shared credentials file: "[profile]" sections of "key = value" lines.
Credentials ReadCredentialsFile(const std::string& path, const std::string& profile) {
  std::ifstream in(path);
  if (!in) Die("cannot read credentials file " + path);
  Credentials c;
  std::string line, section;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(line.substr(1, line.size() - 2));
      continue;
    }
    if (section != profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key_id = value;
    if (key == "aws_secret_access_key") c.secret_access_key = value;
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    Die("credentials file " + path + " has no key pair in profile [" + profile + "]");
  }
  return c;
}

// --- Requests and responses. ---

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct ClientConfig {
  Endpoint endpoint;
  Credentials credentials;
  std::string region;
};

// A signed POST / for `operation` with `body`.
Request MakeRequest(const ClientConfig& cfg, std::string_view operation, std::string body) {
  Request req{http::verb::post, "/", 11};
  std::string target = std::string(kTargetPrefix) + std::string(operation);
  req.set(http::field::host, cfg.endpoint.host_header);
  req.set(http::field::content_type, beast::string_view(kContentType.data(), kContentType.size()));
  req.set("X-Amz-Target", target);
  req.body() = std::move(body);
  req.prepare_payload();
  std::vector<api::sigv4::Header> headers = {
      {"Host", cfg.endpoint.host_header},
      {"Content-Type", kContentType},
      {"X-Amz-Target", target},
  };
  if (!cfg.credentials.session_token.empty()) {
    req.set("X-Amz-Security-Token", cfg.credentials.session_token);
    headers.push_back({"X-Amz-Security-Token", cfg.credentials.session_token});
  }
  api::SignableRequest signable{"POST", "/", headers, req.body()};
  api::SigningParams params{cfg.credentials.access_key_id, cfg.credentials.secret_access_key,
                            cfg.region, "acm-pca", std::chrono::system_clock::now()};
  for (auto& [name, value] : api::SignRequest(signable, params)) req.set(name, value);
  return req;
}

// The AWS error code of a failed response: x-amzn-ErrorType, else the body's __type, else
// "HTTP_<status>".
std::string ErrorCodeOf(const Response& res) {
  auto it = res.find("x-amzn-ErrorType");
  if (it != res.end()) {
    std::string v(it->value());
    return v.substr(0, v.find(':'));
  }
  json body = json::parse(res.body(), nullptr, false);
  if (body.is_object() && body.contains("__type") && body["__type"].is_string()) {
    std::string v = body["__type"].get<std::string>();
    return v.substr(v.find('#') == std::string::npos ? 0 : v.find('#') + 1);
  }
  return "HTTP_" + std::to_string(res.result_int());
}

// Blocking client for setup and verification (before and after the timed phase).
class SyncClient {
 public:
  struct Reply {
    bool ok = false;
    std::string error;  // AWS error code, or "transport: ..."
    json body;
  };

  SyncClient(asio::io_context& io, const ClientConfig& cfg) : cfg_(cfg), stream_(io) {}

  Reply Call(std::string_view operation, const json& input) {
    Reply reply;
    beast::error_code ec;
    if (!connected_) {
      stream_.expires_after(kRequestTimeout);
      stream_.connect(cfg_.endpoint.addresses, ec);
      if (ec) return Fail("transport: connect: " + ec.message());
      stream_.socket().set_option(tcp::no_delay(true), ec);
      connected_ = true;
    }
    Request req = MakeRequest(cfg_, operation, input.dump());
    stream_.expires_after(kRequestTimeout);
    http::write(stream_, req, ec);
    if (ec) return Fail("transport: write: " + ec.message());
    Response res;
    http::read(stream_, buffer_, res, ec);
    if (ec) return Fail("transport: read: " + ec.message());
    if (!res.keep_alive()) Close();
    if (res.result() != http::status::ok) {
      reply.error = ErrorCodeOf(res) + ": " + res.body();
      return reply;
    }
    reply.body = json::parse(res.body(), nullptr, false);
    if (reply.body.is_discarded()) {
      reply.error = "unparsable response body";
      return reply;
    }
    reply.ok = true;
    return reply;
  }

  // Calls `operation` until it stops answering RequestInProgressException (at most ~10 s).
  json CallOrDie(std::string_view operation, const json& input) {
    for (int attempt = 0;; ++attempt) {
      Reply r = Call(operation, input);
      if (r.ok) return r.body;
      if (r.error.rfind("RequestInProgressException", 0) == 0 && attempt < 100) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      Die(std::string(operation) + " failed: " + r.error);
    }
  }

 private:
  Reply Fail(std::string error) {
    Close();
    Reply r;
    r.error = std::move(error);
    return r;
  }
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  const ClientConfig& cfg_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

std::string Base64(std::string_view text) { return Base64Encode(AsSpan(text)); }

// CreateCertificateAuthority → GetCertificateAuthorityCsr → IssueCertificate
// (RootCACertificate/V1) → GetCertificate → ImportCertificateAuthorityCertificate.
// The signing algorithm a CA of `key_algorithm` issues with in this benchmark.
std::string SigningAlgorithmFor(const std::string& key_algorithm) {
  if (key_algorithm.rfind("RSA_", 0) == 0) return "SHA256WITHRSA";
  if (key_algorithm == "SM2") return "SM3WITHSM2";
  if (key_algorithm == "EC_secp384r1") return "SHA384WITHECDSA";
  if (key_algorithm == "EC_secp521r1") return "SHA512WITHECDSA";
  return "SHA256WITHECDSA";
}

std::string CreateActiveRoot(SyncClient& client, const std::string& key_algorithm) {
  const std::string sig = SigningAlgorithmFor(key_algorithm);
  json create = {
      {"CertificateAuthorityType", "ROOT"},
      {"CertificateAuthorityConfiguration",
       {{"KeyAlgorithm", key_algorithm},
        {"SigningAlgorithm", sig},
        {"Subject", {{"CommonName", "openpca loadgen root"}, {"Organization", "openpca bench"}}}}}};
  std::string ca_arn =
      client.CallOrDie("CreateCertificateAuthority", create)["CertificateAuthorityArn"];
  json csr = client.CallOrDie("GetCertificateAuthorityCsr", {{"CertificateAuthorityArn", ca_arn}});
  json issue = {{"CertificateAuthorityArn", ca_arn},
                {"Csr", Base64(csr["Csr"].get<std::string>())},
                {"SigningAlgorithm", sig},
                {"TemplateArn", "arn:aws:acm-pca:::template/RootCACertificate/V1"},
                {"Validity", {{"Type", "YEARS"}, {"Value", 10}}}};
  std::string cert_arn = client.CallOrDie("IssueCertificate", issue)["CertificateArn"];
  json cert = client.CallOrDie("GetCertificate",
                               {{"CertificateAuthorityArn", ca_arn}, {"CertificateArn", cert_arn}});
  client.CallOrDie("ImportCertificateAuthorityCertificate",
                   {{"CertificateAuthorityArn", ca_arn},
                    {"Certificate", Base64(cert["Certificate"].get<std::string>())}});
  return ca_arn;
}

x509::X509Ptr ParsePemCertificate(const std::string& pem) {
  x509::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return nullptr;
  return x509::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// --- The timed phase. ---

enum class Operation { kIssue, kGet, kMixed };

struct IssuedCert {
  std::string arn;
  int csr_index = -1;  // into the CSR pool; -1 when unknown
};

// Per connection; only its own coroutine touches it.
struct ConnectionStats {
  int64_t requests = 0;
  int64_t ok = 0;
  std::vector<int64_t> latency_ns[2];  // [0] IssueCertificate, [1] GetCertificate (ok only)
  std::map<std::string, int64_t> errors;
  std::vector<IssuedCert> issued;
  Steady::time_point last_done{};
};

struct LoadPlan {
  const ClientConfig* cfg = nullptr;
  Operation operation = Operation::kIssue;
  std::vector<std::string> issue_bodies;  // one per pooled CSR
  std::vector<std::string> get_bodies;    // one per pre-issued certificate
  Steady::time_point deadline;
  int64_t max_requests = 0;
  std::atomic<int64_t> claimed{0};
};

asio::awaitable<void> RunConnection(LoadPlan& plan, ConnectionStats& stats) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  beast::flat_buffer buffer;
  bool connected = false;
  beast::error_code ec;
  for (;;) {
    if (Steady::now() >= plan.deadline) break;
    int64_t n = plan.claimed.fetch_add(1, std::memory_order_relaxed);
    if (n >= plan.max_requests) break;
    ++stats.requests;
    if (!connected) {
      stream.expires_after(kRequestTimeout);
      co_await stream.async_connect(plan.cfg->endpoint.addresses,
                                    asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        ++stats.errors["transport:connect"];
        asio::steady_timer backoff(executor, std::chrono::milliseconds(50));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      stream.socket().set_option(tcp::no_delay(true), ec);
      connected = true;
    }
    const bool issue =
        plan.operation == Operation::kIssue || (plan.operation == Operation::kMixed && n % 2 == 0);
    const int64_t k = plan.operation == Operation::kMixed ? n / 2 : n;
    const size_t index =
        static_cast<size_t>(k) % (issue ? plan.issue_bodies.size() : plan.get_bodies.size());
    Request req = MakeRequest(*plan.cfg, issue ? "IssueCertificate" : "GetCertificate",
                              issue ? plan.issue_bodies[index] : plan.get_bodies[index]);
    Response res;
    Steady::time_point t0 = Steady::now();
    stream.expires_after(kRequestTimeout);
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
    }
    Steady::time_point t1 = Steady::now();
    stats.last_done = t1;
    if (ec) {
      ++stats.errors["transport:" + ec.message()];
      beast::error_code ignored;
      stream.socket().close(ignored);
      buffer.clear();
      connected = false;
      continue;
    }
    if (res.result() == http::status::ok) {
      ++stats.ok;
      stats.latency_ns[issue ? 0 : 1].push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
      if (issue) {
        json body = json::parse(res.body(), nullptr, false);
        if (body.is_object() && body.contains("CertificateArn")) {
          stats.issued.push_back(
              {body["CertificateArn"].get<std::string>(), static_cast<int>(index)});
        }
      }
    } else {
      ++stats.errors[ErrorCodeOf(res)];
    }
    if (!res.keep_alive()) {
      beast::error_code ignored;
      stream.socket().close(ignored);
      buffer.clear();
      connected = false;
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

void PrintLatency(const char* label, std::vector<int64_t>& samples) {
  LatencySummary s = Summarize(samples);
  std::printf("latency_ms %-16s n=%zu p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f\n", label,
              s.count, s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, s.mean_ms);
}

int Main(int argc, char** argv) {
  std::string endpoint_url, credentials_file, profile = "default", access_key, secret,
                                              region = "us-east-1", ca_arn,
                                              operation_name = "IssueCertificate";
  bool create_ca = false;
  std::string ca_key_algorithm = "EC_prime256v1";
  int concurrency = 32, csr_pool_size = 256, verify_sample = 100, threads = 1;
  double duration = 10;
  int64_t max_requests = 100'000;

  CLI::App app{"openpca_loadgen: SigV4 HTTP/1.1 keep-alive load for the acm-pca API (loopback)"};
  app.add_option("--endpoint", endpoint_url, "http://127.0.0.1:PORT (loopback only)")->required();
  app.add_option("--credentials", credentials_file, "AWS credentials file (e.g. DATA/credentials)");
  app.add_option("--profile", profile, "Profile in the credentials file (default 'default')");
  app.add_option("--access-key", access_key, "Access key id (instead of --credentials)");
  app.add_option("--secret", secret, "Secret access key (instead of --credentials)");
  std::string session_token;
  app.add_option("--session-token", session_token,
                 "Session token of temporary credentials (with --access-key and --secret)");
  app.add_option("--region", region, "SigV4 region (default us-east-1)");
  auto* ca_opt = app.add_option("--ca-arn", ca_arn, "An ACTIVE CA to issue from");
  auto* create_opt = app.add_flag("--create-ca", create_ca,
                                  "Create and activate an EC P-256 root CA through the API");
  ca_opt->excludes(create_opt);
  app.add_option("--ca-key-algorithm", ca_key_algorithm,
                 "KeyAlgorithm of the CA --create-ca makes (default EC_prime256v1; RSA_2048, "
                 "EC_secp384r1, ...); certificates are signed with SHA-256 (RSA, P-256), SHA-384 "
                 "(P-384), SHA-512 (P-521) or SM3")
      ->check(CLI::IsMember({"EC_prime256v1", "EC_secp384r1", "EC_secp521r1", "RSA_2048",
                             "RSA_3072", "RSA_4096", "SM2"}));
  app.add_option("--concurrency", concurrency, "Connections (default 32)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--threads", threads, "Client I/O threads (default 1)")->check(CLI::Range(1, 64));
  app.add_option("--duration", duration, "Seconds of load (default 10, at most 300)")
      ->check(CLI::Range(0.1, kMaxDurationSeconds));
  app.add_option("--requests", max_requests,
                 "Stop after this many requests (default 100000, at most 1000000)")
      ->check(CLI::Range(int64_t{1}, kMaxRequests));
  app.add_option("--csr-pool", csr_pool_size,
                 "P-256 CSRs made before the clock starts; also the number of certificates "
                 "pre-issued for GetCertificate (default 256)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--operation", operation_name, "IssueCertificate | GetCertificate | mixed")
      ->check(CLI::IsMember({"IssueCertificate", "GetCertificate", "mixed"}));
  app.add_option("--verify-sample", verify_sample,
                 "Issued certificates fetched and verified afterwards (default 100)")
      ->check(CLI::Range(0, 100000));
  CLI11_PARSE(app, argc, argv);

  if (!create_ca && ca_arn.empty()) Die("give --ca-arn or --create-ca");
  const Operation operation = operation_name == "IssueCertificate" ? Operation::kIssue
                              : operation_name == "GetCertificate" ? Operation::kGet
                                                                   : Operation::kMixed;
  asio::io_context io;
  ClientConfig cfg;
  cfg.endpoint = ParseEndpoint(io, endpoint_url);
  cfg.region = region;
  if (!credentials_file.empty()) {
    cfg.credentials = ReadCredentialsFile(credentials_file, profile);
  } else if (!access_key.empty() && !secret.empty()) {
    cfg.credentials = {access_key, secret, session_token};
  } else {
    Die("give --credentials FILE or both --access-key and --secret");
  }

  SyncClient client(io, cfg);
  if (create_ca) {
    ca_arn = CreateActiveRoot(client, ca_key_algorithm);
    std::printf("created and activated CA: %s\n", ca_arn.c_str());
  }
  std::printf("ca-arn: %s\n", ca_arn.c_str());
  // With --ca-arn the CA's key algorithm is read back, so that the signing algorithm fits it.
  if (!create_ca) {
    json described = client.CallOrDie("DescribeCertificateAuthority",
                                      {{"CertificateAuthorityArn", ca_arn}});
    ca_key_algorithm = described["CertificateAuthority"]["CertificateAuthorityConfiguration"]
                                ["KeyAlgorithm"]
                                    .get<std::string>();
  }
  const std::string signing_algorithm = SigningAlgorithmFor(ca_key_algorithm);
  std::printf("ca-key-algorithm: %s, signing algorithm %s\n", ca_key_algorithm.c_str(),
              signing_algorithm.c_str());
  std::fflush(stdout);
  x509::X509Ptr ca_cert;
  if (verify_sample > 0) {
    json reply = client.CallOrDie("GetCertificateAuthorityCertificate",
                                  {{"CertificateAuthorityArn", ca_arn}});
    ca_cert = ParsePemCertificate(reply.value("Certificate", std::string()));
    if (ca_cert == nullptr) Die("cannot parse the CA certificate");
  }

  // --- Everything the timed phase needs, made before the clock starts. ---
  Steady::time_point prep_start = Steady::now();
  std::vector<PooledCsr> pool = MakeCsrPool(csr_pool_size);
  LoadPlan plan;
  plan.cfg = &cfg;
  plan.operation = operation;
  for (const PooledCsr& c : pool) {
    plan.issue_bodies.push_back(json{{"CertificateAuthorityArn", ca_arn},
                                     {"Csr", Base64(c.pem)},
                                     {"SigningAlgorithm", signing_algorithm},
                                     {"Validity", {{"Type", "DAYS"}, {"Value", 30}}}}
                                    .dump());
  }
  std::printf("csr pool: %d P-256 CSRs in %.2f s\n", csr_pool_size,
              std::chrono::duration<double>(Steady::now() - prep_start).count());
  std::vector<IssuedCert> preissued;
  if (operation != Operation::kIssue) {
    Steady::time_point t = Steady::now();
    for (int i = 0; i < csr_pool_size; ++i) {
      json r = client.CallOrDie("IssueCertificate", json::parse(plan.issue_bodies[i]));
      std::string arn = r["CertificateArn"];
      plan.get_bodies.push_back(
          json{{"CertificateAuthorityArn", ca_arn}, {"CertificateArn", arn}}.dump());
      preissued.push_back({arn, i});
    }
    std::printf("pre-issued %d certificates for GetCertificate in %.2f s\n", csr_pool_size,
                std::chrono::duration<double>(Steady::now() - t).count());
  }

  std::printf(
      "load: %s, %d connections, %d client thread(s), up to %.1f s or %lld requests, "
      "endpoint %s\n",
      operation_name.c_str(), concurrency, threads, duration, static_cast<long long>(max_requests),
      endpoint_url.c_str());
  std::fflush(stdout);

  // --- Timed phase. ---
  std::vector<ConnectionStats> stats(static_cast<size_t>(concurrency));
  for (auto& s : stats) {
    s.latency_ns[0].reserve(4096);
    s.latency_ns[1].reserve(4096);
  }
  plan.max_requests = max_requests;
  const Steady::time_point start = Steady::now();
  plan.deadline =
      start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(duration));
  for (auto& s : stats) asio::co_spawn(io, RunConnection(plan, s), asio::detached);
  // Watchdog: in-flight requests get kRequestTimeout after the deadline, then everything stops.
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const Steady::time_point limit = plan.deadline + kRequestTimeout + std::chrono::seconds(5);
    while (!finished.load()) {
      if (Steady::now() > limit) {
        std::fprintf(stderr, "openpca_loadgen: watchdog: stopping stuck connections\n");
        io.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::vector<std::thread> runners;
  for (int t = 1; t < threads; ++t) runners.emplace_back([&io] { io.run(); });
  io.run();  // returns once every connection has finished
  for (auto& r : runners) r.join();
  finished.store(true);
  watchdog.join();
  io.restart();  // the verification phase below uses the same io_context
  Steady::time_point end = start;
  for (const auto& s : stats) end = std::max(end, s.last_done);
  const double elapsed = std::chrono::duration<double>(end - start).count();

  // --- Results. ---
  int64_t requests = 0, ok = 0, errors = 0;
  std::map<std::string, int64_t> by_code;
  std::vector<int64_t> lat_issue, lat_get, lat_all;
  std::vector<IssuedCert> issued;
  for (auto& s : stats) {
    requests += s.requests;
    ok += s.ok;
    for (const auto& [code, count] : s.errors) {
      by_code[code] += count;
      errors += count;
    }
    lat_issue.insert(lat_issue.end(), s.latency_ns[0].begin(), s.latency_ns[0].end());
    lat_get.insert(lat_get.end(), s.latency_ns[1].begin(), s.latency_ns[1].end());
    issued.insert(issued.end(), s.issued.begin(), s.issued.end());
  }
  lat_all = lat_issue;
  lat_all.insert(lat_all.end(), lat_get.begin(), lat_get.end());

  std::printf("requests:   %lld\n", static_cast<long long>(requests));
  std::printf("ok:         %lld\n", static_cast<long long>(ok));
  std::printf("errors:     %lld", static_cast<long long>(errors));
  for (const auto& [code, count] : by_code) {
    std::printf("  %s=%lld", code.c_str(), static_cast<long long>(count));
  }
  std::printf("\nelapsed_s:  %.3f\n", elapsed);
  std::printf("throughput: %.1f req/s (ok %.1f/s)\n", static_cast<double>(requests) / elapsed,
              static_cast<double>(ok) / elapsed);
  if (operation == Operation::kIssue) {
    std::printf("issued:     %.1f certificates/s\n",
                static_cast<double>(lat_issue.size()) / elapsed);
  }
  LatencySummary all = Summarize(lat_all);
  if (operation == Operation::kMixed) {
    PrintLatency("IssueCertificate", lat_issue);
    PrintLatency("GetCertificate", lat_get);
  }
  PrintLatency("all", lat_all);

  // --- Verification of a sample, after the clock. ---
  std::vector<IssuedCert>& candidates = issued.empty() ? preissued : issued;
  int verified = 0, failed = 0;
  const size_t sample = std::min<size_t>(static_cast<size_t>(verify_sample), candidates.size());
  EVP_PKEY* ca_key = ca_cert != nullptr ? X509_get0_pubkey(ca_cert.get()) : nullptr;
  for (size_t i = 0; i < sample; ++i) {
    const IssuedCert& c = candidates[i * candidates.size() / sample];
    SyncClient::Reply r = client.Call(
        "GetCertificate", {{"CertificateAuthorityArn", ca_arn}, {"CertificateArn", c.arn}});
    x509::X509Ptr cert =
        r.ok ? ParsePemCertificate(r.body.value("Certificate", std::string())) : nullptr;
    bool good = cert != nullptr && ca_key != nullptr && X509_verify(cert.get(), ca_key) == 1;
    if (good && c.csr_index >= 0) {
      good = EVP_PKEY_eq(X509_get0_pubkey(cert.get()),
                         pool[static_cast<size_t>(c.csr_index)].key.get()) == 1;
    }
    ERR_clear_error();
    if (good) {
      ++verified;
    } else {
      ++failed;
      if (failed <= 3) {
        std::fprintf(stderr, "verify failed: %s (%s)\n", c.arn.c_str(),
                     r.ok ? "signature or public key mismatch" : r.error.c_str());
      }
    }
  }
  std::printf("verify:     %zu sampled, %d verified, %d failed\n", sample, verified, failed);
  std::printf(
      "RESULT operation=%s concurrency=%d requests=%lld ok=%lld errors=%lld elapsed_s=%.3f "
      "rps=%.1f ok_per_s=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f verified=%d "
      "verify_failed=%d\n",
      operation_name.c_str(), concurrency, static_cast<long long>(requests),
      static_cast<long long>(ok), static_cast<long long>(errors), elapsed,
      static_cast<double>(requests) / elapsed, static_cast<double>(ok) / elapsed, all.p50_ms,
      all.p90_ms, all.p99_ms, all.max_ms, verified, failed);
  return failed > 0 ? 3 : 0;
}

}  // namespace
}  // namespace openpca::bench

int main(int argc, char** argv) { return openpca::bench::Main(argc, argv); }
