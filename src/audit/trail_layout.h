// Where CloudTrail puts a trail's files and how it names trails: the S3 keys of log and digest
// files (iam-ram-sts-cloudtrail.md d.2/d.3, cloudtrail-validate-logs.md e), the time formats they
// use, trail ARNs and trail name rules. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/random.h"

namespace openpca::audit {

// "2015-08-17T15:01:31Z" (digestStartTime, digestEndTime, event times in digests).
std::string IsoSeconds(int64_t unix_ms);

// [prefix/]AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/
//   <acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<suffix>.json.gz
std::string LogFileKey(std::string_view prefix, std::string_view account,
                       std::string_view region, int64_t unix_ms, std::string_view suffix);

// [prefix/]AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//   <acct>_CloudTrail-Digest_<region>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>.json.gz
// with the digest's end time (the 16 characters before ".json.gz" are that timestamp).
std::string DigestFileKey(std::string_view prefix, std::string_view account,
                          std::string_view region, std::string_view trail_name,
                          std::string_view home_region, int64_t end_unix_ms);

// 16 characters of [A-Za-z0-9] (the random part of a log file's name).
std::string RandomSuffix(Random& random);

struct TrailArnParts {
  std::string partition;
  std::string region;
  std::string account;
  std::string name;
};
// arn:<partition>:cloudtrail:<region>:<12 digits>:trail/<name>; nullopt for anything else.
std::optional<TrailArnParts> ParseTrailArn(std::string_view arn);
std::string TrailArn(std::string_view partition, std::string_view region,
                     std::string_view account, std::string_view name);

// CloudTrail's trail name rules: 3..128 characters of ASCII letters, digits, '.', '_' and '-',
// starting and ending with a letter or digit, no two of '.', '_', '-' adjacent, not shaped like
// an IP address.
bool IsValidTrailName(std::string_view name);

}  // namespace openpca::audit
