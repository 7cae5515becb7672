#include "api/request_log.h"

#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "common/json_text.h"

namespace openpca::api {

void LogRequest(spdlog::logger& logger, const RequestLogEntry& e) {
  nlohmann::json line = {
      {"event", "api_request"},
      {"action", e.action},
      {"request_id", e.request_id},
      {"status", e.http_status},
      {"error_code", ErrorCodeName(e.code)},
      {"latency_ms", static_cast<double>(static_cast<int64_t>(e.latency_ms * 1000)) / 1000},
  };
  if (!e.service.empty()) line["service"] = e.service;
  if (e.code != ErrorCode::kOk) {
    line["error"] = e.service.empty() ? AwsErrorFor(e.code).name : ErrorFor(e.service, e.code).name;
  }
  if (!e.access_key_id.empty()) line["access_key_id"] = e.access_key_id;
  if (!e.principal.empty()) line["principal"] = e.principal;
  if (!e.ca_arn.empty()) line["ca_arn"] = e.ca_arn;
  if (!e.source_ip.empty()) line["source_ip"] = e.source_ip;
  if (!e.internal_detail.empty()) line["detail"] = e.internal_detail;
  std::string text = JsonTextReplacingInvalidUtf8(line);
  if (e.http_status >= 500) {
    logger.error("{}", text);
  } else {
    logger.info("{}", text);
  }
}

}  // namespace openpca::api
