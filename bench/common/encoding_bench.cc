// What decoding a CSR costs on the request path: IssueCertificate's Csr member is base64 of the
// PEM text (~920 characters for a P-256 CSR), checked for its size by the validator, decoded, and
// the PEM body (~480 characters) decoded again. Measured beside OpenSSL's EVP_DecodeBlock on the
// same text in the same run (which skips whitespace and trusts less: a reference, not a rival).
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include <random>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace openpca {
namespace {

// Base64 of `n` random bytes: the shape of a CSR member (n = 690 gives 920 characters).
std::string RandomBase64(size_t n) {
  std::mt19937 rng(7);
  Bytes data(n);
  for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
  return Base64Encode(data);
}

void BM_Base64Decode(benchmark::State& state) {
  const std::string text = RandomBase64(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Base64Decode(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Base64Decode)->Arg(360)->Arg(690);

void BM_Base64DecodedSize(benchmark::State& state) {
  const std::string text = RandomBase64(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Base64DecodedSize(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Base64DecodedSize)->Arg(690);

// The reference: OpenSSL's block decoder into a buffer sized once.
void BM_OpenSslDecodeBlock(benchmark::State& state) {
  const std::string text = RandomBase64(static_cast<size_t>(state.range(0)));
  std::vector<unsigned char> out(text.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                        static_cast<int>(text.size())));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_OpenSslDecodeBlock)->Arg(360)->Arg(690);

void BM_HexEncode(benchmark::State& state) {
  Bytes data(static_cast<size_t>(state.range(0)), 0xA5);
  for (auto _ : state) benchmark::DoNotOptimize(HexEncode(data));
}
BENCHMARK(BM_HexEncode)->Arg(32);

}  // namespace
}  // namespace openpca

BENCHMARK_MAIN();
