#include "authority/wire_structs.h"

#include <array>

namespace openpca::authority {
namespace {

using json = nlohmann::json;

struct NamedAttribute {
  const char* member;
  const char* oid;
};
constexpr std::array<NamedAttribute, 14> kSubjectOrder{{
    {"Country", "2.5.4.6"},
    {"State", "2.5.4.8"},
    {"Locality", "2.5.4.7"},
    {"Organization", "2.5.4.10"},
    {"OrganizationalUnit", "2.5.4.11"},
    {"CommonName", "2.5.4.3"},
    {"DistinguishedNameQualifier", "2.5.4.46"},
    {"Title", "2.5.4.12"},
    {"Surname", "2.5.4.4"},
    {"GivenName", "2.5.4.42"},
    {"Initials", "2.5.4.43"},
    {"Pseudonym", "2.5.4.65"},
    {"GenerationQualifier", "2.5.4.44"},
    {"SerialNumber", "2.5.4.5"},
}};

std::string Str(const json& obj, const char* member) {
  auto it = obj.find(member);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

bool Flag(const json& obj, const char* member) {
  auto it = obj.find(member);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::string EkuOid(const std::string& type) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"SERVER_AUTH", "1.3.6.1.5.5.7.3.1"},
      {"CLIENT_AUTH", "1.3.6.1.5.5.7.3.2"},
      {"CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
      {"EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
      {"TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
      {"OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
      {"SMART_CARD_LOGIN", "1.3.6.1.4.1.311.20.2.2"},
      {"DOCUMENT_SIGNING", "1.3.6.1.5.5.7.3.36"},
      {"CERTIFICATE_TRANSPARENCY", "1.3.6.1.4.1.11129.2.4.4"},
  };
  for (const auto& [name, oid] : kMap)
    if (type == name) return oid;
  return "";
}

}  // namespace

Result<std::vector<x509::NameAttribute>> SubjectAttributes(const json& subject) {
  std::vector<x509::NameAttribute> out;
  for (const auto& a : kSubjectOrder) {
    std::string v = Str(subject, a.member);
    if (!v.empty()) out.push_back({a.oid, v});
  }
  auto custom = subject.find("CustomAttributes");
  if (custom != subject.end() && custom->is_array() && !custom->empty()) {
    if (!out.empty()) {
      return Status(ErrorCode::kInvalidArgs,
                    "CustomAttributes cannot be combined with other subject attributes");
    }
    for (const auto& attr : *custom) {
      out.push_back({Str(attr, "ObjectIdentifier"), Str(attr, "Value")});
    }
  }
  return out;
}

Result<x509::GeneralNameSpec> ToGeneralName(const json& gn) {
  using Kind = x509::GeneralNameSpec::Kind;
  x509::GeneralNameSpec spec;
  int choices = 0;
  for (const auto& [key, value] : gn.items()) {
    if (value.is_null()) continue;
    ++choices;
    if (key == "DnsName") {
      spec.kind = Kind::kDnsName;
      spec.value = value.get<std::string>();
    } else if (key == "Rfc822Name") {
      spec.kind = Kind::kRfc822Name;
      spec.value = value.get<std::string>();
    } else if (key == "UniformResourceIdentifier") {
      spec.kind = Kind::kUri;
      spec.value = value.get<std::string>();
    } else if (key == "IpAddress") {
      spec.kind = Kind::kIpAddress;
      spec.value = value.get<std::string>();
    } else if (key == "RegisteredId") {
      spec.kind = Kind::kRegisteredId;
      spec.value = value.get<std::string>();
    } else if (key == "DirectoryName") {
      spec.kind = Kind::kDirectoryName;
      ASSIGN_OR_RETURN(spec.directory_name, SubjectAttributes(value));
    } else if (key == "OtherName") {
      spec.kind = Kind::kOtherName;
      spec.type_id = Str(value, "TypeId");
      spec.value = Str(value, "Value");
    } else if (key == "EdiPartyName") {
      spec.kind = Kind::kEdiPartyName;
      spec.value = Str(value, "PartyName");
      spec.name_assigner = Str(value, "NameAssigner");
    } else {
      --choices;  // unknown members are ignored, as everywhere on the wire
    }
  }
  if (choices != 1) {
    return Status(ErrorCode::kInvalidArgs, "A GeneralName must specify exactly one name type.");
  }
  return spec;
}

uint16_t ToKeyUsageBits(const json& ku) {
  static const std::pair<const char*, uint16_t> kBits[] = {
      {"DigitalSignature", x509::kDigitalSignature}, {"NonRepudiation", x509::kNonRepudiation},
      {"KeyEncipherment", x509::kKeyEncipherment},   {"DataEncipherment", x509::kDataEncipherment},
      {"KeyAgreement", x509::kKeyAgreement},         {"KeyCertSign", x509::kKeyCertSign},
      {"CRLSign", x509::kCrlSign},                   {"EncipherOnly", x509::kEncipherOnly},
      {"DecipherOnly", x509::kDecipherOnly},
  };
  uint16_t bits = 0;
  for (const auto& [name, bit] : kBits)
    if (Flag(ku, name)) bits |= bit;
  return bits;
}

Result<std::vector<std::string>> ToEkuOids(const json& list) {
  std::vector<std::string> out;
  for (const auto& e : list) {
    std::string type = Str(e, "ExtendedKeyUsageType");
    std::string oid = Str(e, "ExtendedKeyUsageObjectIdentifier");
    if (type.empty() == oid.empty()) {
      return Status(ErrorCode::kInvalidArgs,
                    "Each ExtendedKeyUsage must specify exactly one of ExtendedKeyUsageType and "
                    "ExtendedKeyUsageObjectIdentifier.");
    }
    out.push_back(type.empty() ? oid : EkuOid(type));
  }
  return out;
}

std::vector<x509::PolicySpec> ToPolicies(const json& policies) {
  std::vector<x509::PolicySpec> out;
  for (const auto& p : policies) {
    x509::PolicySpec spec;
    spec.policy_oid = Str(p, "CertPolicyId");
    auto quals = p.find("PolicyQualifiers");
    if (quals != p.end() && quals->is_array()) {
      for (const auto& q : *quals) {
        auto qualifier = q.find("Qualifier");
        if (qualifier != q.end()) spec.cps_uris.push_back(Str(*qualifier, "CpsUri"));
      }
    }
    out.push_back(std::move(spec));
  }
  return out;
}

Result<std::vector<std::pair<std::string, x509::GeneralNameSpec>>> ToAccessDescriptions(
    const json& descriptions) {
  std::vector<std::pair<std::string, x509::GeneralNameSpec>> out;
  for (const auto& d : descriptions) {
    const json& method = d.value("AccessMethod", json::object());
    std::string custom = Str(method, "CustomObjectIdentifier");
    std::string type = Str(method, "AccessMethodType");
    if (custom.empty() == type.empty()) {
      return Status(ErrorCode::kInvalidArgs,
                    "AccessMethod must specify exactly one of CustomObjectIdentifier and "
                    "AccessMethodType.");
    }
    std::string oid = custom;
    if (type == "CA_REPOSITORY") oid = "1.3.6.1.5.5.7.48.5";
    if (type == "RESOURCE_PKI_MANIFEST") oid = "1.3.6.1.5.5.7.48.10";
    if (type == "RESOURCE_PKI_NOTIFY") oid = "1.3.6.1.5.5.7.48.13";
    ASSIGN_OR_RETURN(x509::GeneralNameSpec location,
                     ToGeneralName(d.value("AccessLocation", json::object())));
    out.emplace_back(oid, std::move(location));
  }
  return out;
}

}  // namespace openpca::authority
