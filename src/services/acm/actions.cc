#include "services/acm/actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::acm {
namespace {

// An ARN that names an ACM certificate: arn:<partition>:acm:<region>:<account>:certificate/<id>.
bool LooksLikeCertificateArn(const std::string& arn) {
  return arn.starts_with("arn:") && arn.find(":acm:") != std::string::npos &&
         arn.find(":certificate/") != std::string::npos;
}

std::string CertificateArnMember(const nlohmann::json& input) {
  std::string arn = StringMember(input, "CertificateArn");
  return LooksLikeCertificateArn(arn) ? arn : std::string();
}

}  // namespace

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "acm:" + std::string(operation);
  if (operation == "RequestCertificate" || operation == "ListCertificates" ||
      operation == "GetAccountConfiguration" || operation == "PutAccountConfiguration" ||
      operation == "SearchCertificates") {
    // No resource: the certificate does not exist yet, or the call is about the account.
  } else {
    // ImportCertificate names a resource only when it re-imports.
    spec.resource = [](const api::CallContext&, const nlohmann::json& input) {
      return CertificateArnMember(input);
    };
  }
  if (operation == "RequestCertificate") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) {
      std::vector<std::string> names;
      if (std::string d = StringMember(input, "DomainName"); !d.empty()) names.push_back(d);
      if (auto sans = input.find("SubjectAlternativeNames");
          sans != input.end() && sans->is_array()) {
        for (const auto& n : *sans) {
          if (n.is_string()) names.push_back(n.get<std::string>());
        }
      }
      keys.push_back({"acm:DomainNames", std::move(names)});
      std::string alg = StringMember(input, "KeyAlgorithm");
      keys.push_back({"acm:KeyAlgorithm", {alg.empty() ? "RSA_2048" : alg}});
      if (std::string ca = StringMember(input, "CertificateAuthorityArn"); !ca.empty()) {
        keys.push_back({"acm:CertificateAuthority", {std::move(ca)}});
      }
      std::string ct = "ENABLED";
      if (auto o = input.find("Options"); o != input.end() && o->is_object()) {
        if (std::string v = StringMember(*o, "CertificateTransparencyLoggingPreference");
            !v.empty()) {
          ct = v;
        }
      }
      keys.push_back({"acm:CertificateTransparencyLogging", {ct}});
      AddRequestTagKeys(input, "Tags", keys);
    };
  } else if (operation == "ImportCertificate" || operation == "AddTagsToCertificate") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddRequestTagKeys(input, "Tags", keys); };
  } else if (operation == "RemoveTagsFromCertificate") {
    // Removal names keys (values only narrow the match): aws:TagKeys alone.
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) {
      std::vector<std::string> names;
      if (auto tags = input.find("Tags"); tags != input.end() && tags->is_array()) {
        for (const auto& t : *tags) {
          if (t.is_object()) names.push_back(StringMember(t, "Key"));
        }
      }
      keys.push_back({"aws:TagKeys", std::move(names)});
    };
  }
  return spec;
}

}  // namespace openpca::services::acm
