// Internal to api/: the resolved shape graph of a ServiceModel, shared by model.cc (which builds
// it) and validator.cc (which walks it). Owned by ServiceModel; immutable after parsing.
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

struct ShapeMember {
  std::string name;       // "CertificateAuthorityArn", the JSON key
  std::string path_name;  // "certificateAuthorityArn", as AWS error paths spell it
  const Shape* shape = nullptr;
  bool required = false;
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
};

}  // namespace openpca::api
