#include "x509/chain.h"

#include "x509/inspect.h"
#include "x509/signing.h"

namespace openpca::x509 {

Status VerifyChain(const X509& cert, const std::vector<X509Ptr>& chain, TimePoint at) {
  if (chain.empty()) {
    return Status(ErrorCode::kCertificateMismatch, "the certificate chain is empty");
  }
  // Each element must have issued the one before it (order matters for AWS, not for OpenSSL).
  const X509* child = &cert;
  for (const auto& parent : chain) {
    if (X509_check_issued(parent.get(), const_cast<X509*>(child)) != X509_V_OK) {
      return Status(ErrorCode::kCertificateMismatch,
                    "the certificate chain is not ordered from the issuer up to the root");
    }
    child = parent.get();
  }
  if (!IsSelfSigned(*chain.back())) {
    return Status(ErrorCode::kCertificateMismatch,
                  "the last certificate of the chain must be a self-signed root");
  }

  // Path lengths. `cert` is a CA certificate, so it counts below its issuers (OpenSSL's verifier
  // treats the target as an end entity and would let a pathlen:0 issuer pass). RFC 5280 6.1.4
  // (l): self-issued certificates do not count.
  int below = 0;
  const X509* lower = &cert;
  for (size_t i = 0; i < chain.size(); ++i) {
    if (X509_NAME_cmp(X509_get_subject_name(lower), X509_get_issuer_name(lower)) != 0) ++below;
    BasicConstraintsInfo bc = GetBasicConstraints(*chain[i]);
    if (bc.path_len.has_value() && below > *bc.path_len) {
      return Status(ErrorCode::kValidation,
                    "Importing this certificate would violate the path length constraint (" +
                        std::to_string(*bc.path_len) + ") of certificate " +
                        std::to_string(i + 1) + " of the chain.");
    }
    lower = chain[i].get();
  }

  // SM2 signatures verify only with the distinguishing id they were made with.
  RETURN_IF_ERROR(UseSm2DefaultIdForVerification(const_cast<X509&>(cert)));
  for (const auto& c : chain) RETURN_IF_ERROR(UseSm2DefaultIdForVerification(*c));

  X509StorePtr store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return OsslError("X509_STORE_new");
  if (X509_STORE_add_cert(store.get(), chain.back().get()) != 1)
    return OsslError("X509_STORE_add_cert");
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (X509_up_ref(chain[i].get()) != 1) return OsslError("X509_up_ref");
    if (sk_X509_push(untrusted.get(), chain[i].get()) == 0) {
      X509_free(chain[i].get());
      return OsslError("sk_X509_push");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), const_cast<X509*>(&cert), untrusted.get()) != 1)
    return OsslError("X509_STORE_CTX_init");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(ToUnixSeconds(at)));
  // The CA certificate being imported need not be valid for any particular purpose.
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_ANY);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ClearOsslErrors();
    // AWS fails an import that would violate the path length constraint of the certificate or
    // of any CA certificate in the chain "with a validation exception" (user guide, RFC
    // compliance); the chain is known to be in order here.
    if (err == X509_V_ERR_PATH_LENGTH_EXCEEDED) {
      return Status(ErrorCode::kValidation,
                    "Importing this certificate would violate the path length constraint of a "
                    "certificate in its chain.");
    }
    return Status(ErrorCode::kCertificateMismatch,
                  std::string("the certificate chain does not verify: ") +
                      X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

}  // namespace openpca::x509
