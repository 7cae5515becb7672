#include "policy/request_context.h"

#include "policy/glob.h"

namespace openpca::policy {

const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kAccount:
      return "Account";
    case PrincipalType::kUser:
      return "User";
    case PrincipalType::kAssumedRole:
      return "AssumedRole";
    case PrincipalType::kFederatedUser:
      return "FederatedUser";
    case PrincipalType::kService:
      return "Service";
    case PrincipalType::kAnonymous:
      return "Anonymous";
  }
  return "Anonymous";
}

void RequestContext::Set(std::string_view key, std::string value) {
  Entry& e = keys_[AsciiLowerCopy(key)];
  e.values.clear();
  e.values.push_back(std::move(value));
  e.multi = false;
}

void RequestContext::SetMulti(std::string_view key, std::vector<std::string> values) {
  Entry& e = keys_[AsciiLowerCopy(key)];
  e.values = std::move(values);
  e.multi = true;
}

void RequestContext::Erase(std::string_view key) {
  auto it = keys_.find(AsciiLowerCopy(key));
  if (it != keys_.end()) keys_.erase(it);
}

const RequestContext::Entry* RequestContext::FindLower(std::string_view lower_key) const {
  auto it = keys_.find(lower_key);
  return it == keys_.end() ? nullptr : &it->second;
}

const std::vector<std::string>* RequestContext::Get(std::string_view key) const {
  const Entry* e = FindLower(AsciiLowerCopy(key));
  return e == nullptr ? nullptr : &e->values;
}

bool RequestContext::IsMultiValued(std::string_view key) const {
  const Entry* e = FindLower(AsciiLowerCopy(key));
  return e != nullptr && e->multi;
}

std::vector<std::string> RequestContext::KeyNames() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& [k, v] : keys_) out.push_back(k);
  return out;
}

void AddPrincipalKeys(RequestContext& request) {
  auto set_default = [&request](std::string_view key, const std::string& value) {
    if (request.FindLower(key) == nullptr && !value.empty()) request.Set(key, value);
  };
  const PrincipalInfo& p = request.principal;
  switch (p.type) {
    case PrincipalType::kAssumedRole:
      set_default("aws:principalarn", p.role_arn);
      break;
    case PrincipalType::kService:
      set_default("aws:principalisawsservice", "true");
      set_default("aws:principalservicename", p.arn);
      break;
    case PrincipalType::kAnonymous:
      break;
    default:
      set_default("aws:principalarn", p.arn);
      break;
  }
  if (p.type != PrincipalType::kService) {
    set_default("aws:principaltype", PrincipalTypeName(p.type));
    set_default("aws:principalaccount", p.account_id);
    if (p.type != PrincipalType::kAnonymous) set_default("aws:principalisawsservice", "false");
  }
  if (p.type == PrincipalType::kUser) {
    size_t slash = p.arn.rfind('/');
    if (slash != std::string::npos) set_default("aws:username", p.arn.substr(slash + 1));
  }
}

}  // namespace openpca::policy
