// Small pieces shared by the services' ActionSpec tables (services/<service>/actions.cc).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/operation.h"

namespace openpca::services {

// The string member `name` of `input`, or "".
std::string StringMember(const nlohmann::json& input, std::string_view name);

// aws:RequestTag/<key> for every {Key, Value} (or {key, value}) of the list member `member`,
// and aws:TagKeys for their keys. Nothing when the member is absent.
void AddRequestTagKeys(const nlohmann::json& input, std::string_view member,
                       api::ConditionKeys& keys);
// aws:TagKeys for a list of key strings (Untag* operations).
void AddTagKeyList(const nlohmann::json& input, std::string_view member, api::ConditionKeys& keys);

// The partition of the caller's region ("aws", "aws-us-gov", "aws-cn", "aws-eusc").
std::string PartitionOf(const api::CallContext& ctx);

}  // namespace openpca::services
