#include "common/pki_types.h"

#include <array>
#include <utility>

namespace openpca {
namespace {
constexpr std::array<std::pair<KeyAlgorithm, std::string_view>, 7> kKeyNames{{
    {KeyAlgorithm::kRsa2048, "RSA_2048"},
    {KeyAlgorithm::kRsa3072, "RSA_3072"},
    {KeyAlgorithm::kRsa4096, "RSA_4096"},
    {KeyAlgorithm::kEcP256, "EC_prime256v1"},
    {KeyAlgorithm::kEcP384, "EC_secp384r1"},
    {KeyAlgorithm::kEcP521, "EC_secp521r1"},
    {KeyAlgorithm::kSm2, "SM2"},
}};
constexpr std::array<std::pair<SigningAlgorithm, std::string_view>, 7> kSigNames{{
    {SigningAlgorithm::kSha256WithEcdsa, "SHA256WITHECDSA"},
    {SigningAlgorithm::kSha384WithEcdsa, "SHA384WITHECDSA"},
    {SigningAlgorithm::kSha512WithEcdsa, "SHA512WITHECDSA"},
    {SigningAlgorithm::kSha256WithRsa, "SHA256WITHRSA"},
    {SigningAlgorithm::kSha384WithRsa, "SHA384WITHRSA"},
    {SigningAlgorithm::kSha512WithRsa, "SHA512WITHRSA"},
    {SigningAlgorithm::kSm3WithSm2, "SM3WITHSM2"},
}};
}  // namespace

std::optional<KeyAlgorithm> ParseKeyAlgorithm(std::string_view s) {
  for (const auto& [a, n] : kKeyNames)
    if (n == s) return a;
  return std::nullopt;
}
std::string_view KeyAlgorithmName(KeyAlgorithm a) {
  for (const auto& [k, n] : kKeyNames)
    if (k == a) return n;
  return "";
}
std::optional<SigningAlgorithm> ParseSigningAlgorithm(std::string_view s) {
  for (const auto& [a, n] : kSigNames)
    if (n == s) return a;
  return std::nullopt;
}
std::string_view SigningAlgorithmName(SigningAlgorithm a) {
  for (const auto& [k, n] : kSigNames)
    if (k == a) return n;
  return "";
}

KeyFamily FamilyOf(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kRsa2048:
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096: return KeyFamily::kRsa;
    case KeyAlgorithm::kSm2: return KeyFamily::kSm2;
    default: return KeyFamily::kEc;
  }
}
KeyFamily FamilyOf(SigningAlgorithm a) {
  switch (a) {
    case SigningAlgorithm::kSha256WithRsa:
    case SigningAlgorithm::kSha384WithRsa:
    case SigningAlgorithm::kSha512WithRsa: return KeyFamily::kRsa;
    case SigningAlgorithm::kSm3WithSm2: return KeyFamily::kSm2;
    default: return KeyFamily::kEc;
  }
}
const char* DigestName(SigningAlgorithm a) {
  switch (a) {
    case SigningAlgorithm::kSha256WithEcdsa:
    case SigningAlgorithm::kSha256WithRsa: return "SHA256";
    case SigningAlgorithm::kSha384WithEcdsa:
    case SigningAlgorithm::kSha384WithRsa: return "SHA384";
    case SigningAlgorithm::kSha512WithEcdsa:
    case SigningAlgorithm::kSha512WithRsa: return "SHA512";
    case SigningAlgorithm::kSm3WithSm2: return "SM3";
  }
  return "SHA256";
}

}  // namespace openpca
