// Conversions from model-validated AWS structures (JSON) to x509 building blocks:
// ASN1Subject → name attributes, GeneralName, KeyUsage, ExtendedKeyUsage, PolicyInformation,
// AccessDescription. Pure functions; thread-safe. Semantic errors are kInvalidArgs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "x509/extensions.h"
#include "x509/name.h"

namespace openpca::authority {

// ASN1Subject in AWS's RDN order (C, ST, L, O, OU, CN, DNQ, T, SN, GN, I, pseudonym, GQ, serial),
// or its CustomAttributes. Errors: kInvalidArgs when CustomAttributes are mixed with named ones.
Result<std::vector<x509::NameAttribute>> SubjectAttributes(const nlohmann::json& subject);
// Errors: kInvalidArgs when not exactly one choice is given.
Result<x509::GeneralNameSpec> ToGeneralName(const nlohmann::json& general_name);
uint16_t ToKeyUsageBits(const nlohmann::json& key_usage);
// ExtendedKeyUsage list → OIDs. Errors: kInvalidArgs when an entry has neither or both members.
Result<std::vector<std::string>> ToEkuOids(const nlohmann::json& eku_list);
std::vector<x509::PolicySpec> ToPolicies(const nlohmann::json& policies);
// AccessDescription list → (method OID, location). Errors: kInvalidArgs.
Result<std::vector<std::pair<std::string, x509::GeneralNameSpec>>> ToAccessDescriptions(
    const nlohmann::json& descriptions);

}  // namespace openpca::authority
