#include "certmanager/domain_names.h"

#include <ctime>
#include <vector>

namespace openpca::certmanager {
namespace {

bool IsLabel(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status CheckDomainName(std::string_view name) {
  auto invalid = [&] {
    return Status(ErrorCode::kValidation,
                  "1 validation error detected: Value '" + std::string(name) +
                      "' at 'domainName' failed to satisfy constraint: Member must satisfy "
                      "regular expression pattern: "
                      "(\\*\\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\\.)+((?!-)[A-Za-z0-9-]{1,"
                      "62}[A-Za-z0-9])");
  };
  if (name.empty() || name.size() > 253) return invalid();
  std::string_view rest = name;
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  int labels = 0;
  while (true) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    if (!IsLabel(label)) return invalid();
    ++labels;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (labels < 2) return invalid();
  return Status::Ok();
}

bool IsAcmCertificateArn(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "acm" || parts[4].empty()) {
    return false;
  }
  for (char c : parts[4]) {
    if (c < '0' || c > '9') return false;
  }
  if (!resource.starts_with("certificate/") || resource.size() == 12) return false;
  for (char c : resource.substr(12)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string IsoTime(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace openpca::certmanager
