// File: iam/policy/variables.cc
#include "iam/policy/variables.h"

#include "iam/policy/matching.h"

namespace confiance::iam::policy {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

void AppendAs(PolicyString::Use use, std::string_view text, bool policy_text, std::string& out) {
  // Policy text keeps its wildcards; only its backslashes are escaped, so
  // that a backslash in a policy is never an escape character.
  if (use == PolicyString::Use::kLiteral) {
    out.append(text);
  } else if (policy_text) {
    for (char c : text) {
      if (c == '\\') out.push_back('\\');
      out.push_back(c);
    }
  } else {
    AppendEscaped(text, out);
  }
}

template <typename Buffer>
void AppendEscapedTo(PolicyString::Use use, std::string_view text, Buffer& out) {
  for (char c : text) {
    if (use == PolicyString::Use::kPattern && (c == '*' || c == '?' || c == '\\')) out.push_back('\\');
    out.push_back(c);
  }
}

}  // namespace

PolicyString PolicyString::Compile(std::string_view text, bool variables, Use use) {
  PolicyString s;
  s.source_ = std::string(text);
  s.use_ = use;
  std::vector<Part> parts;
  std::string literal;
  bool any_variable = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = variables ? text.find("${", i) : std::string_view::npos;
    size_t close = open == std::string_view::npos ? open : text.find('}', open + 2);
    if (close == std::string_view::npos) {
      AppendAs(use, text.substr(i), true, literal);
      break;
    }
    AppendAs(use, text.substr(i, open - i), true, literal);
    std::string_view inner = Trim(text.substr(open + 2, close - open - 2));
    i = close + 1;
    if (inner == "*" || inner == "?" || inner == "$") {
      AppendAs(use, inner, false, literal);
      continue;
    }
    Part var{.text = {}, .is_variable = true, .fallback = std::nullopt};
    size_t comma = inner.find(',');
    std::string_view key = Trim(inner.substr(0, comma));
    if (comma != std::string_view::npos) {
      std::string_view def = Trim(inner.substr(comma + 1));
      if (def.size() >= 2 && def.front() == '\'' && def.back() == '\'') def = def.substr(1, def.size() - 2);
      var.fallback.emplace();
      AppendAs(use, def, false, *var.fallback);
    }
    if (key.empty()) {  // "${}" or "${, 'x'}": not a variable, keep the text
      AppendAs(use, text.substr(open, close + 1 - open), true, literal);
      continue;
    }
    var.text = std::string(key);
    if (!literal.empty()) parts.push_back({std::move(literal), false, std::nullopt});
    literal.clear();
    parts.push_back(std::move(var));
    any_variable = true;
  }
  if (any_variable) {
    if (!literal.empty()) parts.push_back({std::move(literal), false, std::nullopt});
    s.parts_ = std::move(parts);
  } else {
    s.fixed_ = std::move(literal);
    size_t special = s.fixed_.find_first_of("*?\\");
    s.head_ = special == std::string::npos ? s.fixed_.size() : special;
    s.exact_ = special == std::string::npos;
    s.head_star_ = !s.exact_ && s.head_ + 1 == s.fixed_.size() && s.fixed_.back() == '*';
  }
  return s;
}

std::optional<std::string_view> PolicyString::Resolve(const RequestContext& ctx,
                                                      ExpandBuffer& scratch) const {
  if (parts_.empty()) return std::string_view(fixed_);
  scratch.clear();
  for (const Part& part : parts_) {
    if (!part.is_variable) {
      scratch.insert(scratch.end(), part.text.begin(), part.text.end());
      continue;
    }
    std::optional<std::string_view> value = ctx.Find(part.text);
    if (value) {
      AppendEscapedTo(use_, *value, scratch);
    } else if (part.fallback) {
      scratch.insert(scratch.end(), part.fallback->begin(), part.fallback->end());
    } else {
      return std::nullopt;
    }
  }
  return std::string_view(scratch.data(), scratch.size());
}

bool PolicyString::Matches(std::string_view text, const RequestContext& ctx, ExpandBuffer& scratch) const {
  if (!parts_.empty()) {
    std::optional<std::string_view> pattern = Resolve(ctx, scratch);
    return pattern && WildcardMatch(*pattern, text);
  }
  std::string_view pattern = fixed_;
  if (exact_) return text == pattern;
  if (text.substr(0, head_) != pattern.substr(0, head_)) return false;
  if (head_star_) return true;
  return WildcardMatch(pattern.substr(head_), text.substr(head_));
}

}  // namespace confiance::iam::policy
