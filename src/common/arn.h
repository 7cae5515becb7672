// ARNs of acm-pca resources, formed as AWS forms them:
//   CA:          arn:aws:acm-pca:<region>:<account>:certificate-authority/<uuid>
//   certificate: <CA ARN>/certificate/<serial hex, lower case>
//   template:    arn:aws:acm-pca:::template/<Name>/V1
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openpca {

struct CaArn {
  std::string partition;
  std::string region;
  std::string account_id;
  std::string ca_id;
  std::string ToString() const;
};

struct CertificateArn {
  CaArn ca;
  std::string serial_hex;
  std::string ToString() const;
};

std::string MakeCaArn(std::string_view region, std::string_view account, std::string_view ca_id);

// nullopt when the text is not a CA ARN (wrong service, resource type, or id shape).
std::optional<CaArn> ParseCaArn(std::string_view arn);
std::optional<CertificateArn> ParseCertificateArn(std::string_view arn);
// Template name ("EndEntityCertificate/V1") from a template ARN; nullopt if not of that form.
std::optional<std::string> ParseTemplateArn(std::string_view arn);

}  // namespace openpca
