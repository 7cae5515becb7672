#include "identity/names.h"

#include <cctype>

namespace openpca::identity {
namespace {

bool IsWord(unsigned char c) { return std::isalnum(c) || c == '_'; }

}  // namespace

Status ValidationError(std::string_view member, std::string_view value,
                       std::string_view constraint) {
  return Status(ErrorCode::kValidation,
                "1 validation error detected: Value '" + std::string(value) + "' at '" +
                    std::string(member) + "' failed to satisfy constraint: " +
                    std::string(constraint));
}

Status CheckName(std::string_view value, std::string_view member, size_t min, size_t max) {
  if (value.size() < min) {
    return ValidationError(member, value,
                           "Member must have length greater than or equal to " +
                               std::to_string(min));
  }
  if (value.size() > max) {
    return ValidationError(member, value,
                           "Member must have length less than or equal to " + std::to_string(max));
  }
  for (unsigned char c : value) {
    if (!IsWord(c) && std::string_view("+=,.@-").find(static_cast<char>(c)) ==
                          std::string_view::npos) {
      return ValidationError(member, value,
                             "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
  }
  return Status::Ok();
}

Status CheckPath(std::string_view value, std::string_view member) {
  bool ok = !value.empty() && value.size() <= 512 && value.front() == '/' && value.back() == '/';
  for (unsigned char c : value) ok = ok && c >= 0x21 && c <= 0x7E;
  if (!ok) {
    return ValidationError(member, value,
                           "Member must satisfy regular expression pattern: "
                           "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  }
  return Status::Ok();
}

Status CheckPolicyPath(std::string_view value, std::string_view member) {
  bool ok = !value.empty() && value.size() <= 512 && value.front() == '/' && value.back() == '/' &&
            value.find("//") == std::string_view::npos;
  for (unsigned char c : value) {
    ok = ok && (std::isalnum(c) || std::string_view("/.,+@=_-").find(static_cast<char>(c)) !=
                                       std::string_view::npos);
  }
  if (!ok) {
    return ValidationError(member, value,
                           "Member must satisfy regular expression pattern: "
                           "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
  }
  return Status::Ok();
}

Status CheckPolicyDocumentChars(std::string_view value, std::string_view member) {
  if (value.empty() || value.size() > 131072) {
    return ValidationError(member, "...", "Member must have length between 1 and 131072");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = value[i];
    if (c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c < 0x7F)) continue;
    if (c == 0x7F) continue;
    // UTF-8 for U+0080..U+00FF is C2/C3 followed by a continuation byte.
    if ((c == 0xC2 || c == 0xC3) && i + 1 < value.size() &&
        (static_cast<unsigned char>(value[i + 1]) & 0xC0) == 0x80) {
      ++i;
      continue;
    }
    return ValidationError(member, "...",
                           "Member must satisfy regular expression pattern: "
                           "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  }
  return Status::Ok();
}

Status CheckTag(std::string_view key, std::string_view value) {
  auto allowed = [](std::string_view s) {
    for (unsigned char c : s) {
      if (c >= 0x80) continue;  // letters, separators and numbers beyond ASCII
      if (std::isalnum(c) || c == ' ' ||
          std::string_view("_.:/=+-@").find(static_cast<char>(c)) != std::string_view::npos) {
        continue;
      }
      return false;
    }
    return true;
  };
  if (key.empty() || key.size() > 128 || !allowed(key)) {
    return ValidationError("tags.member.key", key,
                           "Member must satisfy regular expression pattern: "
                           "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
  }
  if (value.size() > 256 || !allowed(value)) {
    return ValidationError("tags.member.value", value,
                           "Member must satisfy regular expression pattern: "
                           "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
  }
  return Status::Ok();
}

size_t NonWhitespaceSize(std::string_view document) {
  size_t n = 0;
  for (unsigned char c : document) n += std::isspace(c) ? 0 : 1;
  return n;
}

std::string UrlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace openpca::identity
