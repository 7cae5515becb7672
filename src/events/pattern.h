// EventPattern: an EventBridge event pattern, compiled once and matched against many events.
//
// Grammar and matching follow EventBridge (docs/events.md has the table):
//   * a pattern is a JSON object; every field must match (AND); "$or": [{...}, {...}, ...] at any
//     level matches when one of its objects does;
//   * a nested object matches a nested object of the event (an array of objects: one element must
//     match the whole sub-pattern);
//   * a leaf is a non-empty array of alternatives (OR): exact values (string, number compared
//     numerically, true, false, null) and match expressions: prefix, suffix (both also with
//     {"equals-ignore-case": s}), equals-ignore-case, anything-but (a value, a list of strings or
//     of numbers, {"prefix"}, {"suffix"}, {"equals-ignore-case"}, {"wildcard"}), numeric
//     (=, <, <=, >, >= and ranges [">", a, "<=", b]), exists (true/false), cidr, wildcard;
//   * an event array matches when any of its elements does; exists looks at leaf values only.
// Invalid patterns are refused with kInvalidPolicy (the events service names it
// InvalidEventPatternException, api/errors.cc) and EventBridge's message ("Event pattern is not
// valid. Reason: ...", reasons as the event-ruler compiler words them).
//
// Immutable after Compile(); copies share the compiled tree. Thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace openpca::events {

class EventPattern {
 public:
  // Errors: kInvalidPolicy (InvalidEventPatternException).
  static Result<EventPattern> Compile(std::string_view text);

  // Whether `event` (an EventBridge envelope, or any JSON object) matches.
  bool Matches(const nlohmann::json& event) const;

  struct Node;

 private:
  explicit EventPattern(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace openpca::events
