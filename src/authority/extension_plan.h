// ExtensionPlan: assembles an issued certificate's extensions by AWS's precedence (templates.md
// §2): template definition, then API passthrough, then CSR passthrough, then CA configuration.
// One plan per issuance; not thread-safe.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "authority/templates.h"
#include "common/bytes.h"
#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::authority {

// The extensions a template fixes (basic constraints, key usage, extended key usage), in order.
// Errors: kInternal.
Result<std::vector<x509::X509ExtensionPtr>> BuildTemplateExtensions(const TemplateDefinition& tmpl);
// The extensions of ApiPassthrough.Extensions, in the order they are offered.
// Errors: kInvalidArgs.
Result<std::vector<x509::X509ExtensionPtr>> BuildApiExtensions(const nlohmann::json& extensions);

class ExtensionPlan {
 public:
  explicit ExtensionPlan(const TemplateDefinition& tmpl) : tmpl_(tmpl) {}

  // Template-fixed extensions: basic constraints, key usage, extended key usage.
  Status AddTemplateExtensions();
  // ApiPassthrough.Extensions (only for API varieties; the caller checks). Errors: kInvalidArgs.
  Status AddApiExtensions(const nlohmann::json& extensions);
  // Extensions requested in the CSR: subjectAltName always (when nothing higher supplied one);
  // every other extension too for CSR varieties. SKI/AKI are never taken from the CSR.
  Status AddCsrExtensions(const X509_REQ& csr);
  // Key identifiers: SKI from the subject key, AKI from the issuer's SKI (omitted for roots).
  Status AddKeyIdentifiers(const Bytes& subject_key_id, const Bytes* issuer_ski);
  // An extension from the CA's own configuration (CDP, AIA), unless one is already present.
  void AddIfAbsent(x509::X509ExtensionPtr ext);
  // An extension that wins over every other source (the CA's AIA while its OCSP is enabled).
  void Override(x509::X509ExtensionPtr ext);

  bool Has(const std::string& oid) const { return index_.count(oid) > 0; }
  std::vector<x509::X509ExtensionPtr> Take() { return std::move(extensions_); }

 private:
  // Adds `ext` unless an extension with the same OID is already planned (higher precedence).
  void Offer(x509::X509ExtensionPtr ext);

  const TemplateDefinition& tmpl_;
  std::vector<x509::X509ExtensionPtr> extensions_;
  std::map<std::string, size_t> index_;
};

}  // namespace openpca::authority
