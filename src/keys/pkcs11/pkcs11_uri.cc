#include "keys/pkcs11/pkcs11_uri.h"

namespace openpca::keys::pkcs11 {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return Status(ErrorCode::kInvalidArgs, "PKCS#11 URI: truncated percent-encoding");
    }
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) {
      return Status(ErrorCode::kInvalidArgs, "PKCS#11 URI: bad percent-encoding");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// RFC 7512 2.3 pk11-pchar without '%': unreserved / pk11-res-avail ( ":" / "[" / "]" / "@" /
// "!" / "$" / "'" / "(" / ")" / "*" / "+" / "," / "=" / "&" ). "&" and "=" are safe inside a
// value since only ';' separates path attributes; encode them anyway to keep values plain.
bool IsPlain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == ':' || c == '[' || c == ']' || c == '@' ||
         c == '!' || c == '$' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
         c == ',';
}

void AppendEncoded(std::string& out, std::string_view value, bool encode_all) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (!encode_all && IsPlain(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

Result<Pkcs11Uri> ParsePkcs11Uri(std::string_view uri) {
  if (!uri.starts_with(kUriScheme)) {
    return Status(ErrorCode::kInvalidArgs, "not a PKCS#11 URI");
  }
  std::string_view path = uri.substr(kUriScheme.size());
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  Pkcs11Uri out;
  bool seen_token = false, seen_id = false, seen_object = false, seen_type = false;
  while (!path.empty()) {
    size_t semi = path.find(';');
    std::string_view attr = path.substr(0, semi);
    path = semi == std::string_view::npos ? std::string_view() : path.substr(semi + 1);
    if (attr.empty()) continue;
    size_t eq = attr.find('=');
    if (eq == std::string_view::npos) {
      return Status(ErrorCode::kInvalidArgs, "PKCS#11 URI: attribute without '='");
    }
    std::string_view name = attr.substr(0, eq);
    ASSIGN_OR_RETURN(std::string value, PercentDecode(attr.substr(eq + 1)));
    auto once = [&](bool& seen) -> Status {
      if (seen) {
        return Status(ErrorCode::kInvalidArgs,
                      "PKCS#11 URI: attribute " + std::string(name) + " given twice");
      }
      seen = true;
      return Status::Ok();
    };
    if (name == "token") {
      RETURN_IF_ERROR(once(seen_token));
      out.token = std::move(value);
    } else if (name == "id") {
      RETURN_IF_ERROR(once(seen_id));
      out.id.assign(value.begin(), value.end());
    } else if (name == "object") {
      RETURN_IF_ERROR(once(seen_object));
      out.object = std::move(value);
    } else if (name == "type") {
      RETURN_IF_ERROR(once(seen_type));
      out.type = std::move(value);
    }
  }
  return out;
}

std::string FormatPkcs11Uri(const Pkcs11Uri& uri) {
  std::string out(kUriScheme);
  auto attr = [&](std::string_view name, std::string_view value, bool encode_all) {
    if (out.size() > kUriScheme.size()) out.push_back(';');
    out.append(name);
    out.push_back('=');
    AppendEncoded(out, value, encode_all);
  };
  if (!uri.token.empty()) attr("token", uri.token, false);
  if (!uri.id.empty()) attr("id", AsStringView(uri.id), true);
  if (!uri.object.empty()) attr("object", uri.object, false);
  if (!uri.type.empty()) attr("type", uri.type, false);
  return out;
}

}  // namespace openpca::keys::pkcs11
