#pragma once

#include <breeze/cli/command_table.hpp>
#include <breeze/commands/context.hpp>

#include <string>
#include <vector>

namespace breeze::cli {

/// Runs breeze with `args` (without argv[0]) against `services`; returns the process exit code
/// (0 ok, 1 failure, 2 usage error, 130 interrupted). Never exits and never throws, so tests can
/// call it in-process with fakes.
[[nodiscard]] int run(const std::vector<std::string>& args, commands::Services& services);

/// The exit code a command's outcome ends breeze with: 130 whenever Ctrl-C arrived (a child that
/// failed because it was interrupted is still an interruption), else the error kind's code
/// (1 failure, 2 usage) or the command's own code.
[[nodiscard]] int exit_code(const Expected<ExitCode>& outcome, bool interrupted);

/// One row of the option/variable table of docs/settings.md.
struct EnvOptionRow {
  std::string command;  ///< "ci-image build"; "every command" for the global options (listed once)
  std::string option;   ///< "-p/--python"
  std::string variable; ///< "PYTHON_MAJOR_MINOR_VERSION"
  bool flag = false;    ///< takes Breeze's boolean spellings
};

/// Every option of the whole command tree that reads an environment variable (the table
/// docs/settings.md holds; a unit test keeps them equal), made from command_reference().
[[nodiscard]] std::vector<EnvOptionRow> env_option_table(commands::Services& services);

/// env_option_table() as the Markdown table docs/settings.md holds (`breeze setup
/// config-reference` prints it), header included, each row ending in a newline.
[[nodiscard]] std::string env_option_markdown(commands::Services& services);

} // namespace breeze::cli
