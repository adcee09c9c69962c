#pragma once

// Options as data: a command's plain options are rows (spellings, target, help, variable, checks,
// panel) registered in order by one loop, so adding an option is one row.

#include <breeze/commands/option_env.hpp> // CLI::App, CLI::Option

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace breeze::commands {

/// One option: a bool target is a flag, any other a value option.
struct OptionRow {
  std::string names; ///< CLI11 spellings, e.g. "-t,--image-tag" or "--use-uv,!--no-use-uv"
  std::variant<bool*, std::string*, int*, double*, std::filesystem::path*> target;
  std::string help;
  std::string variable;               ///< its environment variable; empty: none
  std::vector<CLI::Validator> checks; ///< applied in order
  bool show_default = false;          ///< CLI11's capture_default_str
  bool required = false;              ///< the command line (or the variable) must give it
  /// A path option: made absolute against this folder (the injected working directory) as it
  /// is parsed (absolute_path_option()); nullptr: not a path.
  const std::filesystem::path* cwd = nullptr;
  /// With `cwd`: also keeps the value as the user spelled it here, for messages (nullptr: not).
  std::string* as_typed = nullptr;
};

/// Makes `option` a path option: a relative value (from the command line or the variable) becomes
/// absolute against `cwd` as it is parsed, the one place paths are resolved (`cwd` must outlive
/// the parse: Services::cwd). `as_typed`, when given, receives the value as spelled, for messages.
CLI::Option* absolute_path_option(CLI::Option* option, const std::filesystem::path& cwd,
                                  std::string* as_typed = nullptr);

/// Registers `rows` on `cmd` in order, each in `panel` (empty: CLI11's "Options"); returns the
/// options, one per row.
std::vector<CLI::Option*> add_option_rows(CLI::App& cmd, const std::vector<OptionRow>& rows,
                                          const std::string& panel);

} // namespace breeze::commands
