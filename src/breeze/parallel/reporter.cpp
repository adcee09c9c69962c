#include <breeze/parallel/reporter.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/github_actions.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

namespace breeze::parallel {

namespace {

constexpr std::size_t k_plain_line_limit =
    120; // a status line shows this much of the job's latest output

// Output of a child may carry escape sequences; on our terminal they would move the cursor.
std::string clean(const std::string& line, std::size_t limit) {
  auto text = strings::strip_control(line);
  if (text.size() > limit) text = text.substr(0, limit > 3 ? limit - 3 : 0) + "...";
  return text;
}

std::string start_line(const std::filesystem::path& log_dir, std::size_t jobs,
                       std::size_t parallelism) {
  return fmt::format("Running {} job{}, at most {} at a time. Logs: {}\n", jobs,
                     jobs == 1 ? "" : "s", parallelism, log_dir.string());
}

std::string finished_line(const JobStatus& job) {
  auto line =
      fmt::format("[{}] {} in {}", job.name, state_word(job.state), format_duration(job.elapsed));
  if (!job.summary.empty()) line += ": " + strings::strip_control(job.summary);
  return line;
}

std::string log_text(const JobStatus& job) {
  auto content = files::read(job.log_file);
  if (!content) return fmt::format("(cannot read the log: {})\n", content.error().what());
  auto text = strings::strip_control(*content, true);
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

// What every reporter does at the end: the table (a result, on `out`) and the logs of failed jobs.
void finish(std::ostream& out, std::ostream& err, const PoolOutcome& outcome) {
  for (const auto& job : outcome.jobs) {
    if (job.state != JobState::failed) continue;
    err << fmt::format("Log of failed job {} ({}):\n", job.name, job.log_file.string())
        << log_text(job);
  }
  if (outcome.interrupted)
    err << "Interrupted: running jobs were stopped, jobs not started yet were skipped.\n";
  err << std::flush;
  out << render_summary(outcome) << std::flush;
}

console::Colour colour_of(JobState state) {
  switch (state) {
  case JobState::succeeded:
    return console::Colour::green;
  case JobState::failed:
    return console::Colour::red;
  case JobState::running:
  case JobState::interrupted:
    return console::Colour::yellow;
  default:
    return console::Colour::none;
  }
}

} // namespace

std::string format_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 10'000) return fmt::format("{}.{}s", ms / 1000, (ms % 1000) / 100);
  const auto s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string state_word(JobState state) {
  switch (state) {
  case JobState::queued:
    return "queued";
  case JobState::running:
    return "running";
  case JobState::succeeded:
    return "ok";
  case JobState::failed:
    return "FAILED";
  case JobState::interrupted:
    return "interrupted";
  case JobState::not_started:
    return "not run";
  }
  return "?";
}

std::string render_summary(const PoolOutcome& outcome) {
  const bool with_summary = std::any_of(outcome.jobs.begin(), outcome.jobs.end(),
                                        [](const JobStatus& j) { return !j.summary.empty(); });
  std::vector<std::vector<std::string>> rows{{"Job", "Result", "Duration", "Log"}};
  if (with_summary) rows[0].push_back("Summary");
  for (const auto& job : outcome.jobs) {
    const bool ran = job.state == JobState::succeeded || job.state == JobState::failed ||
                     job.state == JobState::interrupted;
    rows.push_back({job.name, state_word(job.state), ran ? format_duration(job.elapsed) : "-",
                    ran ? job.log_file.string() : "-"});
    if (with_summary) rows.back().push_back(strings::strip_control(job.summary));
  }
  return strings::render_table(rows);
}

PlainReporter::PlainReporter(std::ostream& out, std::ostream& err,
                             std::chrono::seconds status_every)
    : m_out(out), m_err(err), m_status_every(status_every) {}

void PlainReporter::started(const std::filesystem::path& log_dir,
                            const std::vector<JobStatus>& jobs, std::size_t parallelism) {
  m_err << start_line(log_dir, jobs.size(), parallelism) << std::flush;
}

void PlainReporter::changed(const JobStatus& job, const std::vector<JobStatus>&,
                            Clock::time_point now) {
  if (!m_have_status) {
    m_last_status = now; // the first status lines come one interval after the first job started
    m_have_status = true;
  }
  if (job.state == JobState::running)
    m_err << fmt::format("[{}] started\n", job.name);
  else
    m_err << finished_line(job) << "\n";
  m_err << std::flush;
}

void PlainReporter::tick(const std::vector<JobStatus>& all, Clock::time_point now) {
  if (!m_have_status || now - m_last_status < m_status_every) return;
  m_last_status = now;
  for (const auto& job : all) {
    if (job.state != JobState::running) continue;
    auto line = fmt::format("[{}] running for {}", job.name, format_duration(job.elapsed));
    if (!job.last_line.empty()) line += ": " + clean(job.last_line, k_plain_line_limit);
    m_err << line << "\n";
  }
  m_err << std::flush;
}

void PlainReporter::finished(const PoolOutcome& outcome) { finish(m_out, m_err, outcome); }

void GithubReporter::changed(const JobStatus& job, const std::vector<JobStatus>& all,
                             Clock::time_point now) {
  PlainReporter::changed(job, all, now);
  if (job.state != JobState::succeeded && job.state != JobState::failed) return;
  // Failed jobs' logs are printed once, unfolded, at the end; interrupted ones not at all.
  if (job.state != JobState::succeeded) return;
  m_err << "::group::" << finished_line(job) << "\n"
        << log_text(job) << "::endgroup::\n"
        << std::flush;
}

GithubReporter::GithubReporter(std::ostream& out, std::ostream& err,
                               std::optional<std::filesystem::path> step_summary, std::string title)
    : PlainReporter(out, err), m_step_summary(std::move(step_summary)), m_title(std::move(title)) {}

void GithubReporter::finished(const PoolOutcome& outcome) {
  for (const auto& job : outcome.jobs)
    if (job.state == JobState::failed)
      m_err << github::error_annotation(
          fmt::format("{} failed", job.name),
          job.summary.empty() ? fmt::format("see {}", job.log_file.string()) : job.summary);
  PlainReporter::finished(outcome);
  if (!m_step_summary) return;
  if (auto written = github::append_step_summary(
          *m_step_summary, render_summary_markdown(outcome, m_title.empty() ? "breeze" : m_title));
      !written)
    m_err << github::warning_annotation(written.error().what()) << std::flush;
}

std::string render_summary_markdown(const PoolOutcome& outcome, const std::string& title) {
  std::vector<std::vector<std::string>> rows{{"Job", "Result", "Duration", "Summary"}};
  for (const auto& job : outcome.jobs) {
    const bool ran = job.state != JobState::not_started && job.state != JobState::queued;
    const auto word = state_word(job.state);
    rows.push_back({job.name, job.state == JobState::failed ? "**" + word + "**" : word,
                    ran ? format_duration(job.elapsed) : "-", job.summary});
  }
  return fmt::format("### {}\n\n{}\nLogs: `{}`\n", title, github::markdown_table(rows),
                     outcome.log_dir.string());
}

LiveReporter::LiveReporter(std::ostream& out, std::ostream& err, std::size_t width, bool colour,
                           std::size_t height)
    : m_out(out), m_err(err), m_width(std::max<std::size_t>(width, 1)), m_colour(colour),
      m_height(height) {}

namespace {

// The jobs a capped frame shows (`room` of them: running ones first, then the others in order,
// kept in their order) and the line summing up the rest.
std::pair<std::vector<JobStatus>, std::string> fit_jobs(const std::vector<JobStatus>& all,
                                                        std::size_t room) {
  std::vector<bool> shown(all.size(), false);
  std::size_t taken = 0;
  for (const bool running_pass : {true, false})
    for (std::size_t i = 0; i < all.size() && taken < room; ++i)
      if (!shown[i] && (all[i].state == JobState::running) == running_pass) {
        shown[i] = true;
        ++taken;
      }
  std::vector<JobStatus> jobs;
  std::map<std::string, std::size_t> rest; // state word -> count, of the jobs not shown
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (shown[i])
      jobs.push_back(all[i]);
    else
      ++rest[all[i].state == JobState::running  ? "running"
             : all[i].state == JobState::queued ? "queued"
                                                : "done"];
  }
  std::vector<std::string> parts;
  for (const char* word : {"running", "queued", "done"})
    if (rest.count(word)) parts.push_back(fmt::format("{} {}", rest[word], word));
  return {std::move(jobs),
          fmt::format("... and {} more ({})", all.size() - taken, strings::join(parts, ", "))};
}

} // namespace

std::vector<std::string> LiveReporter::render_frame(const std::vector<JobStatus>& all_jobs,
                                                    std::size_t width, bool colour,
                                                    std::size_t max_lines) {
  if (max_lines > 0 && all_jobs.size() > max_lines) {
    auto [jobs, more] = fit_jobs(all_jobs, max_lines - 1);
    auto lines = render_frame(jobs, width, colour);
    lines.push_back(console::fit_line(std::move(more), width));
    return lines;
  }
  const auto& all = all_jobs;
  std::size_t name_width = 0;
  std::size_t state_width = 7; // "running"; "interrupted" widens the column only when shown
  for (const auto& job : all) {
    name_width = std::max(name_width, job.name.size());
    state_width = std::max(state_width, state_word(job.state).size());
  }
  std::vector<std::string> lines;
  for (const auto& job : all) {
    const bool shows_time = job.state != JobState::queued && job.state != JobState::not_started;
    auto head = fmt::format("{:<{}}  {:<{}} {:>6}", job.name, name_width, state_word(job.state),
                            state_width, shows_time ? format_duration(job.elapsed) : "");
    std::string tail;
    if (job.state == JobState::running && !job.last_line.empty() && head.size() + 2 < width)
      tail = "  " + clean(job.last_line, width - head.size() - 2);
    if (head.size() > width) head.resize(width);
    // Colour only the state word, so the cut to `width` counts visible characters.
    const auto state_at = name_width + 2;
    const auto state_len =
        std::min(state_word(job.state).size(), head.size() > state_at ? head.size() - state_at : 0);
    if (colour && state_len > 0)
      head = head.substr(0, state_at) +
             console::paint(head.substr(state_at, state_len), colour_of(job.state), true) +
             head.substr(state_at + state_len);
    lines.push_back(std::string(strings::trim(head + tail)));
  }
  return lines;
}

void LiveReporter::redraw(const std::vector<JobStatus>& all) {
  std::string frame;
  if (m_lines_drawn > 0)
    frame += fmt::format("\033[{}A", m_lines_drawn); // back to the first job's line
  // A frame taller than the terminal would scroll its top away and leave a trail on each redraw.
  const auto lines = render_frame(all, m_width, m_colour, m_height > 1 ? m_height - 1 : 0);
  for (const auto& line : lines)
    frame += "\r\033[2K" + line + "\n";
  m_lines_drawn = lines.size();
  m_err << frame << std::flush;
}

void LiveReporter::started(const std::filesystem::path& log_dir, const std::vector<JobStatus>& jobs,
                           std::size_t parallelism) {
  auto line = start_line(log_dir, jobs.size(), parallelism);
  // A narrow terminal gets the folder on its own line rather than a wrapped one.
  if (line.size() - 1 > m_width) line.replace(line.find(" Logs: "), 7, "\nLogs: ");
  m_err << line;
  redraw(jobs);
}

void LiveReporter::changed(const JobStatus&, const std::vector<JobStatus>& all, Clock::time_point) {
  redraw(all);
}

void LiveReporter::tick(const std::vector<JobStatus>& all, Clock::time_point) { redraw(all); }

void LiveReporter::finished(const PoolOutcome& outcome) {
  redraw(outcome.jobs);
  finish(m_out, m_err, outcome);
}

std::string status_line(const JobStatus& job, const std::string& what,
                        std::optional<std::chrono::milliseconds> timeout, std::size_t width) {
  auto line = fmt::format(
      "{}{} {}, {}", job.name, what.empty() ? "" : " (" + what + ")", format_duration(job.elapsed),
      timeout ? "timeout " + format_duration(*timeout) : std::string("no timeout"));
  if (!job.last_line.empty()) line += ": " + strings::strip_control(job.last_line);
  return console::fit_line(std::move(line), width);
}

std::chrono::milliseconds StatusReporter::interval() const {
  if (m_view.live) return std::chrono::milliseconds(250);
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(1), m_view.status_every);
}

void StatusReporter::clear_locked() {
  if (m_drawn) m_err << "\r\033[2K" << std::flush;
  m_drawn = false;
}

void StatusReporter::say(const std::string& text) {
  std::lock_guard lock(m_mutex);
  clear_locked();
  m_err << text << "\n" << std::flush;
}

void StatusReporter::changed(const JobStatus& job, const std::vector<JobStatus>&,
                             Clock::time_point) {
  if (job.state == JobState::running) {
    m_last_status[job.name] = std::chrono::milliseconds(0);
    say(fmt::format("{} started", job.name));
  } else if (job.state != JobState::queued) {
    say(fmt::format("{} {} after {}{}", job.name, job.summary, format_duration(job.elapsed),
                    job.summary == "passed" ? ""
                                            : fmt::format(" (log: {})", job.log_file.string())));
  }
}

void StatusReporter::tick(const std::vector<JobStatus>& all, Clock::time_point) {
  std::vector<const JobStatus*> running;
  for (const auto& job : all)
    if (job.state == JobState::running) running.push_back(&job);
  std::lock_guard lock(m_mutex);
  if (m_view.live) {
    if (running.empty()) return clear_locked();
    const auto& first = *running.front();
    const auto more =
        running.size() > 1 ? fmt::format(" +{} more", running.size() - 1) : std::string();
    auto line = status_line(first, m_what[first.name], m_timeout,
                            m_view.width > more.size() ? m_view.width - more.size() : 1);
    m_err << "\r\033[2K" << line << more << std::flush;
    m_drawn = true;
    return;
  }
  // Plain lines (a CI log): one per running job every status_every of its run, measured on the
  // elapsed times the pool hands in (so a test drives it with its own clock).
  for (const auto* job : running) {
    auto& last = m_last_status[job->name];
    if (job->elapsed - last < m_view.status_every) continue;
    last = job->elapsed;
    m_err << status_line(*job, m_what[job->name], m_timeout) << "\n";
  }
  m_err << std::flush;
}

void StatusReporter::finished(const PoolOutcome&) {
  std::lock_guard lock(m_mutex);
  clear_locked();
}

ReporterKind choose_reporter(bool github_actions, bool live) {
  if (github_actions) return ReporterKind::github;
  return live ? ReporterKind::live : ReporterKind::plain;
}

std::unique_ptr<Reporter> make_reporter(std::ostream& out, std::ostream& err,
                                        const ReporterFacts& facts) {
  switch (choose_reporter(facts.github_actions, facts.live)) {
  case ReporterKind::github:
    return std::make_unique<GithubReporter>(out, err, facts.step_summary, facts.title);
  case ReporterKind::plain:
    return std::make_unique<PlainReporter>(out, err);
  case ReporterKind::live:
    break;
  }
  return std::make_unique<LiveReporter>(out, err, facts.width > 0 ? facts.width : 80, facts.colour,
                                        facts.height);
}

} // namespace breeze::parallel
