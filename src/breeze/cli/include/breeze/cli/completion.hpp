#pragma once

// Shell completion scripts and the man page, generated from command_reference() (issue 14): the
// command table and what the commands register with it are the one source for help, completion
// and breeze.1.

#include <string>

namespace CLI {
class App;
}
namespace breeze::commands {
class Context;
}

namespace breeze::cli {

/// The whole registered tree (command_table.hpp).
struct Reference;

/// The completion script for `shell` ("bash", "zsh" or "fish"): the commands, options and values
/// (allowed, else suggested) of `ref`.
[[nodiscard]] std::string completion_script(const Reference& ref, const std::string& shell);

/// breeze.1: every command of `ref` with its options, allowed values and variables, in man(7)
/// format.
[[nodiscard]] std::string man_page(const Reference& ref);

/// `setup autocomplete`'s options and action: the script of command_reference() with the
/// settings' run-time values.
void register_setup_autocomplete(CLI::App& cmd, commands::Context& ctx);

/// `setup man-page`'s options and action: the page of command_reference() with the settings'
/// run-time values.
void register_setup_man_page(CLI::App& cmd, commands::Context& ctx);

/// `setup config-reference` (hidden): prints env_option_markdown(), docs/settings.md's table.
void register_setup_config_reference(CLI::App& cmd, commands::Context& ctx);

} // namespace breeze::cli
