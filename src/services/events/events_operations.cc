#include "services/events/events_operations.h"

#include <algorithm>
#include <memory>

#include <spdlog/spdlog.h>

#include "common/arn.h"
#include "events/http_client.h"
#include "events/invocation.h"
#include "events/pattern.h"

namespace openpca::services::events {
namespace {

using nlohmann::json;
namespace ev = openpca::events;

struct Env {
  EventsDeps deps;
};

// The caller's account, region and partition.
struct Scope {
  std::string account;
  std::string region;
  std::string partition;
  std::string Arn(std::string_view resource) const {
    return "arn:" + partition + ":events:" + region + ":" + account + ":" + std::string(resource);
  }
};

Scope ScopeOf(const Env& env, const api::CallContext& ctx) {
  Scope s;
  s.account = ctx.account_id;
  s.region = ctx.region.empty() ? env.deps.default_region : ctx.region;
  s.partition = std::string(PartitionOfRegion(s.region));
  return s;
}

std::string Str(const json& input, const char* member) {
  auto it = input.find(member);
  return it != input.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Has(const json& input, const char* member) {
  auto it = input.find(member);
  return it != input.end() && !it->is_null();
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

Status Validation(std::string message) {
  return Status(ErrorCode::kValidation, std::move(message));
}

int64_t NowMs(const Env& env) { return ToUnixMillis(env.deps.clock->Now()); }

// Only the default event bus exists: its name, or its ARN in the caller's account and region.
Status CheckBus(const Scope& scope, const json& input) {
  std::string bus = Str(input, "EventBusName");
  if (bus.empty() || bus == "default" || bus == scope.Arn("event-bus/default")) {
    return Status::Ok();
  }
  return Status(ErrorCode::kResourceNotFound, "Event bus " + bus + " does not exist.");
}

Status RuleNotFound(const std::string& name) {
  return Status(ErrorCode::kResourceNotFound,
                "Rule " + name + " does not exist on EventBus default.");
}

Result<store::EventRuleRecord> LoadRule(const Env& env, const Scope& scope,
                                        const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<store::EventRuleRecord> rule,
                   env.deps.store->GetRule(scope.Arn("rule/" + name)));
  if (!rule.has_value()) return RuleNotFound(name);
  return *rule;
}

// Pages of a sorted list: NextToken is the index of the first item of the next page.
struct Page {
  size_t begin = 0;
  size_t end = 0;
  std::optional<std::string> next_token;
};

Result<Page> Paginate(const json& input, size_t total, size_t default_limit) {
  size_t limit = default_limit;
  if (auto it = input.find("Limit"); it != input.end() && it->is_number_integer()) {
    limit = static_cast<size_t>(std::max<int64_t>(it->get<int64_t>(), 1));
  }
  Page page;
  if (std::string token = Str(input, "NextToken"); !token.empty()) {
    if (token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9 ||
        std::stoul(token) > total) {
      return Validation("The NextToken provided is invalid.");
    }
    page.begin = std::stoul(token);
  }
  page.end = std::min(total, page.begin + limit);
  if (page.end < total) page.next_token = std::to_string(page.end);
  return page;
}

json RuleJson(const store::EventRuleRecord& r) {
  json out = {{"Name", r.name}, {"Arn", r.arn}, {"State", r.state}, {"EventBusName", "default"}};
  for (const char* m : {"EventPattern", "Description", "RoleArn", "ScheduleExpression"}) {
    if (auto it = r.document.find(m); it != r.document.end() && it->is_string()) out[m] = *it;
  }
  return out;
}

// After a rule or target write. The write is durable and the call succeeds: a failed reload is
// logged and leaves the previous snapshot in place until the next write reloads it.
Status Reload(Env& env) {
  Status st = env.deps.bus->Reload();
  if (!st.ok()) spdlog::error("events: rules could not be reloaded: {}", st.message());
  return Status::Ok();
}

// --- Rules ---

Result<json> HandlePutRule(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  const std::string name = Str(input, "Name");
  const bool has_pattern = Has(input, "EventPattern");
  if (Has(input, "ScheduleExpression")) {
    return Validation(
        "ScheduleExpression is not supported: this endpoint routes events only (use "
        "EventPattern).");
  }
  if (!has_pattern) {
    return Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  ASSIGN_OR_RETURN(ev::EventPattern pattern, ev::EventPattern::Compile(Str(input, "EventPattern")));
  (void)pattern;
  std::string state = Str(input, "State");
  if (state.empty()) state = "ENABLED";
  if (state != "ENABLED" && state != "DISABLED") {
    return Validation("State " + state + " is not supported on this endpoint.");
  }
  const std::string arn = scope.Arn("rule/" + name);
  ASSIGN_OR_RETURN(std::optional<store::EventRuleRecord> existing, env.deps.store->GetRule(arn));
  const int64_t now = NowMs(env);
  store::EventRuleRecord rule;
  if (existing.has_value()) {
    rule = *existing;
  } else {
    ASSIGN_OR_RETURN(std::vector<store::EventRuleRecord> all, env.deps.store->ListRules());
    size_t count = std::count_if(all.begin(), all.end(), [&](const store::EventRuleRecord& r) {
      return r.account_id == scope.account && r.region == scope.region;
    });
    if (count >= kMaxRulesPerBus) {
      return Status(ErrorCode::kLimitExceeded,
                    "The requested resource exceeds the maximum number allowed.");
    }
    rule.arn = arn;
    rule.account_id = scope.account;
    rule.region = scope.region;
    rule.name = name;
    rule.created_at_ms = now;
  }
  // PutRule replaces the rule's definition; tags are set only when the rule is created.
  json document = json::object();
  for (const char* m : {"EventPattern", "Description", "RoleArn"}) {
    if (Has(input, m)) document[m] = input[m];
  }
  if (existing.has_value()) {
    if (auto tags = existing->document.find("Tags"); tags != existing->document.end()) {
      document["Tags"] = *tags;
    }
  } else if (Has(input, "Tags")) {
    document["Tags"] = input["Tags"];
  }
  document["CreatedBy"] = scope.account;
  rule.document = std::move(document);
  rule.state = state;
  rule.updated_at_ms = now;
  RETURN_IF_ERROR(env.deps.store->PutRule(rule));
  RETURN_IF_ERROR(Reload(env));
  return json{{"RuleArn", arn}};
}

Result<json> HandleDescribeRule(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  ASSIGN_OR_RETURN(store::EventRuleRecord rule, LoadRule(env, scope, Str(input, "Name")));
  json out = RuleJson(rule);
  out["CreatedBy"] = rule.document.value("CreatedBy", rule.account_id);
  return out;
}

Result<json> HandleListRules(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  const std::string prefix = Str(input, "NamePrefix");
  ASSIGN_OR_RETURN(std::vector<store::EventRuleRecord> all, env.deps.store->ListRules());
  std::vector<const store::EventRuleRecord*> mine;
  for (const auto& r : all) {
    if (r.account_id == scope.account && r.region == scope.region && r.name.starts_with(prefix)) {
      mine.push_back(&r);
    }
  }
  ASSIGN_OR_RETURN(Page page, Paginate(input, mine.size(), 100));
  json rules = json::array();
  for (size_t i = page.begin; i < page.end; ++i) rules.push_back(RuleJson(*mine[i]));
  json out = {{"Rules", std::move(rules)}};
  if (page.next_token) out["NextToken"] = *page.next_token;
  return out;
}

Result<json> HandleDeleteRule(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  Status st = env.deps.store->DeleteRule(scope.Arn("rule/" + Str(input, "Name")));
  // Deleting a rule that does not exist succeeds, as on EventBridge.
  if (!st.ok() && st.code() != ErrorCode::kResourceNotFound) return st;
  RETURN_IF_ERROR(Reload(env));
  return json::object();
}

Result<json> SetRuleState(Env& env, const api::CallContext& ctx, const json& input,
                          const char* state) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  ASSIGN_OR_RETURN(store::EventRuleRecord rule, LoadRule(env, scope, Str(input, "Name")));
  rule.state = state;
  rule.updated_at_ms = NowMs(env);
  RETURN_IF_ERROR(env.deps.store->PutRule(rule));
  RETURN_IF_ERROR(Reload(env));
  return json::object();
}

// --- Targets ---

// Only API destinations of the caller's account and region are delivered to; anything else is
// refused rather than accepted and never delivered (docs/decisions.md).
Status CheckTarget(Env& env, const Scope& scope, const json& target) {
  const std::string id = Str(target, "Id");
  const std::string arn = Str(target, "Arn");
  const std::string prefix = scope.Arn("api-destination/");
  if (!arn.starts_with(prefix)) {
    return Validation("Target " + id +
                      ": only EventBridge API destinations of this account and "
                      "region (" +
                      prefix + "...) can be targets on this endpoint.");
  }
  ASSIGN_OR_RETURN(std::optional<store::ApiDestinationRecord> dest,
                   env.deps.store->GetApiDestinationByArn(arn));
  if (!dest.has_value()) {
    return Status(ErrorCode::kResourceNotFound, "Api destination " + arn + " does not exist.");
  }
  for (const char* unsupported :
       {"InputTransformer", "KinesisParameters", "RunCommandParameters", "EcsParameters",
        "BatchParameters", "SqsParameters", "RedshiftDataParameters", "SageMakerPipelineParameters",
        "AppSyncParameters"}) {
    if (Has(target, unsupported)) {
      return Validation("Target " + id + ": " + unsupported +
                        " is not supported on this endpoint.");
    }
  }
  if (Has(target, "Input") && Has(target, "InputPath")) {
    return Validation("Target " + id + ": only one of Input and InputPath may be given.");
  }
  if (Has(target, "Input")) {
    json parsed = json::parse(Str(target, "Input"), nullptr, false);
    if (parsed.is_discarded()) return Validation("Target " + id + ": Input is not valid JSON.");
  }
  if (std::string path = Str(target, "InputPath");
      !path.empty() && path != "$" && !path.starts_with("$.")) {
    return Validation("Target " + id + ": InputPath must be \"$\" or start with \"$.\".");
  }
  return Status::Ok();
}

Result<json> HandlePutTargets(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  const std::string name = Str(input, "Rule");
  ASSIGN_OR_RETURN(store::EventRuleRecord rule, LoadRule(env, scope, name));
  std::vector<store::EventTargetRecord> targets;
  const int64_t now = NowMs(env);
  for (const json& t : input.value("Targets", json::array())) {
    RETURN_IF_ERROR(CheckTarget(env, scope, t));
    for (const auto& seen : targets) {
      if (seen.target_id == Str(t, "Id")) {
        return Validation("Target ids must be unique within a PutTargets request.");
      }
    }
    targets.push_back(store::EventTargetRecord{rule.arn, Str(t, "Id"), t, now});
  }
  RETURN_IF_ERROR(env.deps.store->PutTargets(rule.arn, targets, kMaxTargetsPerRule));
  RETURN_IF_ERROR(Reload(env));
  return json{{"FailedEntryCount", 0}, {"FailedEntries", json::array()}};
}

Result<json> HandleRemoveTargets(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  ASSIGN_OR_RETURN(store::EventRuleRecord rule, LoadRule(env, scope, Str(input, "Rule")));
  std::vector<std::string> ids;
  for (const json& id : input.value("Ids", json::array())) {
    if (id.is_string()) ids.push_back(id.get<std::string>());
  }
  RETURN_IF_ERROR(env.deps.store->RemoveTargets(rule.arn, ids));
  RETURN_IF_ERROR(Reload(env));
  return json{{"FailedEntryCount", 0}, {"FailedEntries", json::array()}};
}

Result<json> HandleListTargetsByRule(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  RETURN_IF_ERROR(CheckBus(scope, input));
  ASSIGN_OR_RETURN(store::EventRuleRecord rule, LoadRule(env, scope, Str(input, "Rule")));
  ASSIGN_OR_RETURN(std::vector<store::EventTargetRecord> all, env.deps.store->ListTargets());
  std::vector<const store::EventTargetRecord*> mine;
  for (const auto& t : all) {
    if (t.rule_arn == rule.arn) mine.push_back(&t);
  }
  ASSIGN_OR_RETURN(Page page, Paginate(input, mine.size(), 100));
  json targets = json::array();
  for (size_t i = page.begin; i < page.end; ++i) targets.push_back(mine[i]->document);
  json out = {{"Targets", std::move(targets)}};
  if (page.next_token) out["NextToken"] = *page.next_token;
  return out;
}

// --- Patterns and events ---

Result<json> HandleTestEventPattern(Env&, const api::CallContext&, const json& input) {
  ASSIGN_OR_RETURN(ev::EventPattern pattern, ev::EventPattern::Compile(Str(input, "EventPattern")));
  json event = json::parse(Str(input, "Event"), nullptr, false);
  if (!event.is_object()) return Validation("Parameter Event is not valid.");
  for (const char* required : {"id", "account", "source", "time", "region", "detail-type"}) {
    if (!event.contains(required)) {
      return Validation("Parameter Event is not valid. Reason: " + std::string(required) +
                        " is a required field.");
    }
  }
  return json{{"Result", pattern.Matches(event)}};
}

json EntryError(const std::string& code, const std::string& message) {
  return json{{"ErrorCode", code}, {"ErrorMessage", message}};
}

Result<json> HandlePutEvents(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  if (Has(input, "EndpointId")) return Validation("EndpointId is not supported on this endpoint.");
  json entries = json::array();
  int failed = 0;
  for (const json& e : input.value("Entries", json::array())) {
    json result;
    json detail;
    if (!CheckBus(scope, e).ok()) {
      result = EntryError("ResourceNotFoundException",
                          "Event bus " + Str(e, "EventBusName") + " does not exist.");
    } else if (Str(e, "Source").empty()) {
      result = EntryError("InvalidArgument",
                          "Parameter Source is not valid. Reason: Source is a required argument.");
    } else if (Str(e, "DetailType").empty()) {
      result = EntryError(
          "InvalidArgument",
          "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
    } else if (Str(e, "Detail").empty()) {
      result = EntryError("InvalidArgument",
                          "Parameter Detail is not valid. Reason: Detail is a required argument.");
    } else if (detail = json::parse(Str(e, "Detail"), nullptr, false); !detail.is_object()) {
      result = EntryError("MalformedDetail", "Detail is malformed.");
    } else if (Str(e, "Source").starts_with("aws.")) {
      // Only AWS services publish aws.* sources.
      result = EntryError("NotAuthorizedForSourceException", "Not authorized for the source.");
    } else {
      ev::Event event;
      event.source = Str(e, "Source");
      event.detail_type = Str(e, "DetailType");
      event.account = scope.account;
      event.region = scope.region;
      if (auto t = e.find("Time"); t != e.end() && t->is_number()) {
        event.time_ms = static_cast<int64_t>(t->get<double>() * 1000.0);
      }
      for (const json& r : e.value("Resources", json::array())) {
        if (r.is_string()) event.resources.push_back(r.get<std::string>());
      }
      event.detail = std::move(detail);
      Result<std::string> id = env.deps.bus->PublishWithId(std::move(event));
      result = id.ok() ? json{{"EventId", *id}}
                       : EntryError("InternalFailure", "The event could not be accepted.");
    }
    if (result.contains("ErrorCode")) ++failed;
    entries.push_back(std::move(result));
  }
  return json{{"FailedEntryCount", failed}, {"Entries", std::move(entries)}};
}

// --- Connections ---

// The connection's InvocationHttpParameters with the values of secret parameters removed.
json PublicHttpParameters(json params) {
  for (const char* list : {"HeaderParameters", "QueryStringParameters", "BodyParameters"}) {
    auto it = params.find(list);
    if (it == params.end() || !it->is_array()) continue;
    for (json& p : *it) {
      if (p.value("IsValueSecret", false)) p.erase("Value");
    }
  }
  return params;
}

json ConnectionSummary(const store::EventConnectionRecord& c) {
  return json{{"ConnectionArn", c.arn},
              {"Name", c.name},
              {"ConnectionState", c.state},
              {"AuthorizationType", c.authorization_type},
              {"CreationTime", Seconds(c.created_at_ms)},
              {"LastModifiedTime", Seconds(c.updated_at_ms)},
              {"LastAuthorizedTime", Seconds(c.created_at_ms)}};
}

Result<store::EventConnectionRecord> LoadConnection(Env& env, const Scope& scope,
                                                    const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<store::EventConnectionRecord> c,
                   env.deps.store->GetConnection(scope.account, scope.region, name));
  if (!c.has_value()) {
    return Status(
        ErrorCode::kResourceNotFound,
        "Failed to describe the connection(s). Connection '" + name + "' does not exist.");
  }
  return *c;
}

Result<json> HandleCreateConnection(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  const std::string name = Str(input, "Name");
  const std::string type = Str(input, "AuthorizationType");
  const json auth = input.value("AuthParameters", json::object());
  if (Has(input, "InvocationConnectivityParameters") || Has(auth, "ConnectivityParameters")) {
    return Validation(
        "Private connectivity (ConnectivityParameters) is not supported on this "
        "endpoint.");
  }
  if (Has(input, "KmsKeyIdentifier")) {
    return Validation(
        "KmsKeyIdentifier is not supported: secrets are sealed with the server's "
        "master key.");
  }
  json public_auth = json::object();
  json secret = json::object();
  if (type == "API_KEY") {
    const json p = auth.value("ApiKeyAuthParameters", json());
    if (!p.is_object() || Has(auth, "BasicAuthParameters") || Has(auth, "OAuthParameters")) {
      return Validation("ApiKeyAuthParameters must be specified for AuthorizationType API_KEY.");
    }
    public_auth["ApiKeyAuthParameters"] = {{"ApiKeyName", Str(p, "ApiKeyName")}};
    secret["ApiKeyValue"] = Str(p, "ApiKeyValue");
  } else if (type == "BASIC") {
    const json p = auth.value("BasicAuthParameters", json());
    if (!p.is_object() || Has(auth, "ApiKeyAuthParameters") || Has(auth, "OAuthParameters")) {
      return Validation("BasicAuthParameters must be specified for AuthorizationType BASIC.");
    }
    public_auth["BasicAuthParameters"] = {{"Username", Str(p, "Username")}};
    secret["Password"] = Str(p, "Password");
  } else {
    return Validation("AuthorizationType " + type +
                      " is not supported on this endpoint (API_KEY and BASIC are).");
  }
  if (Has(auth, "InvocationHttpParameters")) {
    secret["InvocationHttpParameters"] = auth["InvocationHttpParameters"];
    public_auth["InvocationHttpParameters"] =
        PublicHttpParameters(auth["InvocationHttpParameters"]);
  }
  ASSIGN_OR_RETURN(std::vector<store::EventConnectionRecord> existing,
                   env.deps.store->ListConnections(scope.account, scope.region));
  if (existing.size() >= kMaxConnections) {
    return Status(ErrorCode::kLimitExceeded,
                  "The requested resource exceeds the maximum number allowed.");
  }
  const int64_t now = NowMs(env);
  store::EventConnectionRecord c;
  c.arn = scope.Arn("connection/" + name + "/" + NewUuidV4(*env.deps.random));
  c.account_id = scope.account;
  c.region = scope.region;
  c.name = name;
  c.authorization_type = type;
  c.state = "AUTHORIZED";
  c.document = {{"AuthParameters", std::move(public_auth)}};
  if (Has(input, "Description")) c.document["Description"] = input["Description"];
  const std::string secret_text = secret.dump();
  ASSIGN_OR_RETURN(c.sealed_secret,
                   env.deps.box->Seal(AsSpan(secret_text), ev::ConnectionSecretAad(c.arn)));
  c.created_at_ms = now;
  c.updated_at_ms = now;
  RETURN_IF_ERROR(env.deps.store->InsertConnection(c));
  return json{{"ConnectionArn", c.arn},
              {"ConnectionState", c.state},
              {"CreationTime", Seconds(now)},
              {"LastModifiedTime", Seconds(now)}};
}

Result<json> HandleDescribeConnection(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(store::EventConnectionRecord c,
                   LoadConnection(env, ScopeOf(env, ctx), Str(input, "Name")));
  json out = ConnectionSummary(c);
  out["AuthParameters"] = c.document.value("AuthParameters", json::object());
  if (auto d = c.document.find("Description"); d != c.document.end()) out["Description"] = *d;
  return out;
}

Result<json> HandleDeleteConnection(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(store::EventConnectionRecord c,
                   LoadConnection(env, ScopeOf(env, ctx), Str(input, "Name")));
  RETURN_IF_ERROR(env.deps.store->DeleteConnection(c.arn));
  return json{{"ConnectionArn", c.arn},
              {"ConnectionState", "DELETING"},
              {"CreationTime", Seconds(c.created_at_ms)},
              {"LastModifiedTime", Seconds(NowMs(env))},
              {"LastAuthorizedTime", Seconds(c.created_at_ms)}};
}

Result<json> HandleListConnections(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  ASSIGN_OR_RETURN(std::vector<store::EventConnectionRecord> all,
                   env.deps.store->ListConnections(scope.account, scope.region));
  const std::string prefix = Str(input, "NamePrefix");
  const std::string state = Str(input, "ConnectionState");
  std::vector<const store::EventConnectionRecord*> mine;
  for (const auto& c : all) {
    if (c.name.starts_with(prefix) && (state.empty() || c.state == state)) mine.push_back(&c);
  }
  ASSIGN_OR_RETURN(Page page, Paginate(input, mine.size(), 100));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(ConnectionSummary(*mine[i]));
  json out = {{"Connections", std::move(list)}};
  if (page.next_token) out["NextToken"] = *page.next_token;
  return out;
}

// --- API destinations ---

json DestinationJson(const store::ApiDestinationRecord& d) {
  json out = {{"ApiDestinationArn", d.arn},
              {"Name", d.name},
              {"ApiDestinationState", "ACTIVE"},
              {"ConnectionArn", d.connection_arn},
              {"CreationTime", Seconds(d.created_at_ms)},
              {"LastModifiedTime", Seconds(d.updated_at_ms)}};
  for (const char* m : {"InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond"}) {
    if (auto it = d.document.find(m); it != d.document.end()) out[m] = *it;
  }
  return out;
}

Result<store::ApiDestinationRecord> LoadDestination(Env& env, const Scope& scope,
                                                    const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<store::ApiDestinationRecord> d,
                   env.deps.store->GetApiDestination(scope.account, scope.region, name));
  if (!d.has_value()) {
    return Status(ErrorCode::kResourceNotFound,
                  "Failed to describe the api-destination(s). An api-destination '" + name +
                      "' does not exist.");
  }
  return *d;
}

Result<json> HandleCreateApiDestination(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  const std::string name = Str(input, "Name");
  const std::string connection_arn = Str(input, "ConnectionArn");
  const std::string endpoint = Str(input, "InvocationEndpoint");
  std::optional<ev::ParsedUrl> url = ev::ParseUrl(endpoint);
  if (!url.has_value() || (!url->https && !ev::IsLoopbackHost(url->host))) {
    return Validation(
        "InvocationEndpoint must be an https:// URL (http:// only on the loopback "
        "interface).");
  }
  ASSIGN_OR_RETURN(std::optional<store::EventConnectionRecord> connection,
                   env.deps.store->GetConnectionByArn(connection_arn));
  if (!connection.has_value() || connection->account_id != scope.account ||
      connection->region != scope.region) {
    return Status(ErrorCode::kResourceNotFound,
                  "Connection '" + connection_arn + "' does not exist.");
  }
  ASSIGN_OR_RETURN(std::vector<store::ApiDestinationRecord> existing,
                   env.deps.store->ListApiDestinations(scope.account, scope.region));
  if (existing.size() >= kMaxApiDestinations) {
    return Status(ErrorCode::kLimitExceeded,
                  "The requested resource exceeds the maximum number allowed.");
  }
  const int64_t now = NowMs(env);
  store::ApiDestinationRecord d;
  d.arn = scope.Arn("api-destination/" + name + "/" + NewUuidV4(*env.deps.random));
  d.account_id = scope.account;
  d.region = scope.region;
  d.name = name;
  d.connection_arn = connection_arn;
  d.document = {{"InvocationEndpoint", endpoint},
                {"HttpMethod", Str(input, "HttpMethod")},
                {"InvocationRateLimitPerSecond", input.value("InvocationRateLimitPerSecond", 300)}};
  if (Has(input, "Description")) d.document["Description"] = input["Description"];
  d.created_at_ms = now;
  d.updated_at_ms = now;
  RETURN_IF_ERROR(env.deps.store->InsertApiDestination(d));
  return json{{"ApiDestinationArn", d.arn},
              {"ApiDestinationState", "ACTIVE"},
              {"CreationTime", Seconds(now)},
              {"LastModifiedTime", Seconds(now)}};
}

Result<json> HandleDescribeApiDestination(Env& env, const api::CallContext& ctx,
                                          const json& input) {
  ASSIGN_OR_RETURN(store::ApiDestinationRecord d,
                   LoadDestination(env, ScopeOf(env, ctx), Str(input, "Name")));
  json out = DestinationJson(d);
  if (auto it = d.document.find("Description"); it != d.document.end()) out["Description"] = *it;
  return out;
}

Result<json> HandleDeleteApiDestination(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(store::ApiDestinationRecord d,
                   LoadDestination(env, ScopeOf(env, ctx), Str(input, "Name")));
  RETURN_IF_ERROR(env.deps.store->DeleteApiDestination(d.arn));
  return json::object();
}

Result<json> HandleListApiDestinations(Env& env, const api::CallContext& ctx, const json& input) {
  const Scope scope = ScopeOf(env, ctx);
  ASSIGN_OR_RETURN(std::vector<store::ApiDestinationRecord> all,
                   env.deps.store->ListApiDestinations(scope.account, scope.region));
  const std::string prefix = Str(input, "NamePrefix");
  const std::string connection = Str(input, "ConnectionArn");
  std::vector<const store::ApiDestinationRecord*> mine;
  for (const auto& d : all) {
    if (d.name.starts_with(prefix) && (connection.empty() || d.connection_arn == connection)) {
      mine.push_back(&d);
    }
  }
  ASSIGN_OR_RETURN(Page page, Paginate(input, mine.size(), 100));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(DestinationJson(*mine[i]));
  json out = {{"ApiDestinations", std::move(list)}};
  if (page.next_token) out["NextToken"] = *page.next_token;
  return out;
}

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> EventsOperations(EventsDeps deps) {
  auto env = std::make_shared<Env>(Env{std::move(deps)});
  using Fn = Result<json> (*)(Env&, const api::CallContext&, const json&);
  auto bind = [env](Fn fn) -> api::OperationHandler {
    return
        [env, fn](const api::CallContext& ctx, const json& input) { return fn(*env, ctx, input); };
  };
  std::vector<std::pair<std::string, api::OperationHandler>> ops;
  ops.emplace_back("PutRule", bind(&HandlePutRule));
  ops.emplace_back("DescribeRule", bind(&HandleDescribeRule));
  ops.emplace_back("ListRules", bind(&HandleListRules));
  ops.emplace_back("DeleteRule", bind(&HandleDeleteRule));
  ops.emplace_back("EnableRule", bind([](Env& e, const api::CallContext& c, const json& i) {
                     return SetRuleState(e, c, i, "ENABLED");
                   }));
  ops.emplace_back("DisableRule", bind([](Env& e, const api::CallContext& c, const json& i) {
                     return SetRuleState(e, c, i, "DISABLED");
                   }));
  ops.emplace_back("PutTargets", bind(&HandlePutTargets));
  ops.emplace_back("RemoveTargets", bind(&HandleRemoveTargets));
  ops.emplace_back("ListTargetsByRule", bind(&HandleListTargetsByRule));
  ops.emplace_back("TestEventPattern", bind(&HandleTestEventPattern));
  ops.emplace_back("PutEvents", bind(&HandlePutEvents));
  ops.emplace_back("CreateConnection", bind(&HandleCreateConnection));
  ops.emplace_back("DescribeConnection", bind(&HandleDescribeConnection));
  ops.emplace_back("DeleteConnection", bind(&HandleDeleteConnection));
  ops.emplace_back("ListConnections", bind(&HandleListConnections));
  ops.emplace_back("CreateApiDestination", bind(&HandleCreateApiDestination));
  ops.emplace_back("DescribeApiDestination", bind(&HandleDescribeApiDestination));
  ops.emplace_back("DeleteApiDestination", bind(&HandleDeleteApiDestination));
  ops.emplace_back("ListApiDestinations", bind(&HandleListApiDestinations));
  return ops;
}

}  // namespace openpca::services::events
