#pragma once

// What the image build files share: how one job's steps ended and the job runner
// (image_build_run.cpp), the per-job report, JSON and the timeout follow-up
// (image_build_report.cpp), the build's time limit (image_build_plan.cpp) and the steps Python
// Breeze runs before a build (image_build_prebuild.cpp). image_build.cpp orchestrates them;
// image_build_options.cpp registers the flags.

#include <breeze/commands/image_build.hpp>

#include <breeze/base/env.hpp>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace breeze::commands::image_build_detail {

// How one job's steps ended.
struct StepsResult {
  bool ok = true;
  bool timed_out = false;
  bool interrupted = false;
  std::string failed_step;               ///< breeze's step and why: "Push X (exit 1)"
  std::string reason;                    ///< why alone: "exit 1", "timed out", ...
  std::optional<std::string> build_step; ///< the docker build's failed step (or, if ok, last one)

  // The summary-table cell: where the build was, not the job's title again.
  [[nodiscard]] std::string summary(const BuildJob& job) const {
    if (ok)
      return build_step ? *build_step : job.steps.empty() ? job.name : job.steps.back().description;
    return build_step ? fmt::format("{} ({})", *build_step, reason) : failed_step;
  }
};

/// Runs one job's steps in order; the first failing step (that may not fail) ends the job. Every
/// output line goes to `on_line` (the terminal when sequential, the job's log and live view in a
/// pool).
StepsResult run_steps(const BuildJob& job, process::Runner& runner,
                      const std::filesystem::path& cwd,
                      std::optional<std::chrono::milliseconds> timeout,
                      const std::function<void(const std::string&)>& on_line);

/// A job's steps and, when they fail (not by a timeout or Ctrl-C) and the job has them, its retry
/// steps once: Breeze's --upgrade-on-failure.
StepsResult run_job(const BuildJob& job, process::Runner& runner, const std::filesystem::path& cwd,
                    std::optional<std::chrono::milliseconds> timeout,
                    const std::function<void(const std::string&)>& on_line);

// What --output json says about one job (docs/json-output.md, "ci-image build").
struct JobReport {
  std::string status = "not_started"; // succeeded, failed, timed_out, interrupted, dry_run
  std::optional<double> duration_seconds;
  std::optional<std::filesystem::path> log_file;
  std::optional<StepsResult> steps;
};

/// The `--output json` document of a build's jobs.
std::string render_json(const ImageBuildOptions& opts, const std::vector<BuildJob>& jobs,
                        const std::vector<JobReport>& reports, bool dry_run);

/// A finished job's JSON status: succeeded, failed, timed_out or interrupted.
std::string status_of(const StepsResult& r);

/// Runs find-backtracking-candidates for each timed-out Python and fails (as Airflow's tool does).
ExitCode after_timeout(Context& ctx, const ImageBuildOptions& opts, std::chrono::milliseconds limit,
                       const std::vector<std::string>& pythons);

/// The build's time limit: --build-timeout-minutes or BREEZE_BUILD_TIMEOUT_SECONDS; none if unset.
Expected<std::optional<std::chrono::milliseconds>> build_timeout(const ImageBuildOptions& opts,
                                                                 const EnvLookup& env);

/// The Airflow script the CI build refreshes provider dependencies with, relative to the sources.
inline constexpr const char* k_providers_script =
    "scripts/ci/pre_commit/update_providers_dependencies.py";

/// Python Breeze's fix_group_permissions on the tracked files under `root`.
void fix_group_permissions(git::Opener& opener, const std::filesystem::path& root);

/// Whether this build runs the providers' dependencies refresh first.
bool runs_providers_script(const ImageBuildOptions& opts, const std::filesystem::path& root);

/// Runs that refresh; not ok stops the build before it starts.
Expected<ExitCode> update_providers_dependencies(Context& ctx, const std::filesystem::path& root);

} // namespace breeze::commands::image_build_detail
