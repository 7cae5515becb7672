#include "x509/extensions.h"

#include <openssl/sha.h>

namespace openpca::x509 {
namespace {

Status BadValue(const std::string& what) {
  ClearOsslErrors();
  return Status(ErrorCode::kInvalidArgs, what);
}

// Wraps a typed extension structure with i2d via X509V3_EXT_i2d.
template <typename T>
Result<X509ExtensionPtr> FromStruct(int nid, bool critical, T* value) {
  X509ExtensionPtr ext(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
  if (!ext) return OsslError("X509V3_EXT_i2d");
  return ext;
}

Result<GeneralNamePtr> BuildGeneralName(const GeneralNameSpec& spec) {
  using Kind = GeneralNameSpec::Kind;
  GeneralNamePtr gn(GENERAL_NAME_new());
  if (!gn) return OsslError("GENERAL_NAME_new");
  auto ia5 = [&](int type) -> Status {
    Asn1StringPtr s(ASN1_IA5STRING_new());
    if (!s || ASN1_STRING_set(s.get(), spec.value.data(), static_cast<int>(spec.value.size())) != 1)
      return OsslError("ASN1_STRING_set");
    GENERAL_NAME_set0_value(gn.get(), type, s.release());
    return Status::Ok();
  };
  switch (spec.kind) {
    case Kind::kDnsName: RETURN_IF_ERROR(ia5(GEN_DNS)); break;
    case Kind::kRfc822Name: RETURN_IF_ERROR(ia5(GEN_EMAIL)); break;
    case Kind::kUri: RETURN_IF_ERROR(ia5(GEN_URI)); break;
    case Kind::kIpAddress: {
      Asn1OctetStringPtr ip(a2i_IPADDRESS(spec.value.c_str()));
      if (!ip) return BadValue("invalid IP address " + spec.value);
      GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, ip.release());
      break;
    }
    case Kind::kRegisteredId: {
      Asn1ObjectPtr obj(OBJ_txt2obj(spec.value.c_str(), 1));
      if (!obj) return BadValue("invalid registered id " + spec.value);
      GENERAL_NAME_set0_value(gn.get(), GEN_RID, obj.release());
      break;
    }
    case Kind::kDirectoryName: {
      ASSIGN_OR_RETURN(X509NamePtr name, BuildName(spec.directory_name));
      GENERAL_NAME_set0_value(gn.get(), GEN_DIRNAME, name.release());
      break;
    }
    case Kind::kOtherName: {
      Asn1ObjectPtr obj(OBJ_txt2obj(spec.type_id.c_str(), 1));
      if (!obj) return BadValue("invalid other name type id " + spec.type_id);
      ASN1_TYPE* value = ASN1_TYPE_new();
      ASN1_UTF8STRING* utf8 = ASN1_UTF8STRING_new();
      if (!value || !utf8 ||
          ASN1_STRING_set(utf8, spec.value.data(), static_cast<int>(spec.value.size())) != 1) {
        ASN1_TYPE_free(value);
        ASN1_UTF8STRING_free(utf8);
        return OsslError("ASN1_TYPE_new");
      }
      ASN1_TYPE_set(value, V_ASN1_UTF8STRING, utf8);
      if (GENERAL_NAME_set0_othername(gn.get(), obj.get(), value) != 1) {
        ASN1_TYPE_free(value);
        return OsslError("GENERAL_NAME_set0_othername");
      }
      obj.release();
      break;
    }
    case Kind::kEdiPartyName: {
      EdiPartyNamePtr edi(EDIPARTYNAME_new());
      if (!edi) return OsslError("EDIPARTYNAME_new");
      auto dir_string = [](const std::string& text) -> ASN1_STRING* {
        ASN1_STRING* s = ASN1_UTF8STRING_new();
        if (s && ASN1_STRING_set(s, text.data(), static_cast<int>(text.size())) != 1) {
          ASN1_STRING_free(s);
          return nullptr;
        }
        return s;
      };
      edi->partyName = dir_string(spec.value);
      if (!edi->partyName) return OsslError("ASN1_STRING_set");
      if (!spec.name_assigner.empty()) {
        edi->nameAssigner = dir_string(spec.name_assigner);
        if (!edi->nameAssigner) return OsslError("ASN1_STRING_set");
      }
      GENERAL_NAME_set0_value(gn.get(), GEN_EDIPARTY, edi.release());
      break;
    }
  }
  return gn;
}

}  // namespace

Result<X509ExtensionPtr> BasicConstraintsExt(bool ca, std::optional<int> path_len, bool critical) {
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) return OsslError("BASIC_CONSTRAINTS_new");
  bc->ca = ca ? 0xff : 0;
  if (path_len.has_value()) {
    bc->pathlen = ASN1_INTEGER_new();
    if (!bc->pathlen || ASN1_INTEGER_set(bc->pathlen, *path_len) != 1)
      return OsslError("ASN1_INTEGER_set");
  }
  return FromStruct(NID_basic_constraints, critical, bc.get());
}

Result<X509ExtensionPtr> KeyUsageExt(uint16_t bits, bool critical) {
  Asn1StringPtr bs(ASN1_BIT_STRING_new());
  if (!bs) return OsslError("ASN1_BIT_STRING_new");
  for (int i = 0; i < 9; ++i) {
    if (bits & (1 << i)) {
      if (ASN1_BIT_STRING_set_bit(bs.get(), i, 1) != 1) return OsslError("ASN1_BIT_STRING_set_bit");
    }
  }
  return FromStruct(NID_key_usage, critical, bs.get());
}

Result<X509ExtensionPtr> ExtendedKeyUsageExt(const std::vector<std::string>& oids, bool critical) {
  ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  if (!eku) return OsslError("sk_ASN1_OBJECT_new_null");
  for (const auto& oid : oids) {
    Asn1ObjectPtr obj(OBJ_txt2obj(oid.c_str(), 1));
    if (!obj) return BadValue("invalid extended key usage " + oid);
    if (sk_ASN1_OBJECT_push(eku.get(), obj.get()) == 0) return OsslError("sk_ASN1_OBJECT_push");
    obj.release();
  }
  return FromStruct(NID_ext_key_usage, critical, eku.get());
}

Result<X509ExtensionPtr> SubjectKeyIdentifierExt(std::span<const uint8_t> key_id) {
  Asn1OctetStringPtr os(ASN1_OCTET_STRING_new());
  if (!os || ASN1_OCTET_STRING_set(os.get(), key_id.data(), static_cast<int>(key_id.size())) != 1)
    return OsslError("ASN1_OCTET_STRING_set");
  return FromStruct(NID_subject_key_identifier, false, os.get());
}

Result<X509ExtensionPtr> AuthorityKeyIdentifierExt(std::span<const uint8_t> key_id) {
  AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  if (!akid) return OsslError("AUTHORITY_KEYID_new");
  akid->keyid = ASN1_OCTET_STRING_new();
  if (!akid->keyid ||
      ASN1_OCTET_STRING_set(akid->keyid, key_id.data(), static_cast<int>(key_id.size())) != 1)
    return OsslError("ASN1_OCTET_STRING_set");
  return FromStruct(NID_authority_key_identifier, false, akid.get());
}

Result<X509ExtensionPtr> SubjectAltNameExt(const std::vector<GeneralNameSpec>& names) {
  GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
  if (!gens) return OsslError("sk_GENERAL_NAME_new_null");
  for (const auto& spec : names) {
    ASSIGN_OR_RETURN(GeneralNamePtr gn, BuildGeneralName(spec));
    if (sk_GENERAL_NAME_push(gens.get(), gn.get()) == 0) return OsslError("sk_GENERAL_NAME_push");
    gn.release();
  }
  return FromStruct(NID_subject_alt_name, false, gens.get());
}

Result<X509ExtensionPtr> CertificatePoliciesExt(const std::vector<PolicySpec>& policies) {
  CertificatePoliciesPtr cps(sk_POLICYINFO_new_null());
  if (!cps) return OsslError("sk_POLICYINFO_new_null");
  for (const auto& p : policies) {
    PolicyInfoPtr info(POLICYINFO_new());
    if (!info) return OsslError("POLICYINFO_new");
    ASN1_OBJECT_free(info->policyid);
    info->policyid = OBJ_txt2obj(p.policy_oid.c_str(), 1);
    if (!info->policyid) return BadValue("invalid policy id " + p.policy_oid);
    for (const auto& uri : p.cps_uris) {
      if (!info->qualifiers) {
        info->qualifiers = sk_POLICYQUALINFO_new_null();
        if (!info->qualifiers) return OsslError("sk_POLICYQUALINFO_new_null");
      }
      PolicyQualInfoPtr q(POLICYQUALINFO_new());
      if (!q) return OsslError("POLICYQUALINFO_new");
      q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
      q->d.cpsuri = ASN1_IA5STRING_new();
      if (!q->d.cpsuri ||
          ASN1_STRING_set(q->d.cpsuri, uri.data(), static_cast<int>(uri.size())) != 1)
        return OsslError("ASN1_STRING_set");
      if (sk_POLICYQUALINFO_push(info->qualifiers, q.get()) == 0)
        return OsslError("sk_POLICYQUALINFO_push");
      q.release();
    }
    if (sk_POLICYINFO_push(cps.get(), info.get()) == 0) return OsslError("sk_POLICYINFO_push");
    info.release();
  }
  return FromStruct(NID_certificate_policies, false, cps.get());
}

Result<X509ExtensionPtr> CrlDistributionPointExt(const std::string& uri) {
  CrlDistPointsPtr points(sk_DIST_POINT_new_null());
  if (!points) return OsslError("sk_DIST_POINT_new_null");
  DistPointPtr dp(DIST_POINT_new());
  if (!dp) return OsslError("DIST_POINT_new");
  dp->distpoint = DIST_POINT_NAME_new();
  if (!dp->distpoint) return OsslError("DIST_POINT_NAME_new");
  dp->distpoint->type = 0;
  dp->distpoint->name.fullname = sk_GENERAL_NAME_new_null();
  if (!dp->distpoint->name.fullname) return OsslError("sk_GENERAL_NAME_new_null");
  ASSIGN_OR_RETURN(GeneralNamePtr gn, BuildGeneralName({GeneralNameSpec::Kind::kUri, uri}));
  if (sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn.get()) == 0)
    return OsslError("sk_GENERAL_NAME_push");
  gn.release();
  if (sk_DIST_POINT_push(points.get(), dp.get()) == 0) return OsslError("sk_DIST_POINT_push");
  dp.release();
  return FromStruct(NID_crl_distribution_points, false, points.get());
}

namespace {
Result<X509ExtensionPtr> InfoAccess(int nid,
                                    const std::vector<std::pair<std::string, GeneralNameSpec>>& ds) {
  AuthorityInfoAccessPtr aia(sk_ACCESS_DESCRIPTION_new_null());
  if (!aia) return OsslError("sk_ACCESS_DESCRIPTION_new_null");
  for (const auto& [method, location] : ds) {
    AccessDescriptionPtr ad(ACCESS_DESCRIPTION_new());
    if (!ad) return OsslError("ACCESS_DESCRIPTION_new");
    ASN1_OBJECT_free(ad->method);
    ad->method = OBJ_txt2obj(method.c_str(), 1);
    if (!ad->method) return BadValue("invalid access method " + method);
    ASSIGN_OR_RETURN(GeneralNamePtr gn, BuildGeneralName(location));
    GENERAL_NAME_free(ad->location);
    ad->location = gn.release();
    if (sk_ACCESS_DESCRIPTION_push(aia.get(), ad.get()) == 0)
      return OsslError("sk_ACCESS_DESCRIPTION_push");
    ad.release();
  }
  return FromStruct(nid, false, aia.get());
}
}  // namespace

Result<X509ExtensionPtr> AuthorityInfoAccessExt(const std::string& ocsp_uri,
                                                const std::string& ca_issuers_uri) {
  std::vector<std::pair<std::string, GeneralNameSpec>> ds;
  if (!ocsp_uri.empty())
    ds.push_back({"1.3.6.1.5.5.7.48.1", {GeneralNameSpec::Kind::kUri, ocsp_uri}});
  if (!ca_issuers_uri.empty())
    ds.push_back({"1.3.6.1.5.5.7.48.2", {GeneralNameSpec::Kind::kUri, ca_issuers_uri}});
  return InfoAccess(NID_info_access, ds);
}

Result<X509ExtensionPtr> SubjectInfoAccessExt(
    const std::vector<std::pair<std::string, GeneralNameSpec>>& descriptions) {
  return InfoAccess(NID_sinfo_access, descriptions);
}

Result<X509ExtensionPtr> RawExtension(const std::string& oid, std::span<const uint8_t> value_der,
                                      bool critical) {
  Asn1ObjectPtr obj(OBJ_txt2obj(oid.c_str(), 1));
  if (!obj) return BadValue("invalid extension object identifier " + oid);
  Asn1OctetStringPtr os(ASN1_OCTET_STRING_new());
  if (!os ||
      ASN1_OCTET_STRING_set(os.get(), value_der.data(), static_cast<int>(value_der.size())) != 1)
    return OsslError("ASN1_OCTET_STRING_set");
  X509ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, os.get()));
  if (!ext) return OsslError("X509_EXTENSION_create_by_OBJ");
  return ext;
}

std::string ExtensionOid(const X509_EXTENSION& ext) {
  const ASN1_OBJECT* obj = X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(&ext));
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  if (n <= 0) return "";
  return std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
}

Result<Bytes> KeyIdentifierFromSpki(std::span<const uint8_t> spki_der) {
  const unsigned char* p = spki_der.data();
  X509_PUBKEY* pub = d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));
  if (!pub) return OsslError("d2i_X509_PUBKEY", ErrorCode::kInvalidArgs);
  const unsigned char* key = nullptr;
  int key_len = 0;
  if (X509_PUBKEY_get0_param(nullptr, &key, &key_len, nullptr, pub) != 1) {
    X509_PUBKEY_free(pub);
    return OsslError("X509_PUBKEY_get0_param");
  }
  Bytes id(SHA_DIGEST_LENGTH);
  SHA1(key, static_cast<size_t>(key_len), id.data());
  X509_PUBKEY_free(pub);
  return id;
}

Result<Bytes> KeyIdentifierFromPubkey(const X509_PUBKEY& pubkey) {
  const unsigned char* key = nullptr;
  int key_len = 0;
  if (X509_PUBKEY_get0_param(nullptr, &key, &key_len, nullptr, &pubkey) != 1) {
    return OsslError("X509_PUBKEY_get0_param");
  }
  Bytes id(SHA_DIGEST_LENGTH);
  SHA1(key, static_cast<size_t>(key_len), id.data());
  return id;
}

}  // namespace openpca::x509
