// The catalog of the 61 AWS Private CA certificate templates and what each fixes.
// Immutable static data; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openpca::authority {

enum class TemplateVariety { kBase, kCsrPassthrough, kApiPassthrough, kApiCsrPassthrough };

struct TemplateDefinition {
  std::string name;  // "EndEntityCertificate/V1"
  TemplateVariety variety = TemplateVariety::kBase;
  // Basic constraints are fixed by every template.
  bool bc_critical = false;
  bool bc_ca = false;
  std::optional<int> path_len;
  // Key usage / EKU fixed by the template (nullopt = supplied by API or CSR, if at all).
  std::optional<uint16_t> key_usage;  // x509::KeyUsageBit mask, always critical
  std::optional<std::vector<std::string>> eku;
  bool eku_critical = false;
  bool root = false;  // self-signs the CA's own CSR; no AKI, no CDP

  bool takes_api() const {
    return variety == TemplateVariety::kApiPassthrough ||
           variety == TemplateVariety::kApiCsrPassthrough;
  }
  bool takes_csr() const {
    return variety == TemplateVariety::kCsrPassthrough ||
           variety == TemplateVariety::kApiCsrPassthrough;
  }
};

inline constexpr std::string_view kDefaultTemplate = "EndEntityCertificate/V1";

// nullptr for an unknown name.
const TemplateDefinition* FindTemplate(std::string_view name);
const std::vector<TemplateDefinition>& AllTemplates();

}  // namespace openpca::authority
