#pragma once

#include <breeze/commands/context.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/pypi/candidates.hpp>

#include <string>

namespace breeze::commands::ci {

/// Flags of `breeze ci find-backtracking-candidates` (empty strings: use the settings' default).
struct FindBacktrackingOptions {
  std::string python; ///< --python (default: newest supported)
  std::string
      constraints_mode; ///< --airflow-constraints-mode (default constraints-source-providers)
  std::string constraints_branch; ///< --constraints-branch (default constraints-main)
  std::string constraints_file;   ///< --constraints-file: a local file (wins over the others),
                                  ///< absolute since parsing
  std::string constraints_file_as_typed; ///< --constraints-file as the user spelled it (the report)
  std::string constraints_repo;          ///< --constraints-repo: a git repository read with libgit2
  std::string remote_name = "apache";    ///< --remote-name: whose branches --constraints-repo reads
  std::string constraints_url = "https://raw.githubusercontent.com"; ///< --constraints-url base
  std::string since; ///< --since: overrides the header date
  IndexAccess index; ///< --pypi-url, --no-cache, --parallelism, --timeout, --max-response-size
  std::string output = "text";   ///< --output text|json
  bool conflict_analysis = true; ///< false: --no-conflict-analysis (no requirement lookups)
  std::string platform;          ///< --platform whose markers count (default linux/amd64)
};

/// Adds the flags that say where the candidates come from (constraints mode, branch, file, repo,
/// URL, --since, the index access group, --no-conflict-analysis) to `cmd`, in help group `group`:
/// shared by find-backtracking-candidates and bisect-backtracking, which computes the candidates
/// in-process. Path options are made absolute against `cwd` (Services::cwd) as they are parsed.
/// `parallelism_names` spells the request parallelism (add_index_access_options()).
void add_candidate_source_options(
    CLI::App& cmd, FindBacktrackingOptions& o, const std::string& group,
    const std::filesystem::path& cwd, const std::string& parallelism_names = "--parallelism",
    const std::string& parallelism_help = "Requests in flight at once");

/// `ci find-backtracking-candidates`: gives the command its options and action
/// (cli/command_table.cpp creates it).
void register_find_backtracking_candidates(CLI::App& cmd, Context& ctx);

/// Computes the report (constraints + index lookups, then the conflict analysis of the candidates'
/// newest requirements unless disabled) without printing it; per-package problems are logged and
/// listed in `failed`; requirements that cannot be read leave a candidate unranked.
[[nodiscard]] Expected<pypi::Report>
find_backtracking_report(const FindBacktrackingOptions& options, Context& ctx);

/// Finds packages released since the last constraints and prints the limits to try. Exit 1 when
/// some packages could not be checked (the report is printed anyway, marked incomplete).
[[nodiscard]] Expected<ExitCode>
run_find_backtracking_candidates(const FindBacktrackingOptions& options, Context& ctx);

} // namespace breeze::commands::ci
