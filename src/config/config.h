// Server configuration: defaults, overridden by a JSON file (--config), overridden by flags.
// The loader is strict: unknown keys and wrong types are errors, and every problem is reported at
// once. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace openpca::config {

// "key_store": where CA keys are generated and kept (docs/operations.md "CA keys in an HSM").
struct KeyStoreConfig {
  // "type": "software" (sealed files under <data_dir>/keys) or "pkcs11" (a token of a PKCS#11
  // module). Keys of both kinds stay usable whichever is chosen; this picks where new CA keys
  // are generated. Default "software"; env OPENPCA_PKCS11_MODULE set selects "pkcs11".
  std::string type = "software";
  // "module": path of the PKCS#11 module (.so) to load, e.g. /usr/lib/softhsm/libsofthsm2.so.
  // Default "" (no PKCS#11 store); env OPENPCA_PKCS11_MODULE overrides it.
  std::string module;
  // "token_label": CKA_LABEL of the token (1-32 bytes). Default ""; env
  // OPENPCA_PKCS11_TOKEN_LABEL overrides it.
  std::string token_label;
  // "pin_file": file holding the user PIN (mode 0600 or 0400; one trailing newline ignored).
  // Default ""; env OPENPCA_PKCS11_PIN_FILE overrides it.
  std::string pin_file;
  // "max_sessions": PKCS#11 sessions open at most (one per concurrently signing thread; idle
  // ones are kept for reuse). Default 16.
  int max_sessions = 16;
  // "security_standard": the KeyStorageSecurityStandard CAs with keys on this token report and
  // may request: "" (none: what SoftHSM2 or an unvalidated token meets),
  // "FIPS_140_2_LEVEL_2_OR_HIGHER", "FIPS_140_2_LEVEL_3_OR_HIGHER" or "CCPC_LEVEL_1_OR_HIGHER".
  // Set it only for a token validated at that level. Default "" (docs/decisions.md).
  std::string security_standard;
};

// "store": where the durable state lives (docs/operations.md "Database").
struct StoreConfig {
  // "engine": "sqlite" (the file <data_dir>/openpca.db) or "postgres" (a PostgreSQL database,
  // which several servers may share). Default "sqlite"; env OPENPCA_POSTGRES_DSN set selects
  // "postgres".
  std::string engine = "sqlite";
  // "postgres_dsn": the libpq connection string of the database ("host=db.internal
  // dbname=openpca user=openpca" or a postgresql:// URI); required with "postgres", refused with
  // "sqlite". Default ""; env OPENPCA_POSTGRES_DSN overrides it. WARNING: keep the password out of
  // it: name a password file (mode 0600) with libpq's `passfile=` parameter instead. The value is
  // never logged or echoed in an error.
  std::string postgres_dsn;
  // "objects_dir": the built-in object store (S3 buckets: CRLs, audit reports, trail files).
  // Default "" = <data_dir>/buckets. Servers sharing a database must share this directory too
  // (the same network filesystem path). Env OPENPCA_OBJECTS_DIR overrides it.
  std::string objects_dir;
  // "lease_term_s": how long a server holds the lease of a periodic job (CRL sweep, renewals,
  // trail delivery, purges) without renewing it; another server takes a job over at most this
  // long after its holder died. 2..3600, default 30. Env OPENPCA_LEASE_TERM_S overrides it.
  int lease_term_s = 30;
  // "ocsp_cache_max_age_s": a cached OCSP response is re-read from the database once this old, so
  // a revocation made on another server is answered within it. 0..3600; default: 0 with
  // "sqlite" (one server: its own revocations invalidate at once), 5 with "postgres".
  // Env OPENPCA_OCSP_CACHE_MAX_AGE_S overrides it.
  int ocsp_cache_max_age_s = -1;  // -1: the engine's default
};

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
  // "audit_report_interval_s": advanced/testing. Least time between two audit reports of one CA,
  // in seconds, 0..86400; env OPENPCA_AUDIT_REPORT_INTERVAL_S overrides it. Default 1800 (AWS:
  // one report per CA every 30 minutes).
  int audit_report_interval_s = 1800;
  // "events_retry_base_ms": delay before the first retry of a failed event delivery to an API
  // destination, in milliseconds; each further retry waits twice as long, up to
  // events_retry_max_delay_ms. Env OPENPCA_EVENTS_RETRY_BASE_MS overrides it. Default 1000.
  int events_retry_base_ms = 1000;
  // "events_retry_max_delay_ms": the longest wait between two attempts, in milliseconds. Env
  // OPENPCA_EVENTS_RETRY_MAX_DELAY_MS overrides it. Default 300000 (5 minutes).
  int events_retry_max_delay_ms = 300000;
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
  // "acm_scheduler_interval_s": how often AWS Certificate Manager's scheduler looks for managed
  // renewals that are due and the day's "Approaching Expiration" events, in seconds (a pass
  // also runs at startup). Default 3600.
  int acm_scheduler_interval_s = 3600;
  // "crl_sweep_interval_s": how often the CRL publisher looks for CRLs past half of their
  // validity (and, on a server that just took the "crl-sweep" lease, for every CRL), in seconds,
  // 1..86400. Default 60. Env OPENPCA_CRL_SWEEP_INTERVAL_S overrides it.
  int crl_sweep_interval_s = 60;
  // "test_clock_offset_s": TEST ONLY. Seconds added to the server's clock for everything but
  // SigV4 request-time checks, so tests can see the server months ahead (managed renewal, expiry
  // events). Refused unless the environment has OPENPCA_ALLOW_TEST_CLOCK=1. Default 0.
  int64_t test_clock_offset_s = 0;
  // "log_level": trace | debug | info | warn | error. Default info.
  std::string log_level = "info";
  // Prometheus metrics (docs/operations.md "Metrics"); env variables override the file.
  // "metrics": serve GET <metrics_path> in the text exposition format 0.0.4. Default true.
  // Env OPENPCA_METRICS ("true" / "false").
  bool metrics = true;
  // "metrics_listen": "HOST:PORT" of a separate plain-HTTP listener that serves only the metrics;
  // "" = served on the API listener. Default "". Env OPENPCA_METRICS_LISTEN.
  std::string metrics_listen;
  // "metrics_path": the path scrapes use, starting with '/'. Default "/metrics".
  std::string metrics_path = "/metrics";
  // "metrics_bearer_token_file": a file (0600) holding the token scrapes must present as
  // "Authorization: Bearer <token>" (trailing newline ignored); "" = no authentication. Default
  // "". Env OPENPCA_METRICS_BEARER_TOKEN_FILE.
  std::string metrics_bearer_token_file;
  // "metrics_expiry_refresh_seconds": how long a scrape reuses the count of issued certificates
  // by time to expiry (a scan of the certificates table), in seconds; 0 = count at every scrape.
  // Default 300. Env OPENPCA_METRICS_EXPIRY_REFRESH_SECONDS.
  int metrics_expiry_refresh_seconds = 300;
  // "key_store": see KeyStoreConfig. Default: the software key store.
  KeyStoreConfig key_store;
  // "audit": {"record_events": true}: record every API call and service event in the CloudTrail
  // event history (LookupEvents, trails). Default true. false only to measure what recording
  // costs (docs/benchmarks.md); the environment variable OPENPCA_AUDIT_RECORD_EVENTS=0 does the
  // same.
  bool audit_record_events = true;
  // "store": see StoreConfig. Default: SQLite under data_dir.
  StoreConfig store;
};

// Applies the OPENPCA_METRICS* environment variables (above) read through `getenv` (nullopt:
// unset) over `config`. Errors: kInvalidArgs for an unparsable value.
Status ApplyMetricsEnvironment(
    ServerConfig& config,
    const std::function<std::optional<std::string>(const char* name)>& getenv);

// Applies OPENPCA_PKCS11_MODULE, OPENPCA_PKCS11_TOKEN_LABEL and OPENPCA_PKCS11_PIN_FILE over the
// file's "key_store" values; a module from the environment selects type "pkcs11".
void ApplyKeyStoreEnvironment(KeyStoreConfig& key_store);

// Applies OPENPCA_POSTGRES_DSN, read through `getenv` (nullopt: unset), over the file's "store"
// values: when set, it is the DSN and selects engine "postgres".
void ApplyStoreEnvironment(
    StoreConfig& store, const std::function<std::optional<std::string>(const char* name)>& getenv);

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
