#pragma once

// Private to the constraints module: the scanner that the requirement and marker parsers share,
// so a marker inside a requirement reports errors at its column in the whole requirement.

#include <breeze/base/error.hpp>
#include <breeze/base/expected.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/constraints/markers.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace breeze::constraints::detail {

class Cursor {
public:
  /// `subject` names what is parsed in error messages ("requirement", "marker").
  Cursor(std::string_view text, std::string_view subject) : m_text(text), m_subject(subject) {}

  [[nodiscard]] bool at_end() const { return m_pos >= m_text.size(); }
  [[nodiscard]] std::size_t pos() const { return m_pos; }
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
  }
  [[nodiscard]] std::string_view rest() const { return m_text.substr(m_pos); }
  void advance(std::size_t n = 1) { m_pos += n; }

  /// PEP 508's whitespace is space and tab only (packaging's WS token).
  static bool is_space(char c) { return c == ' ' || c == '\t'; }
  /// Skips whitespace; true when there was some.
  bool skip_space() {
    const std::size_t start = m_pos;
    while (!at_end() && is_space(peek()))
      ++m_pos;
    return m_pos != start;
  }
  bool accept(char c) {
    if (at_end() || peek() != c) return false;
    ++m_pos;
    return true;
  }
  /// The longest run of bytes satisfying `pred`, consumed.
  template <typename Pred> std::string_view take_while(Pred pred) {
    const std::size_t start = m_pos;
    while (!at_end() && pred(peek()))
      ++m_pos;
    return m_text.substr(start, m_pos - start);
  }

  /// "invalid requirement 'x[': expected … at column 3" for the current position (or `at`).
  [[nodiscard]] Error fail(std::string_view what) const { return fail_at(what, m_pos); }
  [[nodiscard]] Error fail_at(std::string_view what, std::size_t at) const {
    // The input comes from package metadata: keep the message on one line.
    return usage_error("invalid " + std::string(m_subject) + " '" + strings::strip_control(m_text) +
                       "': " + std::string(what) + " at column " + std::to_string(at + 1));
  }

private:
  std::string_view m_text;
  std::string_view m_subject;
  std::size_t m_pos = 0;
};

/// Parses a marker from the cursor to the end of its text (trailing whitespace allowed).
[[nodiscard]] Expected<Marker> parse_marker(Cursor& cursor);

} // namespace breeze::constraints::detail
