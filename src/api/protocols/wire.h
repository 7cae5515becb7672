// Wire-format helpers shared by the protocol codecs: timestamps in the three AWS formats, form and
// query-string parsing, and the model walk that turns a handler's output timestamps into one
// representation. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/model_shapes.h"

namespace openpca::api::protocols {

// Seconds since the epoch (fraction allowed) from ISO-8601 ("2024-01-02T03:04:05Z",
// "2024-01-02T03:04:05.123Z", "+01:00" offsets, a plain date), RFC 822 / HTTP-date
// ("Tue, 02 Jan 2024 03:04:05 GMT") or an epoch number written as text. nullopt if none fits.
std::optional<double> ParseTimestamp(std::string_view text);

// The epoch seconds of a handler's timestamp value: a JSON number (epoch seconds) or a string in
// any format ParseTimestamp() reads. nullopt for anything else.
std::optional<double> TimestampSeconds(const nlohmann::json& v);

// "2024-01-02T03:04:05Z", with ".123Z" milliseconds when the value has a fraction.
std::string FormatIso8601(double epoch_seconds);
// "Tue, 02 Jan 2024 03:04:05 GMT".
std::string FormatHttpDate(double epoch_seconds);
// The JSON number of epoch seconds: an integer when whole, else a double with milliseconds.
nlohmann::json EpochJson(double epoch_seconds);

// Decoded name/value pairs of an application/x-www-form-urlencoded body or a query string ('+'
// is a space, %XX decoded), in order.
struct FormParam {
  std::string name;
  std::string value;
};
std::vector<FormParam> ParseForm(std::string_view text);

// A boolean, integer, floating-point or timestamp member from its text on the wire (query
// parameter, URI label, query string, header): "true"/"false", a decimal integer in range, a finite
// number, or any timestamp ParseTimestamp() reads (stored as epoch seconds).
enum class TextScalar { kParsed, kMalformed, kNotThisType };
// kMalformed sets `*expected` to what the text should have been ("a boolean", ...);
// kNotThisType: the shape is none of those types (strings, blobs, structures: the caller's).
TextScalar ParseTextScalar(const Shape& shape, const std::string& text, nlohmann::json* out,
                           std::string_view* expected);

// Percent-encodes everything but A-Z a-z 0-9 - _ . ~ (RFC 3986 unreserved).
std::string UrlEncode(std::string_view text);

// Does the model's shape (transitively) contain a timestamp? Bounded depth.
bool ContainsTimestamp(const Shape& shape);

// Rewrites every timestamp value under `shape` to `format` ("unixTimestamp" → epoch number,
// "iso8601" / "rfc822" → string). Values that are not timestamps are left alone; unknown members
// are kept.
void NormalizeTimestamps(const Shape& shape, std::string_view format, nlohmann::json& value);

}  // namespace openpca::api::protocols
