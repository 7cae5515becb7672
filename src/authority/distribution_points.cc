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
    if (!omit) {
      std::string key = CrlObjectKey(crl->value("CustomPath", ""), ca_id);
      std::string cname = crl->value("CustomCname", "");
      out.crl_url = cname.empty() ? public_url + "/" + crl->value("S3BucketName", "") + "/" + key
                                  : "http://" + cname + "/" + key;
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
