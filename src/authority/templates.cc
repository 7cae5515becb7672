#include "authority/templates.h"

#include <map>

#include "x509/extensions.h"

namespace openpca::authority {
namespace {

using x509::kCrlSign;
using x509::kDigitalSignature;
using x509::kKeyCertSign;
using x509::kKeyEncipherment;

constexpr char kServerAuth[] = "1.3.6.1.5.5.7.3.1";
constexpr char kClientAuth[] = "1.3.6.1.5.5.7.3.2";
constexpr char kCodeSigning[] = "1.3.6.1.5.5.7.3.3";
constexpr char kOcspSigning[] = "1.3.6.1.5.5.7.3.9";

constexpr uint16_t kEndEntityKu = kDigitalSignature | kKeyEncipherment;
constexpr uint16_t kCaKu = kDigitalSignature | kKeyCertSign | kCrlSign;

std::string Suffix(TemplateVariety v) {
  switch (v) {
    case TemplateVariety::kBase: return "";
    case TemplateVariety::kCsrPassthrough: return "_CSRPassthrough";
    case TemplateVariety::kApiPassthrough: return "_APIPassthrough";
    case TemplateVariety::kApiCsrPassthrough: return "_APICSRPassthrough";
  }
  return "";
}

std::vector<TemplateDefinition> BuildCatalog() {
  std::vector<TemplateDefinition> out;
  auto add = [&](std::string base, TemplateVariety v, bool bc_crit, bool ca,
                 std::optional<int> path_len, std::optional<uint16_t> ku,
                 std::optional<std::vector<std::string>> eku, bool eku_crit, bool root = false) {
    TemplateDefinition t;
    t.name = base + Suffix(v) + "/V1";
    t.variety = v;
    t.bc_critical = bc_crit;
    t.bc_ca = ca;
    t.path_len = path_len;
    t.key_usage = ku;
    t.eku = std::move(eku);
    t.eku_critical = eku_crit;
    t.root = root;
    out.push_back(std::move(t));
  };
  const TemplateVariety kAll[] = {TemplateVariety::kBase, TemplateVariety::kCsrPassthrough,
                                  TemplateVariety::kApiPassthrough,
                                  TemplateVariety::kApiCsrPassthrough};
  for (TemplateVariety v : kAll) {
    add("CodeSigningCertificate", v, false, false, {}, kDigitalSignature,
        std::vector<std::string>{kCodeSigning}, true);
    add("EndEntityCertificate", v, false, false, {}, kEndEntityKu,
        std::vector<std::string>{kServerAuth, kClientAuth}, false);
    add("EndEntityClientAuthCertificate", v, false, false, {}, kEndEntityKu,
        std::vector<std::string>{kClientAuth}, false);
    add("EndEntityServerAuthCertificate", v, false, false, {}, kEndEntityKu,
        std::vector<std::string>{kServerAuth}, false);
    add("OCSPSigningCertificate", v, false, false, {}, kDigitalSignature,
        std::vector<std::string>{kOcspSigning}, true);
    for (int n = 0; n <= 3; ++n) {
      add("SubordinateCACertificate_PathLen" + std::to_string(n), v, true, true, n, kCaKu, {},
          false);
    }
    if (v != TemplateVariety::kBase) {
      add("BlankEndEntityCertificate", v, false, false, {}, {}, {}, false);
      add("BlankEndEntityCertificate_CriticalBasicConstraints", v, true, false, {}, {}, {}, false);
      for (int n = 0; n <= 3; ++n) {
        add("BlankSubordinateCACertificate_PathLen" + std::to_string(n), v, true, true, n, {}, {},
            false);
      }
    }
  }
  add("RootCACertificate", TemplateVariety::kBase, true, true, {}, kCaKu, {}, false, true);
  add("RootCACertificate", TemplateVariety::kApiPassthrough, true, true, {}, kCaKu, {}, false,
      true);
  add("BlankRootCACertificate", TemplateVariety::kApiPassthrough, true, true, {}, {}, {}, false,
      true);
  for (int n = 0; n <= 3; ++n) {
    add("BlankRootCACertificate_PathLen" + std::to_string(n), TemplateVariety::kApiPassthrough,
        true, true, n, {}, {}, false, true);
  }
  return out;
}

}  // namespace

const std::vector<TemplateDefinition>& AllTemplates() {
  static const std::vector<TemplateDefinition> kCatalog = BuildCatalog();
  return kCatalog;
}

const TemplateDefinition* FindTemplate(std::string_view name) {
  static const std::map<std::string, const TemplateDefinition*, std::less<>> kIndex = [] {
    std::map<std::string, const TemplateDefinition*, std::less<>> m;
    for (const auto& t : AllTemplates()) m[t.name] = &t;
    return m;
  }();
  auto it = kIndex.find(name);
  return it == kIndex.end() ? nullptr : it->second;
}

}  // namespace openpca::authority
