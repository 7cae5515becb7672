#include "authority/distribution_points.h"

#include "common/crl_location.h"

namespace openpca::authority {

DistributionPoints DistributionPointsFor(const nlohmann::json& config, const std::string& ca_id,
                                         const std::string& public_url) {
  DistributionPoints out;
  if (!config.is_object()) return out;
  if (auto crl = config.find("CrlConfiguration"); crl != config.end() && crl->is_object() &&
                                                  crl->value("Enabled", false)) {
    bool omit = false;
    if (auto cdp = crl->find("CrlDistributionPointExtensionConfiguration");
        cdp != crl->end() && cdp->is_object()) {
      omit = cdp->value("OmitExtension", false);
    }
    out.crl_enabled = true;
    out.crl_partitioned = crl->value("CrlType", "COMPLETE") == "PARTITIONED";
    out.crl_omit_cdp = omit;
    out.crl_location = CrlLocation{crl->value("S3BucketName", ""), crl->value("CustomPath", ""),
                                   crl->value("CustomCname", ""), public_url};
    if (!omit) {
      const CrlLocation& at = out.crl_location;
      out.crl_url = CrlUrl(at.public_url, at.bucket, at.custom_cname,
                           CrlObjectKey(at.custom_path, ca_id));
    }
  }
  if (auto ocsp = config.find("OcspConfiguration"); ocsp != config.end() && ocsp->is_object() &&
                                                    ocsp->value("Enabled", false)) {
    std::string cname = ocsp->value("OcspCustomCname", "");
    out.ocsp_url = cname.empty() ? public_url + "/ocsp" : "http://" + cname;
    out.ca_issuers_url = public_url + "/ca/" + ca_id + ".crt";
  }
  return out;
}

}  // namespace openpca::authority
