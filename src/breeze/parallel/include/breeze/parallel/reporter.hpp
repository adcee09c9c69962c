#pragma once

#include <breeze/parallel/pool.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace breeze::parallel {

using Clock = std::chrono::steady_clock;

/// Shows a pool's progress. The pool calls it from one thread only. Progress goes to the error
/// stream; the summary table (a result) to the output stream.
class Reporter {
public:
  virtual ~Reporter() = default;
  /// How often tick() is wanted while nothing changes state.
  [[nodiscard]] virtual std::chrono::milliseconds interval() const = 0;
  /// Before any job starts: where the logs go and what will run.
  virtual void started(const std::filesystem::path& log_dir, const std::vector<JobStatus>& jobs,
                       std::size_t parallelism) = 0;
  /// `job` started or finished (its state as of that moment); `all` is the current picture.
  virtual void changed(const JobStatus& job, const std::vector<JobStatus>& all,
                       Clock::time_point now) = 0;
  /// Periodic refresh: `all` carries fresh elapsed times and latest lines.
  virtual void tick(const std::vector<JobStatus>& all, Clock::time_point now) = 0;
  /// Every job is done (or was never started): the summary table and the logs of failed jobs.
  virtual void finished(const PoolOutcome& outcome) = 0;
};

/// `0.4s`, `12s`, `3m05s`, `1h02m`.
[[nodiscard]] std::string format_duration(std::chrono::milliseconds d);

/// `ok`, `FAILED`, `interrupted`, `running`, `queued`, `not run`.
[[nodiscard]] std::string state_word(JobState state);

/// The summary table: Job, Result, Duration, Log (and Summary when any job has one), aligned.
[[nodiscard]] std::string render_summary(const PoolOutcome& outcome);

/// Plain lines for CI logs: a line when a job starts or finishes, and a status line per running
/// job every `status_every`.
class PlainReporter : public Reporter {
public:
  PlainReporter(std::ostream& out, std::ostream& err,
                std::chrono::seconds status_every = std::chrono::seconds(30));
  [[nodiscard]] std::chrono::milliseconds interval() const override {
    return std::chrono::seconds(1);
  }
  void started(const std::filesystem::path& log_dir, const std::vector<JobStatus>& jobs,
               std::size_t parallelism) override;
  void changed(const JobStatus& job, const std::vector<JobStatus>& all,
               Clock::time_point now) override;
  void tick(const std::vector<JobStatus>& all, Clock::time_point now) override;
  void finished(const PoolOutcome& outcome) override;

protected:
  std::ostream& m_out;
  std::ostream& m_err;

private:
  std::chrono::seconds m_status_every;
  Clock::time_point m_last_status{};
  bool m_have_status = false;
};

/// GitHub Actions: PlainReporter's lines, plus each succeeded job's whole log folded in
/// `::group::` when it finishes; at the end an `::error title=...::` annotation per failed job
/// (naming its summary: the failed step) and, when `step_summary` is set, the summary as a Markdown
/// table under `### title` appended to that file ($GITHUB_STEP_SUMMARY).
class GithubReporter final : public PlainReporter {
public:
  GithubReporter(std::ostream& out, std::ostream& err,
                 std::optional<std::filesystem::path> step_summary = {}, std::string title = {});
  void changed(const JobStatus& job, const std::vector<JobStatus>& all,
               Clock::time_point now) override;
  void finished(const PoolOutcome& outcome) override;

private:
  std::optional<std::filesystem::path> m_step_summary;
  std::string m_title;
};

/// The summary as Markdown for $GITHUB_STEP_SUMMARY: `### title`, a table of Job, Result, Duration
/// and Summary, and the log folder.
[[nodiscard]] std::string render_summary_markdown(const PoolOutcome& outcome,
                                                  const std::string& title);

/// A terminal: one line per job (state, elapsed, latest output line), redrawn in place; on a
/// terminal `height` rows high (0: unknown) at most height - 1 lines, so a redraw never scrolls.
class LiveReporter final : public Reporter {
public:
  LiveReporter(std::ostream& out, std::ostream& err, std::size_t width, bool colour,
               std::size_t height = 0);
  [[nodiscard]] std::chrono::milliseconds interval() const override {
    return std::chrono::milliseconds(250);
  }
  void started(const std::filesystem::path& log_dir, const std::vector<JobStatus>& jobs,
               std::size_t parallelism) override;
  void changed(const JobStatus& job, const std::vector<JobStatus>& all,
               Clock::time_point now) override;
  void tick(const std::vector<JobStatus>& all, Clock::time_point now) override;
  void finished(const PoolOutcome& outcome) override;

  /// One frame of the view: a line per job, each cut to `width` columns. With `max_lines` (not 0)
  /// and more jobs than that, max_lines - 1 jobs (running ones first, shown in their order) and
  /// one line `... and 5 more (2 running, 3 queued)`.
  [[nodiscard]] static std::vector<std::string> render_frame(const std::vector<JobStatus>& all,
                                                             std::size_t width, bool colour,
                                                             std::size_t max_lines = 0);

private:
  void redraw(const std::vector<JobStatus>& all);
  std::ostream& m_out;
  std::ostream& m_err;
  std::size_t m_width;
  bool m_colour;
  std::size_t m_height;
  std::size_t m_lines_drawn = 0;
};

/// What a running job shows: `probe-03 (bisect, 12 limits) 1m05s, timeout 10m00s: LINE`
/// (`no timeout` when it has none), control characters stripped; cut to `width` - 1 columns when
/// `width` is not 0, so a terminal never wraps it.
[[nodiscard]] std::string status_line(const JobStatus& job, const std::string& what,
                                      std::optional<std::chrono::milliseconds> timeout,
                                      std::size_t width = 0);

/// Feedback on long jobs that run one (or a few) at a time, such as bisect probes (on stderr):
/// a logged line when a job starts or ends; while one runs, on a live terminal one line redrawn
/// in place with status_line (the first running job, `+N more` when several run), in plain mode
/// status_line as a logged line every `status_every` of each running job (measured on the
/// elapsed times the pool hands in). say() may be called from the jobs' threads.
class StatusReporter final : public Reporter {
public:
  struct View {
    bool live = false;
    std::size_t width = 80;
    std::chrono::milliseconds status_every = std::chrono::seconds(60);
  };
  StatusReporter(std::ostream& err, View view, std::map<std::string, std::string> what,
                 std::optional<std::chrono::milliseconds> timeout)
      : m_err(err), m_view(view), m_what(std::move(what)), m_timeout(timeout) {}
  [[nodiscard]] std::chrono::milliseconds interval() const override;
  void started(const std::filesystem::path&, const std::vector<JobStatus>&, std::size_t) override {}
  void changed(const JobStatus& job, const std::vector<JobStatus>& all,
               Clock::time_point now) override;
  void tick(const std::vector<JobStatus>& all, Clock::time_point now) override;
  void finished(const PoolOutcome&) override;
  /// Logs `text` (info), first clearing the live line.
  void say(const std::string& text);

private:
  void clear_locked();
  std::ostream& m_err;
  View m_view;
  std::map<std::string, std::string> m_what; ///< per job name: "bisect, 12 limits"
  std::optional<std::chrono::milliseconds> m_timeout;
  std::map<std::string, std::chrono::milliseconds> m_last_status; ///< plain: elapsed at last line
  std::mutex m_mutex;
  bool m_drawn = false;
};

/// Which reporter fits where breeze runs.
enum class ReporterKind { live, plain, github };

/// GitHub Actions wins; otherwise live where the output mode allows redraws, plain lines elsewhere.
[[nodiscard]] ReporterKind choose_reporter(bool github_actions, bool live);

/// What picks and shapes a reporter (all injected: the caller reads console::output_mode).
struct ReporterFacts {
  bool github_actions = false; ///< GITHUB_ACTIONS=true
  bool live = false;           ///< redraws allowed: a stderr TTY, TERM not dumb, not CI
  std::size_t width = 0;       ///< columns a line may use; 0 when unknown (80 is used)
  bool colour = false;         ///< colour on stderr
  std::optional<std::filesystem::path> step_summary; ///< $GITHUB_STEP_SUMMARY on GitHub Actions
  std::string title;      ///< what the jobs are, for the step summary ("ci-image build")
  std::size_t height = 0; ///< the terminal's rows; 0 when unknown (no cap on the live view)
};

/// The reporter for `facts`: GitHub groups, a live view on a terminal, plain lines otherwise.
[[nodiscard]] std::unique_ptr<Reporter> make_reporter(std::ostream& out, std::ostream& err,
                                                      const ReporterFacts& facts);

} // namespace breeze::parallel
