#include "policy/value_template.h"

namespace openpca::policy {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "'text'" with '' standing for one quote; nullopt when not of that form.
std::optional<std::string> ParseQuoted(std::string_view s) {
  if (s.size() < 2 || s.front() != '\'' || s.back() != '\'') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\'') {
      if (i + 1 < s.size() && s[i + 1] == '\'') {
        out.push_back('\'');
        ++i;
        continue;
      }
      return std::nullopt;
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

ValueTemplate ValueTemplate::Parse(std::string_view text, bool variables) {
  ValueTemplate t;
  t.text_ = std::string(text);
  auto add_text = [&t](std::string_view s, Part::Kind kind) {
    if (s.empty()) return;
    if (!t.parts_.empty() && t.parts_.back().kind == kind) {
      t.parts_.back().text.append(s);
    } else {
      t.parts_.push_back(Part{kind, std::string(s), std::nullopt, {}});
    }
  };
  size_t pos = 0;
  while (variables && pos < text.size()) {
    size_t open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    // The closing brace: skip braces inside a quoted default value.
    size_t close = std::string_view::npos;
    bool quoted = false;
    for (size_t i = open + 2; i < text.size(); ++i) {
      if (text[i] == '\'') quoted = !quoted;
      if (!quoted && text[i] == '}') {
        close = i;
        break;
      }
    }
    if (close == std::string_view::npos) break;  // no variable: the rest is text
    add_text(text.substr(pos, open - pos), Part::kText);
    std::string_view body = Trim(text.substr(open + 2, close - open - 2));
    if (body == "*" || body == "?" || body == "$") {
      add_text(body, Part::kLiteral);
    } else {
      Part var{Part::kVariable, {}, std::nullopt, {}};
      size_t comma = body.find(',');
      std::string_view key = Trim(body.substr(0, comma));
      bool ok = !key.empty();
      if (comma != std::string_view::npos) {
        var.default_value = ParseQuoted(Trim(body.substr(comma + 1)));
        ok = ok && var.default_value.has_value();
      }
      if (!ok) {
        // Not a variable AWS would recognise: keep it as written.
        add_text(text.substr(open, close + 1 - open), Part::kText);
      } else {
        var.text = AsciiLowerCopy(key);
        var.written_key = std::string(key);
        t.parts_.push_back(std::move(var));
        t.has_variables_ = true;
      }
    }
    pos = close + 1;
  }
  add_text(text.substr(std::min(pos, text.size())), Part::kText);
  if (!t.has_variables_) {
    for (const Part& p : t.parts_) t.static_text_ += p.text;
  }
  return t;
}

std::vector<std::string> ValueTemplate::VariableKeys() const {
  std::vector<std::string> out;
  for (const Part& p : parts_) {
    if (p.kind == Part::kVariable) out.push_back(p.written_key);
  }
  return out;
}

const std::string* ValueTemplate::Resolve(const Part& part, const RequestContext& request) const {
  const RequestContext::Entry* e = request.FindLower(part.text);
  // Multivalued keys cannot be policy variables.
  if (e != nullptr && !e->multi && e->values.size() == 1) return &e->values[0];
  if (part.default_value.has_value()) return &*part.default_value;
  return nullptr;
}

bool ValueTemplate::ExpandString(const RequestContext& request, std::string* out) const {
  for (const Part& p : parts_) {
    if (p.kind == Part::kVariable) {
      const std::string* v = Resolve(p, request);
      if (v == nullptr) return false;
      out->append(*v);
    } else {
      out->append(p.text);
    }
  }
  return true;
}

bool ValueTemplate::ExpandGlob(const RequestContext& request, GlobPattern* out) const {
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::kText:
        out->AppendWildcardText(p.text);
        break;
      case Part::kLiteral:
        out->AppendLiteral(p.text);
        break;
      case Part::kVariable: {
        const std::string* v = Resolve(p, request);
        if (v == nullptr) return false;
        out->AppendLiteral(*v);
        break;
      }
    }
  }
  return true;
}

GlobPattern ValueTemplate::StaticGlob() const {
  GlobPattern g;
  for (const Part& p : parts_) {
    if (p.kind == Part::kText) g.AppendWildcardText(p.text);
    if (p.kind == Part::kLiteral) g.AppendLiteral(p.text);
  }
  return g;
}

}  // namespace openpca::policy
