// JSON text columns shared by the SQLite stores: lists of strings and of tags, stored as JSON
// arrays. A column that does not parse reads as an empty list (columns are written only here).
#pragma once

#include <string>
#include <vector>

#include "store/records.h"

namespace openpca::store {

std::string StringsToJson(const std::vector<std::string>& values);
std::vector<std::string> StringsFromJson(const std::string& text);

// [{"key": k, "value": v}, ...]; "value" absent when the tag has none.
std::string TagsToJson(const std::vector<Tag>& tags);
std::vector<Tag> TagsFromJson(const std::string& text);

}  // namespace openpca::store
