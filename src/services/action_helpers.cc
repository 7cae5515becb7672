#include "services/action_helpers.h"

#include <vector>

#include "common/arn.h"

namespace openpca::services {

std::string StringMember(const nlohmann::json& input, std::string_view name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

void AddRequestTagKeys(const nlohmann::json& input, std::string_view member,
                       api::ConditionKeys& keys) {
  auto tags = input.find(member);
  if (tags == input.end() || !tags->is_array()) return;
  std::vector<std::string> names;
  for (const nlohmann::json& tag : *tags) {
    if (!tag.is_object()) continue;
    std::string key = StringMember(tag, "Key");
    if (key.empty()) key = StringMember(tag, "key");
    if (key.empty()) continue;
    std::string value = tag.contains("Value") ? StringMember(tag, "Value") : StringMember(tag, "value");
    keys.push_back({"aws:RequestTag/" + key, {std::move(value)}});
    names.push_back(std::move(key));
  }
  keys.push_back({"aws:TagKeys", std::move(names)});
}

void AddTagKeyList(const nlohmann::json& input, std::string_view member,
                   api::ConditionKeys& keys) {
  auto list = input.find(member);
  if (list == input.end() || !list->is_array()) return;
  std::vector<std::string> names;
  for (const nlohmann::json& k : *list) {
    if (k.is_string()) names.push_back(k.get<std::string>());
  }
  keys.push_back({"aws:TagKeys", std::move(names)});
}

std::string PartitionOf(const api::CallContext& ctx) {
  return std::string(PartitionOfRegion(ctx.region));
}

}  // namespace openpca::services
