#include "authority/revocation_config.h"

#include <cctype>

#include "common/bucket_name.h"

namespace openpca::authority {
namespace {

using json = nlohmann::json;

// "http://x", "HTTPS://x", "ftp://x": any URI scheme before the name (the model: "must not
// include a protocol prefix").
bool StartsWithScheme(const std::string& s) {
  size_t colon = s.find("://");
  if (colon == std::string::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// Bucket names whose path-style URLs belong to other parts of the server (docs/decisions.md).
bool IsReservedBucketName(const std::string& name) { return name == "ocsp" || name == "health"; }

bool OnlyEnabled(const json& obj) {
  for (const auto& [key, value] : obj.items()) {
    if (key != "Enabled" && !value.is_null()) return false;
  }
  return true;
}

}  // namespace

Status ValidateRevocationConfiguration(const json& config) {
  if (auto crl = config.find("CrlConfiguration"); crl != config.end() && crl->is_object()) {
    bool enabled = crl->value("Enabled", false);
    if (!enabled) {
      if (!OnlyEnabled(*crl)) {
        return Status(ErrorCode::kInvalidArgs,
                      "A CRL configuration that is disabled must contain only Enabled=false.");
      }
    } else {
      std::string cname = crl->value("CustomCname", "");
      if (StartsWithScheme(cname)) {
        return Status(ErrorCode::kInvalidArgs,
                      "CustomCname must not include a protocol prefix such as \"http://\" or "
                      "\"https://\".");
      }
      bool omit = false;
      if (auto cdp = crl->find("CrlDistributionPointExtensionConfiguration");
          cdp != crl->end() && cdp->is_object()) {
        omit = cdp->value("OmitExtension", false);
      }
      if (omit && !cname.empty()) {
        return Status(ErrorCode::kInvalidArgs,
                      "CustomCname cannot be set when the CRL distribution point extension is "
                      "omitted.");
      }
      std::string bucket = crl->value("S3BucketName", "");
      if (bucket.empty()) {
        return Status(ErrorCode::kInvalidArgs,
                      "S3BucketName is required when the CRL is enabled.");
      }
      if (IsReservedBucketName(bucket)) {
        return Status(ErrorCode::kInvalidArgs,
                      "The S3 bucket name " + bucket + " is reserved by this server.");
      }
      if (!IsValidBucketName(bucket)) {
        return Status(ErrorCode::kInvalidArgs,
                      "The S3 bucket name " + bucket + " does not follow S3 bucket naming rules.");
      }
    }
  }
  if (auto ocsp = config.find("OcspConfiguration"); ocsp != config.end() && ocsp->is_object()) {
    bool enabled = ocsp->value("Enabled", false);
    if (!enabled && !OnlyEnabled(*ocsp)) {
      return Status(ErrorCode::kInvalidArgs,
                    "An OCSP configuration that is disabled must contain only Enabled=false.");
    }
    if (StartsWithScheme(ocsp->value("OcspCustomCname", ""))) {
      return Status(ErrorCode::kInvalidArgs,
                    "OcspCustomCname must not include a protocol prefix such as \"http://\" or "
                    "\"https://\".");
    }
  }
  return Status::Ok();
}

json DescribedRevocationConfiguration(const std::string& stored_json) {
  json config = stored_json.empty() ? json::object() : json::parse(stored_json, nullptr, false);
  if (config.is_discarded() || !config.is_object()) config = json::object();
  if (!config.contains("CrlConfiguration")) config["CrlConfiguration"] = {{"Enabled", false}};
  if (!config.contains("OcspConfiguration")) config["OcspConfiguration"] = {{"Enabled", false}};
  return config;
}

}  // namespace openpca::authority
