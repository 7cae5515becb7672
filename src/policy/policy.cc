#include "policy/policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

namespace openpca::policy {
namespace {

using nlohmann::json;

constexpr std::string_view kVersion2012 = "2012-10-17";
constexpr std::string_view kVersion2008 = "2008-10-17";

Status Malformed(std::string message) {
  return Status(ErrorCode::kMalformedPolicyDocument, std::move(message));
}
Status SyntaxError() { return Malformed("Syntax errors in policy."); }

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// ---- statement positions -------------------------------------------------------------------

// Byte offsets of each statement object (the value of the top-level "Statement"), found by a
// small scanner over text nlohmann already accepted. Depth is capped by the caller's size limit.
class SpanScanner {
 public:
  explicit SpanScanner(std::string_view t) : t_(t) {}

  std::vector<std::pair<size_t, size_t>> Scan() {
    std::vector<std::pair<size_t, size_t>> spans;
    size_t p = Ws(0);
    if (p >= t_.size() || t_[p] != '{') return spans;
    p = Ws(p + 1);
    while (p < t_.size() && t_[p] != '}') {
      size_t key_end = SkipString(p);
      std::string key = Unescape(t_.substr(p + 1, key_end - p - 2));
      p = Ws(key_end);
      p = Ws(p + 1);  // ':'
      size_t value_end = SkipValue(p, 0);
      if (key == "Statement") {
        spans.clear();  // a repeated key: the last one wins, as in the parsed JSON
        if (t_[p] == '{') {
          spans.emplace_back(p, value_end);
        } else if (t_[p] == '[') {
          size_t q = Ws(p + 1);
          while (q < value_end && t_[q] != ']') {
            size_t e = SkipValue(q, 0);
            spans.emplace_back(q, e);
            q = Ws(e);
            if (q < value_end && t_[q] == ',') q = Ws(q + 1);
          }
        }
      }
      p = Ws(value_end);
      if (p < t_.size() && t_[p] == ',') p = Ws(p + 1);
    }
    return spans;
  }

 private:
  size_t Ws(size_t p) const {
    while (p < t_.size() && IsWhitespace(t_[p])) ++p;
    return p;
  }
  size_t SkipString(size_t p) const {  // p at '"'; returns one past the closing quote
    ++p;
    while (p < t_.size() && t_[p] != '"') p += (t_[p] == '\\') ? 2 : 1;
    return std::min(p + 1, t_.size());
  }
  size_t SkipValue(size_t p, int depth) const {
    if (p >= t_.size() || depth > 64) return t_.size();
    char c = t_[p];
    if (c == '"') return SkipString(p);
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      p = Ws(p + 1);
      while (p < t_.size() && t_[p] != close) {
        p = Ws(SkipValue(p, depth + 1));
        if (p < t_.size() && (t_[p] == ',' || t_[p] == ':')) p = Ws(p + 1);
      }
      return std::min(p + 1, t_.size());
    }
    while (p < t_.size() && t_[p] != ',' && t_[p] != '}' && t_[p] != ']' && !IsWhitespace(t_[p])) {
      ++p;
    }
    return p;
  }
  static std::string Unescape(std::string_view s) {
    // Keys of interest have no escapes; decode through nlohmann for the rare escaped one.
    if (s.find('\\') == std::string_view::npos) return std::string(s);
    json j = json::parse("\"" + std::string(s) + "\"", nullptr, false);
    return j.is_string() ? j.get<std::string>() : std::string();
  }

  std::string_view t_;
};

TextPosition PositionAt(const std::vector<size_t>& line_starts, size_t offset) {
  size_t line = static_cast<size_t>(
      std::upper_bound(line_starts.begin(), line_starts.end(), offset) - line_starts.begin());
  TextPosition pos;
  pos.line = static_cast<int>(line);
  pos.column = static_cast<int>(offset - line_starts[line - 1] + 1);
  return pos;
}

// ---- element helpers -----------------------------------------------------------------------

// A string or an array of strings; nullopt on any other shape.
std::optional<std::vector<std::string>> StringList(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) return std::nullopt;
  for (const json& e : v) {
    if (!e.is_string()) return std::nullopt;
    out.push_back(e.get<std::string>());
  }
  return out;
}

// Condition values: strings, numbers and booleans, alone or in an array.
std::optional<std::vector<std::string>> ConditionValues(const json& v) {
  auto one = [](const json& e) -> std::optional<std::string> {
    if (e.is_string()) return e.get<std::string>();
    if (e.is_boolean()) return e.get<bool>() ? "true" : "false";
    if (e.is_number()) return e.dump();
    return std::nullopt;
  };
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const json& e : v) {
      std::optional<std::string> s = one(e);
      if (!s.has_value()) return std::nullopt;
      out.push_back(std::move(*s));
    }
    return out;
  }
  std::optional<std::string> s = one(v);
  if (!s.has_value()) return std::nullopt;
  out.push_back(std::move(*s));
  return out;
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status InvalidPrincipal(std::string_view type, std::string_view value) {
  return Malformed("Invalid principal in policy: \"" + std::string(type) + "\":\"" +
                   std::string(value) + "\"");
}

Status AddAwsPrincipal(const std::string& v, PrincipalSpec* spec) {
  if (v == "*") {
    spec->any = true;
    return Status::Ok();
  }
  if (v.find_first_of("*?") != std::string::npos) return InvalidPrincipal("AWS", v);
  if (IsAccountId(v)) {
    spec->accounts.push_back(v);
    return Status::Ok();
  }
  ArnParts a = SplitArn(v);
  if (!a.ok || a.part[1].empty() || !a.part[3].empty() || !IsAccountId(a.part[4])) {
    return InvalidPrincipal("AWS", v);
  }
  std::string_view service = a.part[2];
  std::string_view res = a.part[5];
  auto has_name = [&res](std::string_view prefix) {
    return res.size() > prefix.size() && res.substr(0, prefix.size()) == prefix;
  };
  if (service == "iam" && res == "root") {
    spec->accounts.emplace_back(a.part[4]);
  } else if (service == "iam" && has_name("user/")) {
    spec->arns.push_back(v);
  } else if (service == "iam" && has_name("role/")) {
    spec->roles.push_back(v);
  } else if (service == "sts" && (has_name("assumed-role/") || has_name("federated-user/"))) {
    spec->arns.push_back(v);
  } else {
    return InvalidPrincipal("AWS", v);
  }
  return Status::Ok();
}

Status ParsePrincipal(const json& v, PrincipalSpec* spec) {
  if (v.is_string()) {
    if (v.get<std::string>() != "*") return Malformed("Invalid principal in policy");
    spec->any = true;
    return Status::Ok();
  }
  if (!v.is_object() || v.empty()) return Malformed("Invalid principal in policy");
  for (const auto& [type, value] : v.items()) {
    std::optional<std::vector<std::string>> list = StringList(value);
    if (!list.has_value() || list->empty()) return Malformed("Invalid principal in policy");
    for (const std::string& s : *list) {
      if (type == "AWS") {
        RETURN_IF_ERROR(AddAwsPrincipal(s, spec));
      } else if (type == "Service") {
        if (s.empty() || s.find_first_of("*?") != std::string::npos) {
          return InvalidPrincipal(type, s);
        }
        spec->services.push_back(s);
      } else if (type == "Federated") {
        if (s.empty()) return InvalidPrincipal(type, s);
        spec->federated.push_back(s);
      } else if (type == "CanonicalUser") {
        spec->canonical_users.push_back(s);
      } else {
        return Malformed("Invalid principal in policy");
      }
    }
  }
  return Status::Ok();
}

Status ParseActions(const json& v, bool trust, Statement* st) {
  std::optional<std::vector<std::string>> list = StringList(v);
  if (!list.has_value()) return SyntaxError();
  if (list->empty()) return Malformed("Policy statement must contain actions.");
  static constexpr std::string_view kAssumeActions[] = {
      "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
      "sts:tagsession", "sts:setsourceidentity",  "sts:setcontext"};
  for (const std::string& a : *list) {
    if (a != "*") {
      size_t colon = a.find(':');
      if (colon == std::string::npos || colon == 0) {
        return Malformed(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      }
      if (a.find(':', colon + 1) != std::string::npos) {
        return Malformed("Actions/Condition can contain only one colon.");
      }
    }
    GlobPattern g = GlobPattern::FromWildcardText(a);
    g.LowerCase();
    if (trust && !st->not_action) {
      bool ok = false;
      for (std::string_view s : kAssumeActions) ok = ok || g.Matches(s);
      if (!ok) return Malformed("AssumeRole policy may only specify STS AssumeRole actions.");
    }
    if (g.IsMatchAll()) st->all_actions = true;
    st->actions.push_back(std::move(g));
  }
  return Status::Ok();
}

Status ParseResources(const json& v, bool variables, Statement* st) {
  std::optional<std::vector<std::string>> list = StringList(v);
  if (!list.has_value()) return SyntaxError();
  if (list->empty()) return Malformed("Policy statement must contain resources.");
  for (const std::string& r : *list) {
    if (r != "*" && r.substr(0, 4) != "arn:") {
      return Malformed("Resource " + r + " must be in ARN format or \"*\".");
    }
    st->resources.push_back(ArnPattern::Parse(r, variables));
  }
  return Status::Ok();
}

Status ParseConditionBlock(const json& v, bool variables, Statement* st) {
  if (!v.is_object()) return SyntaxError();
  for (const auto& [op, keys] : v.items()) {
    if (!keys.is_object()) return SyntaxError();
    for (const auto& [key, values] : keys.items()) {
      size_t colon = key.find(':');
      if (colon == std::string::npos || colon == 0) {
        return Malformed(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      }
      std::optional<std::vector<std::string>> list = ConditionValues(values);
      if (!list.has_value()) return SyntaxError();
      ASSIGN_OR_RETURN(Condition c, Condition::Compile(op, key, *list, variables));
      st->conditions.push_back(std::move(c));
    }
  }
  return Status::Ok();
}

bool SidIsAlphanumeric(std::string_view sid) {
  for (char c : sid) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

Status ParseStatement(const json& s, PolicyKind kind, bool variables, Statement* st) {
  if (!s.is_object()) return SyntaxError();
  static constexpr std::string_view kFields[] = {"Sid",          "Effect",      "Principal",
                                                 "NotPrincipal", "Action",      "NotAction",
                                                 "Resource",     "NotResource", "Condition"};
  for (const auto& [k, unused] : s.items()) {
    bool known = false;
    for (std::string_view f : kFields) known = known || k == f;
    if (!known) return SyntaxError();
  }
  if (auto it = s.find("Sid"); it != s.end()) {
    if (!it->is_string()) return SyntaxError();
    st->sid = it->get<std::string>();
  }
  auto effect = s.find("Effect");
  if (effect == s.end()) return Malformed("Missing required field Effect");
  if (!effect->is_string()) return SyntaxError();
  const std::string e = effect->get<std::string>();
  if (e == "Allow") {
    st->allow = true;
  } else if (e == "Deny") {
    st->allow = false;
  } else {
    return Malformed("Invalid effect: " + e);
  }

  const bool wants_principal = kind == PolicyKind::kResource || kind == PolicyKind::kTrust;
  auto principal = s.find("Principal");
  auto not_principal = s.find("NotPrincipal");
  if (!wants_principal) {
    if (principal != s.end()) return Malformed("Has prohibited field Principal");
    if (not_principal != s.end()) return Malformed("Has prohibited field NotPrincipal");
  } else {
    if (principal != s.end() && not_principal != s.end()) return SyntaxError();
    if (principal == s.end() && not_principal == s.end()) {
      return Malformed("Missing required field Principal");
    }
    st->has_principal = true;
    st->not_principal = principal == s.end();
    RETURN_IF_ERROR(
        ParsePrincipal(st->not_principal ? *not_principal : *principal, &st->principal));
  }

  auto action = s.find("Action");
  auto not_action = s.find("NotAction");
  if (action != s.end() && not_action != s.end()) return SyntaxError();
  if (action == s.end() && not_action == s.end()) {
    return Malformed("Policy statement must contain actions.");
  }
  st->not_action = action == s.end();
  RETURN_IF_ERROR(
      ParseActions(st->not_action ? *not_action : *action, kind == PolicyKind::kTrust, st));

  auto resource = s.find("Resource");
  auto not_resource = s.find("NotResource");
  if (resource != s.end() && not_resource != s.end()) return SyntaxError();
  if (kind == PolicyKind::kTrust) {
    if (resource != s.end()) return Malformed("Has prohibited field Resource");
    if (not_resource != s.end()) return Malformed("Has prohibited field NotResource");
  } else if (resource == s.end() && not_resource == s.end()) {
    // Organizations accepts SCP statements without Resource (they apply to every resource).
    if (kind != PolicyKind::kServiceControl) {
      return Malformed("Policy statement must contain resources.");
    }
  } else {
    st->has_resource = true;
    st->not_resource = resource == s.end();
    RETURN_IF_ERROR(ParseResources(st->not_resource ? *not_resource : *resource, variables, st));
  }

  if (auto it = s.find("Condition"); it != s.end()) {
    RETURN_IF_ERROR(ParseConditionBlock(*it, variables, st));
  }
  return Status::Ok();
}

void AddKey(std::vector<std::string>* keys, std::string_view key) {
  for (const std::string& k : *keys) {
    if (AsciiEqualsIgnoreCase(k, key)) return;
  }
  keys->emplace_back(key);
}

}  // namespace

const char* PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
      return "identity";
    case PolicyKind::kResource:
      return "resource";
    case PolicyKind::kTrust:
      return "trust";
    case PolicyKind::kServiceControl:
      return "service-control";
    case PolicyKind::kPermissionsBoundary:
      return "permissions-boundary";
    case PolicyKind::kSession:
      return "session";
  }
  return "identity";
}

size_t DefaultMaxChars(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
      return 10240;
    case PolicyKind::kResource:
      return 20480;
    case PolicyKind::kTrust:
      return 2048;
    case PolicyKind::kServiceControl:
      return 5120;
    case PolicyKind::kPermissionsBoundary:
      return 6144;
    case PolicyKind::kSession:
      return 2048;
  }
  return 6144;
}

bool CountsWhitespace(PolicyKind kind) {
  return kind == PolicyKind::kServiceControl || kind == PolicyKind::kResource;
}

size_t PolicySizeChars(std::string_view document, PolicyKind kind) {
  size_t n = 0;
  const bool all = CountsWhitespace(kind);
  for (size_t i = 0; i < document.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(document[i]);
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same character
    if (!all && IsWhitespace(static_cast<char>(c))) continue;
    ++n;
  }
  return n;
}

bool Statement::MatchesAction(std::string_view lower_action) const {
  bool hit = all_actions;
  for (size_t i = 0; !hit && i < actions.size(); ++i) hit = actions[i].Matches(lower_action);
  return hit != not_action;
}

bool Statement::MatchesResource(std::string_view resource, const RequestContext& request) const {
  if (!has_resource) return true;
  bool hit = false;
  for (size_t i = 0; !hit && i < resources.size(); ++i) {
    hit = resources[i].Matches(resource, request);
  }
  return hit != not_resource;
}

PrincipalMatch Statement::MatchPrincipal(const PrincipalInfo& p) const {
  if (!has_principal) return PrincipalMatch::kNone;
  const PrincipalSpec& spec = principal;
  bool account_named = false;
  if (!p.account_id.empty()) {
    for (const std::string& a : spec.accounts) account_named = account_named || a == p.account_id;
  }
  bool direct = false;  // the caller itself: user/session ARN, service, identity provider
  bool role = false;    // the role of a role session
  if (p.type != PrincipalType::kService && p.type != PrincipalType::kAnonymous) {
    for (const std::string& a : spec.arns) direct = direct || a == p.arn;
  }
  if (p.type == PrincipalType::kAssumedRole) {
    for (const std::string& r : spec.roles) role = role || r == p.role_arn;
  }
  if (p.type == PrincipalType::kService) {
    for (const std::string& s : spec.services) direct = direct || s == p.arn;
  }
  if (!p.identity_provider.empty()) {
    for (const std::string& f : spec.federated) direct = direct || f == p.identity_provider;
  }
  if (not_principal) {
    // NotPrincipal exempts a caller only when it is named and so is its account (IAM's rule:
    // naming a user without its account still denies the user through the account).
    bool exempt = spec.any;
    if (p.type == PrincipalType::kAccount) {
      exempt = exempt || account_named;
    } else if (direct || role) {
      exempt = exempt || p.account_id.empty() || account_named;
    }
    return exempt ? PrincipalMatch::kNone : PrincipalMatch::kWildcard;
  }
  if (direct) return PrincipalMatch::kDirect;
  if (role) return PrincipalMatch::kRole;
  if (spec.any) return PrincipalMatch::kWildcard;
  if (account_named) return PrincipalMatch::kAccount;
  return PrincipalMatch::kNone;
}

bool Statement::MatchesConditions(const RequestContext& request) const {
  for (const Condition& c : conditions) {
    if (!c.Evaluate(request)) return false;
  }
  return true;
}

Result<std::shared_ptr<const Policy>> Policy::Parse(std::string_view json_document, PolicyKind kind,
                                                    const ParseOptions& options) {
  const size_t limit = options.max_chars != 0 ? options.max_chars : DefaultMaxChars(kind);
  if (PolicySizeChars(json_document, kind) > limit) {
    return Status(ErrorCode::kLimitExceeded,
                  "Cannot exceed quota for PolicySize: " + std::to_string(limit));
  }
  json doc = json::parse(json_document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return SyntaxError();

  std::shared_ptr<Policy> policy(new Policy());
  policy->document_ = std::string(json_document);
  policy->kind_ = kind;
  for (const auto& [k, unused] : doc.items()) {
    if (k != "Version" && k != "Id" && k != "Statement") return SyntaxError();
  }
  if (auto it = doc.find("Version"); it != doc.end()) {
    if (!it->is_string()) return SyntaxError();
    policy->version_ = it->get<std::string>();
    if (policy->version_ != kVersion2012 && policy->version_ != kVersion2008) {
      return Malformed("The policy failed legacy parsing");
    }
  }
  if (auto it = doc.find("Id"); it != doc.end()) {
    if (!it->is_string()) return SyntaxError();
    policy->id_ = it->get<std::string>();
  }
  const bool variables = policy->version_ == kVersion2012;
  auto statements = doc.find("Statement");
  if (statements == doc.end()) return Malformed("Missing required field Statement");
  std::vector<const json*> list;
  if (statements->is_object()) {
    list.push_back(&*statements);
  } else if (statements->is_array()) {
    for (const json& s : *statements) list.push_back(&s);
  } else {
    return SyntaxError();
  }
  if (list.empty()) return SyntaxError();

  const bool identity_grammar =
      kind == PolicyKind::kIdentity || kind == PolicyKind::kPermissionsBoundary;
  std::vector<std::pair<size_t, size_t>> spans = SpanScanner(json_document).Scan();
  std::vector<size_t> line_starts{0};
  for (size_t i = 0; i < json_document.size(); ++i) {
    if (json_document[i] == '\n') line_starts.push_back(i + 1);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    Statement st;
    st.index = i;
    RETURN_IF_ERROR(ParseStatement(*list[i], kind, variables, &st));
    if (identity_grammar && !st.sid.empty()) {
      if (!SidIsAlphanumeric(st.sid)) {
        return Malformed(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*");
      }
      for (const Statement& prev : policy->statements_) {
        if (prev.sid == st.sid) {
          return Malformed("Statement IDs (SID) in a single policy must be unique.");
        }
      }
    }
    if (spans.size() == list.size()) {
      st.start = PositionAt(line_starts, spans[i].first);
      st.end = PositionAt(line_starts, spans[i].second - 1);  // the closing brace
    }
    for (const Condition& c : st.conditions) {
      AddKey(&policy->condition_keys_, c.key);
      for (const ConditionValue& v : c.values) {
        for (const std::string& k : v.text.VariableKeys()) AddKey(&policy->condition_keys_, k);
      }
    }
    for (const ArnPattern& r : st.resources) {
      for (const std::string& k : r.VariableKeys()) AddKey(&policy->condition_keys_, k);
    }
    policy->statements_.push_back(std::move(st));
  }
  return std::shared_ptr<const Policy>(std::move(policy));
}

}  // namespace openpca::policy
