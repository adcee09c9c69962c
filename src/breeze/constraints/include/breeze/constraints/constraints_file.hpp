#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/base/time.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::constraints {

/// One line of a constraints file, kept byte-exact.
struct Line {
  enum class Kind {
    blank,   ///< empty or whitespace only
    comment, ///< starts with `#` (after optional whitespace) — even when it contains `==`
    pin,     ///< `name==version` with optional `; marker` and trailing comment
    url,     ///< `name @ url` (PEP 508 direct reference)
    other, ///< anything else (options such as `--index-url`, other specifiers): kept, never touched
  };
  Kind kind = Kind::other;
  std::string text;            ///< the line without its terminator
  std::string terminator;      ///< "\n", "\r\n" or "" (last line without newline)
  std::string name;            ///< pin/url: the name as spelled in the file (extras not included)
  std::string version;         ///< pin: the version as written
  std::string marker;          ///< pin/url: environment marker after `;`, trimmed, or empty
  std::size_t version_pos = 0; ///< pin: offset of `version` in `text` (for in-place edits)
};

/// A pin as the rest of breeze sees it.
struct Pin {
  std::string name;     ///< as spelled in the file
  std::string version;  ///< as written
  std::string marker;   ///< environment marker or empty
  std::size_t line = 0; ///< index into lines()
};

/// What set_version did.
struct Replacement {
  std::string file_name;         ///< the file's spelling of the name
  std::string old_version;       ///< the version before (of the first matching line)
  std::size_t lines_changed = 0; ///< 0 when the file already held the requested version
  bool spelling_differs =
      false; ///< the caller's spelling differs from the file's (PyYAML vs pyyaml)
};

/// An Airflow constraints file: header comment block, pins, unknown lines kept.
/// parse() never fails and str() returns the input byte for byte when nothing was changed.
class ConstraintsFile {
public:
  [[nodiscard]] static ConstraintsFile parse(std::string_view text);
  [[nodiscard]] std::string str() const;

  [[nodiscard]] const std::vector<Line>& lines() const { return m_lines; }
  /// Every pin (kind == pin), in file order.
  [[nodiscard]] std::vector<Pin> pins() const;
  /// The leading comment block (the header) as text, including terminators.
  [[nodiscard]] std::string header() const;
  /// The generation date from the header: `...generated on 2023-08-09T21:48:23Z` or Python's
  /// isoformat() `2024-06-06T07:19:46.079179` (with or without Z/offset; no offset = UTC).
  [[nodiscard]] std::optional<time::Instant> generated_at() const;

  /// The first pin whose PEP 503 normalised name equals that of `name`.
  [[nodiscard]] const Line* find(std::string_view name) const;

  /// Sets the version of every pin line of `name` (matched by normalised name), keeping the file's
  /// spelling and every other byte. not_found Error when the file has no such pin.
  [[nodiscard]] Expected<Replacement> set_version(std::string_view name, std::string_view version);

  /// Appends a new pin `name==version` after the last pin (for --add-missing), using the file's
  /// line terminator.
  void add_pin(std::string_view name, std::string_view version);

  /// Inserts `text` (one or more lines; a terminator is added to each) before the first pin.
  void insert_before_first_pin(std::string_view text);

private:
  std::vector<Line> m_lines;
};

} // namespace breeze::constraints
