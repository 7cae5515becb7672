#include "services/acm_pca/actions.h"

#include <string>

#include "common/arn.h"

namespace openpca::services::acm_pca {
namespace {

std::string StringMember(const nlohmann::json& input, const char* name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// The CA ARN a member names; "" (authorized as "*") when it is not a CA ARN at all, so that the
// handler answers InvalidArnException as AWS does rather than the authorizer a cross-account
// denial for a made-up account.
std::string CaArnMember(const nlohmann::json& input, const char* name) {
  std::string arn = StringMember(input, name);
  return ParseCaArn(arn).has_value() ? arn : std::string();
}

// aws:RequestTag/<k> for each tag and aws:TagKeys for the set of keys.
void TagKeys(const nlohmann::json& input, bool with_values, api::ConditionKeys& keys) {
  auto tags = input.find("Tags");
  if (tags == input.end() || !tags->is_array()) return;
  std::vector<std::string> names;
  for (const nlohmann::json& tag : *tags) {
    if (!tag.is_object() || !tag.contains("Key") || !tag["Key"].is_string()) continue;
    std::string key = tag["Key"].get<std::string>();
    if (with_values && tag.contains("Value") && tag["Value"].is_string()) {
      keys.push_back({"aws:RequestTag/" + key, {tag["Value"].get<std::string>()}});
    }
    names.push_back(std::move(key));
  }
  keys.push_back({"aws:TagKeys", std::move(names)});
}

}  // namespace

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "acm-pca:" + std::string(operation);
  if (operation == "CreateCertificateAuthority" || operation == "ListCertificateAuthorities") {
    // No resource: the CA does not exist yet, or the call lists the account's CAs.
  } else if (operation == "PutPolicy" || operation == "GetPolicy" || operation == "DeletePolicy") {
    spec.resource = [](const api::CallContext&, const nlohmann::json& input) {
      return CaArnMember(input, "ResourceArn");
    };
  } else {
    spec.resource = [](const api::CallContext&, const nlohmann::json& input) {
      return CaArnMember(input, "CertificateAuthorityArn");
    };
  }
  // Reads of one or two rows (the certificate, the CA): answered on the I/O thread.
  spec.quick_read = operation == "GetCertificate" ||
                    operation == "GetCertificateAuthorityCertificate" ||
                    operation == "DescribeCertificateAuthority" ||
                    operation == "GetCertificateAuthorityCsr";
  if (operation == "IssueCertificate") {
    // The handler announces the certificate ARN right before storing the certificate, after any
    // CRL-partition write it makes: that write is the call's success.
    spec.outcome_is_announced_write = true;
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) {
      // Absent when the request names no template (the fail-safe reading: a policy requiring
      // a template then does not match).
      std::string tmpl = StringMember(input, "TemplateArn");
      if (!tmpl.empty()) keys.push_back({"acm-pca:TemplateArn", {std::move(tmpl)}});
    };
  } else if (operation == "CreateCertificateAuthority" ||
             operation == "TagCertificateAuthority") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { TagKeys(input, true, keys); };
  } else if (operation == "UntagCertificateAuthority") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { TagKeys(input, true, keys); };
  }
  return spec;
}

}  // namespace openpca::services::acm_pca
