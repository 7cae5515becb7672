#include "server/server.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/handlers/acm_pca_handlers.h"
#include "api/handlers/ca_certificate_route.h"
#include "api/handlers/s3_handlers.h"
#include "access/authorizer.h"
#include "access/bucket_writes.h"
#include "access/identity_hooks.h"
#include "access/identity_principals.h"
#include "access/resource_directory.h"
#include "api/http_server.h"
#include "api/model.h"
#include "api/pipeline.h"
#include "api/protocols/protocol.h"
#include "authority/authority.h"
#include "common/arn.h"
#include "common/clock.h"
#include "common/durable_file.h"
#include "common/offset_clock.h"
#include "common/periodic.h"
#include "common/random.h"
#include "config/config.h"
#include "identity/identity.h"
#include "identity/state.h"
#include "keys/secret_box.h"
#include "objects/bucket_store.h"
#include "revocation/crl/crl_publisher.h"
#include "server/metrics_wiring.h"
#include "server/audit_report_wiring.h"
#include "server/events_wiring.h"
#include "server/key_store_wiring.h"
#include "server/db_key_vault.h"
#include "server/housekeeping.h"
#include "server/lease_leadership.h"
#include "server/audit_wiring.h"
#include "server/acm_wiring.h"
#include "server/ocsp_service.h"
#include "server/store_wiring.h"
#include "server/trail_wiring.h"
#include "policy/policy_cache.h"
#include "services/acm_pca/actions.h"
#include "services/acm_pca/sharing_handlers.h"
#include "services/iam/actions.h"
#include "services/iam/iam_operations.h"
#include "services/organizations/actions.h"
#include "services/organizations/organizations_operations.h"
#include "services/ram/actions.h"
#include "services/ram/ram_operations.h"
#include "services/sts/actions.h"
#include "services/sts/sts_operations.h"
#include "sharing/effective_policy.h"

namespace openpca::server {

namespace {

// The role an ARN names (arn:<partition>:iam::<account>:role/<path><name>), for sts:AssumeRole.
Result<std::optional<access::RoleFacts>> RoleByArn(const identity::Identity& identity,
                                                   std::string_view arn) {
  size_t colon = 0;
  std::vector<std::string_view> parts;
  for (int i = 0; i < 5; ++i) {
    size_t next = arn.find(':', colon);
    if (next == std::string_view::npos) return std::optional<access::RoleFacts>();
    parts.push_back(arn.substr(colon, next - colon));
    colon = next + 1;
  }
  std::string_view resource = arn.substr(colon);
  if (parts[2] != "iam" || !resource.starts_with("role/")) return std::optional<access::RoleFacts>();
  std::string account(parts[4]);
  std::string name(resource.substr(resource.rfind('/') + 1));
  std::shared_ptr<const identity::State> state = identity.Snapshot();
  const store::IamRoleRecord* role = state->Role(account, name);
  if (role == nullptr) return std::optional<access::RoleFacts>();
  access::RoleFacts facts;
  facts.account_id = role->account_id;
  facts.trust_policy = role->trust_policy;
  for (const store::IamTagRecord* tag :
       state->Scan<store::IamTagRecord>(identity::EntityKey(account, "role", role->name))) {
    facts.tags.emplace_back(tag->key, tag->value);
  }
  return std::optional<access::RoleFacts>(std::move(facts));
}

}  // namespace

namespace {

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// `content` into `path` atomically, mode 0600.
Status WritePrivateFile(const std::string& path, const std::string& content) {
  return WritePrivateFileAtomically(path, AsSpan(content));
}

int Fail(const Status& st) {
  std::cerr << "openpca: " << st.message() << "\n";
  return 1;
}

}  // namespace

int Serve(const ServeFlags& flags) {
  config::ServerConfig cfg;
  if (flags.config_file) {
    auto loaded = config::LoadConfigFile(*flags.config_file, cfg);
    if (!loaded.ok()) return Fail(loaded.status());
    cfg = *loaded;
  }
  if (flags.listen) cfg.listen = *flags.listen;
  if (flags.data_dir) cfg.data_dir = *flags.data_dir;
  if (flags.region) cfg.region = *flags.region;
  if (flags.public_url) cfg.public_url = *flags.public_url;
  if (Status st = config::ApplyMetricsEnvironment(cfg, Env); !st.ok()) return Fail(st);
  config::ApplyKeyStoreEnvironment(cfg.key_store);
  config::ApplyStoreEnvironment(cfg.store, Env);
  if (std::optional<std::string> v = Env("OPENPCA_CRL_SWEEP_INTERVAL_S")) {
    try {
      size_t used = 0;
      cfg.crl_sweep_interval_s = std::stoi(*v, &used);
      if (used != v->size()) cfg.crl_sweep_interval_s = 0;  // refused by Validate
    } catch (const std::exception&) {
      cfg.crl_sweep_interval_s = 0;
    }
  }
  if (Status st = config::Validate(cfg); !st.ok()) return Fail(st);
  if (Status st = CheckStoreEngine(cfg); !st.ok()) return Fail(st);
  if (flags.check_config) {
    std::cout << "openpca: configuration is valid\n";
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  auto host_port = *config::SplitHostPort(cfg.listen);

  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) return Fail(InternalError("cannot create data directory " + cfg.data_dir));
  ::chmod(cfg.data_dir.c_str(), 0700);
  const std::string data = cfg.data_dir;

  std::string master_key_file = cfg.master_key_file;
  if (master_key_file.empty()) master_key_file = Env("OPENPCA_MASTER_KEY_FILE").value_or("");
  if (master_key_file.empty()) master_key_file = data + "/master.key";
  auto box_result = keys::SecretBox::LoadOrCreateKeyFile(master_key_file);
  if (!box_result.ok()) return Fail(box_result.status());
  std::shared_ptr<const keys::SecretBox> box = std::move(box_result).value();

  // The database and every domain store on it (store_wiring.h): consumers take the interface of
  // their domain, whichever engine the configuration chose.
  auto stores_result = OpenStores(cfg);
  if (!stores_result.ok()) return Fail(stores_result.status());
  std::unique_ptr<StoreSet> stores = std::move(stores_result).value();
  store::Store* store = &stores->store();

  SystemClock wall_clock;
  // TEST ONLY (refused by config::Validate unless OPENPCA_ALLOW_TEST_CLOCK=1): everything but
  // SigV4's request-time checks sees the clock this far ahead.
  OffsetClock clock(wall_clock, std::chrono::seconds(cfg.test_clock_offset_s));
  if (cfg.test_clock_offset_s != 0) {
    spdlog::warn("test_clock_offset_s = {}: the server clock is offset (tests only)",
                 cfg.test_clock_offset_s);
  }
  OpenSslRandom random;
  auto metrics_result = ServerMetrics::Create(cfg);  // Prometheus metrics (metrics_wiring.h)
  if (!metrics_result.ok()) return Fail(metrics_result.status());
  std::unique_ptr<ServerMetrics> server_metrics = std::move(metrics_result).value();
  server_metrics->WatchStore(*stores, clock);
  // Servers sharing a PostgreSQL database share the software key store's sealed CA keys through
  // it (and the master key file); one server keeps them as files under its data directory.
  std::unique_ptr<keys::KeyVault> key_vault;
  if (stores->engine() == "postgres") {
    key_vault = std::make_unique<DbKeyVault>(stores->sealed_keys(), clock);
  }
  auto key_stores = OpenKeyStores(cfg, box, random, std::move(key_vault));
  if (!key_stores.ok()) return Fail(key_stores.status());
  keys::KeyStore* key_store = key_stores->router.get();

  // Accounts and identities: the bootstrap account (the management account of a later
  // organization) and its IAM user "admin" with AdministratorAccess, whose access key is written
  // to the credentials file.
  auto identity_result =
      identity::Identity::Create(*store, stores->identity(), *box, random, clock);
  if (!identity_result.ok()) return Fail(identity_result.status());
  std::unique_ptr<identity::Identity> identity = std::move(identity_result).value();
  identity::BootstrapOptions bootstrap;
  bootstrap.account_id = Env("OPENPCA_ACCOUNT_ID");
  if (!bootstrap.account_id.has_value() && !cfg.account_id.empty()) {
    bootstrap.account_id = cfg.account_id;
  }
  bootstrap.fixed_key_id = Env("OPENPCA_BOOTSTRAP_ACCESS_KEY_ID");
  bootstrap.fixed_secret = Env("OPENPCA_BOOTSTRAP_SECRET_ACCESS_KEY");
  auto boot = identity->Bootstrap(bootstrap);
  if (!boot.ok()) return Fail(boot.status());
  const std::string credentials_file = data + "/credentials";
  if (boot->created || !std::filesystem::exists(credentials_file)) {
    std::string content = "[default]\naws_access_key_id = " + boot->access_key_id +
                          "\naws_secret_access_key = " + boot->secret_access_key + "\n";
    if (Status st = WritePrivateFile(credentials_file, content); !st.ok()) return Fail(st);
    std::cout << "openpca: account " << boot->account_id << ": administrator credentials written to "
              << credentials_file << "\n";
  }

  // Periodic work runs where its lease is held when several servers share the database
  // (lease_leadership.h); a single SQLite server runs it all.
  std::unique_ptr<LeaseLeadership> lease_leadership;
  if (stores->engine() == "postgres") {
    std::array<char, 256> host{};
    ::gethostname(host.data(), host.size() - 1);
    lease_leadership = std::make_unique<LeaseLeadership>(
        stores->leases(),
        std::string(host.data()) + "/" + std::to_string(::getpid()) + "/" + NewUuidV4(random),
        clock, std::chrono::seconds(cfg.store.lease_term_s), spdlog::default_logger());
    spdlog::info("periodic jobs: leases of {} s as {}", cfg.store.lease_term_s,
                 lease_leadership->holder());
  }
  Leadership* leadership = lease_leadership.get();

  authority::AuthorityOptions authority_options;
  authority_options.region = cfg.region;
  authority_options.public_url = cfg.public_url;
  authority_options.crl_partition_capacity = cfg.crl_partition_capacity;
  authority::Authority authority(*store, *key_store, clock, random, authority_options);

  api::ApiServer::Options options;
  options.host = host_port.first;
  options.port = host_port.second;
  options.region = cfg.region;
  options.io_threads = cfg.io_threads;
  options.worker_threads = cfg.worker_threads;
  options.max_queued_requests = static_cast<size_t>(cfg.max_queued_requests);
  server_metrics->Instrument(options);
  if (!cfg.tls_cert_file.empty()) {
    options.tls_cert_file = cfg.tls_cert_file;
    options.tls_key_file = cfg.tls_key_file;
  }
  api::CredentialLookup lookup = [&identity](const std::string& id,
                                             std::string_view token) -> Result<api::Credential> {
    std::optional<std::string> session_token;
    if (!token.empty()) session_token = std::string(token);
    ASSIGN_OR_RETURN(identity::ResolvedCredential cred,
                     identity->ResolveCredential(id, session_token));
    api::Credential out{cred.access_key_id, cred.secret_access_key, cred.principal.account_id,
                        cred.principal.arn};
    out.principal_type = access::ApiPrincipalType(cred.principal.type);
    out.role_arn = cred.principal.role_arn;
    out.principal_name = cred.principal.name;
    out.principal_id = cred.principal.unique_id;
    out.user_id = cred.principal.type == identity::PrincipalType::kAssumedRole
                      ? cred.principal.unique_id + ":" + cred.principal.session_name
                      : cred.principal.unique_id;
    out.temporary = cred.principal.temporary;
    out.session_issued_at_s = cred.principal.token_issued_at_s;
    out.session_name = cred.principal.session_name;
    out.mfa_authenticated = cred.principal.mfa_present;
    return out;
  };
  // Who may do what: one authorizer for every service, over the identity domain (principals'
  // policies, SCPs) and the resources' own policies (CA policies with their RAM shares and ACM
  // permissions, role trust policies).
  store::SharingStore& sharing_store = stores->sharing();
  sharing::ResourcePolicies resource_policies(sharing_store, *store);
  policy::PolicyCache policy_cache;
  access::IdentityPrincipals principals(*identity, policy_cache);
  access::EndpointResources resources(
      *store,
      [&resource_policies](const store::CaRecord& ca) {
        return resource_policies.EffectiveResourcePolicy(ca);
      },
      [&identity](std::string_view role_arn) { return RoleByArn(*identity, role_arn); },
      policy_cache);
  resources.SetFactsGeneration(&stores->facts_generation());
  authority.SetFactsGeneration(&stores->facts_generation());
  access::PolicyAuthorizer authorizer(principals, resources, clock);
  identity::PolicyHooks policy_hooks =
      access::MakeIdentityHooks(authorizer, principals, policy_cache);

  options.regions = config::ServedRegions(cfg);
  auto server_result = api::ApiServer::Create(options, lookup, &authorizer, wall_clock);
  if (!server_result.ok()) return Fail(server_result.status());
  std::unique_ptr<api::ApiServer> server = std::move(server_result).value();
  for (auto& [name, handler] : server_metrics->CountIssuance(api::AcmPcaOperations(authority))) {
    server->RegisterOperation(name, std::move(handler), services::acm_pca::ActionFor(name));
  }
  // CA resource policies and acm.amazonaws.com permissions; this table's
  // ListCertificateAuthorities (which adds ResourceOwner OTHER_ACCOUNTS) replaces the one above.
  services::acm_pca::SharingDeps sharing_deps;
  sharing_deps.authority = &authority;
  sharing_deps.store = store;
  sharing_deps.sharing = &sharing_store;
  sharing_deps.policies = &resource_policies;
  sharing_deps.clock = &clock;
  sharing_deps.validate_policy = [](std::string_view document) {
    return policy::Policy::Parse(document, policy::PolicyKind::kResource).status();
  };
  for (auto& [name, handler] : services::acm_pca::AcmPcaSharingOperations(sharing_deps)) {
    server->RegisterOperation(name, std::move(handler), services::acm_pca::ActionFor(name));
  }
  // IAM, STS, Organizations and RAM on the same endpoint, through the same pipeline.
  api::Pipeline& pipeline = server->pipeline();
  auto add_service = [&pipeline](std::string_view service, auto operations, auto action_for) {
    pipeline.AddService(api::ServiceModel::Get(service));
    for (auto& [name, handler] : operations) {
      api::ActionSpec spec = action_for(name);
      pipeline.AddOperation(service, name, std::move(handler), std::move(spec));
    }
  };
  add_service("iam", services::iam::IamOperations(*identity, policy_hooks),
              services::iam::ActionFor);
  add_service("sts", services::sts::StsOperations(*identity, policy_hooks),
              services::sts::ActionFor);
  add_service("organizations",
              services::organizations::OrganizationsOperations(*identity, policy_hooks),
              services::organizations::ActionFor);
  services::ram::RamDeps ram_deps;
  ram_deps.sharing = &sharing_store;
  ram_deps.store = store;
  ram_deps.policies = &resource_policies;
  ram_deps.clock = &clock;
  ram_deps.random = &random;
  ram_deps.default_region = cfg.region;
  // RAM's sharing with Organizations is not offered: every account outside the owner's is
  // invited (no same_organization_with_sharing hook).
  add_service("ram", services::ram::RamOperations(std::move(ram_deps)),
              services::ram::ActionFor);
  // EventBridge: rules, targets and API destinations, fed by Private CA's (and ACM's) events.
  EventsWiringOptions events_options = EventsOptionsFromConfig(cfg, data);
  events_options.leadership = leadership;
  auto events_result = EventsRuntime::Create(stores->events(), *box, clock, random, events_options);
  if (!events_result.ok()) return Fail(events_result.status());
  std::unique_ptr<EventsRuntime> events = std::move(events_result).value();
  events->Register(pipeline);
  events->ConnectAuthority(authority);
  // The CloudTrail event history: every call above and below is recorded (audit_wiring.cc).
  auto audit_result = WireAudit(stores->trail(), pipeline, clock, random, cfg.audit_record_events,
                                boot->account_id, leadership);
  if (!audit_result.ok()) return Fail(audit_result.status());
  AuditWiring audit_trail = std::move(audit_result).value();
  authority.SetServiceEvents(audit_trail.recorder.get());
  // AWS Certificate Manager (private certificates, managed renewal, expiry events).
  std::unique_ptr<AcmService> acm = WireAcm(cfg, pipeline, authorizer, stores->acm(), sharing_store,
                                            authority, box, clock, random, &events->sink(),
                                            leadership);
  server_metrics->AddExpirySource(
      "openpca_acm_certificate_expires_in_seconds",
      "Time left before expiry of the 10000 nearest-expiring ACM certificates (expired in the "
      "last 30 days count in the first bucket).",
      clock, [&acm] { return acm->NearestExpiries(10000); });

  // Buckets: CRLs are written here and served S3-style (path-style, SigV4 for "s3", anonymous
  // reads of public-read objects).
  objects::BucketStore buckets(
      cfg.store.objects_dir.empty() ? data + "/buckets" : cfg.store.objects_dir, clock);
  api::S3Handlers s3(buckets, cfg.region, lookup, wall_clock);
  s3.SetAuthorizer(&authorizer);
  resources.SetBuckets(
      [&buckets](std::string_view bucket) { return buckets.GetPolicy(bucket); }, boot->account_id);
  // CloudTrail trails: their operations and the worker delivering them into the buckets.
  TrailWiringDeps trail_deps{&stores->trail_delivery(), &stores->trail(), key_store, &buckets,
                             &policy_cache, &clock, &random, &cfg, boot->account_id,
                             leadership};
  auto trails_result = TrailWiring::Create(trail_deps);
  if (!trails_result.ok()) return Fail(trails_result.status());
  std::unique_ptr<TrailWiring> trails = std::move(trails_result).value();
  trails->Register(pipeline);
  namespace http = boost::beast::http;
  server->RegisterRawRoute(http::verb::get, "/",
                           [&s3](const api::HttpRequest& r) { return s3.Get(r); });
  server->RegisterRawRoute(http::verb::head, "/",
                           [&s3](const api::HttpRequest& r) { return s3.Head(r); });
  // S3 writes: PUT, DELETE and POST /<bucket>... unless the request is signed for another
  // service (RAM's REST paths, e.g. POST /createresourceshare, go to the pipeline). POST / stays
  // the JSON and query protocols (and OCSP).
  auto s3_route = [&server](http::verb method, api::RawHandler handler, std::string label) {
    api::ApiServer::Route route;
    route.method = method;
    route.path_prefix = "/";
    route.handler = std::move(handler);
    route.matcher = [](const api::HttpRequest& r) {
      if (r.path == "/" && r.method == "POST") return false;
      std::optional<std::string> service = api::protocols::SigningServiceOf(r);
      return !service.has_value() || *service == "s3";
    };
    route.label = std::move(label);
    server->AddRoute(std::move(route));
  };
  s3_route(http::verb::put, [&s3](const api::HttpRequest& r) { return s3.Put(r); },
           "PUT /<bucket>");
  s3_route(http::verb::delete_, [&s3](const api::HttpRequest& r) { return s3.Delete(r); },
           "DELETE /<bucket>");
  s3_route(http::verb::post, [&s3](const api::HttpRequest& r) { return s3.Post(r); },
           "POST /<bucket>");
  server->RegisterRawRoute(http::verb::get, "/ca/", [&store](const api::HttpRequest& r) {
    return api::ServeCaCertificate(*store, r);
  });

  revocation::CrlPublisherOptions crl_options;
  crl_options.account_id = boot->account_id;
  crl_options.regenerate_delay = std::chrono::milliseconds(cfg.crl_regenerate_delay_ms);
  server_metrics->Instrument(crl_options);
  crl_options.on_generated = events->CrlListener();
  crl_options.service_events = audit_trail.recorder.get();
  crl_options.leadership = leadership;
  crl_options.sweep_interval = std::chrono::seconds(cfg.crl_sweep_interval_s);
  revocation::CrlPublisher crl_publisher(*store, *key_store, buckets, clock, crl_options);
  OcspServiceOptions ocsp_options;
  ocsp_options.signer = cfg.ocsp_signer == "delegate" ? OcspSigner::kDelegate : OcspSigner::kCa;
  ocsp_options.delegate.lifetime = std::chrono::hours(cfg.ocsp_delegate_lifetime_hours);
  server_metrics->Instrument(ocsp_options);
  ocsp_options.service_events = audit_trail.recorder.get();
  // Another server's revocation reaches this one's OCSP answers within max_cache_age.
  const int ocsp_max_age = cfg.store.ocsp_cache_max_age_s >= 0
                               ? cfg.store.ocsp_cache_max_age_s
                               : (stores->engine() == "postgres" ? 5 : 0);
  ocsp_options.responder.max_cache_age = std::chrono::seconds(ocsp_max_age);
  if (stores->engine() == "postgres") {
    // CAs created or changed by another server answer here within the same bound.
    ocsp_options.reload_interval = std::chrono::seconds(std::max(ocsp_max_age, 1));
    ocsp_options.account_id = boot->account_id;
  }
  OcspService ocsp(*store, *key_store, clock, random, ocsp_options);
  if (Status st = ocsp.LoadAll(boot->account_id); !st.ok()) return Fail(st);
  // OCSP: cache hits are answered on the I/O thread, the rest on a worker. The same routes at
  // the root serve certificates whose AIA names http://<OcspCustomCname> (no path); the matchers
  // leave JSON API calls and S3 bucket paths where they were.
  auto ocsp_route = [&ocsp](http::verb method, std::string prefix, bool at_root) {
    api::ApiServer::Route route;
    route.method = method;
    route.path_prefix = std::move(prefix);
    if (method == http::verb::get) {
      route.handler = [&ocsp](const api::HttpRequest& r) { return ocsp.Get(r); };
      route.inline_handler = [&ocsp](const api::HttpRequest& r) { return ocsp.GetCached(r); };
      if (at_root) route.matcher = &OcspService::IsRootGet;
    } else {
      route.handler = [&ocsp](const api::HttpRequest& r) { return ocsp.Post(r); };
      route.inline_handler = [&ocsp](const api::HttpRequest& r) { return ocsp.PostCached(r); };
      if (at_root) route.matcher = &OcspService::IsRootPost;
    }
    if (at_root) route.label = std::string(http::to_string(method)) + " / (OCSP)";
    return route;
  };
  server->AddRoute(ocsp_route(http::verb::get, "/ocsp", false));
  server->AddRoute(ocsp_route(http::verb::post, "/ocsp", false));
  server->AddRoute(ocsp_route(http::verb::get, "/", true));
  server->AddRoute(ocsp_route(http::verb::post, "/", true));
  authority.SetChangeListener([&crl_publisher, &ocsp](const authority::CaChange& change) {
    // A revocation changes what is said about one certificate: its OCSP responses and the CRLs
    // that list it. Anything else may change all of the CA's.
    if (change.revoked_in_partition.has_value()) {
      ocsp.OnRevoked(change.ca_id, change.revoked_serial_hex);
      crl_publisher.NotifyRevocation(change.ca_id, *change.revoked_in_partition);
    } else {
      ocsp.Refresh(change.ca_id);
      crl_publisher.Notify(change.ca_id);
    }
  });
  authority::CrlHooks crl_hooks;
  crl_hooks.probe_bucket = [&crl_publisher, &buckets, &policy_cache, &cfg](
                               const std::string& bucket, bool public_read,
                               const std::string& ca_account, const std::string& ca_arn) {
    // A bucket that does not exist yet has no policy (openpca creates it on the first write).
    Result<std::optional<std::string>> bucket_policy = buckets.GetPolicy(bucket);
    Status allowed = access::ServiceMayWriteBucket(
        bucket_policy.ok() ? *bucket_policy : std::nullopt, policy_cache, bucket,
        std::string(PartitionOfRegion(cfg.region)), ca_account, ca_arn);
    if (!allowed.ok()) {
      spdlog::warn("CRL bucket {}: {}", bucket, allowed.message());
      return allowed;
    }
    Status st = crl_publisher.ProbeBucket(bucket, public_read);
    if (!st.ok()) spdlog::warn("CRL bucket {} cannot be written: {}", bucket, st.message());
    return st;
  };
  crl_hooks.partition_opened = [&crl_publisher](const store::CrlPartitionRecord& partition) {
    // Before the first certificate naming it is returned, so that its CDP URL resolves.
    Status st = crl_publisher.PublishCrlNow(partition.ca_id, partition.partition_id);
    if (!st.ok()) {
      spdlog::error("first CRL of partition {} of CA {} failed: {}", partition.partition_id,
                    partition.ca_id, st.message());
      crl_publisher.NotifyCrl(partition.ca_id, partition.partition_id);
    }
  };
  authority.SetCrlHooks(std::move(crl_hooks));
  // Audit reports: CreateCertificateAuthorityAuditReport writes into the buckets above.
  int report_interval_s = cfg.audit_report_interval_s;
  if (auto v = Env("OPENPCA_AUDIT_REPORT_INTERVAL_S")) report_interval_s = std::atoi(v->c_str());
  AuditReportWiringDeps report_deps{store, &stores->audit_reports(), &stores->certificate_scan(),
                                    &authority, &buckets, &policy_cache, &clock, &random,
                                    cfg.region, std::chrono::seconds(report_interval_s)};
  AuditReportWiring audit_reports(report_deps);
  audit_reports.Register(*server);
  if (Status st = audit_reports.Start(); !st.ok()) return Fail(st);
  crl_publisher.Start();
  ocsp.Start();
  if (Status st = server_metrics->Serve(*server); !st.ok()) return Fail(st);
  events->Start();
  trails->Start();
  // Expired idempotency claims (acm-pca and ACM) are purged every ten minutes.
  Housekeeping housekeeping(*store, clock, std::chrono::minutes(10), spdlog::default_logger());
  housekeeping.SetLeadership(leadership);
  housekeeping.SetAcmStore(&stores->acm());
  housekeeping.Start();
  // Servers sharing a database: identity changes made on another server (users, roles,
  // policies, access keys) reach this one within two seconds.
  std::optional<Periodic> identity_refresher;
  if (stores->engine() == "postgres") {
    identity_refresher.emplace("id-refresh", std::chrono::seconds(2), [&identity] {
      if (Status st = identity->Refresh(); !st.ok()) {
        spdlog::warn("identity: refresh from the database failed: {}", st.message());
      }
    });
  }
  if (Status st = server->Start(); !st.ok()) return Fail(st);
  acm->Start();

  std::string shown_host = host_port.first.find(':') != std::string::npos
                               ? "[" + host_port.first + "]"
                               : host_port.first;
  std::string scheme = cfg.tls_cert_file.empty() ? "http" : "https";
  std::string endpoint = scheme + "://" + shown_host + ":" + std::to_string(server->port());
  authority.SetPublicUrl(cfg.public_url.empty() ? endpoint : cfg.public_url);
  if (Status st = WritePrivateFile(data + "/endpoint", endpoint + "\n"); !st.ok()) return Fail(st);
  std::cout << "openpca: listening on " << endpoint << "\n"
            << "openpca: try: AWS_SHARED_CREDENTIALS_FILE=" << credentials_file
            << " aws acm-pca list-certificate-authorities --region " << cfg.region
            << " --endpoint-url " << endpoint << "\n"
            << std::flush;

  // Wait for SIGTERM/SIGINT (blocked in every thread by main()).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "openpca: shutting down (signal " << sig << ")\n" << std::flush;
  server_metrics->Stop();
  acm->Stop();
  server->Stop();
  server->Wait();
  trails->Stop();
  housekeeping.Stop();
  identity_refresher.reset();
  crl_publisher.Stop();
  ocsp.Stop();
  events->Stop();
  // Hand the periodic jobs over to another server at once.
  if (lease_leadership != nullptr) lease_leadership->Stop();
  return 0;
}

}  // namespace openpca::server
