#pragma once

// What the generate-constraints files share: a job's current file (read before the jobs start),
// what a job produced, the one job body (generate_constraints_job.cpp), the image check
// (generate_constraints_image_check.cpp) and the report (generate_constraints_report.cpp).

#include <breeze/commands/release_management/generate_constraints.hpp>
#include <breeze/constraints/generate.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace breeze::commands::release_management::generate_detail {

/// `<mode>-<python>.txt`.
inline std::string file_name(const std::string& mode, const std::string& python) {
  return fmt::format("{}-{}.txt", mode, python);
}

/// The current file on the constraints branch, when it could be read.
struct Original {
  std::optional<std::string> text;
  bool absent =
      false; ///< the branch has no such file (a new Python or mode), as opposed to unreadable
};

/// Reads every job's current file: from the local constraints repository (object database only,
/// through the context's git opener) or over HTTPS in one batch. A file that cannot be read is a
/// warning; a missing repository or branch is a usage error.
[[nodiscard]] Expected<std::map<std::string, Original>>
read_originals(const std::vector<ConstraintsJob>& jobs, const GenerateConstraintsOptions& opts,
               Context& ctx);

/// What one job produced.
struct JobOutcome {
  bool ok = false;
  std::string summary; ///< one line: the summary table / the failure
  std::vector<std::filesystem::path> written;
  std::size_t pins = 0;
  std::optional<std::size_t> changed; ///< nullopt: nothing to compare with
  bool new_file = false;
};

/// What every job reads; it is filled before the jobs start and only read while they run.
struct Shared {
  const config::Settings& settings;
  process::Runner& runner;
  constraints::FreezeFilter filter;
  std::map<std::string, Original> originals;
  time::Instant generated_on; ///< one date for every file of the run
};

/// One job: runs its `docker run`, writes the file, the original and the diff beside it. Every
/// output line goes to `on_line` (when given).
[[nodiscard]] JobOutcome run_job(const ConstraintsJob& job, const Shared& shared,
                                 const std::function<void(const std::string&)>& on_line);

/// Refuses images that do not fit (image_problem()) unless --skip-image-check; a dry run only
/// warns.
[[nodiscard]] Expected<void> check_images(const std::vector<ConstraintsJob>& jobs,
                                          const GenerateConstraintsOptions& opts, Context& ctx,
                                          const std::string& docker);

/// A generated file's line of the report: pins and what changed.
[[nodiscard]] std::string describe(const JobOutcome& o);

/// --output json (docs/json-output.md, "generate-constraints"): one entry per planned file.
/// `ran` is false for jobs that never ran (a single-Python run stops at the first failure).
[[nodiscard]] std::string render_json(const std::vector<ConstraintsJob>& jobs,
                                      const std::vector<JobOutcome>& outcomes,
                                      const std::vector<bool>& ran,
                                      const std::filesystem::path& root, bool dry_run,
                                      bool interrupted);

/// The text report: each generated file (relative to `root`) with describe() and the files
/// written beside it. Returns the names of the jobs that did not generate their file.
[[nodiscard]] std::vector<std::string> print_report(std::ostream& out,
                                                    const std::vector<ConstraintsJob>& jobs,
                                                    const std::vector<JobOutcome>& outcomes,
                                                    const std::filesystem::path& root);

} // namespace breeze::commands::release_management::generate_detail
