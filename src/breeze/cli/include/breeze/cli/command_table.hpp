#pragma once

// Commands as data (in the spirit of vcpkg-tool's CommandMetadata): every group and command of
// breeze is one record of the tables below, and register_all() only walks them. Help, shell
// completion and the environment-variable docs are generated from the same records plus what the
// commands registered (command_reference()), so they cannot drift from what breeze parses.

#include <breeze/commands/context.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::cli {

/// Adds a command's own options and its action to `cmd`, which the table already created with
/// the command's name, summary and examples (the global options are added after it by the table).
using RegisterOptions = void (*)(CLI::App& cmd, commands::Context& ctx);

/// A command group of breeze (`ci-image`, `ci`, ...), in help order.
struct GroupMetadata {
  std::string_view name;                  ///< "ci-image"
  std::string_view summary;               ///< one line for help
  std::vector<std::string_view> examples; ///< full command lines ("breeze ci-image --help")
};

/// One command: where it sits, what help says about it, and the function adding its options.
struct CommandMetadata {
  std::string_view group;                 ///< a GroupMetadata name; empty for `breeze version`
  std::string_view name;                  ///< "build"
  std::string_view summary;               ///< the description help prints first
  std::vector<std::string_view> examples; ///< full command lines; a continuation is "\\\n      ..."
  /// The option groups (help panels) the command's options are in, in help order: CLI11's
  /// "Options" (which holds -h/--help), the command's own panels, "Global options" last. A unit
  /// test keeps it equal to what the registered command has.
  std::vector<std::string_view> panels;
  RegisterOptions register_options = nullptr;
};

/// Every group, in help order.
[[nodiscard]] const std::vector<GroupMetadata>& group_table();

/// Every command, in help order (`version` first, then by group).
[[nodiscard]] const std::vector<CommandMetadata>& command_table();

/// "breeze ci-image build": the command line that selects `command` (without options).
[[nodiscard]] std::string command_path(const CommandMetadata& command);

/// Registers the whole tree on `root`: the groups, then each command through its register function,
/// each with the global options; help footers are the records' examples.
void register_all(CLI::App& root, commands::Context& ctx);

/// What one option of a registered command offers (help, completion, docs are made from it).
struct OptionReference {
  std::vector<std::string> spellings; ///< short ones first: {"-p", "--python"}
  std::string description;            ///< the help text
  std::string type_name;    ///< what help shows after the names ("TEXT", "INT:..."); "" for flags
  std::string default_text; ///< CLI11's default string (capture_default_str); "" if none
  std::vector<std::string> allowed; ///< the values an IsMember check allows; empty: any value
  std::string variable;             ///< its environment variable (option_env); "" if none
  std::string panel;                ///< the help panel (CLI11 group), e.g. "Global options"
  bool flag = false;                ///< takes no value (booleans)
  bool required = false;            ///< the command line (or the variable) must give it
  bool repeatable = false;          ///< may be given more than once, each value kept
  bool global = false;              ///< one of the options every command takes (add_global_options)
};

/// One registered command: its record and its options in registration order (global ones last).
struct CommandReference {
  const CommandMetadata* metadata = nullptr; ///< the record in command_table()
  std::string path;                          ///< "ci-image build" (without "breeze")
  std::vector<OptionReference> options;
};

/// The whole registered tree: breeze's own (global) options and every command of the table.
struct Reference {
  std::vector<OptionReference> global_options;
  std::vector<CommandReference> commands;
};

/// Builds the tree against `services` (nothing runs, nothing is read from the environment) and
/// describes it.
[[nodiscard]] Reference command_reference(commands::Services& services);

/// Describes every option of `app` (its help flag included), in registration order.
[[nodiscard]] std::vector<OptionReference> describe_options(CLI::App& app);

} // namespace breeze::cli
