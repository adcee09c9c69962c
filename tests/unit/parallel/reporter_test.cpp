#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/parallel/reporter.hpp>

#include <sstream>

using namespace breeze;
using namespace breeze::parallel;
using namespace std::chrono_literals;

namespace {

JobStatus status(std::string name, JobState state, std::chrono::milliseconds elapsed,
                 std::string last_line = {}, std::filesystem::path log = {},
                 std::string summary = {}) {
  return {std::move(name),      state,          elapsed,
          std::move(last_line), std::move(log), std::move(summary)};
}

} // namespace

TEST_CASE("durations read like Breeze's", "[parallel]") {
  CHECK(format_duration(0ms) == "0.0s");
  CHECK(format_duration(420ms) == "0.4s");
  CHECK(format_duration(9999ms) == "9.9s");
  CHECK(format_duration(42s) == "42s");
  CHECK(format_duration(185s) == "3m05s");
  CHECK(format_duration(3720s) == "1h02m");
}

TEST_CASE("the summary table is aligned and shows a Summary column only when a job has one",
          "[parallel]") {
  PoolOutcome outcome{
      {status("python-3.10", JobState::succeeded, 62s, {}, "/logs/python-3.10.log"),
       status("python-3.11", JobState::failed, 500ms, {}, "/logs/python-3.11.log"),
       status("python-3.12", JobState::not_started, 0ms, {}, "/logs/python-3.12.log")},
      "/logs",
      true};
  CHECK(render_summary(outcome) == "Job          Result   Duration  Log\n"
                                   "python-3.10  ok       1m02s     /logs/python-3.10.log\n"
                                   "python-3.11  FAILED   0.5s      /logs/python-3.11.log\n"
                                   "python-3.12  not run  -         -\n");
  outcome.jobs[1].summary = "exit code 1";
  CHECK(render_summary(outcome) ==
        "Job          Result   Duration  Log                    Summary\n"
        "python-3.10  ok       1m02s     /logs/python-3.10.log\n"
        "python-3.11  FAILED   0.5s      /logs/python-3.11.log  exit code 1\n"
        "python-3.12  not run  -         -\n");
}

TEST_CASE("plain CI lines: start, finish, and a status line per running job every interval",
          "[parallel]") {
  std::ostringstream out, err;
  PlainReporter reporter(out, err, 30s);
  const Clock::time_point t0{};
  auto a = status("python-3.10", JobState::running, 0ms);
  auto b = status("python-3.11", JobState::running, 0ms);
  reporter.started("/logs", {a, b}, 2);
  reporter.changed(a, {a, b}, t0);
  reporter.changed(b, {a, b}, t0);
  a.elapsed = 10s;
  a.last_line = "Downloading \033[31mpip\033[0m";
  reporter.tick({a, b}, t0 + 10s); // not yet: less than 30 s since the last status
  a.elapsed = 31s;
  b.elapsed = 31s;
  reporter.tick({a, b}, t0 + 31s);
  reporter.tick({a, b}, t0 + 40s); // the next status waits another 30 s
  auto a_done =
      status("python-3.10", JobState::succeeded, 45s, {}, "/logs/python-3.10.log", "pushed image");
  reporter.changed(a_done, {a_done, b}, t0 + 45s);
  CHECK(err.str() == "Running 2 jobs, at most 2 at a time. Logs: /logs\n"
                     "[python-3.10] started\n"
                     "[python-3.11] started\n"
                     "[python-3.10] running for 31s: Downloading [31mpip[0m\n"
                     "[python-3.11] running for 31s\n"
                     "[python-3.10] ok in 45s: pushed image\n");
  CHECK(out.str().empty()); // progress never goes to stdout
}

TEST_CASE("GitHub Actions folds a finished job's log in a group and prints a failed log once",
          "[parallel]") {
  files::TempDir dir;
  test::write_file(dir.path() / "bad.log", "step 1\nERROR: no matching distribution");
  test::write_file(dir.path() / "good.log", "built");
  std::ostringstream out, err;
  GithubReporter reporter(out, err);
  const Clock::time_point t0{};
  auto bad = status("bad", JobState::running, 0ms, {}, dir.path() / "bad.log");
  auto good = status("good", JobState::succeeded, 2s, {}, dir.path() / "good.log");
  reporter.changed(bad, {bad}, t0);
  reporter.changed(good, {bad, good}, t0 + 2s);
  bad.state = JobState::failed;
  bad.elapsed = 3s;
  bad.summary = "exit code 1";
  reporter.changed(bad, {bad, good}, t0 + 3s);
  CHECK(err.str() == "[bad] started\n"
                     "[good] ok in 2.0s\n"
                     "::group::[good] ok in 2.0s\n"
                     "built\n"
                     "::endgroup::\n"
                     "[bad] FAILED in 3.0s: exit code 1\n");
  err.str("");
  reporter.finished({{bad, good}, dir.path(), false});
  const auto log = "step 1\nERROR: no matching distribution\n";
  CHECK_THAT(err.str(), Catch::Contains("Log of failed job bad (" +
                                        (dir.path() / "bad.log").string() + "):\n" + log));
  CHECK(err.str().find(log) == err.str().rfind(log)); // once
  CHECK_THAT(out.str(), Catch::StartsWith("Job   Result  Duration  Log"));
}

TEST_CASE("GitHub Actions: an error annotation per failed job and the summary table in Markdown",
          "[parallel][github]") {
  files::TempDir dir;
  test::write_file(dir.path() / "b.log", "boom");
  const auto summary = dir.path() / "step-summary.md";
  std::ostringstream out, err;
  GithubReporter reporter(out, err, summary, "ci-image build");
  reporter.finished(
      {{status("a", JobState::succeeded, 62s, {}, dir.path() / "a.log", "[main 9/9] COPY x"),
        status("b", JobState::failed, 3s, {}, dir.path() / "b.log", "[main 3/9] RUN pip (exit 1)"),
        status("c", JobState::not_started, 0ms)},
       dir.path(),
       false});
  CHECK_THAT(err.str(), Catch::StartsWith("::error title=b failed::[main 3/9] RUN pip (exit 1)\n"));
  CHECK_THAT(err.str(), !Catch::Contains("title=a"));
  CHECK(test::read_file(summary) == "### ci-image build\n\n"
                                    "| Job | Result | Duration | Summary |\n"
                                    "| --- | --- | --- | --- |\n"
                                    "| a | ok | 1m02s | [main 9/9] COPY x |\n"
                                    "| b | **FAILED** | 3.0s | [main 3/9] RUN pip (exit 1) |\n"
                                    "| c | not run | - |  |\n"
                                    "\nLogs: `" +
                                        dir.path().string() + "`\n\n");
}

TEST_CASE("jobs stopped by Ctrl-C read interrupted, with no log dump", "[parallel]") {
  files::TempDir dir;
  test::write_file(dir.path() / "a.log", "half a build");
  std::ostringstream out, err;
  PlainReporter reporter(out, err);
  auto a = status("a", JobState::interrupted, 3s, {}, dir.path() / "a.log", "Build (interrupted)");
  auto b = status("b", JobState::not_started, 0ms);
  reporter.finished({{a, b}, dir.path(), true});
  CHECK_THAT(err.str(), !Catch::Contains("half a build"));
  CHECK_THAT(err.str(), !Catch::Contains("Log of failed job"));
  CHECK_THAT(err.str(), Catch::Contains("Interrupted"));
  CHECK_THAT(out.str(), Catch::Contains("a    interrupted  3.0s") && !Catch::Contains("FAILED"));
  CHECK(LiveReporter::render_frame({a, b}, 80, false) ==
        std::vector<std::string>{"a  interrupted   3.0s", "b  not run"});
}

TEST_CASE("the live view draws a line per job and redraws them in place", "[parallel]") {
  const std::vector<JobStatus> jobs{
      status("python-3.10", JobState::running, 65s, "Step 5/12 : RUN pip install apache-airflow"),
      status("python-3.11", JobState::queued, 0ms), status("py-3.12", JobState::failed, 2s)};
  CHECK(LiveReporter::render_frame(jobs, 60, false) ==
        std::vector<std::string>{"python-3.10  running  1m05s  Step 5/12 : RUN pip install ...",
                                 "python-3.11  queued", "py-3.12      FAILED    2.0s"});
  for (const auto& line : LiveReporter::render_frame(jobs, 60, false))
    CHECK(line.size() <= 60);
  const auto coloured = LiveReporter::render_frame(jobs, 60, true);
  CHECK(coloured[2] == "py-3.12      \033[31mFAILED\033[0m    2.0s");

  std::ostringstream out, err;
  LiveReporter live(out, err, 60, false);
  live.started("/logs", jobs, 2);
  err.str("");
  live.tick(jobs, Clock::time_point{});
  CHECK_THAT(err.str(), Catch::StartsWith("\033[3A\r\033[2Kpython-3.10  running"));
}

TEST_CASE("the reporter follows where breeze runs", "[parallel]") {
  CHECK(choose_reporter(true, true) == ReporterKind::github);
  CHECK(choose_reporter(true, false) == ReporterKind::github);
  CHECK(choose_reporter(false, true) == ReporterKind::live); // live: the output mode allows redraws
  CHECK(choose_reporter(false, false) == ReporterKind::plain);
}

TEST_CASE("status_line names the job, its elapsed time, timeout and last line, cut to the width",
          "[parallel]") {
  const auto job = status("probe-03", JobState::running, 65s, "Collecting boto3\x1b[2K==1.28.17");
  CHECK(status_line(job, "bisect, 12 limits", 600s) ==
        "probe-03 (bisect, 12 limits) 1m05s, timeout 10m00s: Collecting boto3[2K==1.28.17");
  CHECK(status_line(status("probe-01", JobState::running, 2s), "", std::nullopt) ==
        "probe-01 2.0s, no timeout");
  for (std::size_t width = 1; width <= 80; ++width)
    CHECK(status_line(job, "bisect, 12 limits", 600s, width).size() <= width - 1);
}

TEST_CASE("StatusReporter: plain lines every status_every of a running job, on the pool's clock",
          "[parallel]") {
  std::ostringstream err;
  StatusReporter reporter(err, {false, 80, 60s}, {{"probe-01", "full list, 20 limits"}}, 90s);
  const auto t0 = Clock::time_point{};
  const auto running = [](std::chrono::milliseconds elapsed) {
    return std::vector<JobStatus>{
        status("probe-01", JobState::running, elapsed, "Collecting aiobotocore")};
  };
  reporter.changed(running(0ms)[0], running(0ms), t0);
  CHECK(err.str() == "probe-01 started\n");
  err.str("");
  reporter.tick(running(30s), t0 + 30s);
  CHECK(err.str().empty()); // not a minute yet
  reporter.tick(running(61s), t0 + 61s);
  CHECK(err.str() ==
        "probe-01 (full list, 20 limits) 1m01s, timeout 1m30s: Collecting aiobotocore\n");
  err.str("");
  reporter.tick(running(90s), t0 + 90s);
  CHECK(err.str().empty()); // the next one a minute after that
  reporter.tick(running(121s), t0 + 121s);
  CHECK_THAT(err.str(), Catch::Contains("probe-01 (full list, 20 limits) 2m01s"));
  CHECK(err.str().find('\r') == std::string::npos);
}

TEST_CASE("StatusReporter live: one line redrawn in place, cleared before other lines",
          "[parallel]") {
  std::ostringstream err;
  StatusReporter reporter(err, {true, 80, 60s}, {{"probe-02", "bisect, 10 limits"}}, std::nullopt);
  const std::vector<JobStatus> two{status("probe-02", JobState::running, 3s, std::string(100, 'x')),
                                   status("probe-03", JobState::running, 1s)};
  reporter.tick(two, Clock::time_point{});
  const auto drawn = err.str();
  CHECK(drawn.starts_with("\r\x1b[2Kprobe-02 (bisect, 10 limits) 3.0s, no timeout"));
  CHECK(drawn.ends_with(" +1 more"));
  CHECK(test::longest_visible_line(drawn) == 79); // cut: the last line is 100 columns
  CHECK(drawn.find('\n') == std::string::npos);
  err.str("");
  reporter.say("probe-02: cut");
  CHECK(err.str() == "\r\x1b[2Kprobe-02: cut\n");
  err.str("");
  reporter.finished({});
  CHECK(err.str().empty()); // nothing drawn since
}

TEST_CASE("the live frame keeps to max_lines: running jobs first, the rest summed up in one line",
          "[parallel]") {
  const std::vector<JobStatus> jobs{
      status("a", JobState::succeeded, 1s), status("b", JobState::queued, 0ms),
      status("c", JobState::running, 2s), status("d", JobState::running, 3s),
      status("e", JobState::queued, 0ms)};
  CHECK(LiveReporter::render_frame(jobs, 80, false, 5).size() == 5); // fits: all of them
  CHECK(LiveReporter::render_frame(jobs, 80, false, 0).size() == 5); // height unknown: no cap
  const auto three = LiveReporter::render_frame(jobs, 80, false, 3);
  REQUIRE(three.size() == 3);
  CHECK(three[0].starts_with("c  running"));
  CHECK(three[1].starts_with("d  running"));
  CHECK(three[2] == "... and 3 more (2 queued, 1 done)");
  const auto two = LiveReporter::render_frame(jobs, 80, false, 2);
  REQUIRE(two.size() == 2);
  CHECK(two[0].starts_with("c  running"));
  CHECK(two[1] == "... and 4 more (1 running, 2 queued, 1 done)");
  for (const auto& line : LiveReporter::render_frame(jobs, 20, false, 2))
    CHECK(line.size() <= 20);
}
