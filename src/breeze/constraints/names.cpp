#include <breeze/constraints/names.hpp>

namespace breeze::constraints {

namespace {
bool is_name_separator(char c) { return c == '-' || c == '_' || c == '.'; }
bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
} // namespace

std::string canonicalize_name(std::string_view name) {
  // re.sub(r"[-_.]+", "-", name).lower(): every other byte (even "\n") is kept, only case folds.
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (is_name_separator(c)) {
      if (i == 0 || !is_name_separator(name[i - 1])) out.push_back('-');
      continue;
    }
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || !is_ascii_alnum(name.front()) || !is_ascii_alnum(name.back())) return false;
  for (const char c : name)
    if (!is_ascii_alnum(c) && !is_name_separator(c)) return false;
  return true;
}

} // namespace breeze::constraints
