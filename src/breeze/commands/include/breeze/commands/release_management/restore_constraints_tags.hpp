#pragma once

#include <breeze/commands/context.hpp>

#include <filesystem>
#include <string>

namespace breeze::commands::release_management {

/// Flags of `breeze release-management restore-constraints-tags`.
struct RestoreTagsOptions {
  std::filesystem::path journal;
  std::filesystem::path constraints_repo; ///< empty: the repository recorded in the journal
  std::string remote_name;                ///< empty: the remote recorded in the journal
  bool force = false;                     ///< also restore tags that moved again since the journal
};

/// Puts the tags recorded in a restore journal back where they pointed before (locally and on the
/// remote, with force), after one confirmation.
[[nodiscard]] Expected<ExitCode> run_restore_constraints_tags(const RestoreTagsOptions& options,
                                                              Context& ctx);

/// `release-management restore-constraints-tags`: gives the command its options and action
/// (cli/command_table.cpp creates it).
void register_restore_constraints_tags(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::release_management
