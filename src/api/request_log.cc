#include "api/request_log.h"

#include <charconv>
#include <cstdint>

#include "api/errors.h"
#include "common/json_text.h"

namespace openpca::api {
namespace {

// Milliseconds kept to three decimals.
double RoundedLatency(double latency_ms) {
  return static_cast<double>(static_cast<int64_t>(latency_ms * 1000)) / 1000;
}

std::string_view ErrorName(const RequestLogEntry& e) {
  return e.service.empty() ? AwsErrorFor(e.code).name : ErrorFor(e.service, e.code).name;
}

// A latency as nlohmann::json writes it in fixed notation (the shortest digits that read back
// the same, ".0" when there is no fraction). False when it cannot be written here.
bool AppendLatency(double value, std::string& out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed);
  if (ec != std::errc()) return false;
  out.append(buf, end);
  if (std::string_view(buf, end - buf).find('.') == std::string_view::npos) out += ".0";
  return true;
}

}  // namespace

nlohmann::json RequestLogJson(const RequestLogEntry& e) {
  nlohmann::json line = {
      {"event", "api_request"},
      {"action", e.action},
      {"request_id", e.request_id},
      {"status", e.http_status},
      {"error_code", ErrorCodeName(e.code)},
      {"latency_ms", RoundedLatency(e.latency_ms)},
  };
  if (!e.service.empty()) line["service"] = e.service;
  if (e.code != ErrorCode::kOk) line["error"] = ErrorName(e);
  if (!e.access_key_id.empty()) line["access_key_id"] = e.access_key_id;
  if (!e.principal.empty()) line["principal"] = e.principal;
  if (!e.ca_arn.empty()) line["ca_arn"] = e.ca_arn;
  if (!e.source_ip.empty()) line["source_ip"] = e.source_ip;
  if (!e.internal_detail.empty()) line["detail"] = e.internal_detail;
  return line;
}

std::string RequestLogLine(const RequestLogEntry& e) {
  const double latency = RoundedLatency(e.latency_ms);
  // Outside [1e-5, 1e15) nlohmann writes exponent notation: the object path writes those.
  if (!(latency == 0 || (latency >= 1e-5 && latency < 1e15))) {
    return JsonTextReplacingInvalidUtf8(RequestLogJson(e));
  }
  // The members in the order the object dumps them (std::map: byte order of the names).
  std::string out;
  out.reserve(256);
  JsonObjectText line(out);
  const auto optional = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) line.String(name, value);
  };
  optional("access_key_id", e.access_key_id);
  line.String("action", e.action);
  optional("ca_arn", e.ca_arn);
  optional("detail", e.internal_detail);
  if (e.code != ErrorCode::kOk) line.String("error", ErrorName(e));
  line.String("error_code", ErrorCodeName(e.code));
  line.String("event", "api_request");
  const bool latency_ok = AppendLatency(latency, line.Member("latency_ms"));
  optional("principal", e.principal);
  line.String("request_id", e.request_id);
  optional("service", e.service);
  optional("source_ip", e.source_ip);
  line.Member("status") += std::to_string(e.http_status);
  if (!line.Close() || !latency_ok) return JsonTextReplacingInvalidUtf8(RequestLogJson(e));
  return out;
}

void LogRequest(spdlog::logger& logger, const RequestLogEntry& e) {
  std::string text = RequestLogLine(e);
  if (e.http_status >= 500) {
    logger.error("{}", text);
  } else {
    logger.info("{}", text);
  }
}

}  // namespace openpca::api
