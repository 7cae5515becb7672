#include "services/cloudtrail/trail_actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::cloudtrail {
namespace {

constexpr std::string_view kTrailOperations[] = {
    "AddTags",        "CreateTrail",  "DeleteTrail", "DescribeTrails", "GetTrail",
    "GetTrailStatus", "ListPublicKeys", "ListTags",  "ListTrails",     "RemoveTags",
    "StartLogging",   "StopLogging",  "UpdateTrail"};

// arn:<partition>:cloudtrail:<region>:<12 digits>:trail/<name>
bool IsTrailArn(std::string_view arn) {
  std::string_view rest = arn;
  std::string_view parts[5];
  for (auto& part : parts) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return false;
    part = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "cloudtrail" || parts[3].empty() ||
      parts[4].size() != 12 || parts[4].find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  return rest.starts_with("trail/") && rest.size() > 6;
}

// A trail name becomes the ARN it has in the caller's region and account; an ARN stays as given.
// A malformed ARN is authorized as "*", so that the handler answers
// CloudTrailARNInvalidException.
std::string TrailResource(const api::CallContext& ctx, const std::string& name_or_arn) {
  if (name_or_arn.empty()) return "*";
  if (name_or_arn.starts_with("arn:")) return IsTrailArn(name_or_arn) ? name_or_arn : "*";
  return "arn:" + PartitionOf(ctx) + ":cloudtrail:" + ctx.region + ":" + ctx.account_id +
         ":trail/" + name_or_arn;
}

}  // namespace

bool IsTrailOperation(std::string_view operation) {
  for (std::string_view op : kTrailOperations) {
    if (op == operation) return true;
  }
  return false;
}

api::ActionSpec TrailActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "cloudtrail:" + std::string(operation);
  if (operation == "DescribeTrails" || operation == "ListTrails" ||
      operation == "ListPublicKeys") {
    return spec;
  }
  if (operation == "AddTags" || operation == "RemoveTags") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      return TrailResource(ctx, StringMember(input, "ResourceId"));
    };
  } else if (operation == "ListTags") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      auto list = input.find("ResourceIdList");
      if (list == input.end() || !list->is_array() || list->size() != 1 ||
          !(*list)[0].is_string()) {
        return std::string("*");
      }
      return TrailResource(ctx, (*list)[0].get<std::string>());
    };
  } else {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      return TrailResource(ctx, StringMember(input, "Name"));
    };
  }
  if (operation == "CreateTrail" || operation == "AddTags") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddRequestTagKeys(input, "TagsList", keys); };
  } else if (operation == "RemoveTags") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) {
      auto tags = input.find("TagsList");
      if (tags == input.end() || !tags->is_array()) return;
      std::vector<std::string> names;
      for (const auto& t : *tags) {
        if (t.is_object()) names.push_back(StringMember(t, "Key"));
      }
      keys.push_back({"aws:TagKeys", std::move(names)});
    };
  }
  return spec;
}

}  // namespace openpca::services::cloudtrail
