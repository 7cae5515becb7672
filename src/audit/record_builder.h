// Building CloudTrail records (eventVersion 1.08) from what the pipeline knows about a call.
//
// A call's record is built in two steps: BuildCallRecords() before the handler runs (everything
// but the outcome: one record per recipient account, the caller's first, the resource owner's
// second for a cross-account call, both with one sharedEventID), then ApplyOutcome() once the
// call has ended. Service events are whole at once (BuildServiceRecord()).
//
// Pure functions over their inputs; randomness (event ids) is injected. Secrets never reach a
// record: members named like secrets are hidden whatever the model says (ScrubSecrets()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/call_facts.h"
#include "audit/service_event.h"
#include "common/random.h"
#include "store/trail_store.h"

namespace openpca::audit {

inline constexpr std::string_view kHidden = "HIDDEN_DUE_TO_SECURITY_REASONS";
inline constexpr size_t kMaxTextBytes = 1024;            // userAgent, errorMessage
inline constexpr size_t kMaxParametersBytes = 100 * 1024;  // requestParameters

// One record being built, with the lookup columns the store indexes.
struct DraftEvent {
  nlohmann::json record;
  store::StoredEvent row;  // every column but record_json
};

// Describe/Get/List/Lookup/Simulate/Head… calls.
bool IsReadOnlyOperation(std::string_view operation);
// "AWS::ACMPCA::CertificateAuthority" for a CA ARN, …; "" for ARNs of no listed type.
std::string ResourceTypeOf(std::string_view arn);
// The account id field of an ARN; "" if none.
std::string AccountOfArn(std::string_view arn);
// "2018-01-26T22:18:43Z".
std::string FormatEventTime(int64_t unix_ms);
// Replaces, at every depth, the values of members whose names say they hold a secret (secret
// access keys, session tokens, passwords, private keys, passphrases) with kHidden.
void ScrubSecrets(nlohmann::json& value);
// At most `max` bytes, cut on a UTF-8 character boundary.
std::string Truncate(std::string_view text, size_t max);

// The records of an API call, without outcome. `cross_account_copy`: the call was authorized, so
// a resource of another account gets its owner's copy. `default_account` receives the record of
// a caller whose account is unknown (an unknown access key).
std::vector<DraftEvent> BuildCallRecords(const CallFacts& facts, bool cross_account_copy,
                                         const std::string& default_account, Random& random);

// BuildCallRecords with the first record's eventID drawn by the caller (`event_id`); `random`
// gives the owner's copy its ids.
std::vector<DraftEvent> BuildCallRecordsWithEventId(const CallFacts& facts,
                                                    bool cross_account_copy,
                                                    const std::string& default_account,
                                                    std::string event_id, Random& random);
// Whether BuildCallRecords makes the resource owner's copy (two records) for `facts`.
bool HasOwnerCopy(const CallFacts& facts, bool cross_account_copy);

// The stored row of a call that succeeded with `response` (record form, null for none) and has
// no owner's copy, its record written straight to text: equal to ToStoredEvent() of
// BuildCallRecordsWithEventId(facts, ..., event_id, ...)[0] after ApplyOutcome(success), byte for
// byte, without the record's tree. Consumes facts.request_parameters. nullopt when some text is
// not UTF-8 (the drafts' path then decides, as before).
std::optional<store::StoredEvent> SuccessRecordText(CallFacts& facts,
                                                    const std::string& default_account,
                                                    const std::string& event_id,
                                                    nlohmann::json response);

// Sets responseElements / errorCode / errorMessage. Read-only calls keep responseElements null.
void ApplyOutcome(DraftEvent& draft, const CallOutcome& outcome);

// A service event (eventType AwsServiceEvent), complete.
DraftEvent BuildServiceRecord(const ServiceEvent& event, int64_t time_ms, Random& random);

// The row to store: the draft's columns and its record serialized.
store::StoredEvent ToStoredEvent(const DraftEvent& draft);

}  // namespace openpca::audit
