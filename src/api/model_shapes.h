// Internal to api/: the resolved shape graph of a ServiceModel, shared by model.cc (which builds
// it), validator.cc (which walks it) and the wire codecs in api/protocols/. Owned by ServiceModel;
// immutable after parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/pattern.h"

namespace openpca::api {

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
};

struct Shape;

// Where a member travels in a REST request or response ("location" in the model).
enum class MemberLocation {
  kBody,         // no location: the payload (JSON body, XML element, query parameter)
  kUri,          // a {label} of the request URI
  kQueryString,  // a query-string parameter of a REST request
  kHeader,       // one HTTP header
  kHeaders,      // a map of headers sharing a prefix (locationName)
  kStatusCode,   // the response's HTTP status
};

struct ShapeMember {
  std::string name;       // "CertificateAuthorityArn", the JSON key
  std::string path_name;  // "certificateAuthorityArn", as AWS error paths spell it
  const Shape* shape = nullptr;
  bool required = false;
  MemberLocation location = MemberLocation::kBody;
  std::string location_name;     // wire name: locationName, else `name`
  bool flattened = false;        // member ref or target shape says "flattened"
  bool xml_attribute = false;
  std::string xml_namespace;     // xmlNamespace.uri on the member ref
  std::string timestamp_format;  // member ref's timestampFormat, else the shape's; may be empty
  bool json_value = false;       // a string holding JSON (header members: base64 of it)
  bool idempotency_token = false;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  // Length (string: code points, blob: decoded bytes, list/map: entries) or value range.
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  std::optional<double> min_float;  // kFloat / kDouble ranges
  std::optional<double> max_float;
  std::optional<Pattern> pattern;
  std::vector<std::string> enum_values;
  std::string enum_text;             // "[A, B, C]" for messages
  std::vector<ShapeMember> members;  // kStructure, in model order
  const Shape* member = nullptr;     // kList
  const Shape* key = nullptr;        // kMap
  const Shape* value = nullptr;      // kMap
  std::string member_location_name;  // kList: element name ("member" when empty)
  std::string key_location_name;     // kMap: "key" when empty
  std::string value_location_name;   // kMap: "value" when empty
  bool flattened = false;
  bool sensitive = false;            // "sensitive": never logged or recorded
  std::string timestamp_format;      // kTimestamp: "iso8601", "unixTimestamp", "rfc822" or empty
  std::string xml_namespace;
  // Error shapes ("exception": true).
  bool exception = false;
  std::string error_code;            // error.code, else the shape name
  std::optional<int> http_status;    // error.httpStatusCode
  // error.senderFault when given; else false for "fault": true or a 5xx httpStatusCode.
  bool sender_fault = true;
};

}  // namespace openpca::api
