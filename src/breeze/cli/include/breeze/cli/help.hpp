#pragma once

// Help text: CLI11's parser with our own rendering (issue 14). CLI11's formatter pads columns but
// breaks words and lines at fixed widths ("constrai / nts" at 80 columns) and shows defaults three
// ways, so the rendering is ours: options in the panels of the command table (Python Breeze's
// panel names where it has them), every line within the terminal width, words never split, one
// way of showing defaults, allowed values and environment variables, all as describe_option()
// reads them (what completion and the man page show too).

#include <breeze/base/env.hpp>
#include <breeze/cli/command_table.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class FormatterBase;
} // namespace CLI

namespace breeze::cli {

/// How help is drawn.
struct HelpStyle {
  std::size_t width = 80; ///< no line is longer than this
  bool colour = false;    ///< bold panel titles and cyan option names
  /// Allowed values known only at run time (run_time_values()), listed like those of a CLI11
  /// IsMember check.
  ValueLists allowed;
};

/// The width help is drawn at: console::columns() with a floor of 30 columns (COLUMNS when it is
/// a number of at least 30, else the terminal's width when it is, else 80).
[[nodiscard]] std::size_t help_width(const EnvLookup& env, std::size_t terminal_width);

/// `text` broken at spaces into lines of at most `width` characters (UTF-8 aware). A single word
/// longer than `width` (a URL) gets a line of its own and is never split. Existing newlines are
/// kept as line breaks.
[[nodiscard]] std::vector<std::string> wrap_words(std::string_view text, std::size_t width);

/// The formatter help is drawn with.
[[nodiscard]] std::shared_ptr<CLI::FormatterBase> make_help_formatter(HelpStyle style);

/// Draws the help of `root` and every command below it with `style`.
void set_help_formatter(CLI::App& root, const HelpStyle& style);

} // namespace breeze::cli
