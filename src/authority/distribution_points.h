// The URLs a CA's revocation configuration puts into the certificates it issues (CRL
// distribution point, AIA OCSP and caIssuers), in the forms AWS documents, with openpca's own
// public URL standing in for the S3 and OCSP hosts. Pure functions; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "authority/crl_partitions.h"

namespace openpca::authority {

struct DistributionPoints {
  bool crl_enabled = false;
  bool crl_partitioned = false;  // CrlType PARTITIONED: crl_url names the complete CRL regardless
  bool crl_omit_cdp = false;     // OmitExtension: crl_url is empty
  std::string crl_url;           // empty: no CDP (CRL disabled or OmitExtension)
  CrlLocation crl_location;      // where the CA's CRLs go (set when crl_enabled)
  std::string ocsp_url;          // empty: OCSP disabled
  std::string ca_issuers_url;    // set together with ocsp_url
};

// `public_url` has no trailing '/'. The complete CRL's object key is
// "<CustomPath or crl>/<ca id>.crl" in the configured bucket; without a CustomCname it is reached
// path-style at <public_url>/<bucket>/<key>, with one at http://<CustomCname>/<key>
// (common/crl_location.h). A PARTITIONED CA's certificates name a partition instead
// (crl_partitions.h). OCSP is <public_url>/ocsp, or http://<OcspCustomCname> when set.
DistributionPoints DistributionPointsFor(const nlohmann::json& revocation_configuration,
                                         const std::string& ca_id, const std::string& public_url);

}  // namespace openpca::authority
