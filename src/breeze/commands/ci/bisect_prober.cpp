// bisect-backtracking's prober: one probe at a time or a batch in the job pool, each through the
// Runner, cut when its output shows backtracking.

#include "bisect_prober.hpp"

#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/parallel/reporter.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace breeze::commands::ci::bisect_detail {

namespace {

// How a probe ended, once: its word in the report and its key in the JSON document.
std::pair<std::string, std::string> outcome_names(const ProbeRecord& r) {
  switch (r.outcome) {
  case ProbeOutcome::pass:
    return {"pass", "pass"};
  case ProbeOutcome::cancelled:
    return {"cancelled", "cancelled"};
  case ProbeOutcome::interrupted:
    return {"interrupted", "interrupted"};
  case ProbeOutcome::fail:
    break;
  }
  if (r.backtracked) return {"BACKTRACKED (cut)", "backtracking"};
  if (r.timed_out) return {"TIMEOUT (killed)", "timeout"};
  if (!r.error.empty()) return {"ERROR", "fail"};
  return {fmt::format("FAIL (exit {})", r.exit_code), "fail"};
}
} // namespace

std::string outcome_word(const ProbeRecord& r) { return outcome_names(r).first; }

std::string outcome_key(const ProbeRecord& r) { return outcome_names(r).second; }

std::string short_limits(const std::vector<std::string>& limits) {
  if (limits.size() <= 4) return strings::join(limits, " ");
  std::vector<std::string> head(limits.begin(), limits.begin() + 3);
  return fmt::format("{} ... (+{} more, {} limits)", strings::join(head, " "), limits.size() - 3,
                     limits.size());
}

std::vector<ProbeRecord> Prober::run(const std::vector<ProbeRequest>& batch, bool first_pass_wins) {
  std::vector<ProbeRecord> records(batch.size());
  BatchState state;
  std::vector<parallel::Job> jobs;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& rec = records[i];
    rec.number = ++m_count;
    rec.purpose = batch[i].purpose;
    rec.limits = batch[i].limits;
    rec.outcome = ProbeOutcome::cancelled;
    jobs.push_back({fmt::format("probe-{:02}", rec.number),
                    [this, &rec, &state, first_pass_wins,
                     speculative = batch.size() > 1](parallel::JobContext& jc) {
                      return run_one(rec, jc, state, first_pass_wins, speculative);
                    }});
  }
  parallel::PoolOptions options;
  options.parallelism = m_parallelism;
  options.log_dir = m_log_dir;
  std::map<std::string, std::string> what;
  for (std::size_t i = 0; i < batch.size(); ++i)
    what[jobs[i].name] = fmt::format("{}, {} limit{}", records[i].purpose, records[i].limits.size(),
                                     records[i].limits.size() == 1 ? "" : "s");
  const auto mode = m_ctx.output_mode();
  parallel::StatusReporter reporter(m_ctx.err(), {mode.live, mode.width, m_status_every},
                                    std::move(what), m_timeout);
  m_reporter = &reporter;
  auto outcome = parallel::run_jobs(jobs, options, reporter);
  m_reporter = nullptr;
  if (!outcome) {
    for (auto& r : records) {
      r.outcome = ProbeOutcome::fail;
      r.error = outcome.error().message;
    }
  }
  for (auto& r : records)
    if (r.outcome == ProbeOutcome::cancelled && interrupt::requested())
      r.outcome = ProbeOutcome::interrupted;
  m_all.insert(m_all.end(), records.begin(), records.end());
  return records;
}

parallel::JobResult Prober::run_one(ProbeRecord& rec, parallel::JobContext& jc, BatchState& state,
                                    bool first_pass_wins, bool speculative) {
  using Clock = std::chrono::steady_clock;
  rec.log = jc.log_file;
  if (first_pass_wins && state.passed.load())
    return {false, "cancelled"}; // another probe already answered
  // The ==latest checks run to their end: pip prints the conflict it explains only after it has
  // backtracked, and that explanation is what a check is for.
  const bool watch = m_backtracking && rec.purpose != "check";
  const auto started = Clock::now();
  std::size_t lines = 0;
  bool cut = false;
  bool late_timeout = false;
  process::ProcessSpec spec;
  spec.argv = argv(rec.limits);
  spec.timeout = m_timeout;
  spec.merge_stderr = true;
  spec.on_line = [&](const std::string& line) {
    jc.on_line(line);
    ++lines;
    if (watch && !cut && matches_backtracking(*m_backtracking, line)) {
      cut = true;
      rec.cut_line = strings::strip_control(line);
      rec.cut_line_number = lines;
    }
  };
  // The runner asks this right after handing on each line, so a cut stops the probe's group at
  // once (the time-based conditions are asked about every 50 ms).
  spec.cancel = [&] {
    if (cut) return true;
    if ((first_pass_wins && state.passed.load()) || state.abort.load()) return true;
    const auto late = state.late_timeout_ms.load();
    if (!m_timeout && late >= 0 && Clock::now() - started >= std::chrono::milliseconds(late)) {
      late_timeout = true;
      return true;
    }
    return false;
  };
  auto result = m_ctx.runner().run(spec);
  if (!result) {
    rec.outcome = interrupt::requested() ? ProbeOutcome::interrupted : ProbeOutcome::fail;
    rec.error = result.error().what();
    if (speculative && rec.purpose == "full list") state.abort = true;
    return {false, "could not start: " + rec.error};
  }
  rec.elapsed = result->elapsed;
  rec.exit_code = result->exit_code;
  rec.timed_out = result->timed_out || late_timeout;
  rec.backtracked = cut;
  rec.output = std::move(result->out);
  if (result->interrupted)
    rec.outcome = ProbeOutcome::interrupted;
  else if (cut || late_timeout)
    rec.outcome = ProbeOutcome::fail;
  else if (result->cancelled)
    rec.outcome = ProbeOutcome::cancelled;
  else if (result->ok())
    rec.outcome = ProbeOutcome::pass;
  else
    rec.outcome = ProbeOutcome::fail;
  if (rec.outcome == ProbeOutcome::pass) state.passed = true;
  if (speculative && rec.purpose == "full list") {
    // The full list decides for the probes beside it: its time T sets their timeout, and when it
    // does not pass the search stops, so they are stopped too.
    if (rec.outcome == ProbeOutcome::pass)
      state.late_timeout_ms = default_probe_timeout(rec.elapsed).count();
    else
      state.abort = true;
  }
  const std::string summary =
      rec.outcome == ProbeOutcome::pass ? "passed" : strings::to_lower(outcome_word(rec));
  if (cut)
    m_reporter->say(fmt::format("{}: the resolver started backtracking (output line {}): cut",
                                jc.name, rec.cut_line_number));
  return {rec.outcome == ProbeOutcome::pass, summary};
}

} // namespace breeze::commands::ci::bisect_detail
