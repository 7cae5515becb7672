#include "services/cloudtrail/cloudtrail_operations.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "api/digest.h"
#include "common/bytes.h"

namespace openpca::services::cloudtrail {
namespace {

using Json = nlohmann::json;
using store::EventLookupKey;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::optional<EventLookupKey> KeyOf(std::string_view name) {
  if (name == "EventId") return EventLookupKey::kEventId;
  if (name == "EventName") return EventLookupKey::kEventName;
  if (name == "ReadOnly") return EventLookupKey::kReadOnly;
  if (name == "Username") return EventLookupKey::kUsername;
  if (name == "ResourceType") return EventLookupKey::kResourceType;
  if (name == "ResourceName") return EventLookupKey::kResourceName;
  if (name == "EventSource") return EventLookupKey::kEventSource;
  if (name == "AccessKeyId") return EventLookupKey::kAccessKeyId;
  return std::nullopt;
}

// JSON 1.1 timestamps are epoch seconds, possibly fractional.
int64_t MillisOf(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>() * 1000;
  if (v.is_number()) return static_cast<int64_t>(std::floor(v.get<double>() * 1000.0));
  return 0;
}

class TokenSealer {
 public:
  explicit TokenSealer(Random& random) : key_(random.RandomBytes(32)) {}

  // "<time>.<seq>.<mac>" where mac = HMAC(key, params "|" time "." seq).
  std::string Seal(const std::string& params, int64_t time_ms, int64_t seq) const {
    std::string position = std::to_string(time_ms) + "." + std::to_string(seq);
    return position + "." + Mac(params, position);
  }

  bool Open(const std::string& params, const std::string& token, int64_t* time_ms,
            int64_t* seq) const {
    size_t dot1 = token.find('.');
    size_t dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string::npos) return false;
    std::string position = token.substr(0, dot2);
    std::string mac = token.substr(dot2 + 1);
    std::string want = Mac(params, position);
    // Constant-time comparison: the MAC is the only secret-dependent part.
    if (mac.size() != want.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < mac.size(); ++i) diff |= static_cast<unsigned char>(mac[i] ^ want[i]);
    if (diff != 0) return false;
    try {
      *time_ms = std::stoll(token.substr(0, dot1));
      *seq = std::stoll(token.substr(dot1 + 1, dot2 - dot1 - 1));
    } catch (...) {
      return false;
    }
    return true;
  }

 private:
  std::string Mac(const std::string& params, const std::string& position) const {
    api::Sha256Digest d = api::HmacSha256(key_, params + "|" + position);
    return HexEncode(d);
  }

  Bytes key_;
};

Json EventJson(const store::StoredEvent& e) {
  Json resources = Json::array();
  for (const auto& r : e.resources) {
    resources.push_back({{"ResourceType", r.type}, {"ResourceName", r.name}});
  }
  Json out = {
      {"EventId", e.event_id},
      {"EventName", e.event_name},
      {"ReadOnly", e.read_only ? "true" : "false"},
      {"EventTime", static_cast<double>(e.event_time_ms) / 1000.0},
      {"EventSource", e.event_source},
      {"Resources", std::move(resources)},
      {"CloudTrailEvent", e.record_json},
  };
  if (!e.access_key_id.empty()) out["AccessKeyId"] = e.access_key_id;
  if (!e.username.empty()) out["Username"] = e.username;
  return out;
}

Result<Json> LookupEvents(const CloudTrailDeps& deps, const TokenSealer& sealer,
                          const api::CallContext& ctx, const Json& input) {
  store::EventQuery q;
  q.recipient_account_id = ctx.account_id;
  q.region = ctx.region;
  const Json attrs = input.value("LookupAttributes", Json::array());
  if (attrs.size() > 1) {
    return Status(ErrorCode::kInvalidLookupAttributes,
                  "You cannot specify more than one lookup attribute.");
  }
  if (attrs.size() == 1) {
    std::optional<EventLookupKey> key = KeyOf(attrs[0].value("AttributeKey", ""));
    if (!key.has_value()) {
      return Status(ErrorCode::kInvalidLookupAttributes, "The lookup attribute key is not valid.");
    }
    q.key = *key;
    q.value = attrs[0].value("AttributeValue", "");
    if (q.key == EventLookupKey::kReadOnly && q.value != "true" && q.value != "false") {
      return Status(ErrorCode::kInvalidLookupAttributes,
                    "The ReadOnly lookup attribute must be true or false.");
    }
  }
  const int64_t now_ms = ToUnixMillis(deps.clock->Now());
  const int64_t oldest = now_ms - kHistoryDays * kDayMs;
  int64_t start = input.contains("StartTime") ? MillisOf(input["StartTime"]) : oldest;
  int64_t end = input.contains("EndTime") ? MillisOf(input["EndTime"])
                                          : std::numeric_limits<int64_t>::max() / 2;
  if (input.contains("StartTime") && input.contains("EndTime") && start > end) {
    return Status(ErrorCode::kInvalidTimeRange, "Start time must be before end time.");
  }
  q.start_ms = std::max(start, oldest);
  q.end_ms = end;
  int max_results = input.value("MaxResults", 50);
  if (max_results < 1 || max_results > 50) {
    return Status(ErrorCode::kInvalidMaxResults, "MaxResults must be between 1 and 50.");
  }
  q.limit = max_results;

  // The parameters a NextToken is bound to: everything but the token itself (and MaxResults,
  // which a paginator may change between pages).
  Json bound = {{"account", ctx.account_id},
                {"region", ctx.region},
                {"attrs", attrs},
                {"start", input.value("StartTime", Json())},
                {"end", input.value("EndTime", Json())},
                {"category", input.value("EventCategory", "")}};
  const std::string params = bound.dump();
  if (input.contains("NextToken")) {
    const std::string token = input.value("NextToken", "");
    if (!sealer.Open(params, token, &q.before_time_ms, &q.before_seq)) {
      return Status(ErrorCode::kInvalidNextToken,
                    "A token that is not valid was provided or the lookup parameters changed.");
    }
    q.has_before = true;
  }
  Json out = {{"Events", Json::array()}};
  if (input.value("EventCategory", "") == "insight") return out;  // no Insights events
  if (q.start_ms > q.end_ms) return out;
  ASSIGN_OR_RETURN(std::vector<store::StoredEvent> events, deps.trail->LookupEvents(q));
  for (const auto& e : events) out["Events"].push_back(EventJson(e));
  if (static_cast<int>(events.size()) == q.limit) {
    out["NextToken"] = sealer.Seal(params, events.back().event_time_ms, events.back().seq);
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> CloudTrailOperations(
    CloudTrailDeps deps) {
  OPENPCA_CHECK(deps.trail != nullptr && deps.clock != nullptr && deps.random != nullptr);
  auto sealer = std::make_shared<const TokenSealer>(*deps.random);
  std::vector<std::pair<std::string, api::OperationHandler>> ops;
  ops.emplace_back("LookupEvents",
                   [deps, sealer](const api::CallContext& ctx, const Json& input) {
                     return LookupEvents(deps, *sealer, ctx, input);
                   });
  return ops;
}

}  // namespace openpca::services::cloudtrail
