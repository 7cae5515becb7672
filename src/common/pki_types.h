// Enumerations shared by keys/, x509/ and authority/, spelled as the AWS model spells them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openpca {

enum class KeyAlgorithm { kRsa2048, kRsa3072, kRsa4096, kEcP256, kEcP384, kEcP521, kSm2 };
enum class SigningAlgorithm {
  kSha256WithEcdsa,
  kSha384WithEcdsa,
  kSha512WithEcdsa,
  kSha256WithRsa,
  kSha384WithRsa,
  kSha512WithRsa,
  kSm3WithSm2,
};
enum class KeyFamily { kRsa, kEc, kSm2 };

std::optional<KeyAlgorithm> ParseKeyAlgorithm(std::string_view s);  // "EC_prime256v1"
std::string_view KeyAlgorithmName(KeyAlgorithm a);
std::optional<SigningAlgorithm> ParseSigningAlgorithm(std::string_view s);  // "SHA256WITHECDSA"
std::string_view SigningAlgorithmName(SigningAlgorithm a);

KeyFamily FamilyOf(KeyAlgorithm a);
KeyFamily FamilyOf(SigningAlgorithm a);
// OpenSSL digest name for the signing algorithm ("SHA256", "SM3").
const char* DigestName(SigningAlgorithm a);

}  // namespace openpca
