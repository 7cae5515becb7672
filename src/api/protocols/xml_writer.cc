#include "api/protocols/xml_writer.h"

namespace openpca::api::protocols {

void AppendXmlEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&apos;");
        break;
      case '\r':
        out->append("&#xD;");
        break;
      case '\n':
      case '\t':
        out->push_back(c);
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append("\xEF\xBF\xBD");  // not representable in XML 1.0
        } else {
          out->push_back(c);
        }
    }
  }
}

void XmlWriter::Open(std::string_view name, std::string_view xmlns) {
  out_.push_back('<');
  out_.append(name);
  if (!xmlns.empty()) {
    out_.append(" xmlns=\"");
    AppendXmlEscaped(xmlns, &out_);
    out_.push_back('"');
  }
  out_.push_back('>');
  open_.emplace_back(name);
}

void XmlWriter::Close() {
  if (open_.empty()) return;
  out_.append("</");
  out_.append(open_.back());
  out_.push_back('>');
  open_.pop_back();
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  out_.push_back('<');
  out_.append(name);
  out_.push_back('>');
  AppendXmlEscaped(text, &out_);
  out_.append("</");
  out_.append(name);
  out_.push_back('>');
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace openpca::api::protocols
