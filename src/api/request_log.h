// The operational log line written once per finished API request (STYLE.md "Logging"): one JSON
// object per line with action, caller, CA ARN, outcome and latency. Never bodies or secrets.
// Thread-safe if the logger is (spdlog loggers are).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "common/status.h"

namespace openpca::api {

struct RequestLogEntry {
  std::string_view service;  // signing name ("acm-pca", "iam", ...); empty for raw routes
  std::string_view action;  // "IssueCertificate", or "GET /ocsp" for raw routes
  std::string_view request_id;
  std::string_view access_key_id;  // empty if authentication did not get that far
  std::string_view principal;
  std::string_view ca_arn;  // input CertificateAuthorityArn, if any
  std::string_view source_ip;
  ErrorCode code = ErrorCode::kOk;
  std::string_view internal_detail;  // kInternal only: the message the client does not see
  int http_status = 200;
  double latency_ms = 0;
};

// The line as a JSON object of its members: what the line says, and in which order (the object's
// dump()).
nlohmann::json RequestLogJson(const RequestLogEntry& entry);
// The line's text, written straight to text: byte for byte RequestLogJson(entry) dumped with
// invalid UTF-8 replaced by U+FFFD (through which it writes text that is not UTF-8).
std::string RequestLogLine(const RequestLogEntry& entry);
void LogRequest(spdlog::logger& logger, const RequestLogEntry& entry);

}  // namespace openpca::api
