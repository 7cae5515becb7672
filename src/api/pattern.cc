#include "api/pattern.h"

#include <utility>

namespace openpca::api {
namespace {

constexpr size_t kMaxProgramSize = 50000;
constexpr int kInfinite = -1;

// Parse tree of a pattern; compiled to the NFA program and then discarded.
struct Node {
  enum Kind { kEmpty, kClass, kConcat, kAlt, kRepeat, kBol, kEol } kind = kEmpty;
  int cls = 0;
  int min = 0;
  int max = 0;
  std::vector<Node> kids;
};

const CodePointRange kDigit[] = {{'0', '9'}};
const CodePointRange kWord[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
const CodePointRange kSpace[] = {{'\t', '\r'}, {' ', ' '}};  // \t \n \x0B \f \r and space
const CodePointRange kLineTerminators[] = {
    {'\n', '\n'}, {'\r', '\r'}, {0x85, 0x85}, {0x2028, 0x2029}};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

bool Pattern::CharClass::SlowMatches(char32_t c) const {
  bool in = false;
  for (const ClassItem& item : items) {
    bool hit;
    if (!item.table.empty()) {
      hit = InRanges(item.table, c);
    } else {
      hit = false;
      for (const CodePointRange& r : item.own) {
        if (c >= r.lo && c <= r.hi) {
          hit = true;
          break;
        }
      }
    }
    if (hit != item.negated) {
      in = true;
      break;
    }
  }
  return in != negated;
}

bool Pattern::CharClass::Matches(char32_t c) const {
  if (c < 128) return (ascii[c >> 6] >> (c & 63)) & 1;
  return SlowMatches(c);
}

// Recursive-descent parser from Java regex syntax to Node, then code generation. Recursion is
// over the pattern (trusted, from the embedded model), never over request input.
class PatternCompiler {
 public:
  explicit PatternCompiler(std::string_view src) : src_(src) {}

  Result<Pattern> Run() {
    Node root;
    RETURN_IF_ERROR(ParseAlt(&root));
    if (pos_ != src_.size()) return Error("unbalanced ')'");
    for (Pattern::CharClass& cls : out_.classes_) {
      for (char32_t c = 0; c < 128; ++c) {
        if (cls.SlowMatches(c)) cls.ascii[c >> 6] |= uint64_t{1} << (c & 63);
      }
    }
    RETURN_IF_ERROR(Emit(root));
    RETURN_IF_ERROR(Push({Pattern::Inst::kMatch}));
    out_.source_ = std::string(src_);
    return std::move(out_);
  }

 private:
  Status Error(std::string_view what) const {
    return InternalError("unsupported model pattern '" + std::string(src_) + "' at offset " +
                         std::to_string(pos_) + ": " + std::string(what));
  }
  bool AtEnd() const { return pos_ >= src_.size(); }
  char Peek() const { return src_[pos_]; }

  Status ParseAlt(Node* out) {
    Node first;
    RETURN_IF_ERROR(ParseConcat(&first));
    if (AtEnd() || Peek() != '|') {
      *out = std::move(first);
      return Status::Ok();
    }
    out->kind = Node::kAlt;
    out->kids.push_back(std::move(first));
    while (!AtEnd() && Peek() == '|') {
      ++pos_;
      Node next;
      RETURN_IF_ERROR(ParseConcat(&next));
      out->kids.push_back(std::move(next));
    }
    return Status::Ok();
  }

  Status ParseConcat(Node* out) {
    out->kind = Node::kConcat;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      Node atom;
      RETURN_IF_ERROR(ParseAtom(&atom));
      RETURN_IF_ERROR(ParseQuantifiers(&atom));
      out->kids.push_back(std::move(atom));
    }
    return Status::Ok();
  }

  Status ParseQuantifiers(Node* atom) {
    while (!AtEnd()) {
      int min = 0;
      int max = 0;
      char c = Peek();
      if (c == '*') {
        min = 0, max = kInfinite, ++pos_;
      } else if (c == '+') {
        min = 1, max = kInfinite, ++pos_;
      } else if (c == '?') {
        min = 0, max = 1, ++pos_;
      } else if (c == '{') {
        ++pos_;
        RETURN_IF_ERROR(ParseNumber(&min));
        max = min;
        if (!AtEnd() && Peek() == ',') {
          ++pos_;
          if (!AtEnd() && Peek() == '}') {
            max = kInfinite;
          } else {
            RETURN_IF_ERROR(ParseNumber(&max));
          }
        }
        if (AtEnd() || Peek() != '}') return Error("bad {n,m} quantifier");
        ++pos_;
        if (max != kInfinite && max < min) return Error("quantifier max < min");
      } else {
        return Status::Ok();
      }
      if (atom->kind == Node::kBol || atom->kind == Node::kEol) {
        return Error("quantified anchor");
      }
      if (!AtEnd() && Peek() == '?') {
        ++pos_;  // lazy: same language under a full match
      } else if (!AtEnd() && Peek() == '+') {
        return Error("possessive quantifier");
      }
      Node rep;
      rep.kind = Node::kRepeat;
      rep.min = min;
      rep.max = max;
      rep.kids.push_back(std::move(*atom));
      *atom = std::move(rep);
    }
    return Status::Ok();
  }

  Status ParseNumber(int* out) {
    size_t start = pos_;
    long v = 0;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      v = v * 10 + (Peek() - '0');
      if (v > 1000) return Error("repetition count too large");
      ++pos_;
    }
    if (pos_ == start) return Error("expected a number");
    *out = static_cast<int>(v);
    return Status::Ok();
  }

  Status ParseAtom(Node* out) {
    char c = Peek();
    switch (c) {
      case '(': {
        ++pos_;
        if (src_.substr(pos_, 2) == "?:") {
          pos_ += 2;
        } else if (!AtEnd() && Peek() == '?') {
          return Error("unsupported group construct");
        }
        RETURN_IF_ERROR(ParseAlt(out));
        if (AtEnd() || Peek() != ')') return Error("missing ')'");
        ++pos_;
        return Status::Ok();
      }
      case '[':
        return ParseClass(out);
      case '.': {
        ++pos_;
        Pattern::ClassItem item;
        item.table = kLineTerminators;
        item.negated = true;
        return NewClass(out, {std::move(item)}, false);
      }
      case '^':
        ++pos_;
        out->kind = Node::kBol;
        return Status::Ok();
      case '$':
        ++pos_;
        out->kind = Node::kEol;
        return Status::Ok();
      case '*':
      case '+':
      case '?':
      case '{':
        return Error("dangling quantifier");
      case '\\': {
        Pattern::ClassItem item;
        bool is_class = false;
        char32_t cp = 0;
        RETURN_IF_ERROR(ParseEscape(&item, &is_class, &cp));
        if (!is_class) item.own.push_back({cp, cp});
        return NewClass(out, {std::move(item)}, false);
      }
      default: {
        char32_t cp = 0;
        RETURN_IF_ERROR(ParseLiteral(&cp));
        Pattern::ClassItem item;
        item.own.push_back({cp, cp});
        return NewClass(out, {std::move(item)}, false);
      }
    }
  }

  Status ParseLiteral(char32_t* cp) {
    std::optional<char32_t> v = DecodeUtf8(src_, &pos_);
    if (!v.has_value()) return Error("ill-formed UTF-8");
    *cp = *v;
    return Status::Ok();
  }

  // Parses the escape at pos_ ('\\'). Either a class (is_class, filled into *item) or a single
  // code point (*cp).
  Status ParseEscape(Pattern::ClassItem* item, bool* is_class, char32_t* cp) {
    ++pos_;
    if (AtEnd()) return Error("trailing backslash");
    char c = Peek();
    ++pos_;
    *is_class = true;
    switch (c) {
      case 'd':
        item->table = kDigit;
        return Status::Ok();
      case 'D':
        item->table = kDigit, item->negated = true;
        return Status::Ok();
      case 'w':
        item->table = kWord;
        return Status::Ok();
      case 'W':
        item->table = kWord, item->negated = true;
        return Status::Ok();
      case 's':
        item->table = kSpace;
        return Status::Ok();
      case 'S':
        item->table = kSpace, item->negated = true;
        return Status::Ok();
      case 'p':
      case 'P': {
        std::string_view name;
        if (!AtEnd() && Peek() == '{') {
          size_t close = src_.find('}', pos_);
          if (close == std::string_view::npos) return Error("unterminated \\p{");
          name = src_.substr(pos_ + 1, close - pos_ - 1);
          pos_ = close + 1;
        } else if (!AtEnd()) {
          name = src_.substr(pos_, 1);
          ++pos_;
        }
        if (name.starts_with("Is")) name.remove_prefix(2);
        item->table = UnicodeCategoryRanges(name);
        if (item->table.empty()) return Error("unsupported Unicode property");
        item->negated = c == 'P';
        return Status::Ok();
      }
      default:
        break;
    }
    *is_class = false;
    switch (c) {
      case 't':
        *cp = '\t';
        return Status::Ok();
      case 'n':
        *cp = '\n';
        return Status::Ok();
      case 'r':
        *cp = '\r';
        return Status::Ok();
      case 'f':
        *cp = '\f';
        return Status::Ok();
      case 'a':
        *cp = 0x07;
        return Status::Ok();
      case 'e':
        *cp = 0x1B;
        return Status::Ok();
      case 'u':
      case 'x': {
        int digits = c == 'u' ? 4 : 2;
        if (pos_ + digits > src_.size()) return Error("short hex escape");
        char32_t v = 0;
        for (int i = 0; i < digits; ++i) {
          int h = HexValue(src_[pos_ + i]);
          if (h < 0) return Error("bad hex escape");
          v = (v << 4) | static_cast<char32_t>(h);
        }
        pos_ += digits;
        *cp = v;
        return Status::Ok();
      }
      default:
        // Java reserves escaped ASCII letters and digits; everything else is a literal.
        if (IsAsciiAlnum(c)) return Error("unsupported escape");
        --pos_;
        return ParseLiteral(cp);
    }
  }

  Status ParseClass(Node* out) {
    ++pos_;  // '['
    bool negated = false;
    if (!AtEnd() && Peek() == '^') {
      negated = true;
      ++pos_;
    }
    std::vector<Pattern::ClassItem> items;
    Pattern::ClassItem singles;  // plain code points and ranges
    bool first = true;
    while (true) {
      if (AtEnd()) return Error("unterminated character class");
      char c = Peek();
      if (c == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      if (c == '[') return Error("nested character class");
      if (c == '&' && src_.substr(pos_, 2) == "&&") return Error("class intersection");
      char32_t lo = 0;
      if (c == '\\') {
        Pattern::ClassItem item;
        bool is_class = false;
        RETURN_IF_ERROR(ParseEscape(&item, &is_class, &lo));
        if (is_class) {
          items.push_back(std::move(item));
          continue;
        }
      } else {
        RETURN_IF_ERROR(ParseLiteral(&lo));
      }
      char32_t hi = lo;
      if (pos_ + 1 < src_.size() && Peek() == '-' && src_[pos_ + 1] != ']') {
        ++pos_;
        if (Peek() == '\\') {
          Pattern::ClassItem item;
          bool is_class = false;
          RETURN_IF_ERROR(ParseEscape(&item, &is_class, &hi));
          if (is_class) return Error("class escape as range end");
        } else if (Peek() == '[') {
          return Error("nested character class");
        } else {
          RETURN_IF_ERROR(ParseLiteral(&hi));
        }
        if (hi < lo) return Error("reversed range");
      }
      singles.own.push_back({lo, hi});
    }
    if (!singles.own.empty()) items.push_back(std::move(singles));
    return NewClass(out, std::move(items), negated);
  }

  Status NewClass(Node* out, std::vector<Pattern::ClassItem> items, bool negated) {
    Pattern::CharClass cls;
    cls.items = std::move(items);
    cls.negated = negated;
    out_.classes_.push_back(std::move(cls));
    out->kind = Node::kClass;
    out->cls = static_cast<int>(out_.classes_.size() - 1);
    return Status::Ok();
  }

  // --- Code generation ---

  int Pc() const { return static_cast<int>(out_.program_.size()); }

  Status Push(Pattern::Inst inst) {
    if (out_.program_.size() >= kMaxProgramSize) return Error("pattern too large");
    out_.program_.push_back(inst);
    return Status::Ok();
  }

  Status Emit(const Node& n) {
    using Inst = Pattern::Inst;
    switch (n.kind) {
      case Node::kEmpty:
        return Status::Ok();
      case Node::kClass:
        return Push({Inst::kClass, n.cls});
      case Node::kBol:
        return Push({Inst::kBol});
      case Node::kEol:
        return Push({Inst::kEol});
      case Node::kConcat:
        for (const Node& k : n.kids) RETURN_IF_ERROR(Emit(k));
        return Status::Ok();
      case Node::kAlt: {
        // split L1, next; L1: a; jmp end; next: split L2, next2; ... last: z; end:
        std::vector<int> jumps;
        for (size_t i = 0; i < n.kids.size(); ++i) {
          bool last = i + 1 == n.kids.size();
          int split = Pc();
          if (!last) RETURN_IF_ERROR(Push({Inst::kSplit, split + 1, 0}));
          RETURN_IF_ERROR(Emit(n.kids[i]));
          if (!last) {
            jumps.push_back(Pc());
            RETURN_IF_ERROR(Push({Inst::kJmp, 0}));
            out_.program_[split].y = Pc();
          }
        }
        for (int j : jumps) out_.program_[j].x = Pc();
        return Status::Ok();
      }
      case Node::kRepeat: {
        const Node& kid = n.kids[0];
        for (int i = 0; i < n.min; ++i) RETURN_IF_ERROR(Emit(kid));
        if (n.max == kInfinite) {
          // L: split L+1, end; kid; jmp L; end:
          int loop = Pc();
          RETURN_IF_ERROR(Push({Inst::kSplit, loop + 1, 0}));
          RETURN_IF_ERROR(Emit(kid));
          RETURN_IF_ERROR(Push({Inst::kJmp, loop}));
          out_.program_[loop].y = Pc();
          return Status::Ok();
        }
        // Optional copies, nested so that a later copy only runs after an earlier one matched:
        // split a, end; kid; split b, end; kid; ... end:
        std::vector<int> splits;
        for (int i = n.min; i < n.max; ++i) {
          splits.push_back(Pc());
          RETURN_IF_ERROR(Push({Inst::kSplit, Pc() + 1, 0}));
          RETURN_IF_ERROR(Emit(kid));
        }
        for (int s : splits) out_.program_[s].y = Pc();
        return Status::Ok();
      }
    }
    return Error("unreachable");
  }

  std::string_view src_;
  size_t pos_ = 0;
  Pattern out_;
};

Result<Pattern> Pattern::Compile(std::string_view java_regex) {
  return PatternCompiler(java_regex).Run();
}

void Pattern::AddThread(std::vector<int>& list, int pc, bool at_begin, bool at_end,
                        std::vector<uint32_t>& mark, uint32_t gen, std::vector<int>& stack) const {
  stack.clear();
  stack.push_back(pc);
  while (!stack.empty()) {
    int p = stack.back();
    stack.pop_back();
    if (mark[p] == gen) continue;
    mark[p] = gen;
    const Inst& inst = program_[p];
    switch (inst.op) {
      case Inst::kJmp:
        stack.push_back(inst.x);
        break;
      case Inst::kSplit:
        stack.push_back(inst.y);
        stack.push_back(inst.x);
        break;
      case Inst::kBol:
        if (at_begin) stack.push_back(p + 1);
        break;
      case Inst::kEol:
        if (at_end) stack.push_back(p + 1);
        break;
      case Inst::kClass:
      case Inst::kMatch:
        list.push_back(p);
        break;
    }
  }
}

bool Pattern::FullMatch(std::string_view utf8) const {
  // Per-thread scratch: no allocation once warmed up, no sharing between threads.
  struct Scratch {
    std::vector<int> cur, next, stack;
    std::vector<uint32_t> mark;
    uint32_t gen = 0;
  };
  thread_local Scratch s;
  if (s.mark.size() < program_.size()) s.mark.assign(program_.size(), 0);
  auto next_gen = [&]() {
    if (++s.gen == 0) {  // wrapped: stale marks could collide
      std::fill(s.mark.begin(), s.mark.end(), 0);
      s.gen = 1;
    }
    return s.gen;
  };

  s.cur.clear();
  AddThread(s.cur, 0, true, utf8.empty(), s.mark, next_gen(), s.stack);
  size_t pos = 0;
  while (pos < utf8.size()) {
    if (s.cur.empty()) return false;
    std::optional<char32_t> c = DecodeUtf8(utf8, &pos);
    if (!c.has_value()) return false;
    bool at_end = pos == utf8.size();
    uint32_t gen = next_gen();
    s.next.clear();
    for (int pc : s.cur) {
      const Inst& inst = program_[pc];
      if (inst.op == Inst::kClass && classes_[inst.x].Matches(*c)) {
        AddThread(s.next, pc + 1, false, at_end, s.mark, gen, s.stack);
      }
    }
    s.cur.swap(s.next);
  }
  for (int pc : s.cur) {
    if (program_[pc].op == Inst::kMatch) return true;
  }
  return false;
}

}  // namespace openpca::api
