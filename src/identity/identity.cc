#include "identity/identity.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "identity/managed_policies.h"

namespace openpca::identity {
namespace {

constexpr char kAccountSetting[] = "account_id";
constexpr char kAdminKeySetting[] = "admin_access_key_id";
constexpr char kAdminUser[] = "admin";
constexpr char kSessionPurpose[] = "sts-session-token:v1";
constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string SealedPurpose(std::string_view key_id) {
  return "access-key:" + std::string(key_id);
}

Status BadToken() {
  return Status(ErrorCode::kUnrecognizedClient,
                "The security token included in the request is invalid.");
}

bool IsAccountId(std::string_view s) {
  return s.size() == 12 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

TagList TagsOf(const State& s, std::string_view account, std::string_view type,
               std::string_view name) {
  std::vector<const store::IamTagRecord*> rows =
      s.Scan<store::IamTagRecord>(EntityKey(account, type, name));
  std::sort(rows.begin(), rows.end(),
            [](auto* a, auto* b) { return a->position < b->position; });
  TagList out;
  for (auto* t : rows) out.emplace_back(t->key, t->value);
  return out;
}

}  // namespace

const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kAccountRoot: return "Root";
    case PrincipalType::kUser: return "User";
    case PrincipalType::kAssumedRole: return "AssumedRole";
  }
  return "Unknown";
}

std::string UserArn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":user" + std::string(path) + std::string(name);
}
std::string GroupArn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":group" + std::string(path) +
         std::string(name);
}
std::string RoleArn(std::string_view account, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + std::string(account) + ":role" + std::string(path) + std::string(name);
}
std::string RootArn(std::string_view account) {
  return "arn:aws:iam::" + std::string(account) + ":root";
}
std::string AssumedRoleArn(std::string_view account, std::string_view role_name,
                           std::string_view session_name) {
  return "arn:aws:sts::" + std::string(account) + ":assumed-role/" + std::string(role_name) +
         "/" + std::string(session_name);
}

std::string IsoTime(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
std::string IsoTime(TimePoint t) { return IsoTime(ToUnixMillis(t)); }

// --- Txn ---

void Txn::Put(store::IdentityRecord record) {
  store::IdentityChange change = store::IdentityChange::Put(std::move(record));
  state_->Apply(change);
  changes_.push_back(std::move(change));
}

void Txn::Delete(store::IdentityRecord record) {
  store::IdentityChange change = store::IdentityChange::Delete(std::move(record));
  state_->Apply(change);
  changes_.push_back(std::move(change));
}

// --- Identity ---

Result<std::unique_ptr<Identity>> Identity::Create(store::Store& settings,
                                                   store::IdentityStore& store,
                                                   const keys::SecretBox& box, Random& random,
                                                   const Clock& clock) {
  std::unique_ptr<Identity> identity(new Identity(settings, store, box, random, clock));
  // Read before the rows: a change committed in between is seen by the next Refresh().
  ASSIGN_OR_RETURN(identity->loaded_generation_, store.IdentityGeneration());
  ASSIGN_OR_RETURN(store::IdentitySnapshot snapshot, store.LoadIdentity());
  auto state = std::make_shared<State>();
  for (store::IdentityRecord& r : snapshot.records) {
    state->Apply(store::IdentityChange::Put(std::move(r)));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> account, settings.GetSetting(kAccountSetting));
  identity->state_ = std::move(state);
  identity->account_id_ = account.value_or("");
  return identity;
}

std::shared_ptr<const State> Identity::Snapshot() const {
  std::lock_guard lock(state_mu_);
  return state_;
}

std::string Identity::account_id() const {
  std::lock_guard lock(state_mu_);
  return account_id_;
}

Status Identity::Refresh() {
  std::lock_guard write_lock(write_mu_);
  return RefreshLocked();
}

Status Identity::RefreshLocked() {
  ASSIGN_OR_RETURN(int64_t generation, store_.IdentityGeneration());
  if (generation == loaded_generation_) return Status::Ok();
  ASSIGN_OR_RETURN(store::IdentitySnapshot snapshot, store_.LoadIdentity());
  auto state = std::make_shared<State>();
  for (store::IdentityRecord& r : snapshot.records) {
    state->Apply(store::IdentityChange::Put(std::move(r)));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> account, settings_.GetSetting(kAccountSetting));
  std::lock_guard lock(state_mu_);
  state->version = state_->version + 1;  // drops what was cached against the old state
  state_ = std::move(state);
  if (account.has_value()) account_id_ = *account;
  loaded_generation_ = generation;
  return Status::Ok();
}

Status Identity::Mutate(const std::function<Status(Txn&)>& fn) {
  std::lock_guard write_lock(write_mu_);
  // Another server's changes first: the checks of `fn` run on the current state.
  RETURN_IF_ERROR(RefreshLocked());
  auto copy = std::make_shared<State>(*Snapshot());
  Txn txn(*this, copy.get());
  RETURN_IF_ERROR(fn(txn));
  if (txn.changes_.empty()) return Status::Ok();
  RETURN_IF_ERROR(store_.ApplyIdentityChanges(txn.changes_));
  // Exactly one more than loaded: only this write happened since; otherwise another server's
  // write did too, and the next Refresh() reloads.
  Result<int64_t> generation = store_.IdentityGeneration();
  if (generation.ok() && *generation == loaded_generation_ + 1) loaded_generation_ = *generation;
  copy->version++;
  std::lock_guard lock(state_mu_);
  state_ = std::move(copy);
  return Status::Ok();
}

std::string Identity::RandomString(size_t n, std::string_view alphabet) {
  std::lock_guard lock(random_mu_);
  std::string out;
  const size_t limit = 256 - (256 % alphabet.size());
  while (out.size() < n) {
    for (uint8_t b : random_.RandomBytes(n)) {
      // Rejection sampling keeps the distribution uniform.
      if (b < limit && out.size() < n) out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

std::string Identity::NewUniqueId(std::string_view prefix) {
  return std::string(prefix) + RandomString(17, kIdAlphabet);
}

Result<std::pair<store::IamAccessKeyRecord, std::string>> Identity::NewAccessKey(
    std::string_view account_id, std::string_view user_name) {
  store::IamAccessKeyRecord key;
  key.access_key_id = "AKIA" + RandomString(16, kIdAlphabet);
  key.account_id = std::string(account_id);
  key.user_name = std::string(user_name);
  key.created_at_ms = ToUnixMillis(clock_.Now());
  std::string secret = RandomString(40, kSecretAlphabet);
  ASSIGN_OR_RETURN(key.sealed_secret, box_.Seal(AsSpan(secret), SealedPurpose(key.access_key_id)));
  return std::make_pair(std::move(key), std::move(secret));
}

Result<std::string> Identity::SecretOf(const store::IamAccessKeyRecord& key) {
  {
    std::lock_guard lock(secrets_mu_);
    auto it = secrets_.find(key.access_key_id);
    if (it != secrets_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(Bytes secret, box_.Open(key.sealed_secret, SealedPurpose(key.access_key_id)));
  std::string text(AsStringView(secret));
  std::lock_guard lock(secrets_mu_);
  secrets_[key.access_key_id] = text;
  return text;
}

Result<BootstrapResult> Identity::Bootstrap(const BootstrapOptions& options) {
  if (options.fixed_key_id.has_value() != options.fixed_secret.has_value()) {
    return Status(ErrorCode::kInvalidArgs,
                  "both the bootstrap access key id and secret access key must be given");
  }
  if (options.fixed_key_id.has_value() &&
      (options.fixed_key_id->size() < 16 || options.fixed_key_id->size() > 128 ||
       options.fixed_secret->size() < 16)) {
    return Status(ErrorCode::kInvalidArgs,
                  "the bootstrap access key id must have 16-128 characters and the secret at "
                  "least 16");
  }
  if (options.account_id.has_value() && !IsAccountId(*options.account_id)) {
    return Status(ErrorCode::kInvalidArgs, "the account id must be 12 digits");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> stored, settings_.GetSetting(kAccountSetting));
  std::string account;
  if (stored.has_value()) {
    if (options.account_id.has_value() && *options.account_id != *stored) {
      return Status(ErrorCode::kInvalidArgs, "the configured account id " + *options.account_id +
                                                 " differs from the database's " + *stored);
    }
    account = *stored;
  } else {
    account = options.account_id.value_or(RandomString(1, "123456789") +
                                          RandomString(11, "0123456789"));
    RETURN_IF_ERROR(settings_.PutSetting(kAccountSetting, account));
  }
  {
    std::lock_guard lock(state_mu_);
    account_id_ = account;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> admin_key_setting,
                   settings_.GetSetting(kAdminKeySetting));

  BootstrapResult result;
  result.account_id = account;
  std::string chosen_key;
  Status st = Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    if (s.Account(account) == nullptr) {
      store::IamAccountRecord a;
      a.id = account;
      a.name = "openpca";
      a.joined_at_ms = ToUnixMillis(clock_.Now());
      txn.Put(a);
    }
    if (s.User(account, kAdminUser) == nullptr) {
      store::IamUserRecord u;
      u.account_id = account;
      u.name = kAdminUser;
      u.id = NewUniqueId("AIDA");
      u.created_at_ms = ToUnixMillis(clock_.Now());
      txn.Put(u);
      txn.Put(store::IamAttachmentRecord{account, "user", kAdminUser,
                                         std::string(kAdministratorAccessArn)});
    }
    std::string key_id = options.fixed_key_id.value_or(admin_key_setting.value_or(""));
    const store::IamAccessKeyRecord* existing =
        key_id.empty() ? nullptr : s.Find<store::IamAccessKeyRecord>(key_id);
    if (existing != nullptr) {
      ASSIGN_OR_RETURN(std::string secret, SecretOf(*existing));
      if (options.fixed_secret.has_value() && secret != *options.fixed_secret) {
        return Status(ErrorCode::kInvalidArgs,
                      "the bootstrap access key id exists with a different secret");
      }
      if (existing->user_name.empty() && existing->account_id == account) {
        store::IamAccessKeyRecord moved = *existing;  // a root key from before IAM users
        moved.user_name = kAdminUser;
        txn.Put(moved);
      }
      chosen_key = key_id;
      result.access_key_id = key_id;
      result.secret_access_key = secret;
      return Status::Ok();
    }
    store::IamAccessKeyRecord key;
    std::string secret;
    if (options.fixed_key_id.has_value()) {
      key.access_key_id = *options.fixed_key_id;
      key.account_id = account;
      key.user_name = kAdminUser;
      key.created_at_ms = ToUnixMillis(clock_.Now());
      secret = *options.fixed_secret;
      ASSIGN_OR_RETURN(key.sealed_secret,
                       box_.Seal(AsSpan(secret), SealedPurpose(key.access_key_id)));
    } else {
      ASSIGN_OR_RETURN(auto made, NewAccessKey(account, kAdminUser));
      key = std::move(made.first);
      secret = std::move(made.second);
    }
    txn.Put(key);
    chosen_key = key.access_key_id;
    result.access_key_id = key.access_key_id;
    result.secret_access_key = secret;
    result.created = true;
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  if (admin_key_setting != chosen_key) {
    RETURN_IF_ERROR(settings_.PutSetting(kAdminKeySetting, chosen_key));
  }
  return result;
}

// --- Credentials ---

Result<ResolvedCredential> Identity::ResolveCredential(
    std::string_view access_key_id, const std::optional<std::string>& session_token) {
  if (access_key_id.starts_with("ASIA")) {
    if (!session_token.has_value() || session_token->empty()) return BadToken();
    std::shared_ptr<const State> state = Snapshot();
    {
      std::lock_guard lock(session_cache_mu_);
      auto it = session_cache_.find(*session_token);
      if (it != session_cache_.end() && it->second.state == state) {
        const ResolvedCredential& c = it->second.credential;
        if (c.access_key_id != access_key_id) return ResolveSession(access_key_id, *session_token);
        if (ToUnixSeconds(clock_.Now()) >= c.principal.session_expires_at_s) {
          return Status(ErrorCode::kExpiredToken,
                        "The security token included in the request is expired");
        }
        return c;
      }
    }
    ASSIGN_OR_RETURN(ResolvedCredential resolved, ResolveSession(access_key_id, *session_token));
    std::lock_guard lock(session_cache_mu_);
    if (session_cache_.size() >= 4096) session_cache_.clear();
    session_cache_[*session_token] = SessionEntry{state, resolved};
    return resolved;
  }
  if (session_token.has_value() && !session_token->empty()) return BadToken();
  std::shared_ptr<const State> s = Snapshot();
  const store::IamAccessKeyRecord* key =
      s->Find<store::IamAccessKeyRecord>(std::string(access_key_id));
  if (key == nullptr || key->status != "Active") return BadToken();
  ResolvedCredential out;
  out.access_key_id = key->access_key_id;
  ASSIGN_OR_RETURN(out.secret_access_key, SecretOf(*key));
  Principal& p = out.principal;
  p.account_id = key->account_id;
  if (key->user_name.empty()) {
    p.type = PrincipalType::kAccountRoot;
    p.arn = RootArn(key->account_id);
    p.unique_id = key->account_id;
    return out;
  }
  const store::IamUserRecord* user = s->User(key->account_id, key->user_name);
  if (user == nullptr) return BadToken();
  p.type = PrincipalType::kUser;
  p.name = user->name;
  p.arn = UserArn(user->account_id, user->path, user->name);
  p.unique_id = user->id;
  p.principal_tags = TagsOf(*s, user->account_id, "user", user->name);
  return out;
}

Result<IssuedSession> Identity::IssueSession(const SessionGrant& grant) {
  IssuedSession out;
  out.access_key_id = "ASIA" + RandomString(16, kIdAlphabet);
  out.secret_access_key = RandomString(40, kSecretAlphabet);
  TimePoint now = clock_.Now();
  out.expiration = now + std::chrono::seconds(grant.duration_s);
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& [k, v] : grant.session_tags) tags.push_back({k, v});
  nlohmann::json j = {
      {"k", out.access_key_id},
      {"s", out.secret_access_key},
      {"t", static_cast<int>(grant.type)},
      {"a", grant.account_id},
      {"u", grant.user_name},
      {"rn", grant.role_name},
      {"ra", grant.role_arn},
      {"ri", grant.role_id},
      {"n", grant.session_name},
      {"tg", tags},
      {"tt", grant.transitive_tag_keys},
      {"p", grant.session_policies},
      {"i", ToUnixSeconds(now)},
      {"e", ToUnixSeconds(out.expiration)},
      {"d", grant.chain_depth},
      {"o", grant.origin_arn},
  };
  if (grant.source_identity.has_value()) j["si"] = *grant.source_identity;
  std::string plain = j.dump();
  ASSIGN_OR_RETURN(Bytes sealed, box_.Seal(AsSpan(plain), kSessionPurpose));
  out.session_token = Base64Encode(sealed);
  return out;
}

Result<ResolvedCredential> Identity::ResolveSession(std::string_view access_key_id,
                                                    const std::string& token) {
  std::optional<Bytes> sealed = Base64Decode(token);
  if (!sealed.has_value()) return BadToken();
  Result<Bytes> plain = box_.Open(*sealed, kSessionPurpose);
  if (!plain.ok()) return BadToken();  // forged or altered
  nlohmann::json j = nlohmann::json::parse(AsStringView(*plain), nullptr, false);
  if (!j.is_object()) return BadToken();
  try {
    if (j.at("k").get<std::string>() != access_key_id) return BadToken();
    int64_t expires = j.at("e").get<int64_t>();
    if (ToUnixSeconds(clock_.Now()) >= expires) {
      return Status(ErrorCode::kExpiredToken,
                    "The security token included in the request is expired");
    }
    ResolvedCredential out;
    out.access_key_id = std::string(access_key_id);
    out.secret_access_key = j.at("s").get<std::string>();
    Principal& p = out.principal;
    p.type = static_cast<PrincipalType>(j.at("t").get<int>());
    p.account_id = j.at("a").get<std::string>();
    p.temporary = true;
    p.token_issued_at_s = j.at("i").get<int64_t>();
    p.session_expires_at_s = expires;
    p.chain_depth = j.at("d").get<int>();
    p.chain_origin_arn = j.at("o").get<std::string>();
    p.session_policies = j.at("p").get<std::vector<std::string>>();
    p.transitive_tag_keys = j.at("tt").get<std::vector<std::string>>();
    for (const auto& t : j.at("tg")) {
      p.session_tags.emplace_back(t.at(0).get<std::string>(), t.at(1).get<std::string>());
    }
    if (j.contains("si")) p.source_identity = j["si"].get<std::string>();
    std::shared_ptr<const State> s = Snapshot();
    switch (p.type) {
      case PrincipalType::kAssumedRole: {
        p.name = j.at("rn").get<std::string>();
        p.role_arn = j.at("ra").get<std::string>();
        p.unique_id = j.at("ri").get<std::string>();
        p.session_name = j.at("n").get<std::string>();
        p.arn = AssumedRoleArn(p.account_id, p.name, p.session_name);
        p.principal_tags = TagsOf(*s, p.account_id, "role", p.name);
        break;
      }
      case PrincipalType::kUser: {
        p.name = j.at("u").get<std::string>();
        const store::IamUserRecord* user = s->User(p.account_id, p.name);
        if (user == nullptr) return BadToken();
        p.arn = UserArn(p.account_id, user->path, user->name);
        p.unique_id = user->id;
        p.principal_tags = TagsOf(*s, p.account_id, "user", p.name);
        break;
      }
      case PrincipalType::kAccountRoot:
        p.arn = RootArn(p.account_id);
        p.unique_id = p.account_id;
        break;
      default:
        return BadToken();
    }
    for (const auto& [k, v] : p.session_tags) {
      auto it = std::find_if(p.principal_tags.begin(), p.principal_tags.end(),
                             [&](const auto& t) { return Lower(t.first) == Lower(k); });
      if (it != p.principal_tags.end()) {
        it->second = v;
      } else {
        p.principal_tags.emplace_back(k, v);
      }
    }
    return out;
  } catch (const nlohmann::json::exception&) {
    return BadToken();
  }
}

// --- Policies ---

namespace {

// The default version's document of a managed policy; nullopt when it does not exist.
std::optional<PolicySource> ManagedPolicy(const State& s, const std::string& arn) {
  if (const AwsManagedPolicy* aws = FindAwsManagedPolicy(arn)) {
    return PolicySource{arn, "aws-managed", aws->name, aws->document};
  }
  const store::IamPolicyRecord* p = s.Find<store::IamPolicyRecord>(arn);
  if (p == nullptr) return std::nullopt;
  const store::IamPolicyVersionRecord* v = s.Find<store::IamPolicyVersionRecord>(
      KeyOf(store::IamPolicyVersionRecord{arn, p->default_version, "", 0}));
  if (v == nullptr) return std::nullopt;
  return PolicySource{arn, "user-managed", p->name, v->document};
}

void AddEntityPolicies(const State& s, std::string_view account, std::string_view type,
                       std::string_view name, const std::string& owner_arn,
                       std::vector<PolicySource>& out) {
  for (auto* inl : s.Scan<store::IamInlinePolicyRecord>(EntityKey(account, type, name))) {
    out.push_back(PolicySource{owner_arn, std::string(type), inl->policy_name, inl->document});
  }
  for (auto* att : s.Scan<store::IamAttachmentRecord>(EntityKey(account, type, name))) {
    if (auto p = ManagedPolicy(s, att->policy_arn)) out.push_back(std::move(*p));
  }
}

}  // namespace

Result<PrincipalPolicies> Identity::PoliciesOf(const Principal& principal) const {
  std::shared_ptr<const State> s = Snapshot();
  std::string key = std::to_string(static_cast<int>(principal.type)) + "/" + principal.account_id +
                    "/" + Lower(principal.name);
  {
    std::lock_guard lock(policy_cache_mu_);
    if (policy_cache_version_ != s->version) {
      policy_cache_.clear();
      policy_cache_version_ = s->version;
    }
    auto it = policy_cache_.find(key);
    if (it != policy_cache_.end()) {
      PrincipalPolicies out = it->second;
      out.session_policies = principal.session_policies;
      return out;
    }
  }
  ASSIGN_OR_RETURN(PrincipalPolicies out, ComputePolicies(*s, principal));
  {
    std::lock_guard lock(policy_cache_mu_);
    if (policy_cache_version_ == s->version) policy_cache_[key] = out;
  }
  out.session_policies = principal.session_policies;
  return out;
}

Result<PrincipalPolicies> Identity::ComputePolicies(const State& state,
                                                    const Principal& principal) const {
  const State* s = &state;
  PrincipalPolicies out;
  out.state_version = s->version;
  const std::string& account = principal.account_id;
  std::string boundary;
  switch (principal.type) {
    case PrincipalType::kAccountRoot:
      out.is_root = true;
      break;
    case PrincipalType::kUser: {
      const store::IamUserRecord* user = s->User(account, principal.name);
      if (user == nullptr) {
        return Status(ErrorCode::kNoSuchEntity,
                      "The user with name " + principal.name + " cannot be found.");
      }
      std::string arn = UserArn(account, user->path, user->name);
      AddEntityPolicies(*s, account, "user", user->name, arn, out.identity_policies);
      for (const auto& [key, member] : s->T<store::IamGroupMemberRecord>()) {
        if (member.account_id != account || Lower(member.user_name) != Lower(user->name)) continue;
        const store::IamGroupRecord* group = s->Group(account, member.group_name);
        if (group == nullptr) continue;
        AddEntityPolicies(*s, account, "group", group->name,
                          GroupArn(account, group->path, group->name), out.identity_policies);
      }
      boundary = user->permissions_boundary;
      break;
    }
    case PrincipalType::kAssumedRole: {
      const store::IamRoleRecord* role = s->Role(account, principal.name);
      if (role == nullptr) {
        return Status(ErrorCode::kNoSuchEntity,
                      "The role with name " + principal.name + " cannot be found.");
      }
      AddEntityPolicies(*s, account, "role", role->name,
                        RoleArn(account, role->path, role->name), out.identity_policies);
      boundary = role->permissions_boundary;
      break;
    }
  }
  if (!boundary.empty()) out.permissions_boundary = ManagedPolicy(*s, boundary);
  return out;
}

Result<std::optional<OrgContext>> Identity::OrgOf(std::string_view account_id) const {
  std::shared_ptr<const State> s = Snapshot();
  const store::IamAccountRecord* account = s->Account(account_id);
  if (account == nullptr) {
    return Status(ErrorCode::kAccountNotFound,
                  "You specified an account that doesn't exist.");
  }
  if (account->org_id.empty()) return std::optional<OrgContext>();
  const store::OrganizationRecord* org = s->Organization(account->org_id);
  if (org == nullptr) return std::optional<OrgContext>();
  OrgContext ctx;
  ctx.org_id = org->id;
  ctx.management_account_id = org->management_account_id;
  ctx.root_id = org->root_id;
  ctx.is_management_account = org->management_account_id == account->id;
  ctx.scps_enabled = org->enabled_policy_types.find("SERVICE_CONTROL_POLICY") != std::string::npos;
  // Chain from the account's parent up to the root.
  std::vector<std::string> chain;  // root first after reversing
  std::string parent = account->parent_id.empty() ? org->root_id : account->parent_id;
  for (int guard = 0; guard < 16 && !parent.empty(); ++guard) {
    chain.push_back(parent);
    if (parent == org->root_id) break;
    const store::OrgUnitRecord* ou = s->Find<store::OrgUnitRecord>(parent);
    parent = ou == nullptr ? "" : ou->parent_id;
  }
  std::reverse(chain.begin(), chain.end());
  std::string path = org->id + "/";
  for (const std::string& id : chain) path += id + "/";
  ctx.org_paths.push_back(path);
  if (ctx.scps_enabled) {
    chain.push_back(account->id);
    for (const std::string& target : chain) {
      std::vector<std::string> docs;
      for (const auto& [key, att] : s->T<store::OrgPolicyAttachmentRecord>()) {
        if (att.org_id != org->id || att.target_id != target) continue;
        const store::OrgPolicyRecord* p = s->Find<store::OrgPolicyRecord>(att.policy_id);
        if (p != nullptr && p->type == "SERVICE_CONTROL_POLICY") docs.push_back(p->content);
      }
      ctx.scp_levels.push_back(std::move(docs));
    }
  }
  return std::optional<OrgContext>(std::move(ctx));
}

}  // namespace openpca::identity
