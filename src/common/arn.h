// ARNs of acm-pca resources, formed as AWS forms them:
//   CA:          arn:<partition>:acm-pca:<region>:<account>:certificate-authority/<uuid>
//   certificate: <CA ARN>/certificate/<serial hex, lower case>
//   template:    arn:<partition>:acm-pca:::template/<Name>/V1
// The partition follows the region (PartitionOfRegion).
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

// The ARN partition of a region: "aws-us-gov" for us-gov-*, "aws-cn" for cn-*, "aws-eusc" for
// eusc-* (the AWS European Sovereign Cloud), "aws" for every other region.
std::string_view PartitionOfRegion(std::string_view region);

std::string MakeCaArn(std::string_view region, std::string_view account, std::string_view ca_id);
// "arn:<partition>:acm-pca:::template/<name>", the partition taken from `ca_arn` ("aws" when
// `ca_arn` is not a CA ARN).
std::string MakeTemplateArn(std::string_view ca_arn, std::string_view template_name);

// nullopt when the text is not a CA ARN (wrong service, resource type, or id shape).
std::optional<CaArn> ParseCaArn(std::string_view arn);
std::optional<CertificateArn> ParseCertificateArn(std::string_view arn);
// Template name ("EndEntityCertificate/V1") from a template ARN; nullopt if not of that form.
std::optional<std::string> ParseTemplateArn(std::string_view arn);

}  // namespace openpca
