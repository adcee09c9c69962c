#pragma once

// Help text: CLI11's parser with our own rendering (issue 14). CLI11's formatter pads columns but
// breaks words and lines at fixed widths ("constrai / nts" at 80 columns) and shows defaults three
// ways, so the rendering is ours: options in panels (Python Breeze's panel names where it has
// them), every line within the terminal width, words never split, one way of showing defaults,
// allowed values and environment variables.

#include <breeze/base/env.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class FormatterBase;
class Option;
} // namespace CLI

namespace breeze::cli {

/// How help is drawn.
struct HelpStyle {
  std::size_t width = 80; ///< no line is longer than this
  bool colour = false;    ///< bold panel titles and cyan option names
  /// Allowed values known only at run time (e.g. "--python" -> the checkout's Pythons), listed
  /// like those of a CLI11 IsMember check.
  std::map<std::string, std::vector<std::string>> allowed;
};

/// The width help is drawn at: COLUMNS when it is a number (at least 30), else the terminal's
/// width when known, else 80.
[[nodiscard]] std::size_t help_width(const EnvLookup& env, std::size_t terminal_width);

/// `text` broken at spaces into lines of at most `width` characters (UTF-8 aware). A single word
/// longer than `width` (a URL) gets a line of its own and is never split. Existing newlines are
/// kept as line breaks.
[[nodiscard]] std::vector<std::string> wrap_words(std::string_view text, std::size_t width);

/// The formatter help is drawn with.
[[nodiscard]] std::shared_ptr<CLI::FormatterBase> make_help_formatter(HelpStyle style);

/// Draws the help of `root` and every command below it with `style`.
void set_help_formatter(CLI::App& root, const HelpStyle& style);

/// One panel of a command's help: a title and the options it holds, in order.
struct HelpPanel {
  std::string title;
  std::vector<std::string> options; ///< long names, e.g. "--python"
};

/// The panels of `command_path` ("ci-image build"), in order; empty for commands that have none.
/// Python Breeze's panel names and order where it has them (ci_image_commands_config.py and
/// friends); options a table does not list keep the group they were registered with.
[[nodiscard]] const std::vector<HelpPanel>& help_panels(std::string_view command_path);

/// The values `opt` accepts: `known` by its long name, else those of a CLI11 IsMember check; empty
/// when any value goes.
[[nodiscard]] std::vector<std::string>
allowed_values(const CLI::Option& opt,
               const std::map<std::string, std::vector<std::string>>& known);

/// The long name an option is known by ("--python"), else its short one.
[[nodiscard]] std::string primary_option_name(const CLI::Option& opt);

/// Puts every option of `root`'s tree into its panel (CLI11's option group): the panel tables
/// above, and the options every command takes under "Common options".
void apply_help_panels(CLI::App& root);

} // namespace breeze::cli
