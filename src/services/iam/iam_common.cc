#include "services/iam/iam_common.h"

#include <algorithm>

namespace openpca::services::iam {

using identity::Lower;

std::optional<std::string> OptStr(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<std::string> ReqStr(const json& input, const char* member) {
  auto v = OptStr(input, member);
  if (!v.has_value()) {
    std::string m(member);
    if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    return Status(ErrorCode::kValidation, "1 validation error detected: Value null at '" + m +
                                              "' failed to satisfy constraint: Member must not "
                                              "be null");
  }
  return *v;
}

Status NoSuchEntity(std::string message) {
  return Status(ErrorCode::kNoSuchEntity, std::move(message));
}
Status NoSuchUser(std::string_view name) {
  return NoSuchEntity("The user with name " + std::string(name) + " cannot be found.");
}
Status NoSuchRole(std::string_view name) {
  return NoSuchEntity("The role with name " + std::string(name) + " cannot be found.");
}
Status NoSuchGroup(std::string_view name) {
  return NoSuchEntity("The group with name " + std::string(name) + " cannot be found.");
}
Status NoSuchPolicy(std::string_view arn) {
  return NoSuchEntity("Policy " + std::string(arn) + " does not exist or is not attachable.");
}

Result<json> Page(const json& input, const char* key, std::vector<json> items) {
  size_t start = 0;
  if (auto marker = OptStr(input, "Marker")) {
    char* end = nullptr;
    unsigned long v = std::strtoul(marker->c_str(), &end, 10);
    if (marker->empty() || *end != '\0' || v > items.size()) {
      return Status(ErrorCode::kInvalidInput, "Invalid Marker.");
    }
    start = v;
  }
  size_t max_items = 100;
  if (auto it = input.find("MaxItems"); it != input.end() && it->is_number_integer()) {
    int64_t m = it->get<int64_t>();
    if (m < 1 || m > 1000) {
      return identity::ValidationError("maxItems", std::to_string(m),
                                       "Member must have value between 1 and 1000");
    }
    max_items = static_cast<size_t>(m);
  }
  json out = json::object();
  json list = json::array();
  size_t end = std::min(items.size(), start + max_items);
  for (size_t i = start; i < end; ++i) list.push_back(std::move(items[i]));
  out[key] = std::move(list);
  out["IsTruncated"] = end < items.size();
  if (end < items.size()) out["Marker"] = std::to_string(end);
  return out;
}

Result<identity::TagList> ParseTags(const json& input, const char* member) {
  identity::TagList tags;
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return tags;
  if (!it->is_array()) return Status(ErrorCode::kValidation, "Tags must be a list");
  if (it->size() > kMaxTags) {
    return identity::ValidationError("tags", "...",
                                     "Member must have length less than or equal to 50");
  }
  for (const auto& t : *it) {
    if (!t.is_object() || !t.contains("Key") || !t["Key"].is_string()) {
      return Status(ErrorCode::kValidation, "Each tag needs a Key");
    }
    std::string key = t["Key"].get<std::string>();
    std::string value = t.value("Value", "");
    RETURN_IF_ERROR(identity::CheckTag(key, value));
    for (const auto& [k, v] : tags) {
      if (Lower(k) == Lower(key)) {
        return Status(ErrorCode::kInvalidInput, "Duplicate tag keys found. Please note that Tag "
                                                "keys are case insensitive.");
      }
    }
    tags.emplace_back(std::move(key), std::move(value));
  }
  return tags;
}

Status ApplyTags(identity::Txn& txn, std::string_view account, std::string_view type,
                 std::string_view name, const identity::TagList& tags) {
  const identity::State& s = txn.state();
  std::vector<store::IamTagRecord> existing;
  for (auto* t : s.Scan<store::IamTagRecord>(identity::EntityKey(account, type, name))) {
    existing.push_back(*t);
  }
  int64_t next = 0;
  for (const auto& t : existing) next = std::max(next, t.position + 1);
  size_t count = existing.size();
  for (const auto& [key, value] : tags) {
    auto it = std::find_if(existing.begin(), existing.end(),
                           [&](const auto& t) { return Lower(t.key) == Lower(key); });
    if (it == existing.end()) ++count;
  }
  if (count > kMaxTags) {
    return Status(ErrorCode::kLimitExceeded, "The number of tags has reached the maximum limit.");
  }
  for (const auto& [key, value] : tags) {
    auto it = std::find_if(existing.begin(), existing.end(),
                           [&](const auto& t) { return Lower(t.key) == Lower(key); });
    store::IamTagRecord rec{std::string(account), std::string(type), std::string(name), key, value,
                            next};
    if (it != existing.end()) {
      rec.position = it->position;
      txn.Delete(*it);
    } else {
      ++next;
    }
    txn.Put(rec);
  }
  return Status::Ok();
}

void RemoveTags(identity::Txn& txn, std::string_view account, std::string_view type,
                std::string_view name, const std::vector<std::string>& keys) {
  std::vector<store::IamTagRecord> doomed;
  for (auto* t : txn.state().Scan<store::IamTagRecord>(identity::EntityKey(account, type, name))) {
    for (const auto& k : keys) {
      if (Lower(k) == Lower(t->key)) doomed.push_back(*t);
    }
  }
  for (auto& t : doomed) txn.Delete(t);
}

void RemoveAllTags(identity::Txn& txn, std::string_view account, std::string_view type,
                   std::string_view name) {
  std::vector<store::IamTagRecord> doomed;
  for (auto* t : txn.state().Scan<store::IamTagRecord>(identity::EntityKey(account, type, name))) {
    doomed.push_back(*t);
  }
  for (auto& t : doomed) txn.Delete(t);
}

json TagsJson(const identity::State& s, std::string_view account, std::string_view type,
              std::string_view name) {
  auto rows = s.Scan<store::IamTagRecord>(identity::EntityKey(account, type, name));
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->position < b->position; });
  json out = json::array();
  for (auto* t : rows) out.push_back({{"Key", t->key}, {"Value", t->value}});
  return out;
}

json BoundaryJson(const std::string& arn) {
  return {{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
          {"PermissionsBoundaryArn", arn}};
}

json UserJson(const identity::State& s, const store::IamUserRecord& u, bool with_details) {
  json j = {{"Path", u.path},
            {"UserName", u.name},
            {"UserId", u.id},
            {"Arn", identity::UserArn(u.account_id, u.path, u.name)},
            {"CreateDate", identity::IsoTime(u.created_at_ms)}};
  if (with_details) {
    if (!u.permissions_boundary.empty()) j["PermissionsBoundary"] = BoundaryJson(u.permissions_boundary);
    json tags = TagsJson(s, u.account_id, "user", u.name);
    if (!tags.empty()) j["Tags"] = tags;
  }
  return j;
}

json GroupJson(const store::IamGroupRecord& g) {
  return {{"Path", g.path},
          {"GroupName", g.name},
          {"GroupId", g.id},
          {"Arn", identity::GroupArn(g.account_id, g.path, g.name)},
          {"CreateDate", identity::IsoTime(g.created_at_ms)}};
}

json RoleJson(const identity::State& s, const store::IamRoleRecord& r, bool with_details) {
  json j = {{"Path", r.path},
            {"RoleName", r.name},
            {"RoleId", r.id},
            {"Arn", identity::RoleArn(r.account_id, r.path, r.name)},
            {"CreateDate", identity::IsoTime(r.created_at_ms)},
            {"AssumeRolePolicyDocument", identity::UrlEncode(r.trust_policy)},
            {"MaxSessionDuration", r.max_session_duration}};
  if (!r.description.empty()) j["Description"] = r.description;
  if (with_details) {
    if (!r.permissions_boundary.empty()) j["PermissionsBoundary"] = BoundaryJson(r.permissions_boundary);
    json tags = TagsJson(s, r.account_id, "role", r.name);
    if (!tags.empty()) j["Tags"] = tags;
    j["RoleLastUsed"] = json::object();
  }
  return j;
}

size_t AttachmentCount(const identity::State& s, std::string_view arn) {
  size_t n = 0;
  for (const auto& [k, a] : s.T<store::IamAttachmentRecord>()) n += a.policy_arn == arn;
  return n;
}

size_t BoundaryCount(const identity::State& s, std::string_view arn) {
  size_t n = 0;
  for (const auto& [k, u] : s.T<store::IamUserRecord>()) n += u.permissions_boundary == arn;
  for (const auto& [k, r] : s.T<store::IamRoleRecord>()) n += r.permissions_boundary == arn;
  return n;
}

json PolicyJson(const identity::State& s, const store::IamPolicyRecord& p, bool with_tags) {
  json j = {{"PolicyName", p.name},
            {"PolicyId", p.id},
            {"Arn", p.arn},
            {"Path", p.path},
            {"DefaultVersionId", p.default_version},
            {"AttachmentCount", AttachmentCount(s, p.arn)},
            {"PermissionsBoundaryUsageCount", BoundaryCount(s, p.arn)},
            {"IsAttachable", true},
            {"CreateDate", identity::IsoTime(p.created_at_ms)},
            {"UpdateDate", identity::IsoTime(p.updated_at_ms)}};
  if (!p.description.empty()) j["Description"] = p.description;
  if (with_tags) {
    json tags = TagsJson(s, p.account_id, "policy", p.arn);
    if (!tags.empty()) j["Tags"] = tags;
  }
  return j;
}

json AwsPolicyJson(const identity::State& s, const identity::AwsManagedPolicy& p) {
  json j = {{"PolicyName", p.name},
            {"PolicyId", p.id},
            {"Arn", p.arn},
            {"Path", p.path},
            {"DefaultVersionId", p.version_id},
            {"AttachmentCount", AttachmentCount(s, p.arn)},
            {"PermissionsBoundaryUsageCount", BoundaryCount(s, p.arn)},
            {"IsAttachable", true},
            {"Description", p.description},
            {"CreateDate", p.created},
            {"UpdateDate", p.updated}};
  return j;
}

Status CheckManagedPolicyArn(const identity::State& s, std::string_view arn) {
  if (arn.size() < 20 || !arn.starts_with("arn:aws:iam::") ||
      arn.find(":policy/") == std::string_view::npos) {
    return Status(ErrorCode::kInvalidInput, "ARN " + std::string(arn) + " is not valid.");
  }
  if (identity::FindAwsManagedPolicy(arn) != nullptr) return Status::Ok();
  if (s.Find<store::IamPolicyRecord>(std::string(arn)) == nullptr) return NoSuchPolicy(arn);
  return Status::Ok();
}

Result<std::string> ImplicitUser(const api::CallContext& ctx, const json& input) {
  if (auto name = OptStr(input, "UserName")) return *name;
  if (ctx.principal_type == api::PrincipalType::kUser && ctx.session_token.empty()) return ctx.principal_name;
  if (ctx.principal_type == api::PrincipalType::kAccountRoot && ctx.session_token.empty()) return std::string();
  if (ctx.principal_type == api::PrincipalType::kUser || ctx.principal_type == api::PrincipalType::kAccountRoot) {
    // Session credentials from GetSessionToken: AWS requires UserName here.
    return Status(ErrorCode::kValidation, "Must specify userName when calling with non-User "
                                          "credentials");
  }
  return Status(ErrorCode::kValidation,
                "Must specify userName when calling with non-User credentials");
}

}  // namespace openpca::services::iam
