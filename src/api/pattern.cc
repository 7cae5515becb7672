#include "api/pattern.h"

#include <re2/re2.h>

#include <array>
#include <cstdio>
#include <utility>

#include "api/utf8.h"

namespace openpca::api {
namespace {

// Java's '.' (without DOTALL): anything but a line terminator.
constexpr std::string_view kDot = "[^\\n\\r\\x{85}\\x{2028}\\x{2029}]";
// Java's \s: [ \t\n\x0B\f\r] (RE2's \s lacks \x0B).
constexpr std::string_view kSpaceMembers = "\\t\\n\\x{0B}\\f\\r ";
// Java's \S as class members: every code point but those six.
constexpr std::string_view kNonSpaceMembers = "\\x00-\\x08\\x{0E}-\\x{1F}\\x{21}-\\x{10FFFF}";

// Model patterns that use negative lookahead, which RE2 does not have, with equivalents: the
// input must fully match every `must` expression and none of the `must_not` ones.
struct LookaheadEquivalent {
  std::string_view java;
  std::string_view must;
  std::string_view must_not;  // empty: none
};
constexpr std::array<LookaheadEquivalent, 3> kLookaheadEquivalents = {{
    // iam accountAliasType: 3..63 of [a-z0-9-], alphanumeric at both ends, no "--".
    {R"(^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$)", "[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
     "[a-z0-9-]*--[a-z0-9-]*"},
    // acm DomainNameString: labels of 1..63 (the last 2..63) that start and end alphanumeric.
    {R"((\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9]))",
     "(\\*\\.)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+"
     "[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]",
     ""},
    // events PathParameter: one or more non-line-terminators, not all whitespace.
    {R"(^(?!\s*$).+)", "[^\\n\\r\\x{85}\\x{2028}\\x{2029}]+", "[\\t\\n\\x{0B}\\f\\r ]*"},
}};

Status Unsupported(std::string_view re, std::string_view why) {
  return Status(ErrorCode::kInternal,
                "unsupported model pattern '" + std::string(re) + "': " + std::string(why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string HexEscape(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "\\x{%X}", static_cast<unsigned>(cp));
  return buf;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsGeneralCategory(std::string_view n) {
  static constexpr std::string_view kCategories[] = {
      "L",  "Lu", "Ll", "Lt", "Lm", "Lo", "M",  "Mn", "Mc", "Me", "N",  "Nd",
      "Nl", "No", "P",  "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S",  "Sm",
      "Sc", "Sk", "So", "Z",  "Zs", "Zl", "Zp", "C",  "Cc", "Cf", "Co", "Cs"};
  for (std::string_view c : kCategories) {
    if (c == n) return true;
  }
  return false;
}

// Java's POSIX character classes, defined over US-ASCII: their members in RE2 class syntax.
std::string_view PosixMembers(std::string_view n) {
  if (n == "Lower") return "a-z";
  if (n == "Upper") return "A-Z";
  if (n == "ASCII") return "\\x00-\\x7F";
  if (n == "Alpha") return "a-zA-Z";
  if (n == "Digit") return "0-9";
  if (n == "Alnum") return "a-zA-Z0-9";
  if (n == "Punct") return "!-/:-@\\[-`{-~";
  if (n == "Graph") return "!-~";
  if (n == "Print") return " -~";
  if (n == "Blank") return " \\t";
  if (n == "Cntrl") return "\\x00-\\x1F\\x7F";
  if (n == "XDigit") return "0-9a-fA-F";
  if (n == "Space") return kSpaceMembers;
  return {};
}

class Translator {
 public:
  explicit Translator(std::string_view re) : re_(re) {}

  Result<std::string> Run() {
    while (i_ < re_.size()) {
      char c = re_[i_];
      switch (c) {
        case '\\':
          RETURN_IF_ERROR(Escape(/*in_class=*/false));
          break;
        case '[':
          RETURN_IF_ERROR(Class());
          break;
        case '.':
          out_ += dotall_ ? std::string_view("(?s:.)") : kDot;
          ++i_;
          break;
        case '(':
          if (Peek(1) == '?') {
            if (Peek(2) == ':') {
              out_ += "(?:";
              i_ += 3;
            } else {
              RETURN_IF_ERROR(InlineFlags());
            }
          } else {
            out_ += '(';
            ++i_;
          }
          break;
        case '*':
        case '+':
        case '?':
          out_ += c;
          ++i_;
          RETURN_IF_ERROR(QuantifierSuffix());
          break;
        case '{':
          RETURN_IF_ERROR(Repetition());
          break;
        default:
          out_ += c;  // literals (UTF-8 bytes pass through), '|', ')', '^', '$'
          ++i_;
          break;
      }
    }
    return std::move(out_);
  }

 private:
  char Peek(size_t ahead) const {
    return i_ + ahead < re_.size() ? re_[i_ + ahead] : '\0';
  }

  // (?s) and (?i) from here on (DOTALL, CASE_INSENSITIVE); any other '(?' form (lookaround,
  // named groups, scoped or other flags) is refused.
  Status InlineFlags() {
    size_t j = i_ + 2;
    std::string flags;
    while (j < re_.size() && (re_[j] == 's' || re_[j] == 'i')) flags += re_[j++];
    if (flags.empty() || j >= re_.size() || re_[j] != ')') {
      return Unsupported(re_, "lookaround, named groups and flags other than (?s) (?i)");
    }
    if (flags.find('s') != std::string::npos) dotall_ = true;
    if (flags.find('i') != std::string::npos) out_ += "(?i)";
    i_ = j + 1;
    return Status::Ok();
  }

  // After a quantifier: a lazy '?' is kept (it cannot change a full match); a possessive '+'
  // can, and RE2 has none.
  Status QuantifierSuffix() {
    if (Peek(0) == '+') return Unsupported(re_, "possessive quantifier");
    if (Peek(0) == '?') {
      out_ += '?';
      ++i_;
    }
    return Status::Ok();
  }

  // {n} {n,} {n,m}: anything else after '{' is a Java syntax error.
  Status Repetition() {
    size_t j = i_ + 1;
    auto digits = [&](int* value) {
      size_t start = j;
      long v = 0;
      while (j < re_.size() && re_[j] >= '0' && re_[j] <= '9') {
        v = v * 10 + (re_[j] - '0');
        if (v > 100000) return false;
        ++j;
      }
      *value = static_cast<int>(v);
      return j > start;
    };
    int lo = 0;
    int hi = -1;
    if (!digits(&lo)) return Unsupported(re_, "'{' is not a repetition");
    if (j < re_.size() && re_[j] == ',') {
      ++j;
      if (j < re_.size() && re_[j] != '}' && !digits(&hi)) {
        return Unsupported(re_, "'{' is not a repetition");
      }
    } else {
      hi = lo;
    }
    if (j >= re_.size() || re_[j] != '}') return Unsupported(re_, "'{' is not a repetition");
    if (hi >= 0 && hi < lo) return Unsupported(re_, "repetition {n,m} with m < n");
    out_.append(re_.substr(i_, j + 1 - i_));
    i_ = j + 1;
    return QuantifierSuffix();
  }

  // \uXXXX, with a following low surrogate escape joined into one code point as Java does.
  Result<char32_t> UnicodeEscape() {
    auto four = [&](size_t at) -> int {
      if (at + 4 > re_.size()) return -1;
      int v = 0;
      for (size_t k = 0; k < 4; ++k) {
        int h = HexValue(re_[at + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
      }
      return v;
    };
    int v = four(i_ + 2);
    if (v < 0) return Unsupported(re_, "\\u needs four hex digits");
    i_ += 6;
    if (v >= 0xD800 && v <= 0xDBFF && Peek(0) == '\\' && Peek(1) == 'u') {
      int low = four(i_ + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        i_ += 6;
        return static_cast<char32_t>(0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00));
      }
    }
    if (v >= 0xD800 && v <= 0xDFFF) return Unsupported(re_, "a lone surrogate escape");
    return static_cast<char32_t>(v);
  }

  // \p{Name}, \P{Name}, \pL: members (for use inside a class) or a whole item.
  Status Property(bool in_class) {
    const bool negated = Peek(1) == 'P';
    std::string name;
    if (Peek(2) == '{') {
      size_t close = re_.find('}', i_ + 3);
      if (close == std::string_view::npos) return Unsupported(re_, "unterminated \\p{");
      name = std::string(re_.substr(i_ + 3, close - i_ - 3));
      i_ = close + 1;
    } else if (IsAsciiAlnum(Peek(2))) {
      name = std::string(1, Peek(2));
      i_ += 3;
    } else {
      return Unsupported(re_, "malformed \\p");
    }
    std::string category = name;
    if (category.size() > 2 && category.starts_with("Is")) category = category.substr(2);
    std::string members;
    bool perl = false;
    if (IsGeneralCategory(category)) {
      members = std::string(negated ? "\\P{" : "\\p{") + category + "}";
      perl = true;
    } else if (category == "Alphabetic") {
      members = "\\p{L}\\p{Nl}";
    } else if (std::string_view posix = PosixMembers(name); !posix.empty()) {
      members = std::string(posix);
    } else {
      return Unsupported(re_, "unknown character property \\p{" + name + "}");
    }
    if (perl) {
      out_ += members;
    } else if (in_class) {
      if (negated) return Unsupported(re_, "a negated multi-range property inside a class");
      out_ += members;
    } else {
      out_ += negated ? "[^" : "[";
      out_ += members;
      out_ += ']';
    }
    return Status::Ok();
  }

  Status Escape(bool in_class) {
    char e = Peek(1);
    switch (e) {
      case 'u': {
        ASSIGN_OR_RETURN(char32_t cp, UnicodeEscape());
        out_ += HexEscape(cp);
        return Status::Ok();
      }
      case 'x': {
        int h1 = HexValue(Peek(2));
        int h2 = HexValue(Peek(3));
        if (h1 < 0 || h2 < 0) return Unsupported(re_, "\\x needs two hex digits");
        out_ += HexEscape(static_cast<char32_t>(h1 * 16 + h2));
        i_ += 4;
        return Status::Ok();
      }
      case 't':
      case 'n':
      case 'r':
      case 'f':
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        out_ += '\\';
        out_ += e;
        i_ += 2;
        return Status::Ok();
      case 'a':
        out_ += "\\x{7}";
        i_ += 2;
        return Status::Ok();
      case 'e':
        out_ += "\\x{1B}";
        i_ += 2;
        return Status::Ok();
      case 's':
        if (!in_class) out_ += '[';
        out_ += kSpaceMembers;
        if (!in_class) out_ += ']';
        i_ += 2;
        return Status::Ok();
      case 'S':
        if (!in_class) out_ += '[';
        out_ += kNonSpaceMembers;
        if (!in_class) out_ += ']';
        i_ += 2;
        return Status::Ok();
      case 'p':
      case 'P':
        return Property(in_class);
      case '\0':
        return Unsupported(re_, "trailing backslash");
      default:
        break;
    }
    // Any other escaped ASCII character that is not a letter or digit is itself.
    if (static_cast<unsigned char>(e) < 0x80 && !IsAsciiAlnum(e)) {
      out_ += '\\';
      out_ += e;
      i_ += 2;
      return Status::Ok();
    }
    return Unsupported(re_, std::string("the escape \\") + e);
  }

  Status Class() {
    out_ += '[';
    ++i_;
    if (Peek(0) == '^') {
      out_ += '^';
      ++i_;
    }
    if (Peek(0) == ']') return Unsupported(re_, "a class starting with ']'");
    while (i_ < re_.size() && re_[i_] != ']') {
      char c = re_[i_];
      if (c == '[') return Unsupported(re_, "class union or nesting");
      if (c == '&' && Peek(1) == '&') return Unsupported(re_, "class intersection");
      if (c == '\\') {
        RETURN_IF_ERROR(Escape(/*in_class=*/true));
      } else {
        out_ += c;
        ++i_;
      }
    }
    if (i_ >= re_.size()) return Unsupported(re_, "unterminated class");
    out_ += ']';
    ++i_;
    return Status::Ok();
  }

  std::string_view re_;
  size_t i_ = 0;
  std::string out_;
  bool dotall_ = false;
};

Result<std::shared_ptr<const re2::RE2>> CompileRe2(std::string_view java,
                                                   std::string_view re2_syntax) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_case_sensitive(true);
  auto re = std::make_shared<const re2::RE2>(re2_syntax, options);
  if (!re->ok()) return Unsupported(java, re->error());
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

}  // namespace

Result<std::string> Pattern::TranslateToRe2(std::string_view java_regex) {
  return Translator(java_regex).Run();
}

Result<Pattern> Pattern::Compile(std::string_view java_regex) {
  Pattern p;
  p.source_ = std::string(java_regex);
  for (const LookaheadEquivalent& eq : kLookaheadEquivalents) {
    if (eq.java != java_regex) continue;
    ASSIGN_OR_RETURN(auto must, CompileRe2(java_regex, eq.must));
    p.terms_.push_back(Term{std::move(must), true});
    if (!eq.must_not.empty()) {
      ASSIGN_OR_RETURN(auto must_not, CompileRe2(java_regex, eq.must_not));
      p.terms_.push_back(Term{std::move(must_not), false});
    }
    return p;
  }
  ASSIGN_OR_RETURN(std::string translated, TranslateToRe2(java_regex));
  ASSIGN_OR_RETURN(auto re, CompileRe2(java_regex, translated));
  p.terms_.push_back(Term{std::move(re), true});
  return p;
}

bool Pattern::FullMatch(std::string_view utf8) const {
  // RE2 matches ill-formed bytes loosely (a negated class can take one); Java strings cannot
  // hold them, so they never match.
  if (!CountUtf8CodePoints(utf8).has_value()) return false;
  for (const Term& t : terms_) {
    if (RE2::FullMatch(utf8, *t.re) != t.must_match) return false;
  }
  return true;
}

}  // namespace openpca::api
