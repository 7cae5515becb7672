#include "audit/record_builder.h"

#include <array>
#include <cctype>
#include <ctime>

#include "common/json_text.h"

namespace openpca::audit {
namespace {

constexpr size_t kMaxInlineString = 8 * 1024;

char LowerAscii(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Whether `text` contains `lower_needle` (lower case), ignoring the case of `text`; no copy.
bool ContainsIgnoreCase(std::string_view text, std::string_view lower_needle) {
  if (lower_needle.size() > text.size()) return false;
  for (size_t i = 0; i + lower_needle.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < lower_needle.size() && LowerAscii(text[i + k]) == lower_needle[k]) ++k;
    if (k == lower_needle.size()) return true;
  }
  return false;
}

bool IsSecretName(std::string_view name) {
  for (std::string_view needle : {"secret", "password", "privatekey", "passphrase",
                                  "sessiontoken", "samlassertion", "webidentitytoken"}) {
    if (ContainsIgnoreCase(name, needle)) return true;
  }
  return false;
}

// Very long strings (certificate chains, big documents) are left out, keeping the record bounded.
void OmitLongStrings(nlohmann::json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() > kMaxInlineString) {
      value = "<omitted: " + std::to_string(s.size()) + " bytes>";
    }
  } else if (value.is_structured()) {
    for (auto& v : value) OmitLongStrings(v);
  }
}

// An upper bound of the serialized size of `value`: every character of a string or key may
// become a six-character escape, plus quotes and separators. Lets the common small record skip an
// exact serialization just to check its size.
size_t SerializedSizeBound(const nlohmann::json& value) {
  if (value.is_string()) return 6 * value.get_ref<const std::string&>().size() + 3;
  if (value.is_object()) {
    size_t n = 2;
    for (const auto& [k, v] : value.items()) n += 6 * k.size() + 4 + SerializedSizeBound(v);
    return n;
  }
  if (value.is_array()) {
    size_t n = 2;
    for (const auto& v : value) n += 1 + SerializedSizeBound(v);
    return n;
  }
  return 32;  // numbers, booleans, null
}

std::string FormatSeconds(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::string_view TypeName(IdentityType type) {
  switch (type) {
    case IdentityType::kRoot: return "Root";
    case IdentityType::kIamUser: return "IAMUser";
    case IdentityType::kAssumedRole: return "AssumedRole";
    case IdentityType::kUnknown: return "Unknown";
  }
  return "Unknown";
}

nlohmann::json UserIdentity(const CallIdentity& id) {
  nlohmann::json u = nlohmann::json::object();
  u["type"] = TypeName(id.type);
  if (id.type == IdentityType::kUnknown) {
    // The request did not authenticate: only what it claimed and what the key names.
    if (!id.account_id.empty()) u["accountId"] = id.account_id;
    if (!id.access_key_id.empty()) u["accessKeyId"] = id.access_key_id;
    return u;
  }
  u["principalId"] = id.principal_id;
  u["arn"] = id.arn;
  u["accountId"] = id.account_id;
  u["accessKeyId"] = id.access_key_id;
  if (id.type == IdentityType::kIamUser) u["userName"] = id.user_name;
  if (id.temporary || id.type == IdentityType::kAssumedRole) {
    nlohmann::json ctx = nlohmann::json::object();
    ctx["attributes"] = {
        {"creationDate", FormatSeconds(id.session_created_at_s)},
        {"mfaAuthenticated", id.mfa_authenticated ? "true" : "false"},
    };
    if (id.type == IdentityType::kAssumedRole) {
      ctx["sessionIssuer"] = {
          {"type", "Role"},
          {"principalId", id.role_id},
          {"arn", id.role_arn},
          {"accountId", AccountOfArn(id.role_arn)},
          {"userName", id.role_name},
      };
    }
    u["sessionContext"] = std::move(ctx);
  }
  return u;
}

// AppendJsonText(UserIdentity(id), out) written straight to text: the members in the order dump()
// writes them (std::map: byte order of the names). False when a value is not UTF-8 (`out` is then
// of no use).
bool AppendUserIdentityText(const CallIdentity& id, std::string& out) {
  JsonObjectText u(out);
  if (id.type == IdentityType::kUnknown) {
    if (!id.access_key_id.empty()) u.String("accessKeyId", id.access_key_id);
    if (!id.account_id.empty()) u.String("accountId", id.account_id);
    u.String("type", TypeName(id.type));
    return u.Close();
  }
  u.String("accessKeyId", id.access_key_id);
  u.String("accountId", id.account_id);
  u.String("arn", id.arn);
  u.String("principalId", id.principal_id);
  bool ok = true;
  if (id.temporary || id.type == IdentityType::kAssumedRole) {
    JsonObjectText context(u.Member("sessionContext"));
    JsonObjectText attributes(context.Member("attributes"));
    attributes.String("creationDate", FormatSeconds(id.session_created_at_s));
    attributes.String("mfaAuthenticated", id.mfa_authenticated ? "true" : "false");
    ok = attributes.Close();
    if (id.type == IdentityType::kAssumedRole) {
      JsonObjectText issuer(context.Member("sessionIssuer"));
      issuer.String("accountId", AccountOfArn(id.role_arn));
      issuer.String("arn", id.role_arn);
      issuer.String("principalId", id.role_id);
      issuer.String("type", "Role");
      issuer.String("userName", id.role_name);
      ok = issuer.Close() && ok;
    }
    ok = context.Close() && ok;
  }
  u.String("type", TypeName(id.type));
  if (id.type == IdentityType::kIamUser) u.String("userName", id.user_name);
  return u.Close() && ok;
}

std::string UsernameOf(const CallIdentity& id) {
  switch (id.type) {
    case IdentityType::kRoot: return "root";
    case IdentityType::kIamUser: return id.user_name;
    case IdentityType::kAssumedRole: return id.session_name;
    case IdentityType::kUnknown: return "";
  }
  return "";
}

// The resource a record lists: a certificate stands for its CA.
std::string ListedResourceArn(std::string_view arn) {
  size_t cert = arn.find("/certificate/");
  if (arn.find(":acm-pca:") != std::string_view::npos && cert != std::string_view::npos) {
    return std::string(arn.substr(0, cert));
  }
  return std::string(arn);
}

// The record's resources[] entry: a listed ARN of a known type (type "" for none).
struct ListedResource {
  std::string arn;
  std::string type;
  std::string account;
};

ListedResource ListedResourceOf(const CallFacts& facts) {
  ListedResource out;
  if (facts.resource_arn.empty() || facts.resource_arn == "*") return out;
  out.arn = ListedResourceArn(facts.resource_arn);
  out.type = ResourceTypeOf(out.arn);
  if (out.type.empty()) return out;
  out.account = AccountOfArn(out.arn);
  return out;
}

// requestParameters as recorded: {} is null, secrets hidden, long strings left out, at most
// kMaxParametersBytes.
void RecordFormOfParameters(nlohmann::json& params) {
  if (params.is_object() && params.empty()) params = nullptr;
  if (params.is_null()) return;
  ScrubSecrets(params);
  OmitLongStrings(params);
  if (SerializedSizeBound(params) > kMaxParametersBytes &&
      params.dump().size() > kMaxParametersBytes) {
    params = {{"omitted", "requestParameters exceed 100 KB"}};
  }
}

// responseElements as recorded after a success: {} is null, secrets hidden, long strings out.
void RecordFormOfResponse(nlohmann::json& response) {
  if (response.is_object() && response.empty()) response = nullptr;
  if (!response.is_null()) {
    ScrubSecrets(response);
    OmitLongStrings(response);
  }
}

// The lookup columns of an API call's record.
void FillRow(const CallFacts& facts, std::string event_id, const std::string& recipient,
             store::StoredEvent& row) {
  row.event_id = std::move(event_id);
  row.recipient_account_id = recipient;
  row.region = facts.region;
  row.event_time_ms = facts.event_time_ms;
  row.event_source = facts.service + ".amazonaws.com";
  row.event_name = facts.operation;
  row.read_only = IsReadOnlyOperation(facts.operation);
  row.username = UsernameOf(facts.identity);
  row.access_key_id = facts.identity.access_key_id;
}

}  // namespace

bool IsReadOnlyOperation(std::string_view op) {
  for (std::string_view prefix : {"Describe", "Get", "List", "Lookup", "Simulate", "Head"}) {
    if (op.starts_with(prefix)) return true;
  }
  return false;
}

std::string ResourceTypeOf(std::string_view arn) {
  // arn:<partition>:<service>:<region>:<account>:<resource>
  size_t pos = 0;
  std::array<std::string_view, 6> parts;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', pos);
    if (colon == std::string_view::npos) return "";
    parts[i] = arn.substr(pos, colon - pos);
    pos = colon + 1;
  }
  parts[5] = arn.substr(pos);
  const std::string_view service = parts[2];
  const std::string_view resource = parts[5];
  if (parts[0] != "arn") return "";
  if (service == "acm-pca" && resource.starts_with("certificate-authority/")) {
    return "AWS::ACMPCA::CertificateAuthority";
  }
  if (service == "acm" && resource.starts_with("certificate/")) return "AWS::ACM::Certificate";
  if (service == "iam") {
    if (resource.starts_with("user/")) return "AWS::IAM::User";
    if (resource.starts_with("role/")) return "AWS::IAM::Role";
    if (resource.starts_with("group/")) return "AWS::IAM::Group";
    if (resource.starts_with("policy/")) return "AWS::IAM::Policy";
  }
  if (service == "ram" && resource.starts_with("resource-share/")) {
    return "AWS::RAM::ResourceShare";
  }
  if (service == "cloudtrail" && resource.starts_with("trail/")) return "AWS::CloudTrail::Trail";
  if (service == "events" && resource.starts_with("rule/")) return "AWS::Events::Rule";
  return "";
}

std::string AccountOfArn(std::string_view arn) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  size_t end = arn.find(':', pos);
  if (end == std::string_view::npos) return "";
  return std::string(arn.substr(pos, end - pos));
}

std::string FormatEventTime(int64_t unix_ms) {
  return FormatSeconds(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
}

void ScrubSecrets(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (IsSecretName(it.key()) && !it.value().is_null()) {
        it.value() = kHidden;
      } else {
        ScrubSecrets(it.value());
      }
    }
  } else if (value.is_array()) {
    for (auto& v : value) ScrubSecrets(v);
  }
}

std::string Truncate(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::vector<DraftEvent> BuildCallRecords(const CallFacts& facts, bool cross_account_copy,
                                         const std::string& default_account, Random& random) {
  // Time-ordered (UUID version 7): the event-id index grows at one end (common/random.h).
  return BuildCallRecordsWithEventId(facts, cross_account_copy, default_account,
                                     NewUuidV7(random, facts.event_time_ms), random);
}

bool HasOwnerCopy(const CallFacts& facts, bool cross_account_copy) {
  const std::string resource_account = ListedResourceOf(facts).account;
  return cross_account_copy && !resource_account.empty() && !facts.identity.account_id.empty() &&
         resource_account != facts.identity.account_id;
}

std::vector<DraftEvent> BuildCallRecordsWithEventId(const CallFacts& facts,
                                                    bool cross_account_copy,
                                                    const std::string& default_account,
                                                    std::string event_id, Random& random) {
  DraftEvent d;
  nlohmann::json& r = d.record;
  r = nlohmann::json::object();
  r["eventVersion"] = "1.08";
  r["userIdentity"] = UserIdentity(facts.identity);
  r["eventTime"] = FormatEventTime(facts.event_time_ms);
  r["eventSource"] = facts.service + ".amazonaws.com";
  r["eventName"] = facts.operation;
  r["awsRegion"] = facts.region;
  r["sourceIPAddress"] = facts.source_ip;
  r["userAgent"] = Truncate(facts.user_agent, kMaxTextBytes);
  nlohmann::json params = facts.request_parameters;
  RecordFormOfParameters(params);
  r["requestParameters"] = std::move(params);
  r["responseElements"] = nullptr;
  r["requestID"] = facts.request_id;
  r["eventID"] = std::move(event_id);
  const bool read_only = IsReadOnlyOperation(facts.operation);
  r["readOnly"] = read_only;
  const ListedResource listed = ListedResourceOf(facts);
  const std::string& resource_account = listed.account;
  if (!listed.type.empty()) {
    r["resources"] = nlohmann::json::array(
        {{{"ARN", listed.arn}, {"accountId", listed.account}, {"type", listed.type}}});
    d.row.resources.push_back({listed.type, listed.arn});
  }
  r["eventType"] = "AwsApiCall";
  r["managementEvent"] = true;
  const std::string recipient =
      facts.identity.account_id.empty() ? default_account : facts.identity.account_id;
  r["recipientAccountId"] = recipient;
  r["eventCategory"] = "Management";
  nlohmann::json tls = nlohmann::json::object();
  if (!facts.tls_version.empty()) {
    tls["tlsVersion"] = facts.tls_version;
    tls["cipherSuite"] = facts.tls_cipher;
  }
  tls["clientProvidedHostHeader"] = facts.host_header;
  r["tlsDetails"] = std::move(tls);

  FillRow(facts, r["eventID"].get<std::string>(), recipient, d.row);

  std::vector<DraftEvent> out;
  if (HasOwnerCopy(facts, cross_account_copy)) {
    const std::string shared = NewUuidV4(random);
    d.record["sharedEventID"] = shared;
    DraftEvent owner = d;
    owner.record["eventID"] = NewUuidV7(random, facts.event_time_ms);
    owner.record["recipientAccountId"] = resource_account;
    owner.row.event_id = owner.record["eventID"].get<std::string>();
    owner.row.recipient_account_id = resource_account;
    out.push_back(std::move(d));
    out.push_back(std::move(owner));
  } else {
    out.push_back(std::move(d));
  }
  return out;
}

void ApplyOutcome(DraftEvent& draft, const CallOutcome& outcome) {
  nlohmann::json& r = draft.record;
  if (!outcome.ok) {
    r["errorCode"] = outcome.error_code;
    r["errorMessage"] = Truncate(outcome.error_message, kMaxTextBytes);
    r["responseElements"] = nullptr;
    return;
  }
  if (draft.row.read_only) {
    r["responseElements"] = nullptr;
    return;
  }
  nlohmann::json response = outcome.response_elements;
  RecordFormOfResponse(response);
  r["responseElements"] = std::move(response);
}

std::optional<store::StoredEvent> SuccessRecordText(CallFacts& facts,
                                                    const std::string& default_account,
                                                    const std::string& event_id,
                                                    nlohmann::json response) {
  store::StoredEvent e;
  const std::string recipient =
      facts.identity.account_id.empty() ? default_account : facts.identity.account_id;
  FillRow(facts, event_id, recipient, e);
  const ListedResource listed = ListedResourceOf(facts);
  if (!listed.type.empty()) e.resources.push_back({listed.type, listed.arn});
  RecordFormOfParameters(facts.request_parameters);  // the facts' own: consumed
  if (e.read_only) {
    response = nullptr;
  } else {
    RecordFormOfResponse(response);
  }

  // The members in the order dump() writes them (std::map: byte order of the names), each with
  // the value BuildCallRecordsWithEventId and ApplyOutcome give it.
  std::string& out = e.record_json;
  out.reserve(4096);
  JsonObjectText r(out);
  r.String("awsRegion", facts.region);
  r.String("eventCategory", "Management");
  r.String("eventID", event_id);
  r.String("eventName", facts.operation);
  r.String("eventSource", e.event_source);
  r.String("eventTime", FormatEventTime(facts.event_time_ms));
  r.String("eventType", "AwsApiCall");
  r.String("eventVersion", "1.08");
  r.Member("managementEvent") += "true";
  r.Member("readOnly") += e.read_only ? "true" : "false";
  r.String("recipientAccountId", recipient);
  r.String("requestID", facts.request_id);
  AppendJsonText(facts.request_parameters, r.Member("requestParameters"));
  bool ok = true;
  if (!listed.type.empty()) {
    std::string& resources = r.Member("resources");
    resources += '[';
    JsonObjectText resource(resources);
    resource.String("ARN", listed.arn);
    resource.String("accountId", listed.account);
    resource.String("type", listed.type);
    ok = resource.Close();
    resources += ']';
  }
  AppendJsonText(response, r.Member("responseElements"));
  r.String("sourceIPAddress", facts.source_ip);
  JsonObjectText tls(r.Member("tlsDetails"));
  if (!facts.tls_version.empty()) tls.String("cipherSuite", facts.tls_cipher);
  tls.String("clientProvidedHostHeader", facts.host_header);
  if (!facts.tls_version.empty()) tls.String("tlsVersion", facts.tls_version);
  ok = tls.Close() && ok;
  r.String("userAgent", Truncate(facts.user_agent, kMaxTextBytes));
  ok = AppendUserIdentityText(facts.identity, r.Member("userIdentity")) && ok;
  ok = r.Close() && ok;
  if (!ok) return std::nullopt;  // not UTF-8: the drafts decide, as dump() always did
  return e;
}

DraftEvent BuildServiceRecord(const ServiceEvent& event, int64_t time_ms, Random& random) {
  DraftEvent d;
  nlohmann::json& r = d.record;
  const std::string service_host = event.service + ".amazonaws.com";
  r = nlohmann::json::object();
  r["eventVersion"] = "1.08";
  r["userIdentity"] = {{"accountId", event.account_id}, {"invokedBy", service_host}};
  r["eventTime"] = FormatEventTime(time_ms);
  r["eventSource"] = service_host;
  r["eventName"] = event.event_name;
  r["awsRegion"] = event.region;
  r["sourceIPAddress"] = service_host;
  r["userAgent"] = service_host;
  r["requestParameters"] = nullptr;
  r["responseElements"] = nullptr;
  r["eventID"] = NewUuidV7(random, time_ms);
  r["readOnly"] = false;
  nlohmann::json resources = nlohmann::json::array();
  for (const std::string& arn : event.resource_arns) {
    std::string type = ResourceTypeOf(arn);
    resources.push_back({{"ARN", arn}, {"accountId", AccountOfArn(arn)}, {"type", type}});
    if (!type.empty()) d.row.resources.push_back({type, arn});
  }
  if (!resources.empty()) r["resources"] = std::move(resources);
  r["eventType"] = "AwsServiceEvent";
  r["managementEvent"] = true;
  r["recipientAccountId"] = event.account_id;
  if (!event.details.empty()) r["serviceEventDetails"] = event.details;
  r["eventCategory"] = "Management";

  d.row.event_id = r["eventID"].get<std::string>();
  d.row.recipient_account_id = event.account_id;
  d.row.region = event.region;
  d.row.event_time_ms = time_ms;
  d.row.event_source = service_host;
  d.row.event_name = event.event_name;
  d.row.read_only = false;
  return d;
}

store::StoredEvent ToStoredEvent(const DraftEvent& draft) {
  store::StoredEvent e = draft.row;
  e.record_json = JsonText(draft.record);
  return e;
}

}  // namespace openpca::audit
