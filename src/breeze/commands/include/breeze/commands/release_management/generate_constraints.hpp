#pragma once

#include <breeze/base/time.hpp>
#include <breeze/commands/context.hpp>
#include <breeze/git/head_commit.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::commands::release_management {

/// Flags of `release-management generate-constraints` (see docs/generate-constraints.md).
struct GenerateConstraintsOptions {
  std::string mode;   ///< a constraints mode or `all`; empty: the default mode
  std::string python; ///< empty: the newest supported Python
  bool run_in_parallel = false;
  std::string python_versions;  ///< space separated; empty: all supported
  int parallelism = 0;          ///< 0: cores, capped by memory
  std::string image_tag;        ///< empty: latest
  std::string constraints_repo; ///< local clone to read the current files from (else HTTPS)
  std::string remote_name =
      "apache";                   ///< whose branch of constraints_repo: <remote>/, origin/, local
  std::string constraints_branch; ///< empty: settings' constraints branch
  std::string constraints_url = "https://raw.githubusercontent.com";
  std::string network; ///< `docker run --network` (empty: the engine's default)
  bool skip_image_check = false;
  std::string output = "text"; ///< text or json (docs/json-output.md)
};

/// One job: one Python x one mode.
struct ConstraintsJob {
  std::string name; ///< `constraints-source-providers-3.10`
  std::string python;
  std::string mode;
  std::string image;             ///< the CI image it runs
  std::vector<std::string> argv; ///< the `docker run` command
  std::filesystem::path output;  ///< files/constraints-<py>/<mode>-<py>.txt (absolute)
};

/// Resolves options against settings into jobs (pure). Usage errors for unknown Pythons or modes
/// and for a mode without a generation command.
[[nodiscard]] Expected<std::vector<ConstraintsJob>>
plan_constraints_jobs(const GenerateConstraintsOptions& opts, const config::Settings& settings,
                      const std::string& docker);

/// Why an image may not be used to generate constraints, or nullopt when it may. `labels` is
/// nullopt when the engine has no such image; `head` is the sources' last commit, if known.
[[nodiscard]] std::optional<std::string>
image_problem(const std::optional<std::map<std::string, std::string>>& labels,
              const std::optional<git::HeadCommit>& head);

/// The `ci-image build` command that makes fitting images for `pythons`.
[[nodiscard]] std::string rebuild_command(const std::vector<std::string>& pythons,
                                          const GenerateConstraintsOptions& opts,
                                          const config::Settings& settings);

/// Runs the command (checks, confirmation, jobs sequential or pooled, files, report).
[[nodiscard]] Expected<ExitCode> run_generate_constraints(const GenerateConstraintsOptions& options,
                                                          Context& ctx);

/// `release-management generate-constraints`: gives the command its options and action
/// (cli/command_table.cpp creates it).
void register_generate_constraints(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::release_management
