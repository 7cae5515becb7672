#include "config/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/crl_location.h"

namespace openpca::config {
namespace {

using json = nlohmann::json;

}  // namespace

std::optional<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return std::nullopt;
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  for (char c : port)
    if (c < '0' || c > '9') return std::nullopt;
  int p = std::stoi(port);
  if (p > 65535) return std::nullopt;
  return std::make_pair(host, static_cast<uint16_t>(p));
}

Result<ServerConfig> LoadConfigFile(const std::string& path, ServerConfig config) {
  std::ifstream in(path);
  if (!in) return Status(ErrorCode::kInvalidArgs, "cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(ErrorCode::kInvalidArgs, path + ": not a JSON object");
  }
  std::vector<std::string> problems;
  auto str = [&](const char* key, std::string& field) {
    if (!j.contains(key)) return;
    if (!j[key].is_string()) {
      problems.push_back(std::string(key) + " must be a string");
    } else {
      field = j[key].get<std::string>();
    }
  };
  auto boolean = [&](const char* key, bool& field) {
    if (!j.contains(key)) return;
    if (!j[key].is_boolean()) {
      problems.push_back(std::string(key) + " must be true or false");
    } else {
      field = j[key].get<bool>();
    }
  };
  auto num = [&](const char* key, int& field) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer()) {
      problems.push_back(std::string(key) + " must be an integer");
    } else {
      field = j[key].get<int>();
    }
  };
  static const char* kKnown[] = {"listen",      "data_dir",      "region",
                                 "public_url",  "master_key_file", "io_threads",
                                 "worker_threads", "max_queued_requests", "tls_cert_file",
                                 "tls_key_file", "log_level", "crl_regenerate_delay_ms",
                                 "crl_partition_capacity", "ocsp_signer",
                                 "ocsp_delegate_lifetime_hours", "regions", "account_id",
                                 "metrics", "metrics_listen", "metrics_path",
                                 "metrics_bearer_token_file", "metrics_expiry_refresh_seconds",
                                 "audit_report_interval_s",
                                 "events_retry_base_ms", "events_retry_max_delay_ms",
                                 "key_store",
                                 "trail_delivery_interval_s", "trail_digest_interval_s",
                                 "trail_digest_key_lifetime_hours",
                                 "audit", "store",
                                 "acm_scheduler_interval_s", "crl_sweep_interval_s",
                                 "test_clock_offset_s"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) problems.push_back("unknown key \"" + key + "\"");
  }
  str("listen", config.listen);
  str("data_dir", config.data_dir);
  str("region", config.region);
  str("account_id", config.account_id);
  str("public_url", config.public_url);
  str("master_key_file", config.master_key_file);
  num("io_threads", config.io_threads);
  num("worker_threads", config.worker_threads);
  num("max_queued_requests", config.max_queued_requests);
  str("tls_cert_file", config.tls_cert_file);
  str("tls_key_file", config.tls_key_file);
  str("log_level", config.log_level);
  num("crl_regenerate_delay_ms", config.crl_regenerate_delay_ms);
  num("crl_partition_capacity", config.crl_partition_capacity);
  str("ocsp_signer", config.ocsp_signer);
  num("ocsp_delegate_lifetime_hours", config.ocsp_delegate_lifetime_hours);
  boolean("metrics", config.metrics);
  str("metrics_listen", config.metrics_listen);
  str("metrics_path", config.metrics_path);
  str("metrics_bearer_token_file", config.metrics_bearer_token_file);
  num("metrics_expiry_refresh_seconds", config.metrics_expiry_refresh_seconds);
  num("audit_report_interval_s", config.audit_report_interval_s);
  num("events_retry_base_ms", config.events_retry_base_ms);
  num("events_retry_max_delay_ms", config.events_retry_max_delay_ms);
  num("trail_delivery_interval_s", config.trail_delivery_interval_s);
  num("trail_digest_interval_s", config.trail_digest_interval_s);
  num("trail_digest_key_lifetime_hours", config.trail_digest_key_lifetime_hours);
  num("acm_scheduler_interval_s", config.acm_scheduler_interval_s);
  num("crl_sweep_interval_s", config.crl_sweep_interval_s);
  if (j.contains("test_clock_offset_s")) {
    if (!j["test_clock_offset_s"].is_number_integer()) {
      problems.push_back("test_clock_offset_s must be an integer");
    } else {
      config.test_clock_offset_s = j["test_clock_offset_s"].get<int64_t>();
    }
  }
  if (j.contains("regions")) {
    const nlohmann::json& list = j["regions"];
    bool ok = list.is_array();
    std::vector<std::string> regions;
    for (const auto& r : ok ? list : nlohmann::json::array()) {
      if (!r.is_string()) {
        ok = false;
        break;
      }
      regions.push_back(r.get<std::string>());
    }
    if (ok) {
      config.regions = std::move(regions);
    } else {
      problems.push_back("regions must be an array of strings");
    }
  }
  if (j.contains("key_store")) {
    const json& ks = j["key_store"];
    if (!ks.is_object()) {
      problems.push_back("key_store must be an object");
    } else {
      static const char* kKeyStoreKeys[] = {"type",     "module",       "token_label",
                                            "pin_file", "max_sessions", "security_standard"};
      for (const auto& [key, value] : ks.items()) {
        bool known = false;
        for (const char* k : kKeyStoreKeys) known = known || key == k;
        if (!known) problems.push_back("unknown key \"key_store." + key + "\"");
      }
      auto ks_str = [&](const char* key, std::string& field) {
        if (!ks.contains(key)) return;
        if (!ks[key].is_string()) {
          problems.push_back(std::string("key_store.") + key + " must be a string");
        } else {
          field = ks[key].get<std::string>();
        }
      };
      ks_str("type", config.key_store.type);
      ks_str("module", config.key_store.module);
      ks_str("token_label", config.key_store.token_label);
      ks_str("pin_file", config.key_store.pin_file);
      ks_str("security_standard", config.key_store.security_standard);
      if (ks.contains("max_sessions")) {
        if (!ks["max_sessions"].is_number_integer()) {
          problems.push_back("key_store.max_sessions must be an integer");
        } else {
          config.key_store.max_sessions = ks["max_sessions"].get<int>();
        }
      }
    }
  }
  if (j.contains("audit")) {
    const nlohmann::json& audit = j["audit"];
    if (!audit.is_object()) {
      problems.push_back("audit must be an object");
    } else {
      for (const auto& [key, value] : audit.items()) {
        if (key != "record_events") problems.push_back("unknown key \"audit." + key + "\"");
      }
      if (audit.contains("record_events")) {
        if (!audit["record_events"].is_boolean()) {
          problems.push_back("audit.record_events must be a boolean");
        } else {
          config.audit_record_events = audit["record_events"].get<bool>();
        }
      }
    }
  }
  if (j.contains("store")) {
    const json& st = j["store"];
    if (!st.is_object()) {
      problems.push_back("store must be an object");
    } else {
      for (const auto& [key, value] : st.items()) {
        if (key != "engine" && key != "postgres_dsn" && key != "objects_dir" &&
            key != "lease_term_s" && key != "ocsp_cache_max_age_s") {
          problems.push_back("unknown key \"store." + key + "\"");
        }
      }
      auto store_str = [&](const char* key, std::string& field) {
        if (!st.contains(key)) return;
        if (!st[key].is_string()) {
          problems.push_back(std::string("store.") + key + " must be a string");
        } else {
          field = st[key].get<std::string>();
        }
      };
      store_str("engine", config.store.engine);
      store_str("postgres_dsn", config.store.postgres_dsn);
      store_str("objects_dir", config.store.objects_dir);
      auto store_int = [&](const char* key, int& field) {
        if (!st.contains(key)) return;
        if (!st[key].is_number_integer()) {
          problems.push_back(std::string("store.") + key + " must be an integer");
        } else {
          field = st[key].get<int>();
        }
      };
      store_int("lease_term_s", config.store.lease_term_s);
      store_int("ocsp_cache_max_age_s", config.store.ocsp_cache_max_age_s);
    }
  }
  if (!problems.empty()) {
    std::string message = path + ":";
    for (const auto& p : problems) message += "\n  " + p;
    return Status(ErrorCode::kInvalidArgs, message);
  }
  return config;
}

Status ApplyMetricsEnvironment(
    ServerConfig& config,
    const std::function<std::optional<std::string>(const char* name)>& getenv) {
  std::vector<std::string> problems;
  if (std::optional<std::string> v = getenv("OPENPCA_METRICS")) {
    if (*v == "true" || *v == "1") {
      config.metrics = true;
    } else if (*v == "false" || *v == "0") {
      config.metrics = false;
    } else {
      problems.push_back("OPENPCA_METRICS must be true or false");
    }
  }
  if (std::optional<std::string> v = getenv("OPENPCA_METRICS_LISTEN")) config.metrics_listen = *v;
  if (std::optional<std::string> v = getenv("OPENPCA_METRICS_BEARER_TOKEN_FILE")) {
    config.metrics_bearer_token_file = *v;
  }
  if (std::optional<std::string> v = getenv("OPENPCA_METRICS_EXPIRY_REFRESH_SECONDS")) {
    const bool digits = !v->empty() && v->size() <= 9 &&
                        v->find_first_not_of("0123456789") == std::string::npos;
    if (digits) {
      config.metrics_expiry_refresh_seconds = std::stoi(*v);
    } else {
      problems.push_back("OPENPCA_METRICS_EXPIRY_REFRESH_SECONDS must be a number of seconds");
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string message = "invalid environment:";
  for (const auto& p : problems) message += "\n  " + p;
  return Status(ErrorCode::kInvalidArgs, message);
}

const std::vector<std::string> kStandardRegions = {
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",
    "ap-east-1",      "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ca-central-1",   "ca-west-1",      "eu-central-1",
    "eu-central-2",   "eu-west-1",      "eu-west-2",      "eu-west-3",      "eu-south-1",
    "eu-south-2",     "eu-north-1",     "il-central-1",   "me-south-1",     "me-central-1",
    "mx-central-1",   "sa-east-1"};

std::vector<std::string> ServedRegions(const ServerConfig& config) {
  std::vector<std::string> out = {config.region};
  for (const std::string& r : config.regions.empty() ? kStandardRegions : config.regions) {
    if (r != config.region) out.push_back(r);
  }
  return out;
}

namespace {

// "us-east-1", "us-gov-west-1", "eusc-de-east-1": lower-case words joined by '-', ending in a
// number.
bool IsRegionName(const std::string& r) {
  if (r.empty() || r.size() > 32 || r.front() == '-' || r.back() == '-') return false;
  size_t dash = r.rfind('-');
  if (dash == std::string::npos || dash + 1 >= r.size()) return false;
  for (size_t i = 0; i < r.size(); ++i) {
    char ch = r[i];
    bool digit = ch >= '0' && ch <= '9';
    if (i > dash ? !digit : !((ch >= 'a' && ch <= 'z') || digit || ch == '-')) return false;
    if (ch == '-' && i > 0 && r[i - 1] == '-') return false;
  }
  return true;
}

}  // namespace

void ApplyStoreEnvironment(
    StoreConfig& store,
    const std::function<std::optional<std::string>(const char* name)>& getenv) {
  if (std::optional<std::string> dir = getenv("OPENPCA_OBJECTS_DIR"); dir && !dir->empty()) {
    store.objects_dir = *dir;
  }
  // A malformed number is left for Validate to refuse (it keeps the out-of-range value).
  auto number = [&](const char* name, int& field) {
    std::optional<std::string> v = getenv(name);
    if (!v.has_value() || v->empty()) return;
    try {
      size_t used = 0;
      int n = std::stoi(*v, &used);
      field = used == v->size() ? n : -2;
    } catch (const std::exception&) {
      field = -2;
    }
  };
  number("OPENPCA_LEASE_TERM_S", store.lease_term_s);
  number("OPENPCA_OCSP_CACHE_MAX_AGE_S", store.ocsp_cache_max_age_s);
  std::optional<std::string> dsn = getenv("OPENPCA_POSTGRES_DSN");
  if (!dsn.has_value() || dsn->empty()) return;
  store.engine = "postgres";
  store.postgres_dsn = *dsn;
}

void ApplyKeyStoreEnvironment(KeyStoreConfig& key_store) {
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto module = env("OPENPCA_PKCS11_MODULE")) {
    key_store.module = *module;
    key_store.type = "pkcs11";
  }
  if (auto label = env("OPENPCA_PKCS11_TOKEN_LABEL")) key_store.token_label = *label;
  if (auto pin_file = env("OPENPCA_PKCS11_PIN_FILE")) key_store.pin_file = *pin_file;
}

Status Validate(const ServerConfig& c) {
  std::vector<std::string> problems;
  if (!SplitHostPort(c.listen)) problems.push_back("listen must be HOST:PORT, got " + c.listen);
  if (c.data_dir.empty()) problems.push_back("data_dir must not be empty");
  if (!IsRegionName(c.region)) problems.push_back("region is not a region name: " + c.region);
  for (const std::string& r : c.regions) {
    if (!IsRegionName(r)) problems.push_back("regions: not a region name: " + r);
  }
  if (!c.account_id.empty() &&
      (c.account_id.size() != 12 ||
       c.account_id.find_first_not_of("0123456789") != std::string::npos))
    problems.push_back("account_id must be 12 digits");
  if (c.io_threads < 1 || c.io_threads > 64) problems.push_back("io_threads must be 1-64");
  if (c.worker_threads < 1 || c.worker_threads > 1024)
    problems.push_back("worker_threads must be 1-1024");
  if (c.crl_regenerate_delay_ms < 0) problems.push_back("crl_regenerate_delay_ms must be >= 0");
  if (c.acm_scheduler_interval_s < 1) problems.push_back("acm_scheduler_interval_s must be >= 1");
  if (c.test_clock_offset_s != 0) {
    const char* allow = std::getenv("OPENPCA_ALLOW_TEST_CLOCK");
    if (allow == nullptr || std::string_view(allow) != "1") {
      problems.push_back(
          "test_clock_offset_s is for tests only and needs OPENPCA_ALLOW_TEST_CLOCK=1");
    }
  }
  if (c.crl_partition_capacity < 1 || c.crl_partition_capacity > kMaxCrlPartitionCapacity)
    problems.push_back("crl_partition_capacity must be 1-" +
                       std::to_string(kMaxCrlPartitionCapacity));
  if (c.max_queued_requests < 1) problems.push_back("max_queued_requests must be positive");
  if (c.audit_report_interval_s < 0 || c.audit_report_interval_s > 86400)
    problems.push_back("audit_report_interval_s must be 0-86400");
  if (c.ocsp_signer != "ca" && c.ocsp_signer != "delegate")
    problems.push_back("ocsp_signer must be \"ca\" or \"delegate\"");
  // At least twice the 24-hour response validity, so that a delegate replaced at half-life still
  // outlives every response it signed.
  if (c.ocsp_delegate_lifetime_hours < 48 || c.ocsp_delegate_lifetime_hours > 8760)
    problems.push_back("ocsp_delegate_lifetime_hours must be 48-8760");
  if (c.events_retry_base_ms < 1) problems.push_back("events_retry_base_ms must be >= 1");
  if (c.events_retry_max_delay_ms < c.events_retry_base_ms)
    problems.push_back("events_retry_max_delay_ms must be >= events_retry_base_ms");
  if (c.trail_delivery_interval_s < 1 || c.trail_delivery_interval_s > 86400)
    problems.push_back("trail_delivery_interval_s must be 1-86400");
  if (c.trail_digest_interval_s < 1 || c.trail_digest_interval_s > 86400)
    problems.push_back("trail_digest_interval_s must be 1-86400");
  if (c.trail_digest_key_lifetime_hours < 1 || c.trail_digest_key_lifetime_hours > 87600)
    problems.push_back("trail_digest_key_lifetime_hours must be 1-87600");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    problems.push_back("tls_cert_file and tls_key_file must be given together");
  if (!c.metrics_listen.empty() && !SplitHostPort(c.metrics_listen))
    problems.push_back("metrics_listen must be HOST:PORT or empty, got " + c.metrics_listen);
  if (!c.metrics_listen.empty() && c.metrics_listen == c.listen)
    problems.push_back("metrics_listen must differ from listen (empty: serve on the API listener)");
  if (!c.metrics_path.starts_with("/") || c.metrics_path == "/" || c.metrics_path == "/health" ||
      c.metrics_path.find_first_of("?# ") != std::string::npos)
    problems.push_back("metrics_path must be a path like /metrics (not / or /health)");
  if (c.metrics_expiry_refresh_seconds < 0)
    problems.push_back("metrics_expiry_refresh_seconds must be >= 0");
  const KeyStoreConfig& ks = c.key_store;
  if (ks.type != "software" && ks.type != "pkcs11")
    problems.push_back("key_store.type must be \"software\" or \"pkcs11\"");
  if (ks.type == "pkcs11" && ks.module.empty())
    problems.push_back("key_store.module (or OPENPCA_PKCS11_MODULE) is required for pkcs11");
  if (!ks.module.empty()) {
    if (ks.token_label.empty() || ks.token_label.size() > 32)
      problems.push_back("key_store.token_label (or OPENPCA_PKCS11_TOKEN_LABEL) must have 1-32 "
                         "bytes");
    if (ks.pin_file.empty())
      problems.push_back("key_store.pin_file (or OPENPCA_PKCS11_PIN_FILE) is required");
  }
  if (ks.max_sessions < 1 || ks.max_sessions > 1024)
    problems.push_back("key_store.max_sessions must be 1-1024");
  if (!ks.security_standard.empty() && ks.security_standard != "FIPS_140_2_LEVEL_2_OR_HIGHER" &&
      ks.security_standard != "FIPS_140_2_LEVEL_3_OR_HIGHER" &&
      ks.security_standard != "CCPC_LEVEL_1_OR_HIGHER")
    problems.push_back("key_store.security_standard must be \"\", "
                       "FIPS_140_2_LEVEL_2_OR_HIGHER, FIPS_140_2_LEVEL_3_OR_HIGHER or "
                       "CCPC_LEVEL_1_OR_HIGHER");
  if (!ks.security_standard.empty() && ks.module.empty())
    problems.push_back("key_store.security_standard is a claim about a PKCS#11 token; the "
                       "software key store meets none");
  // The DSN itself is never quoted: it may hold a password.
  if (c.store.engine != "sqlite" && c.store.engine != "postgres") {
    problems.push_back("store.engine must be \"sqlite\" or \"postgres\"");
  } else if (c.store.engine == "postgres" && c.store.postgres_dsn.empty()) {
    problems.push_back("store.postgres_dsn (or OPENPCA_POSTGRES_DSN) is required for postgres");
  } else if (c.store.engine == "sqlite" && !c.store.postgres_dsn.empty()) {
    problems.push_back("store.postgres_dsn is set but store.engine is \"sqlite\"");
  }
  if (c.crl_sweep_interval_s < 1 || c.crl_sweep_interval_s > 86400) {
    problems.push_back("crl_sweep_interval_s (or OPENPCA_CRL_SWEEP_INTERVAL_S) must be 1-86400");
  }
  if (c.store.lease_term_s < 2 || c.store.lease_term_s > 3600) {
    problems.push_back("store.lease_term_s (or OPENPCA_LEASE_TERM_S) must be 2-3600");
  }
  if (c.store.ocsp_cache_max_age_s < -1 || c.store.ocsp_cache_max_age_s > 3600) {
    problems.push_back(
        "store.ocsp_cache_max_age_s (or OPENPCA_OCSP_CACHE_MAX_AGE_S) must be 0-3600");
  }

  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || c.log_level == l;
  if (!level_ok) problems.push_back("log_level must be trace, debug, info, warn or error");
  if (problems.empty()) return Status::Ok();
  std::string message = "invalid configuration:";
  for (const auto& p : problems) message += "\n  " + p;
  return Status(ErrorCode::kInvalidArgs, message);
}

}  // namespace openpca::config
