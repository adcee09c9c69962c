#pragma once

// Shell completion scripts and the man page, generated from the registered command tree (issue 14):
// what the commands register with CLI11 is the one source for help, completion and breeze.1.

#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace breeze::commands {
class Context;
}

namespace breeze::cli {

/// One option as completion sees it.
struct CompletionOption {
  std::vector<std::string> names;  ///< "-p", "--python"
  bool takes_value = false;        ///< false for flags
  std::vector<std::string> values; ///< allowed values; empty = any value (a path, a word)
  std::string summary;             ///< first sentence of the description
  std::string env;                 ///< its environment variable, if any
};

/// One command (or group, or breeze itself: path "") of the tree.
struct CompletionCommand {
  std::string path;                     ///< "ci-image build"
  std::string description;              ///< the command's description
  std::vector<std::string> subcommands; ///< names of the commands below it
  std::vector<CompletionOption> options;
};

/// The tree below `root`, pre-order. `allowed` adds values known only at run time, by long name
/// ("--python" -> the checkout's Pythons).
[[nodiscard]] std::vector<CompletionCommand>
completion_model(const CLI::App& root,
                 const std::map<std::string, std::vector<std::string>>& allowed);

/// The completion script for `shell` ("bash", "zsh" or "fish").
[[nodiscard]] std::string completion_script(const std::vector<CompletionCommand>& model,
                                            const std::string& shell);

/// breeze.1: every command with its options, defaults and variables, in man(7) format.
[[nodiscard]] std::string man_page(const std::vector<CompletionCommand>& model);

/// `setup autocomplete`'s options and action; it describes the tree `cmd` belongs to.
void register_setup_autocomplete(CLI::App& cmd, commands::Context& ctx);

/// `setup man-page`'s options and action; it describes the tree `cmd` belongs to.
void register_setup_man_page(CLI::App& cmd, commands::Context& ctx);

} // namespace breeze::cli
