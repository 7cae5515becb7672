#include "store/sqlite/sqlite_json.h"

#include <nlohmann/json.hpp>

namespace openpca::store {

using json = nlohmann::json;

std::string StringsToJson(const std::vector<std::string>& values) { return json(values).dump(); }

std::vector<std::string> StringsFromJson(const std::string& text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string TagsToJson(const std::vector<Tag>& tags) {
  json out = json::array();
  for (const auto& t : tags) {
    json tag{{"key", t.key}};
    if (t.value.has_value()) tag["value"] = *t.value;
    out.push_back(std::move(tag));
  }
  return out.dump();
}

std::vector<Tag> TagsFromJson(const std::string& text) {
  std::vector<Tag> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& t : j) {
    Tag tag;
    tag.key = t.value("key", "");
    if (t.contains("value") && t["value"].is_string()) tag.value = t["value"].get<std::string>();
    out.push_back(std::move(tag));
  }
  return out;
}

}  // namespace openpca::store
