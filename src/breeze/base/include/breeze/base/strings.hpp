#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::strings {

/// Removes leading and trailing ASCII whitespace.
[[nodiscard]] std::string_view trim(std::string_view s);

/// Splits on every occurrence of `sep` (empty fields kept).
[[nodiscard]] std::vector<std::string> split(std::string_view s, char sep);

/// Splits on runs of ASCII whitespace (no empty fields).
[[nodiscard]] std::vector<std::string> split_whitespace(std::string_view s);

/// Joins with `sep` between elements.
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// ASCII lower-case copy.
[[nodiscard]] std::string to_lower(std::string_view s);

/// Quotes one argument so a POSIX shell reads it back unchanged ('…' with '\'' escapes).
[[nodiscard]] std::string shell_quote(std::string_view arg);

/// Space-joined shell_quote of every argument: a copy-pasteable command line.
[[nodiscard]] std::string shell_join(const std::vector<std::string>& argv);

/// Drops C0/C1 control characters (keeps \t and, if `keep_newlines`, \n) so text from the
/// network cannot move the cursor or recolour the terminal.
[[nodiscard]] std::string strip_control(std::string_view s, bool keep_newlines = false);

/// Levenshtein distance (insert/delete/substitute cost 1).
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo
/// (distance <= max(2, len/3)) or `word` is a prefix of it.
[[nodiscard]] std::optional<std::string> closest_match(std::string_view word,
                                                       const std::vector<std::string>& candidates);

/// A plain-text table: every column left-aligned to its widest cell, two spaces between columns,
/// the last column unpadded and no trailing whitespace; one "\n"-ended line per row. The one
/// table renderer (the pool's summary, update-constraints' summary).
[[nodiscard]] std::string render_table(const std::vector<std::vector<std::string>>& rows);

} // namespace breeze::strings
