#include <breeze/constraints/markers.hpp>

#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>

#include "pep508_cursor.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

// The grammar is packaging's (packaging/_parser.py, which follows PEP 508):
//   marker      = atom (('and' | 'or') atom)*        'and' binds tighter than 'or'
//   atom        = '(' marker ')' | operand op operand
//   operand     = VARIABLE | '…' | "…"               no escapes inside quotes
//   op          = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not' 'in'
// with optional space/tab between tokens; keywords and variable names are case-sensitive.

namespace breeze::constraints {

namespace {

struct VariableSpelling {
  std::string_view text;
  MarkerVariable variable;
};

// packaging's VARIABLE token: the PEP 508 names plus the legacy dotted ones it still accepts
// (`platform.release`/`platform.system` never existed, so they are not here either).
constexpr std::array<VariableSpelling, 18> k_variables = {{
    {"os_name", MarkerVariable::os_name},
    {"os.name", MarkerVariable::os_name},
    {"sys_platform", MarkerVariable::sys_platform},
    {"sys.platform", MarkerVariable::sys_platform},
    {"platform_machine", MarkerVariable::platform_machine},
    {"platform.machine", MarkerVariable::platform_machine},
    {"platform_python_implementation", MarkerVariable::platform_python_implementation},
    {"platform.python_implementation", MarkerVariable::platform_python_implementation},
    {"python_implementation", MarkerVariable::platform_python_implementation},
    {"platform_release", MarkerVariable::platform_release},
    {"platform_system", MarkerVariable::platform_system},
    {"platform_version", MarkerVariable::platform_version},
    {"platform.version", MarkerVariable::platform_version},
    {"python_version", MarkerVariable::python_version},
    {"python_full_version", MarkerVariable::python_full_version},
    {"implementation_name", MarkerVariable::implementation_name},
    {"implementation_version", MarkerVariable::implementation_version},
    {"extra", MarkerVariable::extra},
}};

struct OpSpelling {
  std::string_view text;
  MarkerOp op;
};

// Longest first, so `===` is not read as `==` followed by `=`.
constexpr std::array<OpSpelling, 8> k_symbol_ops = {{
    {"===", MarkerOp::arbitrary_equal},
    {"==", MarkerOp::equal},
    {"~=", MarkerOp::compatible},
    {"!=", MarkerOp::not_equal},
    {"<=", MarkerOp::less_equal},
    {">=", MarkerOp::greater_equal},
    {"<", MarkerOp::less},
    {">", MarkerOp::greater},
}};

// Deep enough for any real marker, shallow enough that hostile metadata cannot overflow the stack.
constexpr int k_max_depth = 64;

bool is_word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_variable_char(char c) { return is_word_char(c) || c == '.'; }

// The next word without consuming it (for `and`/`or`/`in`/`not` lookahead).
std::string_view peek_word(const detail::Cursor& cursor) {
  const std::string_view rest = cursor.rest();
  std::size_t n = 0;
  while (n < rest.size() && is_word_char(rest[n]))
    ++n;
  return rest.substr(0, n);
}

Expected<MarkerOperand> parse_operand(detail::Cursor& cursor) {
  const char quote = cursor.peek();
  if (!cursor.at_end() && (quote == '"' || quote == '\'')) {
    const std::size_t start = cursor.pos();
    cursor.advance();
    const std::string_view body = cursor.take_while([quote](char c) { return c != quote; });
    if (!cursor.accept(quote)) return cursor.fail_at("unterminated string", start);
    return MarkerOperand{std::string(body)};
  }
  const std::size_t start = cursor.pos();
  const std::string_view word = cursor.take_while(is_variable_char);
  for (const auto& spelling : k_variables)
    if (spelling.text == word) return MarkerOperand{spelling.variable};
  if (word.empty()) return cursor.fail_at("expected a marker variable or a quoted string", start);
  return cursor.fail_at("unknown marker variable '" + std::string(word) + "'", start);
}

Expected<MarkerOp> parse_op(detail::Cursor& cursor) {
  for (const auto& spelling : k_symbol_ops)
    if (cursor.rest().starts_with(spelling.text)) {
      cursor.advance(spelling.text.size());
      return spelling.op;
    }
  const std::size_t start = cursor.pos();
  const std::string_view word = peek_word(cursor);
  if (word == "in") {
    cursor.advance(word.size());
    return MarkerOp::in;
  }
  if (word == "not") {
    cursor.advance(word.size());
    cursor.skip_space();
    if (peek_word(cursor) == "in") {
      cursor.advance(2);
      return MarkerOp::not_in;
    }
    return cursor.fail("expected 'in' after 'not'");
  }
  return cursor.fail_at("expected a marker operator (== != < <= > >= ~= === in, not in)", start);
}

Expected<Marker> parse_or(detail::Cursor& cursor, int depth);

Expected<Marker> parse_atom(detail::Cursor& cursor, int depth) {
  cursor.skip_space();
  if (cursor.peek() == '(' && !cursor.at_end()) {
    const std::size_t open = cursor.pos();
    if (depth >= k_max_depth) return cursor.fail("parentheses nested too deeply");
    cursor.advance();
    BREEZE_TRY(auto inner, parse_or(cursor, depth + 1));
    cursor.skip_space();
    if (!cursor.accept(')'))
      return cursor.at_end() ? cursor.fail_at("unmatched '('", open)
                             : cursor.fail("expected 'and', 'or' or ')'");
    return inner;
  }
  MarkerComparison comparison;
  BREEZE_TRY(comparison.lhs, parse_operand(cursor));
  cursor.skip_space();
  BREEZE_TRY(comparison.op, parse_op(cursor));
  cursor.skip_space();
  BREEZE_TRY(comparison.rhs, parse_operand(cursor));
  return Marker::compare(std::move(comparison));
}

// `and` binds tighter than `or`, as in packaging's evaluation (and Python's).
Expected<Marker> parse_and(detail::Cursor& cursor, int depth) {
  std::vector<Marker> terms;
  BREEZE_TRY(auto first, parse_atom(cursor, depth));
  terms.push_back(std::move(first));
  for (;;) {
    cursor.skip_space();
    if (peek_word(cursor) != "and") break;
    cursor.advance(3);
    BREEZE_TRY(auto next, parse_atom(cursor, depth));
    terms.push_back(std::move(next));
  }
  return Marker::all_of(std::move(terms));
}

Expected<Marker> parse_or(detail::Cursor& cursor, int depth) {
  std::vector<Marker> terms;
  BREEZE_TRY(auto first, parse_and(cursor, depth));
  terms.push_back(std::move(first));
  for (;;) {
    cursor.skip_space();
    if (peek_word(cursor) != "or") break;
    cursor.advance(2);
    BREEZE_TRY(auto next, parse_and(cursor, depth));
    terms.push_back(std::move(next));
  }
  return Marker::any_of(std::move(terms));
}

std::string quote(std::string_view value) {
  // No escapes exist in marker strings: a value holding `"` can only be written in '…'.
  const char q = value.find('"') == std::string_view::npos ? '"' : '\'';
  return q + std::string(value) + q;
}

std::string operand_str(const MarkerOperand& operand) {
  if (const auto* variable = std::get_if<MarkerVariable>(&operand))
    return std::string(to_string(*variable));
  return quote(std::get<std::string>(operand));
}

bool is_extra(const MarkerOperand& operand) {
  const auto* variable = std::get_if<MarkerVariable>(&operand);
  return variable && *variable == MarkerVariable::extra;
}

// packaging's _eval_op: a version comparison when `op rhs` is a valid specifier and lhs a valid
// version, else Python's string operators. `===` compares strings inside Specifier anyway.
bool compare_values(const std::string& lhs, MarkerOp op, const std::string& rhs) {
  if (op == MarkerOp::in) return rhs.find(lhs) != std::string::npos;
  if (op == MarkerOp::not_in) return rhs.find(lhs) == std::string::npos;
  if (auto spec = Specifier::parse(std::string(to_string(op)) + rhs)) {
    if (op == MarkerOp::arbitrary_equal) return spec->contains(std::string_view(lhs), true);
    if (auto version = Version::parse(lhs)) return spec->contains(*version, true);
  }
  switch (op) {
  case MarkerOp::equal:
    return lhs == rhs;
  case MarkerOp::not_equal:
    return lhs != rhs;
  case MarkerOp::less:
    return lhs < rhs;
  case MarkerOp::less_equal:
    return lhs <= rhs;
  case MarkerOp::greater:
    return lhs > rhs;
  case MarkerOp::greater_equal:
    return lhs >= rhs;
  default:
    return false; // ~= (or === with spaces) on non-versions: packaging's UndefinedComparison
  }
}

} // namespace

std::string_view to_string(MarkerVariable variable) {
  for (const auto& spelling : k_variables)
    if (spelling.variable == variable) return spelling.text; // canonical spelling comes first
  return "?";
}

std::string_view to_string(MarkerOp op) {
  for (const auto& spelling : k_symbol_ops)
    if (spelling.op == op) return spelling.text;
  return op == MarkerOp::in ? "in" : "not in";
}

MarkerEnvironment MarkerEnvironment::for_linux(std::string python, std::string machine) {
  MarkerEnvironment env;
  env.os_name = "posix";
  env.sys_platform = "linux";
  env.platform_system = "Linux";
  env.platform_machine = std::move(machine);
  env.platform_python_implementation = "CPython";
  env.implementation_name = "cpython";
  // `3.11` names a release line: take its first release, `3.11.0`. `3.11.4` is kept as given.
  const auto dots = std::count(python.begin(), python.end(), '.');
  if (dots >= 2) {
    env.python_full_version = python;
    env.python_version = python.substr(0, python.find('.', python.find('.') + 1));
  } else {
    env.python_version = python;
    env.python_full_version = python + (dots == 1 ? ".0" : ".0.0");
  }
  env.implementation_version = env.python_full_version;
  return env;
}

const std::string& MarkerEnvironment::value(MarkerVariable variable) const {
  static const std::string k_none;
  switch (variable) {
  case MarkerVariable::os_name:
    return os_name;
  case MarkerVariable::sys_platform:
    return sys_platform;
  case MarkerVariable::platform_machine:
    return platform_machine;
  case MarkerVariable::platform_python_implementation:
    return platform_python_implementation;
  case MarkerVariable::platform_release:
    return platform_release;
  case MarkerVariable::platform_system:
    return platform_system;
  case MarkerVariable::platform_version:
    return platform_version;
  case MarkerVariable::python_version:
    return python_version;
  case MarkerVariable::python_full_version:
    return python_full_version;
  case MarkerVariable::implementation_name:
    return implementation_name;
  case MarkerVariable::implementation_version:
    return implementation_version;
  case MarkerVariable::extra:
    return k_none;
  }
  return k_none;
}

Expected<Marker> Marker::parse(std::string_view text) {
  detail::Cursor cursor(text, "marker");
  return detail::parse_marker(cursor);
}

Expected<Marker> detail::parse_marker(Cursor& cursor) {
  cursor.skip_space();
  if (cursor.at_end()) return cursor.fail("expected a marker");
  BREEZE_TRY(auto marker, parse_or(cursor, 0));
  cursor.skip_space();
  if (!cursor.at_end())
    return cursor.fail(cursor.peek() == ')' ? "unmatched ')'" : "expected 'and', 'or' or the end");
  return marker;
}

Marker Marker::compare(MarkerComparison comparison) {
  Marker m;
  m.m_kind = Kind::comparison;
  m.m_comparison = std::move(comparison);
  return m;
}

Marker Marker::combine(Kind kind, std::vector<Marker> children) {
  if (children.size() == 1) return std::move(children.front());
  Marker m;
  m.m_kind = kind;
  for (auto& child : children) {
    if (child.m_kind == kind)
      std::move(child.m_children.begin(), child.m_children.end(), std::back_inserter(m.m_children));
    else
      m.m_children.push_back(std::move(child));
  }
  return m;
}

Marker Marker::all_of(std::vector<Marker> children) {
  return combine(Kind::all_of, std::move(children));
}

Marker Marker::any_of(std::vector<Marker> children) {
  return combine(Kind::any_of, std::move(children));
}

bool Marker::uses_extra() const {
  if (m_kind == Kind::comparison) return is_extra(m_comparison.lhs) || is_extra(m_comparison.rhs);
  return std::any_of(m_children.begin(), m_children.end(),
                     [](const Marker& child) { return child.uses_extra(); });
}

bool Marker::evaluate(const MarkerEnvironment& env) const {
  // pip installs `pkg[a,b]` with pkg's own dependencies (extra == "") plus each extra's
  // (`extra` bound to one name at a time), so a requirement applies if any of those holds.
  static const std::string k_no_extra;
  if (evaluate(env, k_no_extra)) return true;
  if (!uses_extra()) return false;
  return std::any_of(env.extras.begin(), env.extras.end(),
                     [&](const std::string& extra) { return evaluate(env, extra); });
}

bool Marker::evaluate(const MarkerEnvironment& env, const std::string& extra) const {
  switch (m_kind) {
  case Kind::all_of:
    return std::all_of(m_children.begin(), m_children.end(),
                       [&](const Marker& child) { return child.evaluate(env, extra); });
  case Kind::any_of:
    return std::any_of(m_children.begin(), m_children.end(),
                       [&](const Marker& child) { return child.evaluate(env, extra); });
  case Kind::comparison:
    break;
  }
  const auto resolve = [&](const MarkerOperand& operand) -> std::string {
    if (const auto* variable = std::get_if<MarkerVariable>(&operand))
      return *variable == MarkerVariable::extra ? extra : env.value(*variable);
    return std::get<std::string>(operand);
  };
  std::string lhs = resolve(m_comparison.lhs);
  std::string rhs = resolve(m_comparison.rhs);
  if (is_extra(m_comparison.lhs) || is_extra(m_comparison.rhs)) {
    // PEP 685: extras compare by normalised name (`Foo_Bar` is `foo-bar`).
    lhs = canonicalize_name(lhs);
    rhs = canonicalize_name(rhs);
  }
  return compare_values(lhs, m_comparison.op, rhs);
}

std::string Marker::str() const {
  if (m_kind == Kind::comparison)
    return operand_str(m_comparison.lhs) + " " + std::string(to_string(m_comparison.op)) + " " +
           operand_str(m_comparison.rhs);
  std::string out;
  for (const auto& child : m_children) {
    if (!out.empty()) out += m_kind == Kind::all_of ? " and " : " or ";
    // Only an `or` inside an `and` needs parentheses; combine() flattened same-kind nesting.
    const bool parens = m_kind == Kind::all_of && child.m_kind == Kind::any_of;
    if (parens) out += '(';
    out += child.str();
    if (parens) out += ')';
  }
  return out;
}

} // namespace breeze::constraints
