#pragma once

// Commands as data (in the spirit of vcpkg-tool's CommandMetadata): every group and command of
// breeze is one record of the tables below, and register_all() only walks them. Help, shell
// completion and the environment-variable docs are generated from the same records plus what the
// commands registered (command_reference()), so they cannot drift from what breeze parses.

#include <breeze/commands/context.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
} // namespace CLI
namespace breeze::config {
struct Settings;
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

/// One help panel: a title and the options it holds (long names, "--python"), in help order.
struct PanelMetadata {
  std::string_view title;
  std::vector<std::string_view> options;
};

/// The panel every command's common options (add_global_options, -h/--help) are shown in, last.
inline constexpr std::string_view k_common_panel = "Common options";

/// Allowed values known only at run time, by long name ("--python" -> the checkout's Pythons):
/// they replace those of the option's IsMember check wherever the option is described.
using ValueLists = std::map<std::string, std::vector<std::string>, std::less<>>;

/// One command: where it sits, what help says about it, and the function adding its options.
struct CommandMetadata {
  std::string_view group;                 ///< a GroupMetadata name; empty for `breeze version`
  std::string_view name;                  ///< "build"
  std::string_view summary;               ///< the description help prints first
  std::vector<std::string_view> examples; ///< full command lines; a continuation is "\\\n      ..."
  /// Python Breeze's help panels (dev/breeze/src/airflow_breeze/commands/*_commands_config.py)
  /// where it has them, in its order; options no panel names keep the group they were registered
  /// with, shown after these panels and before k_common_panel.
  std::vector<PanelMetadata> panels;
  RegisterOptions register_options = nullptr;
  /// Not listed by help, completion or the man page (a tool for breeze's own docs).
  bool hidden = false;
  /// Values this command's options take beyond the run-time lists, by long name: listed after
  /// them (generate-constraints' `--airflow-constraints-mode all`) only where this command's
  /// options are described. A name without a run-time list gets none (no list at all stays so).
  ValueLists extra_values = {};
};

/// Every group, in help order.
[[nodiscard]] const std::vector<GroupMetadata>& group_table();

/// Every command, in help order (`version` first, then by group).
[[nodiscard]] const std::vector<CommandMetadata>& command_table();

/// The record of `path` ("ci-image build", "version"); nullptr for a group, breeze itself or an
/// unknown path.
[[nodiscard]] const CommandMetadata* find_command(std::string_view path);

/// "breeze ci-image build": the command line that selects `command` (without options).
[[nodiscard]] std::string command_path(const CommandMetadata& command);

/// Registers the whole tree on `root`: breeze's description, footer, global options and version
/// flag, the groups, then each command through its register function, each with the global
/// options; help footers are the records' examples. Every option is put in its help panel (CLI11
/// option group): the record's panels, k_common_panel for the global options and -h/--help.
void register_all(CLI::App& root, commands::Context& ctx);

/// The values the settings in force allow: `--python` (the checkout's Pythons) and
/// `--airflow-constraints-mode`. Help, completion and the man page all use these.
[[nodiscard]] ValueLists run_time_values(const config::Settings& settings);

/// `values` with `command`'s extra_values appended to the lists they name (nullptr: `values`).
[[nodiscard]] ValueLists command_values(const ValueLists& values, const CommandMetadata* command);

/// What one option of a registered command offers (help, completion, docs are made from it).
struct OptionReference {
  std::vector<std::string> spellings; ///< short ones first: {"-p", "--python"}
  std::string description;            ///< the help text
  std::string type_name;    ///< what help shows after the names ("TEXT", "INT:..."); "" for flags
  std::string default_text; ///< CLI11's default string (capture_default_str); "" if none
  std::vector<std::string> allowed; ///< IsMember's values (or run-time ones); empty: any value
  /// Values completion offers for an option that takes any value but usually one of a few
  /// (--platform); help and the man page do not list them, the description names them.
  std::vector<std::string> suggested;
  std::string variable;    ///< its environment variable (option_env); "" if none
  std::string panel;       ///< the help panel, e.g. "Basic usage"; "" for a hidden option
  bool flag = false;       ///< takes no value (booleans)
  bool required = false;   ///< the command line (or the variable) must give it
  bool repeatable = false; ///< may be given more than once, each value kept
  bool global = false;     ///< one of the options every command takes (add_global_options)
};

/// One registered command: its record and its options in registration order (global ones last).
struct CommandReference {
  const CommandMetadata* metadata = nullptr; ///< the record in command_table()
  std::string path;                          ///< "ci-image build" (without "breeze")
  std::vector<OptionReference> options;
};

/// One registered group: its record and its options (-h/--help and the global ones).
struct GroupReference {
  const GroupMetadata* metadata = nullptr; ///< the record in group_table()
  std::vector<OptionReference> options;
};

/// The whole registered tree: breeze's own options, every group and every command of the tables.
struct Reference {
  std::string description;                     ///< breeze's own, as help shows it
  std::vector<OptionReference> global_options; ///< breeze's own options (-h, -V, the global ones)
  std::vector<GroupReference> groups;          ///< in group_table() order
  std::vector<CommandReference> commands;      ///< in command_table() order
};

/// Builds the tree against `services` (nothing runs, nothing is read from the environment) and
/// describes it; `values` replace the allowed values of the options they name.
[[nodiscard]] Reference command_reference(commands::Services& services,
                                          const ValueLists& values = {});

/// Describes `opt`; `values` replace its allowed values when they name it.
[[nodiscard]] OptionReference describe_option(const CLI::Option& opt,
                                              const ValueLists& values = {});

/// Describes every option of `app` (its help flag included; not its positional arguments), in
/// registration order.
[[nodiscard]] std::vector<OptionReference> describe_options(const CLI::App& app,
                                                            const ValueLists& values = {});

} // namespace breeze::cli
