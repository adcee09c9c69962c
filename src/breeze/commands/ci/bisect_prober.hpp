#pragma once

// bisect-backtracking's prober: runs probes through the Runner and the job pool (--parallelism,
// timeouts, cancellation, the cut on backtracking) and records what each did.

#include <breeze/commands/ci/bisect_backtracking.hpp>
#include <breeze/commands/ci/bisect_search.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace breeze::commands::ci::bisect_detail {

// What one probe did, for the table and JSON.
struct ProbeRecord {
  std::size_t number = 0;
  std::string purpose; ///< "full list", "suspect", "bisect", "check"
  std::vector<std::string> limits;
  ProbeOutcome outcome = ProbeOutcome::fail;
  bool timed_out = false;
  bool backtracked = false;        ///< cut: its output matched --backtracking-pattern
  std::string cut_line;            ///< the line that matched (control characters stripped)
  std::size_t cut_line_number = 0; ///< its number in the probe's output, from 1
  int exit_code = 0;
  std::chrono::milliseconds elapsed{0};
  std::string error;  ///< the probe could not be started
  std::string output; ///< captured output (conflict lines of checks)
  std::filesystem::path log;
};

/// The table's word for a probe's outcome ("pass", "TIMEOUT (killed)", "FAIL (exit 1)", ...).
std::string outcome_word(const ProbeRecord& r);
/// The JSON key for a probe's outcome ("pass", "backtracking", "timeout", ...).
std::string outcome_key(const ProbeRecord& r);
/// A probe's limits for one table cell: all of them up to 4, else the first 3 and a count.
std::string short_limits(const std::vector<std::string>& limits);

// One probe to run: its limits and why.
struct ProbeRequest {
  std::vector<std::string> limits;
  std::string purpose;
};

// Runs the probes: argv per probe, the Runner (so --dry-run and recording fakes apply), the pool
// for --parallelism, timeouts and cancellation, and the cut when a probe's output shows
// backtracking.
class Prober {
public:
  Prober(Context& ctx, std::vector<std::string> argv_template, std::size_t parallelism,
         std::optional<std::chrono::milliseconds> timeout, std::filesystem::path log_dir,
         std::optional<std::regex> backtracking)
      : m_ctx(ctx), m_template(std::move(argv_template)), m_parallelism(parallelism),
        m_timeout(timeout), m_log_dir(std::move(log_dir)), m_backtracking(std::move(backtracking)) {
  }

  std::vector<std::string> argv(const std::vector<std::string>& limits) const {
    return expand_probe_command(m_template, limits);
  }

  std::vector<ProbeRecord> run(const std::vector<ProbeRequest>& batch, bool first_pass_wins);

  void set_timeout(std::chrono::milliseconds t) { m_timeout = t; }
  /// How often plain mode prints a running probe's status (60 s; tests make it small).
  void set_status_every(std::chrono::milliseconds every) { m_status_every = every; }
  [[nodiscard]] std::optional<std::chrono::milliseconds> timeout() const { return m_timeout; }
  [[nodiscard]] const std::vector<ProbeRecord>& all() const { return m_all; }

private:
  // What the probes of one batch tell each other while they run.
  struct BatchState {
    std::atomic<bool> passed{false}; ///< one passed (first_pass_wins stops the others)
    std::atomic<bool> abort{false};  ///< the full list failed: the probes beside it mean nothing
    /// Once the full list passed in T: the timeout the others get, from their own start (ms; -1:
    /// none yet). Until then a speculative probe has no timeout, as the full list has none.
    std::atomic<long long> late_timeout_ms{-1};
  };

  parallel::JobResult run_one(ProbeRecord& rec, parallel::JobContext& jc, BatchState& state,
                              bool first_pass_wins, bool speculative);

  Context& m_ctx;
  std::vector<std::string> m_template;
  std::size_t m_parallelism;
  std::optional<std::chrono::milliseconds> m_timeout;
  std::filesystem::path m_log_dir;
  std::optional<std::regex> m_backtracking;
  std::size_t m_count = 0;
  std::vector<ProbeRecord> m_all;
  std::chrono::milliseconds m_status_every = std::chrono::seconds(60);
  parallel::StatusReporter* m_reporter = nullptr; ///< while run() runs
};

} // namespace breeze::commands::ci::bisect_detail
