// The metrics and store keys of the strict configuration loader and their environment overrides.
#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace openpca::config {
namespace {

std::string WriteConfig(const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("openpca-config-test-" + std::to_string(::getpid()) + ".json"))
                         .string();
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigMetricsTest, DefaultsServeUnauthenticatedOnTheApiListener) {
  ServerConfig c;
  EXPECT_TRUE(c.metrics);
  EXPECT_EQ(c.metrics_listen, "");
  EXPECT_EQ(c.metrics_path, "/metrics");
  EXPECT_EQ(c.metrics_bearer_token_file, "");
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ConfigMetricsTest, FileKeysAreReadAndWrongTypesAllReported) {
  Result<ServerConfig> c =
      LoadConfigFile(WriteConfig(R"({"metrics": false, "metrics_listen": "127.0.0.1:9100",
                      "metrics_bearer_token_file": "/etc/openpca/metrics.token",
                      "metrics_expiry_refresh_seconds": 30})"),
                     ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->metrics);
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9100");
  EXPECT_EQ(c->metrics_bearer_token_file, "/etc/openpca/metrics.token");
  EXPECT_EQ(c->metrics_expiry_refresh_seconds, 30);

  Result<ServerConfig> bad = LoadConfigFile(
      WriteConfig(R"({"metrics": "yes", "metrics_listen": 9100, "metrics_port": 1})"),
      ServerConfig{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgs);
  EXPECT_NE(bad.status().message().find("metrics must be true or false"), std::string::npos);
  EXPECT_NE(bad.status().message().find("metrics_listen must be a string"), std::string::npos);
  EXPECT_NE(bad.status().message().find("unknown key \"metrics_port\""), std::string::npos);
}

TEST(ConfigMetricsTest, ValidateRejectsBadListenAndPath) {
  ServerConfig c;
  c.metrics_listen = "nope";
  EXPECT_EQ(Validate(c).code(), ErrorCode::kInvalidArgs);
  c.metrics_listen = c.listen;
  EXPECT_EQ(Validate(c).code(), ErrorCode::kInvalidArgs);
  c.metrics_listen = "";
  for (const char* path : {"metrics", "/", "/health", "/m?x"}) {
    c.metrics_path = path;
    EXPECT_EQ(Validate(c).code(), ErrorCode::kInvalidArgs) << path;
  }
}

TEST(ConfigMetricsTest, EnvironmentOverridesTheFile) {
  std::map<std::string, std::string> env = {{"OPENPCA_METRICS", "false"},
                                            {"OPENPCA_METRICS_LISTEN", "127.0.0.1:9200"},
                                            {"OPENPCA_METRICS_BEARER_TOKEN_FILE", "/run/token"},
                                            {"OPENPCA_METRICS_EXPIRY_REFRESH_SECONDS", "0"}};
  auto getenv = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ServerConfig c;
  c.metrics_listen = "127.0.0.1:9100";
  ASSERT_TRUE(ApplyMetricsEnvironment(c, getenv).ok());
  EXPECT_FALSE(c.metrics);
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9200");
  EXPECT_EQ(c.metrics_bearer_token_file, "/run/token");
  EXPECT_EQ(c.metrics_expiry_refresh_seconds, 0);

  env = {{"OPENPCA_METRICS", "maybe"}, {"OPENPCA_METRICS_EXPIRY_REFRESH_SECONDS", "-1"}};
  EXPECT_EQ(ApplyMetricsEnvironment(c, getenv).code(), ErrorCode::kInvalidArgs);
}


TEST(ConfigStoreTest, DefaultIsSqliteAndTheFileMaySelectPostgres) {
  ServerConfig defaults;
  EXPECT_EQ(defaults.store.engine, "sqlite");
  EXPECT_EQ(defaults.store.postgres_dsn, "");
  EXPECT_TRUE(Validate(defaults).ok());

  Result<ServerConfig> c = LoadConfigFile(
      WriteConfig(R"({"store": {"engine": "postgres",
                      "postgres_dsn": "host=db.internal dbname=openpca user=openpca"}})"),
      ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->store.engine, "postgres");
  EXPECT_EQ(c->store.postgres_dsn, "host=db.internal dbname=openpca user=openpca");
  EXPECT_TRUE(Validate(*c).ok());
}

TEST(ConfigStoreTest, UnknownKeysWrongTypesAndIncompleteChoicesAreRefused) {
  Result<ServerConfig> c = LoadConfigFile(
      WriteConfig(R"({"store": {"engine": 1, "postgres_dsn": [], "dsn": "x"}})"), ServerConfig{});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(LoadConfigFile(WriteConfig(R"({"store": "postgres"})"), ServerConfig{}).status().code(),
            ErrorCode::kInvalidArgs);

  ServerConfig bad;
  bad.store.engine = "mysql";
  EXPECT_EQ(Validate(bad).code(), ErrorCode::kInvalidArgs);
  bad.store.engine = "postgres";  // without a DSN
  EXPECT_EQ(Validate(bad).code(), ErrorCode::kInvalidArgs);
  bad.store.engine = "sqlite";  // with a DSN that would be ignored
  bad.store.postgres_dsn = "host=db password=secret-in-dsn";
  Status st = Validate(bad);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(st.message().find("secret-in-dsn"), std::string::npos);
}

TEST(ConfigStoreTest, EnvironmentDsnSelectsPostgres) {
  std::map<std::string, std::string> env;
  auto getenv = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ServerConfig c;
  ApplyStoreEnvironment(c.store, getenv);  // unset: the file's choice stays
  EXPECT_EQ(c.store.engine, "sqlite");
  env["OPENPCA_POSTGRES_DSN"] = "";  // empty counts as unset
  ApplyStoreEnvironment(c.store, getenv);
  EXPECT_EQ(c.store.engine, "sqlite");

  env["OPENPCA_POSTGRES_DSN"] = "postgresql://openpca@db.internal/openpca";
  ApplyStoreEnvironment(c.store, getenv);
  EXPECT_EQ(c.store.engine, "postgres");
  EXPECT_EQ(c.store.postgres_dsn, "postgresql://openpca@db.internal/openpca");
  EXPECT_TRUE(Validate(c).ok());

  // Over a file that chose postgres with another DSN, the environment's wins.
  c.store.postgres_dsn = "host=old";
  ApplyStoreEnvironment(c.store, getenv);
  EXPECT_EQ(c.store.postgres_dsn, "postgresql://openpca@db.internal/openpca");
}

TEST(ConfigStoreTest, SharedObjectsLeaseTermAndOcspAgeFromFileAndEnvironment) {
  Result<ServerConfig> c = LoadConfigFile(
      WriteConfig(R"({"store": {"objects_dir": "/srv/openpca/objects", "lease_term_s": 10,
                                "ocsp_cache_max_age_s": 2}})"),
      ServerConfig{});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->store.objects_dir, "/srv/openpca/objects");
  EXPECT_EQ(c->store.lease_term_s, 10);
  EXPECT_EQ(c->store.ocsp_cache_max_age_s, 2);
  EXPECT_TRUE(Validate(*c).ok());
  EXPECT_FALSE(LoadConfigFile(WriteConfig(R"({"store": {"lease_term_s": "10"}})"), ServerConfig{})
                   .ok());

  std::map<std::string, std::string> env = {{"OPENPCA_OBJECTS_DIR", "/mnt/shared/objects"},
                                            {"OPENPCA_LEASE_TERM_S", "3"}};
  auto getenv = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ApplyStoreEnvironment(c->store, getenv);
  EXPECT_EQ(c->store.objects_dir, "/mnt/shared/objects");
  EXPECT_EQ(c->store.lease_term_s, 3);
  EXPECT_TRUE(Validate(*c).ok());

  env["OPENPCA_LEASE_TERM_S"] = "3s";  // not a number: refused, not ignored
  ApplyStoreEnvironment(c->store, getenv);
  EXPECT_EQ(Validate(*c).code(), ErrorCode::kInvalidArgs);
  ServerConfig bad;
  bad.store.lease_term_s = 1;
  EXPECT_EQ(Validate(bad).code(), ErrorCode::kInvalidArgs);
  bad.store.lease_term_s = 30;
  bad.store.ocsp_cache_max_age_s = 3601;
  EXPECT_EQ(Validate(bad).code(), ErrorCode::kInvalidArgs);
}

}  // namespace
}  // namespace openpca::config
