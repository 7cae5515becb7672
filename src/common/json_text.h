// JSON text of an nlohmann::json value, byte for byte what value.dump() gives (no indentation,
// members in the object's key order, UTF-8 kept as is, control characters escaped), written
// straight into a string: the record_json of every event record and the body of every JSON
// response are made this way. dump() decodes
// every character through a state machine and writes it one at a time; this copies runs of plain
// characters at once, several times faster on records with long base64 members (a CSR).
//
// Text that is not valid UTF-8 is handed to dump() itself, which fails on it as before.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace openpca {

// Appends the text of `value` to `out`; equal to out += value.dump().
void AppendJsonText(const nlohmann::json& value, std::string& out);
// value.dump(), faster.
std::string JsonText(const nlohmann::json& value);
// value.dump(-1, ' ', false, error_handler_t::replace), faster: what the API answers with (a
// string that is not UTF-8 gets U+FFFD for its bad bytes instead of an exception).
std::string JsonTextReplacingInvalidUtf8(const nlohmann::json& value);
// Appends `text` as a JSON string (quotes included) as dump() writes it. Returns false, appending
// nothing, when `text` is not valid UTF-8.
[[nodiscard]] bool AppendJsonString(std::string_view text, std::string& out);

}  // namespace openpca
