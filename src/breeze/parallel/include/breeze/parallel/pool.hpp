#pragma once

#include <breeze/base/expected.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace breeze::parallel {

class Reporter;

/// What a running job sees.
struct JobContext {
  std::string name;
  std::filesystem::path
      log_file; ///< where on_line writes; the job may point a ProcessSpec's output here too
  /// Every output line of the job: appended to its log file and shown as its latest line.
  /// Pass it as ProcessSpec::on_line. Safe to call from the job's thread only.
  std::function<void(const std::string& line)> on_line;
};

/// How a job ended: `summary` is one line for the summary table (e.g. the image it pushed).
/// A job that did not succeed after Ctrl-C (or says `interrupted`) ends `interrupted`, not failed.
struct JobResult {
  bool ok = false;
  std::string summary;
  bool interrupted = false; ///< the job stopped because of Ctrl-C
};

/// One unit of work, run on a pool thread. Exceptions it throws count as a failure.
struct Job {
  std::string name;
  std::function<JobResult(JobContext&)> run;
};

/// Where a job is in its life.
enum class JobState { queued, running, succeeded, failed, interrupted, not_started };

/// A job as the reporters see it.
struct JobStatus {
  std::string name;
  JobState state = JobState::queued;
  std::chrono::milliseconds elapsed{0}; ///< so far while running, total once finished
  std::string last_line;                ///< the latest output line (raw; reporters sanitise it)
  std::filesystem::path log_file;
  std::string summary;
};

/// How to run the pool.
struct PoolOptions {
  std::size_t parallelism = 1;   ///< jobs running at once (at least 1)
  std::filesystem::path log_dir; ///< empty: a fresh breeze-jobs-XXXXXX in the temp dir (kept)
};

/// What happened to every job, in the order the jobs were given.
struct PoolOutcome {
  std::vector<JobStatus> jobs;
  std::filesystem::path log_dir;
  bool interrupted = false; ///< Ctrl-C stopped the pool from starting the remaining jobs

  /// True when every job ran and succeeded.
  [[nodiscard]] bool ok() const;
};

/// Runs `jobs` at most `options.parallelism` at a time, each job's output going to its own log file
/// in the log folder. Once Ctrl-C was requested no new job starts; running ones are stopped by the
/// runner they use. Every Reporter call happens on the calling thread. A usage Error for
/// parallelism 0 or duplicate/empty job names; an io Error when the log folder cannot be made.
[[nodiscard]] Expected<PoolOutcome> run_jobs(const std::vector<Job>& jobs,
                                             const PoolOptions& options, Reporter& reporter);

/// The default --parallelism: one job per core, but at most one per 2 GiB of memory, at least 1.
[[nodiscard]] std::size_t default_parallelism(std::size_t cores, std::uint64_t memory_bytes);

/// default_parallelism for this machine (usable cores; physical memory or the cgroup limit).
[[nodiscard]] std::size_t default_parallelism();

/// A file name for a job's log: the name with anything but [A-Za-z0-9._-] turned into '-', ".log".
[[nodiscard]] std::string log_file_name(const std::string& job_name);

} // namespace breeze::parallel
