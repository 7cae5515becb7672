// Server configuration: defaults, overridden by a JSON file (--config), overridden by flags.
// The loader is strict: unknown keys and wrong types are errors, and every problem is reported at
// once. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace openpca::config {

struct ServerConfig {
  // "listen": "HOST:PORT" of the API listener. Default 127.0.0.1:8080. Port 0 = ephemeral.
  std::string listen = "127.0.0.1:8080";
  // "data_dir": database, keys, master key and credentials. Default ./data.
  std::string data_dir = "./data";
  // "region": the default region (ARNs of requests that name none, the startup hint). Default
  // us-east-1.
  std::string region = "us-east-1";
  // "regions": every region the endpoint serves; a request's SigV4 credential scope picks one and
  // its resources live there, as on AWS. Default: the standard regions of the aws partition
  // (kStandardRegions). `region` is always served.
  std::vector<std::string> regions;
  // "account_id": the 12-digit id of the bootstrap (management) account, used when the database
  // has none yet; env OPENPCA_ACCOUNT_ID overrides it. Default: a random id on first start.
  std::string account_id;
  // "public_url": base URL relying parties use for CRL/OCSP/CA certificate links.
  // Default: http://<listen>.
  std::string public_url;
  // "master_key_file": the 32-byte master key (0600). Default <data_dir>/master.key.
  std::string master_key_file;
  // "io_threads": threads that run the HTTP connections (each its own event loop) and answer
  // cached OCSP responses. Default 2 (docs/decisions.md "I/O threads").
  int io_threads = 2;
  // "worker_threads": threads that run operations (signing, database). Default 64.
  int worker_threads = 64;
  // "max_queued_requests": requests waiting for a worker before ThrottlingException. Default 4096.
  int max_queued_requests = 4096;
  // "tls_cert_file" / "tls_key_file": PEM files; when both are set the listener speaks TLS 1.2+.
  std::string tls_cert_file;
  std::string tls_key_file;
  // "crl_regenerate_delay_ms": how long after a revocation the CRL is rebuilt, in milliseconds
  // (a burst of revocations shares one CRL). Default 2000.
  int crl_regenerate_delay_ms = 2000;
  // "crl_partition_capacity": advanced/testing. Certificates per CRL partition of a PARTITIONED
  // CA, 1..16000. Default 16000, the most that keeps a partition CRL within 1 MB even if every
  // certificate in it were revoked (docs/decisions.md); smaller values only make more partitions.
  int crl_partition_capacity = 16000;
  // "ocsp_signer": who signs OCSP responses: "ca" (the CA key, for every response it signs) or
  // "delegate" (a delegated OCSP signing certificate openpca issues for each CA, with an
  // in-memory key, and replaces at half-life). Default "ca".
  std::string ocsp_signer = "ca";
  // "ocsp_delegate_lifetime_hours": validity of a delegated OCSP signing certificate, in hours,
  // 48..8760 (never past the CA certificate's notAfter). Default 168 (7 days).
  int ocsp_delegate_lifetime_hours = 168;
  // "trail_delivery_interval_s": how often CloudTrail log files are delivered to each logging
  // trail's bucket, in seconds, 1..86400. Default 300. Env OPENPCA_TRAIL_DELIVERY_INTERVAL_S
  // overrides it.
  int trail_delivery_interval_s = 300;
  // "trail_digest_interval_s": how often each trail with log-file validation gets a signed digest
  // file per region, in seconds, 1..86400. Default 3600. Env OPENPCA_TRAIL_DIGEST_INTERVAL_S
  // overrides it.
  int trail_digest_interval_s = 3600;
  // "trail_digest_key_lifetime_hours": how long one region's digest signing key signs before a
  // new one replaces it (the old public key stays listed by ListPublicKeys for its window), in
  // hours, 1..87600. Default 720 (30 days).
  int trail_digest_key_lifetime_hours = 720;
  // "log_level": trace | debug | info | warn | error. Default info.
  std::string log_level = "info";
};

// The regions of the aws partition that AWS Private CA serves, in the default "regions".
extern const std::vector<std::string> kStandardRegions;

// config.regions, or kStandardRegions when empty, with config.region first.
std::vector<std::string> ServedRegions(const ServerConfig& config);

// Reads the JSON file at `path` over `base`. Errors: kInvalidArgs listing every problem.
Result<ServerConfig> LoadConfigFile(const std::string& path, ServerConfig base);

// Checks the values (listen address form, thread counts, TLS pair). Errors: kInvalidArgs.
Status Validate(const ServerConfig& config);

// Splits "HOST:PORT" ("[::1]:8080" for IPv6). nullopt when malformed.
std::optional<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& listen);

}  // namespace openpca::config
