#include "csr_pool.h"

#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>

namespace openpca::bench {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    Status st = x509::OsslError(what);
    std::fprintf(stderr, "csr pool: %s failed: %s\n", what, st.ToString().c_str());
    std::abort();
  }
}

}  // namespace

PooledCsr MakeP256Csr(const std::string& common_name, const std::string& san_dns) {
  PooledCsr out;
  out.dns_name = san_dns;
  out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  Check(out.key != nullptr, "EVP_PKEY_Q_keygen");
  x509::X509ReqPtr req(X509_REQ_new());
  Check(req != nullptr, "X509_REQ_new");
  Check(X509_REQ_set_version(req.get(), 0) == 1, "X509_REQ_set_version");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "X509_NAME_add_entry_by_txt");
  Check(X509_REQ_set_pubkey(req.get(), out.key.get()) == 1, "X509_REQ_set_pubkey");
  if (!san_dns.empty()) {
    x509::X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
    x509::X509ExtensionPtr san(
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, ("DNS:" + san_dns).c_str()));
    Check(san != nullptr, "X509V3_EXT_conf_nid");
    Check(sk_X509_EXTENSION_push(exts.get(), san.get()) > 0, "sk_X509_EXTENSION_push");
    san.release();  // owned by the stack now
    Check(X509_REQ_add_extensions(req.get(), exts.get()) == 1, "X509_REQ_add_extensions");
  }
  Check(X509_REQ_sign(req.get(), out.key.get(), EVP_sha256()) > 0, "X509_REQ_sign");
  x509::BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio != nullptr && PEM_write_bio_X509_REQ(bio.get(), req.get()) == 1,
        "PEM_write_bio_X509_REQ");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<size_t>(len));
  return out;
}

std::vector<PooledCsr> MakeCsrPool(int count) {
  std::vector<PooledCsr> pool;
  pool.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    std::string host = "host-" + std::to_string(i) + ".bench.example";
    pool.push_back(MakeP256Csr(host, host));
  }
  return pool;
}

}  // namespace openpca::bench
