// The Python-assignment reader (python_assignments.hpp): logical lines, literals, values.

#include <breeze/config/python_assignments.hpp>

#include "text_scan.hpp"

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <system_error>

namespace breeze::config {

namespace fs = std::filesystem;
using namespace text_scan;

namespace {

// ---------------------------------------------------------------------------------------------
// Python: logical lines

// One logical line of Python source: a statement with its continuation lines joined (inside
// brackets or after a backslash), comments removed and string literals kept verbatim (a
// triple-quoted string keeps its newlines).
struct LogicalLine {
  std::string code;
  int line = 0;        // first physical line, 1-based
  int indent = 0;      // leading spaces and tabs of the first physical line
  bool broken = false; // an unterminated string or bracket
};

std::vector<LogicalLine> logical_lines(const std::string& text) {
  std::vector<LogicalLine> out;
  LogicalLine cur;
  bool started = false;
  int line_no = 1;
  int depth = 0;
  char quote = 0; // the open string's quote character, 0 outside strings
  bool triple = false;
  int indent = 0;

  auto flush = [&] {
    if (started) {
      cur.broken = cur.broken || quote != 0 || depth > 0;
      out.push_back(std::move(cur));
    }
    cur = LogicalLine{};
    started = false;
    depth = 0;
    quote = 0;
    triple = false;
    indent = 0;
  };

  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (quote != 0) {
      cur.code += c;
      if (c == '\\' && i + 1 < n) {
        // An escaped character never ends the string (also in raw strings).
        cur.code += text[i + 1];
        if (text[i + 1] == '\n') ++line_no;
        ++i;
      } else if (c == '\n') {
        ++line_no;
        if (!triple) { // unterminated single-quoted string: end the statement here
          cur.code.pop_back();
          cur.broken = true;
          quote = 0;
          flush();
        }
      } else if (c == quote) {
        if (!triple) {
          quote = 0;
        } else if (i + 2 < n && text[i + 1] == quote && text[i + 2] == quote) {
          cur.code += text.substr(i + 1, 2);
          i += 2;
          quote = 0;
          triple = false;
        }
      }
      continue;
    }
    if (!started) {
      if (c == ' ' || c == '\t') {
        ++indent;
        continue;
      }
      if (c == '\n') { // blank line
        ++line_no;
        indent = 0;
        continue;
      }
      if (c == '#') { // comment-only line
        while (i + 1 < n && text[i + 1] != '\n')
          ++i;
        continue;
      }
      started = true;
      cur.line = line_no;
      cur.indent = indent;
    }
    if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n')
        ++i;
      continue;
    }
    if (c == '\\' && i + 1 < n && text[i + 1] == '\n') { // explicit line joining
      cur.code += ' ';
      ++i;
      ++line_no;
      continue;
    }
    if (c == '\n') {
      ++line_no;
      if (depth > 0) {
        cur.code += ' ';
      } else {
        flush();
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      triple = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      cur.code += c;
      if (triple) {
        cur.code += text.substr(i + 1, 2);
        i += 2;
      }
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    cur.code += c;
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Python: literals and values

// Skips a string literal starting at `i` (at its opening quote), returning the index after it.
std::size_t skip_string(std::string_view s, std::size_t i) {
  const char q = s[i];
  const bool tri = i + 2 < s.size() && s[i + 1] == q && s[i + 2] == q;
  i += tri ? 3 : 1;
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
      continue;
    }
    if (s[i] == q) {
      if (!tri) return i + 1;
      if (i + 2 < s.size() && s[i + 1] == q && s[i + 2] == q) return i + 3;
    }
    ++i;
  }
  return s.size();
}

// Where a string literal (with an optional prefix) starts at `i`: the prefix length, or npos.
std::size_t string_prefix_length(std::string_view s, std::size_t i) {
  std::size_t k = 0;
  while (k < 2 && i + k < s.size() && s[i + k] != 0 && std::strchr("rRuUfFbB", s[i + k]) != nullptr)
    ++k;
  if (i + k < s.size() && (s[i + k] == '"' || s[i + k] == '\'')) return k;
  return std::string_view::npos;
}

struct Parsed {
  bool ok = false;
  std::string value;  // when ok
  std::string reason; // when not ok
  std::size_t end = 0;
};

// Parses one or more adjacent string literals at `i` (Python concatenates "a" "b" at compile time).
Parsed parse_strings(std::string_view s, std::size_t i) {
  Parsed p;
  bool any = false;
  for (;;) {
    i = skip_spaces(s, i);
    const auto k = string_prefix_length(s, i);
    if (k == std::string_view::npos) break;
    const auto prefix = strings::to_lower(s.substr(i, k));
    if (prefix.find('f') != std::string::npos) {
      p.reason = "an f-string";
      return p;
    }
    if (prefix.find('b') != std::string::npos) {
      p.reason = "a bytes literal";
      return p;
    }
    const bool raw = prefix.find('r') != std::string::npos;
    const auto start = i + k;
    const char q = s[start];
    const bool tri = start + 2 < s.size() && s[start + 1] == q && s[start + 2] == q;
    const auto end = skip_string(s, start);
    const auto close = tri ? 3u : 1u;
    if (end > s.size() || end < start + 2 * close ||
        s.substr(end - close, close) != std::string(close, q)) {
      p.reason = "an unterminated string";
      return p;
    }
    const auto body = s.substr(start + close, end - close - start - close);
    for (std::size_t j = 0; j < body.size(); ++j) {
      const char c = body[j];
      if (c != '\\' || j + 1 >= body.size()) {
        p.value += c;
        continue;
      }
      const char e = body[++j];
      if (raw) { // a raw string keeps the backslash
        p.value += c;
        p.value += e;
        continue;
      }
      switch (e) {
      case '\n':
        break; // backslash-newline continues the string
      case 'n':
        p.value += '\n';
        break;
      case 't':
        p.value += '\t';
        break;
      case 'r':
        p.value += '\r';
        break;
      case '\\':
        p.value += '\\';
        break;
      case '\'':
        p.value += '\'';
        break;
      case '"':
        p.value += '"';
        break;
      default: // Python keeps unknown escapes as they are
        p.value += c;
        p.value += e;
      }
    }
    any = true;
    i = end;
  }
  p.ok = any;
  p.end = i;
  if (!any) p.reason = "not a string";
  return p;
}

// Why the text after a complete value makes it something else.
std::string trailing_reason(std::string_view rest) {
  rest = strings::trim(rest);
  if (rest.empty()) return {};
  if (rest.front() == '+') return "concatenation with +";
  if (rest.front() == '%') return "% formatting";
  if (rest.front() == '*') return "repetition with *";
  if (rest.front() == '.') return "a method call or attribute";
  if (rest.front() == '[') return "indexing or slicing";
  if (rest.front() == '(') return "a call";
  if (rest.front() == ';') return "more than one statement on the line";
  if (rest.substr(0, 3) == "if ") return "a conditional expression";
  if (rest.substr(0, 3) == "or " || rest.substr(0, 4) == "and ") return "a boolean expression";
  return "an expression";
}

struct Value {
  bool ok = false;
  CheckoutValue value;
  std::string reason;
};

// Evaluates the right-hand side of `NAME = <text>`, given what the module assigned above.
Value evaluate(std::string_view text, const std::map<std::string, CheckoutValue>& known) {
  Value v;
  text = strings::trim(text);
  if (text.empty()) {
    v.reason = "no value";
    return v;
  }
  const char c0 = text.front();
  if (string_prefix_length(text, 0) != std::string_view::npos) {
    auto p = parse_strings(text, 0);
    if (!p.ok) {
      v.reason = p.reason;
      return v;
    }
    if (auto why = trailing_reason(text.substr(p.end)); !why.empty()) {
      v.reason = why;
      return v;
    }
    v.ok = true;
    v.value.text = std::move(p.value);
    return v;
  }
  if (c0 == '[') {
    std::vector<std::string> items;
    std::size_t i = 1;
    for (;;) {
      i = skip_spaces(text, i);
      if (i >= text.size()) {
        v.reason = "an unterminated list";
        return v;
      }
      if (text[i] == ']') {
        ++i;
        break;
      }
      if (text[i] == '*') {
        v.reason = "* unpacking in a list";
        return v;
      }
      if (is_ident_start(text[i]) && string_prefix_length(text, i) == std::string_view::npos) {
        // A name of a string read above ([LOCAL_EXECUTOR, CELERY_EXECUTOR]) is as static as a
        // literal.
        auto k = i;
        const auto item = std::string(read_ident(text, k));
        k = skip_spaces(text, k);
        if (k < text.size() && (text[k] == ',' || text[k] == ']')) {
          const auto it = known.find(item);
          if (it == known.end() || it->second.is_list) {
            v.reason = it == known.end()
                           ? fmt::format("a list item {} that has no string value read above", item)
                           : fmt::format("a list item {} that is a list", item);
            return v;
          }
          items.push_back(it->second.text);
          i = k;
        } else {
          v.reason = strings::trim(text.substr(k)).substr(0, 4) == "for "
                         ? "a list comprehension"
                         : "a list item that is not a string literal";
          return v;
        }
      } else {
        auto p = parse_strings(text, i);
        if (!p.ok) {
          v.reason =
              p.reason == "not a string" ? "a list item that is not a string literal" : p.reason;
          return v;
        }
        items.push_back(std::move(p.value));
        i = skip_spaces(text, p.end);
      }
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == ']') {
        ++i;
        break;
      }
      v.reason = strings::trim(text.substr(i)).substr(0, 4) == "for "
                     ? "a list comprehension"
                     : "a list item that is not a string literal";
      return v;
    }
    if (auto why = trailing_reason(text.substr(i)); !why.empty()) {
      v.reason = why;
      return v;
    }
    v.ok = true;
    v.value.is_list = true;
    v.value.items = std::move(items);
    return v;
  }
  if (is_ident_start(c0)) {
    std::size_t i = 0;
    const auto name = std::string(read_ident(text, i));
    if (name == "None") {
      v.reason = "None";
      return v;
    }
    if (name == "True" || name == "False") {
      v.reason = "a boolean";
      return v;
    }
    if (name == "lambda" || name == "not" || name == "await" || name == "yield") {
      v.reason = "an expression";
      return v;
    }
    const auto j = skip_spaces(text, i);
    const auto it = known.find(name);
    if (j < text.size() && text[j] == '[') { // NAME[index]
      const auto close = text.find(']', j);
      if (close == std::string_view::npos) {
        v.reason = "an unterminated subscript";
        return v;
      }
      const auto index_text = strings::trim(text.substr(j + 1, close - j - 1));
      long long index = 0;
      const auto* first = index_text.data();
      const auto* last = index_text.data() + index_text.size();
      const auto [ptr, ec] = std::from_chars(first, last, index);
      if (index_text.empty() || ec != std::errc{} || ptr != last) {
        v.reason = fmt::format("{}[{}] is not indexing by a whole number", name, index_text);
        return v;
      }
      if (auto why = trailing_reason(text.substr(close + 1)); !why.empty()) {
        v.reason = why;
        return v;
      }
      if (it == known.end()) {
        v.reason = fmt::format("refers to {}, which has no list value read above", name);
        return v;
      }
      if (!it->second.is_list) {
        v.reason = fmt::format("indexes {}, which is a string, not a list", name);
        return v;
      }
      const auto size = static_cast<long long>(it->second.items.size());
      const auto pos = index < 0 ? size + index : index;
      if (pos < 0 || pos >= size) {
        v.reason = fmt::format("index {} is out of range of {} ({} items)", index, name, size);
        return v;
      }
      v.ok = true;
      v.value.text = it->second.items[static_cast<std::size_t>(pos)];
      return v;
    }
    if (auto why = trailing_reason(text.substr(i)); !why.empty()) {
      v.reason = why;
      return v;
    }
    if (it == known.end()) {
      v.reason = fmt::format("refers to {}, which has no value read above", name);
      return v;
    }
    v.ok = true;
    v.value = it->second; // file and line are set by the caller to this assignment
    return v;
  }
  if ((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '.')
    v.reason = "a number or arithmetic";
  else if (c0 == '{')
    v.reason = "a dict or set";
  else if (c0 == '(')
    v.reason = "a tuple or parenthesised expression";
  else
    v.reason = "an expression";
  return v;
}

// Index of the first `=` at bracket depth 0 outside strings that is an assignment (not `==`,
// `<=`, `>=`, `!=`, `:=` or an augmented `+=`), at or after `from`; npos when there is none.
std::size_t find_assign(std::string_view s, std::size_t from = 0) {
  int depth = 0;
  for (std::size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"' || c == '\'') {
      i = skip_string(s, i) - 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{')
      ++depth;
    else if (c == ')' || c == ']' || c == '}')
      depth = std::max(0, depth - 1);
    else if (c == '=' && depth == 0) {
      const char prev = i > 0 ? s[i - 1] : ' ';
      const char next = i + 1 < s.size() ? s[i + 1] : ' ';
      if (next == '=') {
        ++i;
        continue;
      }
      if (std::strchr("=!<>:+-*/%&|^@", prev) != nullptr) continue;
      return i;
    }
  }
  return std::string_view::npos;
}

constexpr std::array<std::string_view, 3> k_scope_keywords{"def", "class", "async"};
constexpr std::array<std::string_view, 10> k_block_keywords{
    "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "match"};
constexpr std::array<std::string_view, 8> k_mutators{"append", "extend", "insert", "remove",
                                                     "pop",    "clear",  "sort",   "reverse"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view w) {
  return !w.empty() && std::find(words.begin(), words.end(), w) != words.end();
}

// A block that a module-level statement opens: a function or class body (its names are not module
// names), or a conditional/loop/with/try body (its names are module names, bound conditionally).
struct Block {
  int indent = 0;
  bool scope = false;
  std::string keyword;
};

} // namespace

std::string CheckoutValue::where() const {
  return fmt::format("{}:{}", file.generic_string(), line);
}

const CheckoutValue* PythonAssignments::find(const std::string& name) const {
  const auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

PythonAssignments parse_python_assignments(std::string_view text, const fs::path& file) {
  PythonAssignments out;
  const auto normalized = normalize_newlines(text);
  std::vector<Block> blocks;

  auto unknown = [&](const std::string& name, int line, const std::string& why) {
    out.values.erase(name);
    out.unknown_forms.push_back(
        fmt::format("{}:{}: {}: unsupported form ({})", file.generic_string(), line, name, why));
    out.unknown_names.push_back(name);
  };

  for (auto& ll : logical_lines(normalized)) {
    while (!blocks.empty() && ll.indent <= blocks.back().indent)
      blocks.pop_back();
    const bool in_scope =
        std::any_of(blocks.begin(), blocks.end(), [](const Block& b) { return b.scope; });
    const std::string_view code = strings::trim(ll.code);
    if (code.empty()) continue;

    std::size_t i = 0;
    const auto first = std::string(read_ident(code, i));
    const auto after = skip_spaces(code, i);

    // A compound statement header opens a block for the lines indented below it.
    const bool header_keyword =
        contains(k_scope_keywords, first) || contains(k_block_keywords, first);
    if (header_keyword && !code.empty() && code.back() == ':' &&
        !(after < code.size() &&
          (code[after] == '=' || code[after] == '.' || code[after] == ','))) {
      const bool scope = first == "def" || first == "class" ||
                         (first == "async" && code.substr(after, 3) == "def");
      blocks.push_back({ll.indent, scope, first});
      continue;
    }
    if (in_scope || first.empty()) continue; // function/class bodies; decorators; other statements

    const std::string block_word = blocks.empty() ? std::string{} : blocks.back().keyword;
    auto record_in_block = [&](const std::string& name) {
      unknown(name, ll.line, fmt::format("assigned inside a module-level `{}` block", block_word));
    };

    if (after >= code.size()) continue; // a bare name
    const char op = code[after];

    // NAME.append(...) and the like change a list read above.
    if (op == '.') {
      std::size_t j = after + 1;
      const auto method = read_ident(code, j);
      j = skip_spaces(code, j);
      if (out.values.count(first) != 0 &&
          ((contains(k_mutators, method) && j < code.size() && code[j] == '(') ||
           find_assign(code, j) != std::string_view::npos))
        unknown(first, ll.line, fmt::format("changed by .{}", method));
      continue;
    }
    // NAME[i] = ... changes it too.
    if (op == '[') {
      if (out.values.count(first) != 0 && find_assign(code, after) != std::string_view::npos)
        unknown(first, ll.line, "an item assignment changes it");
      continue;
    }
    // A, B = ... binds every name of the tuple.
    if (op == ',') {
      const auto eq = find_assign(code);
      if (eq == std::string_view::npos) continue;
      for (const auto& part : strings::split(code.substr(0, eq), ',')) {
        const auto target = std::string(strings::trim(part));
        std::size_t k = 0;
        const auto name = std::string(read_ident(target, k));
        if (!name.empty() && k == target.size()) {
          if (blocks.empty())
            unknown(name, ll.line, "a tuple assignment");
          else
            record_in_block(name);
        }
      }
      continue;
    }
    // Augmented assignment: NAME += ..., NAME |= ...
    if (after + 1 < code.size() && code[after + 1] == '=' &&
        std::strchr("+-*/%&|^@", op) != nullptr) {
      unknown(first, ll.line, fmt::format("an augmented assignment ({}=)", op));
      continue;
    }
    if (after + 2 < code.size() && code[after + 2] == '=' &&
        (code.substr(after, 2) == "//" || code.substr(after, 2) == "**" ||
         code.substr(after, 2) == ">>" || code.substr(after, 2) == "<<")) {
      unknown(first, ll.line, fmt::format("an augmented assignment ({}=)", code.substr(after, 2)));
      continue;
    }

    std::size_t value_start = 0;
    if (op == '=' && (after + 1 >= code.size() || code[after + 1] != '=')) {
      value_start = after + 1;
    } else if (op == ':' && (after + 1 >= code.size() || code[after + 1] != '=')) {
      const auto eq = find_assign(code, after + 1); // NAME: type = value
      if (eq == std::string_view::npos) continue;   // a declaration without a value binds nothing
      value_start = eq + 1;
    } else {
      continue; // not an assignment (a call, a comparison, an import, ...)
    }

    if (!blocks.empty()) {
      record_in_block(first);
      continue;
    }
    if (ll.broken) {
      unknown(first, ll.line, "an unterminated string or bracket");
      continue;
    }
    const auto value_text = code.substr(value_start);
    if (const auto eq = find_assign(value_text); eq != std::string_view::npos) {
      // A = B = value binds each target; B may be a new name too.
      unknown(first, ll.line, "a chained assignment");
      for (const auto& part : strings::split(value_text.substr(0, eq), '=')) {
        const auto target = std::string(strings::trim(part));
        std::size_t k = 0;
        const auto name = std::string(read_ident(target, k));
        if (!name.empty() && k == target.size()) unknown(name, ll.line, "a chained assignment");
      }
      continue;
    }
    auto v = evaluate(value_text, out.values);
    if (!v.ok) {
      unknown(first, ll.line, v.reason);
      continue;
    }
    v.value.file = file;
    v.value.line = ll.line;
    out.values[first] = std::move(v.value);
  }
  return out;
}

} // namespace breeze::config
