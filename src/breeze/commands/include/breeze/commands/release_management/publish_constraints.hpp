#pragma once

#include <breeze/commands/context.hpp>

#include <filesystem>
#include <string>

namespace breeze::commands::release_management {

/// Flags of `breeze release-management publish-constraints`.
struct PublishConstraintsOptions {
  std::filesystem::path constraints_repo;
  std::string remote_name = "apache";
  std::string constraints_branch; ///< empty: settings (constraints-main)
  std::filesystem::path files_dir = "files";
  std::string commit_message;
  std::string output = "text"; ///< text or json (docs/json-output.md)
};

/// Copies generated files/constraints-*/constraints*.txt onto the tip of the remote's constraints
/// branch, shows the diff, commits and pushes without force. Nothing to commit → says so, exit 0.
[[nodiscard]] Expected<ExitCode> run_publish_constraints(const PublishConstraintsOptions& options,
                                                         Context& ctx);

/// `release-management publish-constraints`: gives the command its options and action
/// (cli/command_table.cpp creates it).
void register_publish_constraints(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::release_management
