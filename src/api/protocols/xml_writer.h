// XmlWriter: builds an XML document as text, escaping character data and attribute values. No
// declaration is written (AWS query responses have none). Not thread-safe; one per response.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace openpca::api::protocols {

class XmlWriter {
 public:
  // <name xmlns="ns"> (no attribute when `xmlns` is empty).
  void Open(std::string_view name, std::string_view xmlns = {});
  void Close();  // closes the innermost open element
  // <name>escaped text</name>
  void Element(std::string_view name, std::string_view text);
  // Closes whatever is still open and returns the document.
  std::string Finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// Escapes & < > " ' and control characters XML 1.0 cannot carry as text (as &#xD; for CR, which
// would otherwise be normalized away; other invalid ones become U+FFFD).
void AppendXmlEscaped(std::string_view text, std::string* out);

}  // namespace openpca::api::protocols
