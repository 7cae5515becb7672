#include "common/arn.h"

#include <vector>

namespace openpca {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep, size_t max_parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_parts) {
    size_t p = s.find(sep);
    if (p == std::string_view::npos) break;
    out.push_back(s.substr(0, p));
    s.remove_prefix(p + 1);
  }
  out.push_back(s);
  return out;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsHex(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace

std::string CaArn::ToString() const {
  return "arn:" + partition + ":acm-pca:" + region + ":" + account_id +
         ":certificate-authority/" + ca_id;
}

std::string CertificateArn::ToString() const {
  return ca.ToString() + "/certificate/" + serial_hex;
}

std::string_view PartitionOfRegion(std::string_view region) {
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("eusc-")) return "aws-eusc";
  return "aws";
}

std::string MakeCaArn(std::string_view region, std::string_view account, std::string_view ca_id) {
  return CaArn{std::string(PartitionOfRegion(region)), std::string(region), std::string(account),
               std::string(ca_id)}
      .ToString();
}

std::string MakeTemplateArn(std::string_view ca_arn, std::string_view template_name) {
  std::string partition = "aws";
  if (auto ca = ParseCaArn(ca_arn)) partition = ca->partition;
  return "arn:" + partition + ":acm-pca:::template/" + std::string(template_name);
}

namespace {
std::optional<std::pair<CaArn, std::string_view>> ParseCaPrefix(std::string_view arn) {
  auto parts = Split(arn, ':', 6);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != "acm-pca" ||
      parts[3].empty() || parts[4].size() != 12) {
    return std::nullopt;
  }
  for (char c : parts[4])
    if (c < '0' || c > '9') return std::nullopt;
  std::string_view resource = parts[5];
  constexpr std::string_view kPrefix = "certificate-authority/";
  if (resource.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  resource.remove_prefix(kPrefix.size());
  std::string_view id = resource.substr(0, 36);
  if (!IsUuid(id)) return std::nullopt;
  CaArn ca{std::string(parts[1]), std::string(parts[3]), std::string(parts[4]), std::string(id)};
  return std::make_pair(ca, resource.substr(36));
}
}  // namespace

std::optional<CaArn> ParseCaArn(std::string_view arn) {
  auto r = ParseCaPrefix(arn);
  if (!r || !r->second.empty()) return std::nullopt;
  return r->first;
}

std::optional<CertificateArn> ParseCertificateArn(std::string_view arn) {
  auto r = ParseCaPrefix(arn);
  if (!r) return std::nullopt;
  constexpr std::string_view kCert = "/certificate/";
  std::string_view rest = r->second;
  if (rest.substr(0, kCert.size()) != kCert) return std::nullopt;
  rest.remove_prefix(kCert.size());
  if (!IsHex(rest)) return std::nullopt;
  std::string serial(rest);
  for (char& c : serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return CertificateArn{r->first, serial};
}

std::optional<std::string> ParseTemplateArn(std::string_view arn) {
  auto parts = Split(arn, ':', 6);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != "acm-pca" ||
      !parts[3].empty() || !parts[4].empty()) {
    return std::nullopt;
  }
  constexpr std::string_view kPrefix = "template/";
  std::string_view resource = parts[5];
  if (resource.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  resource.remove_prefix(kPrefix.size());
  if (resource.empty()) return std::nullopt;
  return std::string(resource);
}

}  // namespace openpca
