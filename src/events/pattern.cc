#include "events/pattern.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace openpca::events {
namespace {

using nlohmann::json;

enum class Kind {
  kString,
  kNumber,
  kBool,
  kNull,
  kPrefix,
  kSuffix,
  kEqualsIgnoreCase,
  kWildcard,
  kAnythingBut,  // strings or numbers
  kAnythingButPrefix,
  kAnythingButSuffix,
  kAnythingButIgnoreCase,
  kAnythingButWildcard,
  kNumeric,
  kExists,
  kCidr,
};

struct Matcher {
  Kind kind = Kind::kString;
  bool ignore_case = false;  // prefix/suffix with equals-ignore-case
  bool flag = false;         // kBool's value, kExists's value
  std::string text;          // lower-cased when ignore_case or kEqualsIgnoreCase
  double number = 0;
  std::vector<std::string> strings;  // anything-but
  std::vector<double> numbers;       // anything-but
  // kNumeric: the value is within (low, high) with each end open or closed; unset = unbounded.
  std::optional<double> low;
  std::optional<double> high;
  bool low_open = false;
  bool high_open = false;
  // kCidr
  std::array<uint8_t, 16> net{};
  int bits = 0;
  bool v6 = false;
};

struct Field {
  std::string key;
  bool is_leaf = true;
  std::vector<Matcher> leaf;
  std::shared_ptr<const EventPattern::Node> object;
};

}  // namespace

struct EventPattern::Node {
  std::vector<Field> fields;
  // Each "$or" at this level: one of its objects must match.
  std::vector<std::vector<std::shared_ptr<const Node>>> ors;
};

namespace {

constexpr std::string_view kReserved[] = {"exact",   "prefix", "suffix", "anything-but",
                                          "numeric", "exists", "cidr",   "equals-ignore-case",
                                          "wildcard"};

Status Invalid(std::string reason) {
  return Status(ErrorCode::kInvalidPolicy,
                "Event pattern is not valid. Reason: " + std::move(reason));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Checks a wildcard expression as EventBridge does: "\" escapes only "*" and "\", and two "*" may
// not be adjacent.
Status CheckWildcard(std::string_view w) {
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == '\\') {
      if (i + 1 >= w.size() || (w[i + 1] != '*' && w[i + 1] != '\\')) {
        return Invalid("Invalid escape character at pos " + std::to_string(i));
      }
      ++i;
    } else if (w[i] == '*' && i + 1 < w.size() && w[i + 1] == '*') {
      return Invalid("Consecutive wildcard characters at pos " + std::to_string(i + 1));
    }
  }
  return Status::Ok();
}

// Glob match with "*" (any sequence) and the escapes "\*" and "\\".
bool WildcardMatches(std::string_view pattern, std::string_view value) {
  // Tokens: -1 = star, else a literal byte.
  std::vector<int> tokens;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      tokens.push_back(static_cast<unsigned char>(pattern[++i]));
    } else if (pattern[i] == '*') {
      tokens.push_back(-1);
    } else {
      tokens.push_back(static_cast<unsigned char>(pattern[i]));
    }
  }
  size_t t = 0, v = 0, star_t = std::string_view::npos, star_v = 0;
  while (v < value.size()) {
    if (t < tokens.size() && tokens[t] != -1 && tokens[t] == static_cast<unsigned char>(value[v])) {
      ++t;
      ++v;
    } else if (t < tokens.size() && tokens[t] == -1) {
      star_t = t++;
      star_v = v;
    } else if (star_t != std::string_view::npos) {
      t = star_t + 1;
      v = ++star_v;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t] == -1) ++t;
  return t == tokens.size();
}

// "10.0.0.0/24", "2001:db8::/32" (or a bare address: a /32 or /128).
std::optional<Matcher> ParseCidr(std::string_view text) {
  Matcher m;
  m.kind = Kind::kCidr;
  std::string addr(text);
  int bits = -1;
  if (size_t slash = addr.find('/'); slash != std::string::npos) {
    std::string b = addr.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    bits = std::stoi(b);
    addr.resize(slash);
  }
  if (inet_pton(AF_INET, addr.c_str(), m.net.data()) == 1) {
    m.v6 = false;
    if (bits < 0) bits = 32;
    if (bits > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, addr.c_str(), m.net.data()) == 1) {
    m.v6 = true;
    if (bits < 0) bits = 128;
    if (bits > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  m.bits = bits;
  return m;
}

bool CidrContains(const Matcher& m, const std::string& value) {
  std::array<uint8_t, 16> addr{};
  if (inet_pton(m.v6 ? AF_INET6 : AF_INET, value.c_str(), addr.data()) != 1) return false;
  int bits = m.bits;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((addr[i] & mask) != (m.net[i] & mask)) return false;
  }
  return true;
}

// {"equals-ignore-case": "s"} as the value of prefix/suffix: the string, else nullopt.
std::optional<std::string> IgnoreCaseOperand(const json& v) {
  if (!v.is_object() || v.size() != 1) return std::nullopt;
  auto it = v.find("equals-ignore-case");
  if (it == v.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<Matcher> CompileNumeric(const json& spec) {
  Matcher m;
  m.kind = Kind::kNumeric;
  if (!spec.is_array()) return Invalid("Value of numeric must be an array.");
  if (spec.empty() || !spec[0].is_string()) {
    return Invalid("Invalid member in numeric match: " + (spec.empty() ? "]" : spec[0].dump()));
  }
  const std::string op = spec[0].get<std::string>();
  if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
    return Invalid("Unrecognized numeric range operator: " + op);
  }
  if (spec.size() < 2 || !spec[1].is_number())
    return Invalid("Value of " + op + " must be numeric");
  const double first = spec[1].get<double>();
  if (op == "=" || op == "<" || op == "<=") {
    if (spec.size() > 2) return Invalid("Too many elements in numeric expression");
    if (op == "=") {
      m.low = m.high = first;
    } else {
      m.high = first;
      m.high_open = op == "<";
    }
    return m;
  }
  m.low = first;
  m.low_open = op == ">";
  if (spec.size() == 2) return m;
  if (!spec[2].is_string()) return Invalid("Bad value in numeric range: " + spec[2].dump());
  const std::string top_op = spec[2].get<std::string>();
  if (top_op != "<" && top_op != "<=") return Invalid("Bad numeric range operator: " + top_op);
  if (spec.size() < 4 || !spec[3].is_number()) {
    return Invalid("Value of " + top_op + " must be numeric");
  }
  if (spec.size() > 4) return Invalid("Too many terms in numeric range expression");
  m.high = spec[3].get<double>();
  m.high_open = top_op == "<";
  if (!(*m.low < *m.high)) return Invalid("Bottom must be less than top");
  return m;
}

Result<Matcher> CompileAnythingBut(const json& spec) {
  Matcher m;
  m.kind = Kind::kAnythingBut;
  const json* values = &spec;
  bool ignore_case = false;
  if (spec.is_object()) {
    if (spec.empty()) return Invalid("Anything-But expression name not found");
    if (spec.size() > 1) return Invalid("Only one key allowed in match expression");
    const auto& [op, operand] = *spec.items().begin();
    if (op == "equals-ignore-case") {
      ignore_case = true;
      values = &operand;
    } else if (op == "prefix" || op == "suffix" || op == "wildcard") {
      if (!operand.is_string()) return Invalid("prefix/suffix match pattern must be a string");
      const std::string text = operand.get<std::string>();
      if (text.empty() && op != "wildcard") return Invalid("Null prefix/suffix not allowed");
      if (op == "wildcard") {
        RETURN_IF_ERROR(CheckWildcard(text));
        m.kind = Kind::kAnythingButWildcard;
      } else {
        m.kind = op == "prefix" ? Kind::kAnythingButPrefix : Kind::kAnythingButSuffix;
      }
      m.text = text;
      return m;
    } else {
      return Invalid("Unsupported anything-but pattern: " + op);
    }
  }
  if (ignore_case) {
    m.kind = Kind::kAnythingButIgnoreCase;
    if (values->is_string()) {
      m.strings.push_back(Lower(values->get<std::string>()));
      return m;
    }
    if (!values->is_array()) {
      return Invalid("Value of anything-but must be an array or single string/number value.");
    }
    for (const json& v : *values) {
      if (!v.is_string()) {
        return Invalid(
            "Inside anything-but/equals-ignore-case list, numberic|start|null|boolean is not "
            "supported.");
      }
      m.strings.push_back(Lower(v.get<std::string>()));
    }
    return m;
  }
  if (values->is_string()) {
    m.strings.push_back(values->get<std::string>());
    return m;
  }
  if (values->is_number()) {
    m.numbers.push_back(values->get<double>());
    return m;
  }
  if (!values->is_array()) {
    return Invalid("Value of anything-but must be an array or single string/number value.");
  }
  for (const json& v : *values) {
    if (v.is_string()) {
      m.strings.push_back(v.get<std::string>());
    } else if (v.is_number()) {
      m.numbers.push_back(v.get<double>());
    } else {
      return Invalid("Inside anything but list, start|null|boolean is not supported.");
    }
  }
  if (m.strings.empty() == m.numbers.empty()) {
    return Invalid(
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported");
  }
  return m;
}

Result<Matcher> CompileExpression(const json& expr) {
  if (expr.empty()) return Invalid("Match expression name not found");
  const auto& [name, operand] = *expr.items().begin();
  const bool numeric_like = name == "numeric" || name == "anything-but";
  if (expr.size() > 1) {
    return Invalid(numeric_like ? "Too many elements in numeric expression"
                                : "Only one key allowed in match expression");
  }
  Matcher m;
  if (name == "exact") {
    if (!operand.is_string()) return Invalid("exact match pattern must be a string");
    m.kind = Kind::kString;
    m.text = operand.get<std::string>();
    return m;
  }
  if (name == "prefix" || name == "suffix") {
    m.kind = name == "prefix" ? Kind::kPrefix : Kind::kSuffix;
    if (operand.is_string()) {
      m.text = operand.get<std::string>();
      return m;
    }
    if (std::optional<std::string> s = IgnoreCaseOperand(operand)) {
      m.ignore_case = true;
      m.text = Lower(*s);
      return m;
    }
    return Invalid(name + " match pattern must be a string");
  }
  if (name == "equals-ignore-case") {
    if (!operand.is_string()) return Invalid("equals-ignore-case match pattern must be a string");
    m.kind = Kind::kEqualsIgnoreCase;
    m.text = Lower(operand.get<std::string>());
    return m;
  }
  if (name == "wildcard") {
    if (!operand.is_string()) return Invalid("wildcard match pattern must be a string");
    RETURN_IF_ERROR(CheckWildcard(operand.get<std::string>()));
    m.kind = Kind::kWildcard;
    m.text = operand.get<std::string>();
    return m;
  }
  if (name == "numeric") return CompileNumeric(operand);
  if (name == "anything-but") return CompileAnythingBut(operand);
  if (name == "exists") {
    if (!operand.is_boolean()) return Invalid("exists match pattern must be either true or false.");
    m.kind = Kind::kExists;
    m.flag = operand.get<bool>();
    return m;
  }
  if (name == "cidr") {
    if (!operand.is_string()) return Invalid("prefix match pattern must be a string");
    std::optional<Matcher> cidr = ParseCidr(operand.get<std::string>());
    if (!cidr) return Invalid("Malformed CIDR: " + operand.get<std::string>());
    return *cidr;
  }
  return Invalid("Unrecognized match type " + name);
}

Result<std::vector<Matcher>> CompileLeaf(const json& values) {
  std::vector<Matcher> out;
  for (const json& v : values) {
    Matcher m;
    if (v.is_object()) {
      ASSIGN_OR_RETURN(m, CompileExpression(v));
    } else if (v.is_string()) {
      m.kind = Kind::kString;
      m.text = v.get<std::string>();
    } else if (v.is_number()) {
      m.kind = Kind::kNumber;
      m.number = v.get<double>();
    } else if (v.is_boolean()) {
      m.kind = Kind::kBool;
      m.flag = v.get<bool>();
    } else if (v.is_null()) {
      m.kind = Kind::kNull;
    } else {
      return Invalid("Match value must be String, number, true, false, or null");
    }
    out.push_back(std::move(m));
  }
  if (out.empty()) return Invalid("Empty arrays are not allowed");
  return out;
}

Result<std::shared_ptr<const EventPattern::Node>> CompileObject(const json& object, bool in_or);

Status CompileOr(const json& value, EventPattern::Node& node) {
  if (!value.is_array()) return Invalid("It must be an Array followed with $or.");
  std::vector<std::shared_ptr<const EventPattern::Node>> group;
  for (const json& branch : value) {
    if (!branch.is_object()) {
      return Invalid("Only JSON object is allowed in array of $or relationship.");
    }
    ASSIGN_OR_RETURN(auto compiled, CompileObject(branch, true));
    group.push_back(std::move(compiled));
  }
  if (group.size() < 2) return Invalid("There must have at least 2 Objects in $or relationship.");
  node.ors.push_back(std::move(group));
  return Status::Ok();
}

Result<std::shared_ptr<const EventPattern::Node>> CompileObject(const json& object, bool in_or) {
  auto node = std::make_shared<EventPattern::Node>();
  if (object.empty()) return Invalid("Empty objects are not allowed");
  for (const auto& [key, value] : object.items()) {
    if (key == "$or") {
      RETURN_IF_ERROR(CompileOr(value, *node));
      continue;
    }
    if (in_or) {
      for (std::string_view reserved : kReserved) {
        if (key == reserved) {
          return Invalid(key + " is Ruler reserved fieldName which cannot be used inside $or.");
        }
      }
    }
    Field field;
    field.key = key;
    if (value.is_object()) {
      field.is_leaf = false;
      ASSIGN_OR_RETURN(field.object, CompileObject(value, in_or));
    } else if (value.is_array()) {
      ASSIGN_OR_RETURN(field.leaf, CompileLeaf(value));
    } else {
      return Invalid("\"" + key + "\" must be an object or an array");
    }
    node->fields.push_back(std::move(field));
  }
  return std::shared_ptr<const EventPattern::Node>(std::move(node));
}

// --- Matching ---

bool NumbersEqual(double a, double b) { return a == b; }

bool MatchValue(const Matcher& m, const json& v) {
  switch (m.kind) {
    case Kind::kString:
      return v.is_string() && v.get_ref<const std::string&>() == m.text;
    case Kind::kNumber:
      return v.is_number() && NumbersEqual(v.get<double>(), m.number);
    case Kind::kBool:
      return v.is_boolean() && v.get<bool>() == m.flag;
    case Kind::kNull:
      return v.is_null();
    case Kind::kPrefix:
    case Kind::kSuffix: {
      if (!v.is_string()) return false;
      std::string s =
          m.ignore_case ? Lower(v.get_ref<const std::string&>()) : v.get_ref<const std::string&>();
      return m.kind == Kind::kPrefix ? std::string_view(s).starts_with(m.text)
                                     : std::string_view(s).ends_with(m.text);
    }
    case Kind::kEqualsIgnoreCase:
      return v.is_string() && Lower(v.get_ref<const std::string&>()) == m.text;
    case Kind::kWildcard:
      return v.is_string() && WildcardMatches(m.text, v.get_ref<const std::string&>());
    case Kind::kAnythingBut:
      if (v.is_string()) {
        for (const std::string& s : m.strings) {
          if (v.get_ref<const std::string&>() == s) return false;
        }
        return true;
      }
      if (v.is_number()) {
        for (double n : m.numbers) {
          if (NumbersEqual(v.get<double>(), n)) return false;
        }
        return true;
      }
      return true;
    case Kind::kAnythingButPrefix:
      return !v.is_string() || !v.get_ref<const std::string&>().starts_with(m.text);
    case Kind::kAnythingButSuffix:
      return !v.is_string() || !v.get_ref<const std::string&>().ends_with(m.text);
    case Kind::kAnythingButIgnoreCase: {
      if (!v.is_string()) return true;
      std::string lower = Lower(v.get_ref<const std::string&>());
      for (const std::string& s : m.strings) {
        if (lower == s) return false;
      }
      return true;
    }
    case Kind::kAnythingButWildcard:
      return !v.is_string() || !WildcardMatches(m.text, v.get_ref<const std::string&>());
    case Kind::kNumeric: {
      if (!v.is_number()) return false;
      const double x = v.get<double>();
      if (m.low && (m.low_open ? !(x > *m.low) : !(x >= *m.low))) return false;
      if (m.high && (m.high_open ? !(x < *m.high) : !(x <= *m.high))) return false;
      return true;
    }
    case Kind::kCidr:
      return v.is_string() && CidrContains(m, v.get<std::string>());
    case Kind::kExists:
      return false;  // decided on the set of values, not one value
  }
  return false;
}

// The leaf values at a field: a scalar, or the scalars of an array (nested arrays flattened).
// Objects are not leaves.
void CollectLeaves(const json& v, std::vector<const json*>& out) {
  if (v.is_array()) {
    for (const json& e : v) {
      if (!e.is_object()) CollectLeaves(e, out);
    }
  } else if (!v.is_object()) {
    out.push_back(&v);
  }
}

bool MatchLeaf(const std::vector<Matcher>& matchers, const json* value) {
  std::vector<const json*> values;
  if (value != nullptr) CollectLeaves(*value, values);
  for (const Matcher& m : matchers) {
    if (m.kind == Kind::kExists) {
      if (m.flag == !values.empty()) return true;
      continue;
    }
    for (const json* v : values) {
      if (MatchValue(m, *v)) return true;
    }
  }
  return false;
}

bool MatchNode(const EventPattern::Node& node, const json& object) {
  static const json kEmpty = json::object();
  for (const Field& f : node.fields) {
    const json* value = nullptr;
    if (object.is_object()) {
      auto it = object.find(f.key);
      if (it != object.end()) value = &*it;
    }
    if (f.is_leaf) {
      if (!MatchLeaf(f.leaf, value)) return false;
      continue;
    }
    bool ok = false;
    if (value != nullptr && value->is_object()) {
      ok = MatchNode(*f.object, *value);
    } else if (value != nullptr && value->is_array()) {
      bool any_object = false;
      for (const json& e : *value) {
        if (!e.is_object()) continue;
        any_object = true;
        if (MatchNode(*f.object, e)) {
          ok = true;
          break;
        }
      }
      if (!any_object) ok = MatchNode(*f.object, kEmpty);
    } else {
      // Absent (or a scalar): only absence tests ("exists": false) can match beneath.
      ok = MatchNode(*f.object, kEmpty);
    }
    if (!ok) return false;
  }
  for (const auto& group : node.ors) {
    bool any = false;
    for (const auto& branch : group) {
      if (MatchNode(*branch, object)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace

Result<EventPattern> EventPattern::Compile(std::string_view text) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return Invalid("Invalid JSON");
  if (!parsed.is_object()) return Invalid("Filter is not an object");
  ASSIGN_OR_RETURN(std::shared_ptr<const Node> root, CompileObject(parsed, false));
  return EventPattern(std::move(root));
}

bool EventPattern::Matches(const nlohmann::json& event) const { return MatchNode(*root_, event); }

}  // namespace openpca::events
