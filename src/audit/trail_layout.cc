#include "audit/trail_layout.h"

#include <cctype>
#include <ctime>

namespace openpca::audit {
namespace {

std::tm Utc(int64_t unix_ms) {
  time_t t = static_cast<time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string Format(int64_t unix_ms, const char* format) {
  std::tm tm = Utc(unix_ms);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), format, &tm);
  return std::string(buf, n);
}

std::string PrefixPart(std::string_view prefix) {
  return prefix.empty() ? std::string() : std::string(prefix) + "/";
}

bool IsSeparator(char c) { return c == '.' || c == '_' || c == '-'; }

}  // namespace

std::string IsoSeconds(int64_t unix_ms) { return Format(unix_ms, "%Y-%m-%dT%H:%M:%SZ"); }

std::string LogFileKey(std::string_view prefix, std::string_view account,
                       std::string_view region, int64_t unix_ms, std::string_view suffix) {
  std::string r(region);
  std::string a(account);
  return PrefixPart(prefix) + "AWSLogs/" + a + "/CloudTrail/" + r + "/" +
         Format(unix_ms, "%Y/%m/%d/") + a + "_CloudTrail_" + r + "_" +
         Format(unix_ms, "%Y%m%dT%H%MZ") + "_" + std::string(suffix) + ".json.gz";
}

std::string DigestFileKey(std::string_view prefix, std::string_view account,
                          std::string_view region, std::string_view trail_name,
                          std::string_view home_region, int64_t end_unix_ms) {
  std::string r(region);
  std::string a(account);
  return PrefixPart(prefix) + "AWSLogs/" + a + "/CloudTrail-Digest/" + r + "/" +
         Format(end_unix_ms, "%Y/%m/%d/") + a + "_CloudTrail-Digest_" + r + "_" +
         std::string(trail_name) + "_" + std::string(home_region) + "_" +
         Format(end_unix_ms, "%Y%m%dT%H%M%SZ") + ".json.gz";
}

std::string RandomSuffix(Random& random) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  Bytes bytes = random.RandomBytes(16);
  std::string out;
  for (uint8_t b : bytes) out.push_back(kAlphabet[b % 62]);
  return out;
}

std::optional<TrailArnParts> ParseTrailArn(std::string_view arn) {
  // arn:partition:cloudtrail:region:account:trail/name
  std::string_view rest = arn;
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "cloudtrail" || parts[3].empty()) {
    return std::nullopt;
  }
  if (parts[4].size() != 12) return std::nullopt;
  for (char c : parts[4]) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (!rest.starts_with("trail/") || rest.size() == 6) return std::nullopt;
  return TrailArnParts{std::string(parts[1]), std::string(parts[3]), std::string(parts[4]),
                       std::string(rest.substr(6))};
}

std::string TrailArn(std::string_view partition, std::string_view region,
                     std::string_view account, std::string_view name) {
  return "arn:" + std::string(partition) + ":cloudtrail:" + std::string(region) + ":" +
         std::string(account) + ":trail/" + std::string(name);
}

bool IsValidTrailName(std::string_view name) {
  if (name.size() < 3 || name.size() > 128) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.front())) ||
      !std::isalnum(static_cast<unsigned char>(name.back()))) {
    return false;
  }
  bool ip_like = true;  // digits and dots only
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || IsSeparator(c)) ||
        static_cast<unsigned char>(c) > 0x7f) {
      return false;
    }
    if (i > 0 && IsSeparator(c) && IsSeparator(name[i - 1])) return false;
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.')) ip_like = false;
  }
  return !ip_like;
}

}  // namespace openpca::audit
