#pragma once

#include <breeze/commands/context.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace breeze::commands::release_management {

/// Flags of `breeze release-management update-constraints`.
struct UpdateConstraintsOptions {
  std::filesystem::path constraints_repo;
  std::string remote_name = "apache";
  std::string airflow_versions;                 ///< "2.5.1,2.5.2" and/or ranges "2.5.1..2.6.3"
  std::vector<std::string> updated_constraints; ///< NAME==VERSION, repeatable
  std::filesystem::path comment_file;
  std::string commit_message;
  std::vector<std::string> constraints_modes; ///< empty: every constraints*.txt of the tag's tree
  bool add_missing = false;
  bool sign = false;
  std::string output = "text"; ///< text | json
};

/// Observers for tests (e.g. interrupting between versions); the CLI passes none.
struct UpdateConstraintsHooks {
  std::function<void(const std::string& version)> after_version;
};

/// Rewrites pins in the constraints of tagged Airflow versions: per version a new commit on top of
/// the tag's commit (built in the object database), branch constraints-<v>-fix pushed without
/// force, then the tag moved and pushed with force. Writes a restore journal into .git.
[[nodiscard]] Expected<ExitCode> run_update_constraints(const UpdateConstraintsOptions& options,
                                                        Context& ctx,
                                                        const UpdateConstraintsHooks& hooks = {});

/// `release-management update-constraints`: gives the command its options and action
/// (cli/command_table.cpp creates it).
void register_update_constraints(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::release_management
