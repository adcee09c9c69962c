#include <breeze/constraints/requirement.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>

#include "pep508_cursor.hpp"

#include <array>
#include <utility>

// The grammar is packaging's (packaging/_parser.py, which follows PEP 508):
//   requirement = name ('[' (extra (',' extra)*)? ']')? details
//   details     = '@' URL (space (';' marker)?)?      the URL runs to the next space or tab
//               | specifiers (';' marker)?
//   specifiers  = '(' list ')' | list                  list = (spec (',' spec)*)?
//   spec        = op version                           versions checked by our PEP 440 Specifier
// with optional space/tab between tokens (a URL must be followed by a space before `;`, since
// `;` is a valid URL character).

namespace breeze::constraints {

namespace {

using detail::Cursor;

bool is_name_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '_' || c == '.';
}

bool is_op_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == '~'; }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads a project or extra name; PEP 508 requires it to start and end with a letter or digit.
Expected<std::string> parse_identifier(Cursor& cursor, std::string_view article,
                                       std::string_view what) {
  const std::size_t start = cursor.pos();
  const std::string_view name = cursor.take_while(is_name_char);
  if (name.empty())
    return cursor.fail_at("expected " + std::string(article) + " " + std::string(what), start);
  if (!is_valid_name(name))
    return cursor.fail_at("invalid " + std::string(what) + " '" + std::string(name) +
                              "' (letters, digits, '.', '-', '_', starting and ending with a "
                              "letter or digit)",
                          start);
  return std::string(name);
}

Expected<std::vector<std::string>> parse_extras(Cursor& cursor) {
  std::vector<std::string> extras;
  const std::size_t open = cursor.pos();
  cursor.advance(); // '['
  cursor.skip_space();
  if (cursor.at_end()) return cursor.fail_at("unmatched '['", open);
  if (cursor.accept(']')) return extras;
  for (;;) {
    cursor.skip_space();
    BREEZE_TRY(auto extra, parse_identifier(cursor, "an", "extra name"));
    extras.push_back(std::move(extra));
    cursor.skip_space();
    if (cursor.accept(',')) continue;
    if (cursor.accept(']')) return extras;
    if (cursor.at_end()) return cursor.fail_at("unmatched '['", open);
    return cursor.fail("expected ',' or ']' after an extra name");
  }
}

// A scheme followed by something; for everything but file: also `//` and a host, as packaging
// requires (`name @ foo` is a typo, not a URL).
bool is_plausible_url(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_alpha(url.front())) return false;
  for (const char c : url.substr(0, colon))
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  const std::string_view scheme = url.substr(0, colon);
  const std::string_view rest = url.substr(colon + 1);
  if (strings::to_lower(scheme) == "file") return !rest.empty();
  return rest.starts_with("//") && rest.size() > 2 && rest[2] != '/';
}

Expected<std::vector<Specifier>> parse_specifier_list(Cursor& cursor) {
  std::vector<Specifier> specs;
  cursor.skip_space();
  if (!is_op_char(cursor.peek()) || cursor.at_end()) return specs;
  static constexpr std::array<std::string_view, 8> k_ops = {
      "===", "~=", "==", "!=", "<=", ">=", "<", ">"};
  for (;;) {
    const std::size_t start = cursor.pos();
    std::string_view op;
    for (const auto candidate : k_ops)
      if (cursor.rest().starts_with(candidate)) {
        op = candidate;
        break;
      }
    if (op.empty()) return cursor.fail("expected a version operator (== != < <= > >= ~= ===)");
    cursor.advance(op.size());
    cursor.skip_space();
    const std::string_view version = cursor.take_while([](char c) {
      return !Cursor::is_space(c) && c != ',' && c != ';' && c != ')' && c != '(';
    });
    if (version.empty()) return cursor.fail("expected a version after '" + std::string(op) + "'");
    auto spec = Specifier::parse(std::string(op) + std::string(version));
    if (!spec) return cursor.fail_at(spec.error().message, start);
    specs.push_back(std::move(*spec));
    cursor.skip_space();
    if (!cursor.accept(',')) return specs;
    cursor.skip_space();
    if (!is_op_char(cursor.peek()) || cursor.at_end())
      return cursor.fail("expected a version specifier after ','");
  }
}

std::string join_specifiers(const std::vector<Specifier>& specs) {
  std::string out;
  for (const auto& spec : specs) {
    if (!out.empty()) out += ',';
    out += spec.str();
  }
  return out;
}

} // namespace

Expected<Requirement> Requirement::parse(std::string_view text) {
  Cursor cursor(text, "requirement");
  Requirement req;
  cursor.skip_space();
  BREEZE_TRY(req.name, parse_identifier(cursor, "a", "package name"));
  req.normalized_name = canonicalize_name(req.name);
  cursor.skip_space();
  if (cursor.peek() == '[' && !cursor.at_end()) {
    BREEZE_TRY(req.extras, parse_extras(cursor));
    cursor.skip_space();
  }

  if (cursor.accept('@')) {
    cursor.skip_space();
    const std::size_t start = cursor.pos();
    const std::string_view url = cursor.take_while([](char c) { return !Cursor::is_space(c); });
    if (url.empty()) return cursor.fail("expected a URL after '@'");
    if (!is_plausible_url(url))
      return cursor.fail_at("invalid URL '" + std::string(url) + "'", start);
    req.url = std::string(url);
    cursor.skip_space();
    if (cursor.at_end()) return req;
    if (!cursor.accept(';')) return cursor.fail("expected ';' or the end after the URL");
  } else {
    std::vector<Specifier> specs;
    if (cursor.peek() == '(' && !cursor.at_end()) {
      const std::size_t open = cursor.pos();
      cursor.advance();
      BREEZE_TRY(specs, parse_specifier_list(cursor));
      cursor.skip_space();
      if (!cursor.accept(')'))
        return cursor.at_end() ? cursor.fail_at("unmatched '('", open)
                               : cursor.fail("expected ',' or ')' after a version specifier");
    } else {
      BREEZE_TRY(specs, parse_specifier_list(cursor));
    }
    // Each piece was validated above; SpecifierSet is built from its own text form.
    BREEZE_TRY(req.specifier, SpecifierSet::parse(join_specifiers(specs)));
    cursor.skip_space();
    if (cursor.at_end()) return req;
    if (!cursor.accept(';'))
      return cursor.fail(specs.empty()
                             ? "expected '[', '(', '@', a version specifier, ';' or the end"
                             : "expected ',', ';' or the end after a version specifier");
  }
  BREEZE_TRY(auto marker, detail::parse_marker(cursor));
  req.marker = std::move(marker);
  return req;
}

std::string Requirement::str() const {
  std::string out = name;
  if (!extras.empty()) {
    out += '[';
    out += strings::join(extras, ",");
    out += ']';
  }
  out += join_specifiers(specifier.specifiers());
  if (url) {
    out += " @ ";
    out += *url;
    if (marker) out += ' ';
  }
  if (marker) {
    out += "; ";
    out += marker->str();
  }
  return out;
}

bool Requirement::applies_to(const MarkerEnvironment& env) const {
  return !marker || marker->evaluate(env);
}

} // namespace breeze::constraints
