#include <breeze/commands/option_table.hpp>

#include <breeze/base/paths.hpp>

#include <CLI/CLI.hpp>

namespace breeze::commands {

CLI::Option* absolute_path_option(CLI::Option* option, const std::filesystem::path& cwd,
                                  std::string* as_typed) {
  // No description: the help shows the option as before.
  return option->transform(CLI::Validator(
      [&cwd, as_typed](std::string& value) {
        if (as_typed != nullptr) *as_typed = value;
        value = paths::absolute(value, cwd).string();
        return std::string();
      },
      ""));
}

std::vector<CLI::Option*> add_option_rows(CLI::App& cmd, const std::vector<OptionRow>& rows,
                                          const std::string& panel) {
  std::vector<CLI::Option*> added;
  for (const auto& row : rows) {
    CLI::Option* opt = std::visit(
        [&](auto* target) -> CLI::Option* {
          if constexpr (std::is_same_v<decltype(target), bool*>)
            return cmd.add_flag(row.names, *target, row.help);
          else
            return cmd.add_option(row.names, *target, row.help);
        },
        row.target);
    for (const auto& check : row.checks)
      opt->check(check);
    if (row.cwd != nullptr) absolute_path_option(opt, *row.cwd, row.as_typed);
    if (row.required) opt->required();
    if (row.show_default) opt->capture_default_str();
    if (!row.variable.empty()) env_option(opt, row.variable);
    if (!panel.empty()) opt->group(panel);
    added.push_back(opt);
  }
  return added;
}

} // namespace breeze::commands
