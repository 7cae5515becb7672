// ServiceEventSink: how the modules that act on their own (CRL generation, OCSP delegate signer
// rotation, CA certificate expiry, CA purge after the restore window) record what they did as
// CloudTrail service events (eventType AwsServiceEvent, userIdentity invokedBy the service).
// Implementations are thread-safe and never block on delivery; recording is best-effort for the
// caller (a failure is logged by the sink, never returned).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace openpca::audit {

struct ServiceEvent {
  std::string service = "acm-pca";  // the acting service: eventSource <service>.amazonaws.com
  std::string event_name;           // "GenerateCRL"
  std::string account_id;           // the account the resource belongs to
  std::string region;
  std::vector<std::string> resource_arns;
  nlohmann::json details = nlohmann::json::object();  // serviceEventDetails
};

class ServiceEventSink {
 public:
  virtual ~ServiceEventSink() = default;
  virtual void RecordServiceEvent(ServiceEvent event) = 0;
};

// An acm-pca service event about the resource `arn` (its account and region from the ARN).
inline ServiceEvent ServiceEventOn(std::string event_name, const std::string& arn,
                                   nlohmann::json details = nlohmann::json::object()) {
  ServiceEvent e;
  e.event_name = std::move(event_name);
  // arn:<partition>:<service>:<region>:<account>:<resource>
  std::vector<std::string> parts;
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', pos);
    if (colon == std::string::npos) break;
    parts.push_back(arn.substr(pos, colon - pos));
    pos = colon + 1;
  }
  if (parts.size() == 5) {
    e.region = parts[3];
    e.account_id = parts[4];
  }
  e.resource_arns.push_back(arn);
  e.details = std::move(details);
  return e;
}

}  // namespace openpca::audit
