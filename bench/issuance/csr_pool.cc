#include "csr_pool.h"

#include "testing/test_pki.h"

namespace openpca::bench {

PooledCsr MakeP256Csr(const std::string& common_name, const std::string& san_dns) {
  test_pki::KeyAndCsr csr = test_pki::MakeCsr(KeyAlgorithm::kEcP256,
                                              test_pki::EndEntityCsrSpec(common_name, san_dns));
  return PooledCsr{std::move(csr.key), std::move(csr.pem), san_dns};
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
