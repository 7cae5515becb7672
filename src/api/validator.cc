// ServiceModel::ValidateInput: the walk of an operation's input shape over the request JSON.
// See model.h for the rules.
#include <cmath>
#include <limits>

#include "api/model.h"
#include "api/model_shapes.h"
#include "api/utf8.h"
#include "common/bytes.h"

namespace openpca::api {
namespace {

using Json = nlohmann::json;

// Deeper input than any real model needs; also bounds recursion for a recursive model.
constexpr int kMaxDepth = 32;
// AWS counts every violation but the message need not list an unbounded number of them.
constexpr size_t kMaxListedViolations = 10;
constexpr size_t kMaxRenderedChars = 256;

// Cuts `s` to at most kMaxRenderedChars bytes on a code point boundary.
std::string Truncate(std::string_view s) {
  if (s.size() <= kMaxRenderedChars) return std::string(s);
  size_t cut = kMaxRenderedChars;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

// A short, bounded rendering of a value for "Value '...' at ..." (never recursing deeply: the
// value may be arbitrarily nested client input).
void Render(const Json& v, int depth, std::string* out) {
  if (out->size() > kMaxRenderedChars) return;
  switch (v.type()) {
    case Json::value_t::string:
      *out += v.get_ref<const std::string&>();
      return;
    case Json::value_t::array: {
      if (depth > 2) {
        *out += "[...]";
        return;
      }
      *out += '[';
      bool first = true;
      for (const Json& e : v) {
        if (!first) *out += ", ";
        first = false;
        Render(e, depth + 1, out);
        if (out->size() > kMaxRenderedChars) break;
      }
      *out += ']';
      return;
    }
    case Json::value_t::object: {
      if (depth > 2) {
        *out += "{...}";
        return;
      }
      *out += '{';
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) *out += ", ";
        first = false;
        *out += k;
        *out += '=';
        Render(e, depth + 1, out);
        if (out->size() > kMaxRenderedChars) break;
      }
      *out += '}';
      return;
    }
    default:
      *out += v.dump();
      return;
  }
}

const char* JsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "null";
  }
}

class Walker {
 public:
  Status Run(const Shape& root, const Json& input) {
    Visit(root, input, 0);
    if (!serialization_.ok()) return serialization_;
    if (violations_ == 0) return Status::Ok();
    std::string msg =
        std::to_string(violations_) +
        (violations_ == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < messages_.size(); ++i) {
      if (i > 0) msg += "; ";
      msg += messages_[i];
    }
    return Status(ErrorCode::kValidation, std::move(msg));
  }

 private:
  // Returns false once a serialization error is recorded: the walk stops there.
  bool Visit(const Shape& shape, const Json& v, int depth) {
    if (depth > kMaxDepth) return TypeError("input nests too deeply");
    switch (shape.type) {
      case ShapeType::kStructure:
        return VisitStructure(shape, v, depth);
      case ShapeType::kList:
        return VisitList(shape, v, depth);
      case ShapeType::kMap:
        return VisitMap(shape, v, depth);
      case ShapeType::kString:
        return VisitString(shape, v);
      case ShapeType::kBlob:
        return VisitBlob(shape, v);
      case ShapeType::kInteger:
        return VisitInteger(shape, v, std::numeric_limits<int32_t>::min(),
                            std::numeric_limits<int32_t>::max());
      case ShapeType::kLong:
        return VisitInteger(shape, v, std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max());
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        return VisitFloat(shape, v);
      case ShapeType::kBoolean:
        if (!v.is_boolean()) return Expected("a boolean", v);
        return true;
      case ShapeType::kTimestamp:
        // The JSON protocol sends timestamps as epoch seconds (fraction allowed).
        if (!v.is_number()) return Expected("a timestamp (epoch seconds)", v);
        return true;
    }
    return true;
  }

  bool VisitStructure(const Shape& shape, const Json& v, int depth) {
    if (!v.is_object()) return Expected("an object", v);
    for (const ShapeMember& m : shape.members) {
      auto it = v.find(m.name);
      bool absent = it == v.end() || it->is_null();
      size_t old = PushPath(m.path_name);
      if (absent) {
        if (m.required) Violation(nullptr, "Member must not be null");
      } else if (!Visit(*m.shape, *it, depth + 1)) {
        return false;
      }
      path_.resize(old);
    }
    return true;
  }

  bool VisitList(const Shape& shape, const Json& v, int depth) {
    if (!v.is_array()) return Expected("an array", v);
    CheckLength(shape, v, static_cast<int64_t>(v.size()));
    size_t index = 0;
    for (const Json& e : v) {
      ++index;
      size_t old = path_.size();
      path_ += '.';
      path_ += std::to_string(index);
      path_ += ".member";
      if (e.is_null()) {
        Violation(nullptr, "Member must not be null");
      } else if (!Visit(*shape.member, e, depth + 1)) {
        return false;
      }
      path_.resize(old);
    }
    return true;
  }

  bool VisitMap(const Shape& shape, const Json& v, int depth) {
    if (!v.is_object()) return Expected("an object", v);
    CheckLength(shape, v, static_cast<int64_t>(v.size()));
    for (const auto& [k, e] : v.items()) {
      size_t old = PushPath(k);
      Json key(k);
      if (!Visit(*shape.key, key, depth + 1)) return false;
      if (e.is_null()) {
        Violation(nullptr, "Member must not be null");
      } else if (!Visit(*shape.value, e, depth + 1)) {
        return false;
      }
      path_.resize(old);
    }
    return true;
  }

  bool VisitString(const Shape& shape, const Json& v) {
    if (!v.is_string()) return Expected("a string", v);
    const std::string& s = v.get_ref<const std::string&>();
    std::optional<size_t> code_points = CountUtf8CodePoints(s);
    if (!code_points.has_value()) return TypeError("invalid UTF-8 in a string");
    CheckLength(shape, v, static_cast<int64_t>(*code_points));
    if (shape.pattern.has_value() && !shape.pattern->FullMatch(s)) {
      Violation(&v, "Member must satisfy regular expression pattern: " + shape.pattern->source());
    }
    if (!shape.enum_values.empty()) {
      bool found = false;
      for (const std::string& e : shape.enum_values) {
        if (e == s) {
          found = true;
          break;
        }
      }
      if (!found) Violation(&v, "Member must satisfy enum value set: " + shape.enum_text);
    }
    return true;
  }

  bool VisitBlob(const Shape& shape, const Json& v) {
    if (!v.is_string()) return Expected("a base64-encoded string", v);
    std::optional<size_t> size = Base64DecodedSize(v.get_ref<const std::string&>());
    if (!size.has_value()) return TypeError("value at '" + path_ + "' is not valid base64");
    CheckLength(shape, v, static_cast<int64_t>(*size), /*blob=*/true);
    return true;
  }

  bool VisitInteger(const Shape& shape, const Json& v, int64_t lo, int64_t hi) {
    int64_t n;
    if (v.is_number_integer() && !v.is_number_unsigned()) {
      n = v.get<int64_t>();
    } else if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(hi)) return TypeError(OutOfRange());
      n = static_cast<int64_t>(u);
    } else if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::trunc(d) != d) return Expected("an integer", v);
      // Compare in double: both bounds are exactly representable or rounded outward.
      if (d < static_cast<double>(lo) || d >= -static_cast<double>(lo)) {
        return TypeError(OutOfRange());
      }
      n = static_cast<int64_t>(d);
    } else {
      return Expected("an integer", v);
    }
    if (n < lo || n > hi) return TypeError(OutOfRange());
    if (shape.min.has_value() && n < *shape.min) {
      Violation(&v,
                "Member must have value greater than or equal to " + std::to_string(*shape.min));
    }
    if (shape.max.has_value() && n > *shape.max) {
      Violation(&v, "Member must have value less than or equal to " + std::to_string(*shape.max));
    }
    return true;
  }

  bool VisitFloat(const Shape& shape, const Json& v) {
    if (!v.is_number()) return Expected("a number", v);
    double d = v.get<double>();
    if (shape.min_float.has_value() && d < *shape.min_float) {
      Violation(&v,
                "Member must have value greater than or equal to " + Json(*shape.min_float).dump());
    }
    if (shape.max_float.has_value() && d > *shape.max_float) {
      Violation(&v,
                "Member must have value less than or equal to " + Json(*shape.max_float).dump());
    }
    return true;
  }

  void CheckLength(const Shape& shape, const Json& v, int64_t length, bool blob = false) {
    if (shape.min.has_value() && length < *shape.min) {
      Violation(&v,
                "Member must have length greater than or equal to " + std::to_string(*shape.min),
                blob);
    }
    if (shape.max.has_value() && length > *shape.max) {
      Violation(&v, "Member must have length less than or equal to " + std::to_string(*shape.max),
                blob);
    }
  }

  size_t PushPath(std::string_view name) {
    size_t old = path_.size();
    if (!path_.empty()) path_ += '.';
    path_ += name;
    return old;
  }

  // Records one constraint violation at the current path; `v` null means the value is null.
  void Violation(const Json* v, const std::string& constraint, bool blob = false) {
    ++violations_;
    if (messages_.size() >= kMaxListedViolations) return;
    std::string msg = "Value ";
    if (v == nullptr) {
      msg += "null";
    } else if (blob) {
      // What AWS's Java stack prints for a byte buffer; base64 text could be megabytes.
      size_t n = Base64DecodedSize(v->get_ref<const std::string&>()).value_or(0);
      msg += "'java.nio.HeapByteBuffer[pos=0 lim=" + std::to_string(n) +
             " cap=" + std::to_string(n) + "]'";
    } else {
      std::string rendered;
      Render(*v, 0, &rendered);
      msg += "'" + Truncate(rendered) + "'";
    }
    msg += " at '" + path_ + "' failed to satisfy constraint: " + constraint;
    messages_.push_back(std::move(msg));
  }

  std::string OutOfRange() const { return "numeric value at '" + path_ + "' is out of range"; }

  bool Expected(const char* what, const Json& v) {
    return TypeError("expected " + std::string(what) + " at '" + path_ + "', got " +
                     JsonTypeName(v));
  }

  bool TypeError(std::string message) {
    serialization_ = Status(ErrorCode::kSerialization, std::move(message));
    return false;
  }

  std::string path_;
  std::vector<std::string> messages_;
  size_t violations_ = 0;
  Status serialization_;
};

}  // namespace

Status ServiceModel::ValidateInput(std::string_view operation, const nlohmann::json& input) const {
  auto it = operation_inputs_.find(operation);
  if (it == operation_inputs_.end()) {
    return Status(ErrorCode::kUnknownOperation, "Unknown operation " + std::string(operation));
  }
  if (!input.is_object()) {
    return Status(ErrorCode::kSerialization, "request body must be a JSON object");
  }
  if (it->second == nullptr) return Status::Ok();
  return Walker().Run(*it->second, input);
}

}  // namespace openpca::api
