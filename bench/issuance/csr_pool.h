// Pools of P-256 certificate signing requests for the issuance benchmarks, generated before any
// clock starts. Each CSR has a CommonName and one DNS subjectAltName, like a typical TLS
// end-entity request, made by the shared test PKI (tests/testing/test_pki.h). Benchmark support
// only; thread-compatible (build once, then read).
#pragma once

#include <string>
#include <vector>

#include "x509/ossl.h"

namespace openpca::bench {

struct PooledCsr {
  x509::EvpPkeyPtr key;  // the subject's key pair (to check issued certificates)
  std::string pem;       // "-----BEGIN CERTIFICATE REQUEST-----..."
  std::string dns_name;  // e.g. "host-17.bench.example"
};

// `count` fresh EC P-256 keys and CSRs signed with ECDSA-SHA256. Aborts on an OpenSSL failure
// (benchmark setup, not a request path).
std::vector<PooledCsr> MakeCsrPool(int count);

// A key and a CSR with subject CN=`common_name` and, when `san_dns` is not empty, a
// subjectAltName extension request.
PooledCsr MakeP256Csr(const std::string& common_name, const std::string& san_dns);

}  // namespace openpca::bench
