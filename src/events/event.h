// An event in EventBridge's envelope, as Private CA and Certificate Manager publish them, and the
// sink they are published to. Publishers (CA lifecycle, issuance, revocation, CRL generation,
// certificate expiry) know only EventSink; routing to rules and targets is the events domain's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace openpca::events {

struct Event {
  std::string source;       // "aws.acm-pca", "aws.acm"
  std::string detail_type;  // "ACM Private CA Certificate Issuance"
  std::string account;      // the account the event belongs to
  std::string region;
  int64_t time_ms = 0;
  std::vector<std::string> resources;  // ARNs
  nlohmann::json detail = nlohmann::json::object();
};

// Thread-safe. Publish returns once the event is accepted for delivery (durably queued by
// implementations that deliver); it never blocks on a target.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Publish(Event event) = 0;
};

}  // namespace openpca::events
