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

// A JSON object written member by member straight into `out`, in the order written: to equal an
// nlohmann object's dump(), write the members in byte order of their names. Names are written as
// given: plain ASCII names only.
class JsonObjectText {
 public:
  explicit JsonObjectText(std::string& out) : out_(out) {}
  // "name":"value", the value escaped as dump() does. A value that is not UTF-8 makes Close()
  // return false (and the text is of no use).
  void String(std::string_view name, std::string_view value);
  // Writes "name": and returns `out` for the value's text (a number, a nested object).
  std::string& Member(std::string_view name);
  // The closing brace ("{}" when there was no member). False when a String was not UTF-8.
  [[nodiscard]] bool Close();

 private:
  std::string& out_;
  char separator_ = '{';
  bool ok_ = true;
};

}  // namespace openpca
