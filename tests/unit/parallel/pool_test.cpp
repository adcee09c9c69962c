#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/interrupt.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

using namespace breeze;
using namespace breeze::parallel;
using namespace std::chrono_literals;

namespace {

// Records what the pool tells a reporter (all on the calling thread, so no locking).
class RecordingReporter final : public Reporter {
public:
  std::vector<std::string> events; // "name:state"
  std::filesystem::path log_dir;
  std::size_t parallelism = 0;
  bool finished_called = false;
  std::function<void()> on_tick;
  [[nodiscard]] std::chrono::milliseconds interval() const override { return 5ms; }
  void started(const std::filesystem::path& dir, const std::vector<JobStatus>&,
               std::size_t p) override {
    log_dir = dir;
    parallelism = p;
  }
  void changed(const JobStatus& job, const std::vector<JobStatus>&, Clock::time_point) override {
    events.push_back(job.name + ":" + state_word(job.state));
  }
  void tick(const std::vector<JobStatus>&, Clock::time_point) override {
    if (on_tick) on_tick();
  }
  void finished(const PoolOutcome&) override { finished_called = true; }
};

std::vector<std::string> states(const PoolOutcome& outcome) {
  std::vector<std::string> out;
  for (const auto& j : outcome.jobs)
    out.push_back(j.name + ":" + state_word(j.state));
  return out;
}

} // namespace

TEST_CASE("the pool never runs more jobs at once than --parallelism, and does reach it",
          "[parallel]") {
  files::TempDir dir;
  constexpr std::size_t k_jobs = 10;
  constexpr int k_parallelism = 3;
  std::mutex m;
  std::condition_variable cv;
  int current = 0;
  int max_seen = 0;
  std::size_t started = 0;
  int generation = 0; // bumped to let the jobs holding the slots go
  int full_ticks = 0;
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < k_jobs; ++i) {
    jobs.push_back({fmt::format("job-{}", i), [&](JobContext&) {
                      std::unique_lock lock(m);
                      ++started;
                      max_seen = std::max(max_seen, ++current);
                      const int arrived_in = generation;
                      cv.notify_all();
                      // Hold the slot while the pool gets several chances to start more jobs; a
                      // pool that is not bounded would start them and push `current` over the
                      // bound.
                      cv.wait(lock, [&] {
                        return generation > arrived_in || current > k_parallelism ||
                               started == k_jobs;
                      });
                      --current;
                      cv.notify_all();
                      return JobResult{true, {}};
                    }});
  }
  RecordingReporter reporter;
  // Ticks come from the pool's calling thread when nothing changed for an interval: three of them
  // with every slot taken and nothing new started means the pool is holding back.
  reporter.on_tick = [&] {
    std::lock_guard lock(m);
    full_ticks = current == k_parallelism ? full_ticks + 1 : 0;
    if (full_ticks >= 3) {
      full_ticks = 0;
      ++generation;
      cv.notify_all();
    }
  };
  auto outcome = run_jobs(jobs, {.parallelism = k_parallelism, .log_dir = dir.path()}, reporter);
  REQUIRE(outcome.has_value());
  CHECK(outcome->ok());
  CHECK(max_seen == k_parallelism);
  CHECK(reporter.parallelism == k_parallelism);
  CHECK(reporter.events.size() == 2 * k_jobs);
}

TEST_CASE("results are reported per job in the given order whatever order the jobs finish in",
          "[parallel]") {
  files::TempDir dir;
  constexpr std::size_t k_jobs = 4;
  std::mutex m;
  std::condition_variable cv;
  std::vector<bool> done(k_jobs, false);
  std::vector<std::string> finish_order;
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < k_jobs; ++i) {
    jobs.push_back({fmt::format("python-3.1{}", i), [&, i](JobContext& ctx) {
                      std::unique_lock lock(m);
                      // Job i finishes only after job i+1: the last job finishes first.
                      cv.wait(lock, [&] { return i + 1 == k_jobs || done[i + 1]; });
                      done[i] = true;
                      finish_order.push_back(ctx.name);
                      cv.notify_all();
                      return JobResult{true, "built " + ctx.name};
                    }});
  }
  RecordingReporter reporter;
  auto outcome = run_jobs(jobs, {.parallelism = k_jobs, .log_dir = dir.path()}, reporter);
  REQUIRE(outcome.has_value());
  CHECK(states(*outcome) == std::vector<std::string>{"python-3.10:ok", "python-3.11:ok",
                                                     "python-3.12:ok", "python-3.13:ok"});
  CHECK(outcome->jobs[2].summary == "built python-3.12");
  CHECK(finish_order ==
        std::vector<std::string>{"python-3.13", "python-3.12", "python-3.11", "python-3.10"});
}

TEST_CASE("failures are reported with their logs and a throwing job is a failure, not a crash",
          "[parallel]") {
  files::TempDir dir;
  std::vector<Job> jobs{
      {"good",
       [](JobContext& ctx) {
         ctx.on_line("all fine");
         return JobResult{true, {}};
       }},
      {"bad",
       [](JobContext& ctx) {
         ctx.on_line("step 1");
         ctx.on_line("ERROR: ResolutionImpossible");
         return JobResult{false, "exit code 1"};
       }},
      {"buggy", [](JobContext&) -> JobResult { throw std::runtime_error("boom"); }},
  };
  std::ostringstream out, err;
  PlainReporter reporter(out, err);
  auto outcome = run_jobs(jobs, {.parallelism = 2, .log_dir = dir.path()}, reporter);
  REQUIRE(outcome.has_value());
  CHECK_FALSE(outcome->ok());
  CHECK(states(*outcome) == std::vector<std::string>{"good:ok", "bad:FAILED", "buggy:FAILED"});
  CHECK(outcome->jobs[2].summary == "internal error: boom");
  CHECK(outcome->jobs[1].last_line == "ERROR: ResolutionImpossible");
  CHECK(test::read_file(dir.path() / "bad.log") == "step 1\nERROR: ResolutionImpossible\n");
  CHECK(test::read_file(dir.path() / "good.log") == "all fine\n");
  CHECK_THAT(err.str(),
             Catch::Contains("Log of failed job bad (" + (dir.path() / "bad.log").string() +
                             "):\nstep 1\nERROR: ResolutionImpossible\n"));
  CHECK_THAT(err.str(), Catch::Contains("Log of failed job buggy"));
  CHECK_THAT(err.str(), !Catch::Contains("Log of failed job good"));
  CHECK_THAT(out.str(), Catch::StartsWith("Job    Result  Duration  Log"));
  CHECK_THAT(out.str(), Catch::Contains("bad    FAILED") && Catch::Contains("exit code 1\n"));
}

TEST_CASE("after Ctrl-C no new job starts and the rest are reported as not run", "[parallel]") {
  interrupt::reset();
  files::TempDir dir;
  std::atomic<int> ran{0};
  std::vector<Job> jobs;
  for (int i = 0; i < 4; ++i)
    jobs.push_back({fmt::format("job-{}", i), [&, i](JobContext&) {
                      ++ran;
                      if (i == 1) interrupt::request(); // Ctrl-C while the second job runs
                      return JobResult{true, {}};
                    }});
  RecordingReporter reporter;
  auto outcome = run_jobs(jobs, {.parallelism = 1, .log_dir = dir.path()}, reporter);
  interrupt::reset();
  REQUIRE(outcome.has_value());
  CHECK(outcome->interrupted);
  CHECK_FALSE(outcome->ok());
  CHECK(ran == 2);
  CHECK(states(*outcome) ==
        std::vector<std::string>{"job-0:ok", "job-1:ok", "job-2:not run", "job-3:not run"});
  CHECK(reporter.finished_called);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "job-2.log"));
}

TEST_CASE("a job that fails after Ctrl-C is interrupted, not FAILED", "[parallel]") {
  interrupt::reset();
  files::TempDir dir;
  std::vector<Job> jobs{{"killed",
                         [](JobContext&) {
                           interrupt::request(); // Ctrl-C; the runner kills the job's process
                           return JobResult{false, "exit code 130"};
                         }},
                        {"said-so",
                         [](JobContext&) {
                           return JobResult{false, "stopped", true};
                         }},
                        {"broken", [](JobContext&) {
                           return JobResult{false, "exit 1"};
                         }}};
  RecordingReporter reporter;
  auto outcome = run_jobs({jobs[2], jobs[1]}, {.parallelism = 1, .log_dir = dir.path()}, reporter);
  REQUIRE(outcome.has_value());
  CHECK(states(*outcome) == std::vector<std::string>{"broken:FAILED", "said-so:interrupted"});
  outcome = run_jobs({jobs[0]}, {.parallelism = 1, .log_dir = dir.path()}, reporter);
  interrupt::reset();
  REQUIRE(outcome.has_value());
  CHECK(states(*outcome) == std::vector<std::string>{"killed:interrupted"});
  CHECK_FALSE(outcome->ok());
}

TEST_CASE("the pool rejects parallelism 0 and jobs whose logs would collide", "[parallel]") {
  files::TempDir dir;
  RecordingReporter reporter;
  auto ok_job = [](JobContext&) { return JobResult{true, {}}; };
  auto zero = run_jobs({{"a", ok_job}}, {.parallelism = 0, .log_dir = dir.path()}, reporter);
  REQUIRE_FALSE(zero.has_value());
  CHECK(zero.error().kind == ErrorKind::usage);
  auto clash = run_jobs({{"3.12 amd64", ok_job}, {"3.12/amd64", ok_job}},
                        {.parallelism = 1, .log_dir = dir.path()}, reporter);
  REQUIRE_FALSE(clash.has_value());
  CHECK_THAT(clash.error().message, Catch::Contains("3.12-amd64.log"));
  CHECK_FALSE(reporter.finished_called);
}

TEST_CASE("without a log folder the pool makes a fresh one and keeps it", "[parallel]") {
  RecordingReporter reporter;
  auto outcome = run_jobs({{"only",
                            [](JobContext& ctx) {
                              ctx.on_line("hello");
                              return JobResult{true, {}};
                            }}},
                          {.parallelism = 1}, reporter);
  REQUIRE(outcome.has_value());
  CHECK(reporter.log_dir == outcome->log_dir);
  CHECK_THAT(outcome->log_dir.filename().string(), Catch::StartsWith("breeze-jobs-"));
  CHECK(test::read_file(outcome->log_dir / "only.log") == "hello\n");
  std::filesystem::remove_all(outcome->log_dir);
}

TEST_CASE("default parallelism is the cores, capped at one job per 2 GiB", "[parallel]") {
  constexpr std::uint64_t k_gib = std::uint64_t{1} << 30;
  CHECK(default_parallelism(8, 8 * k_gib) == 4);
  CHECK(default_parallelism(2, 64 * k_gib) == 2);
  CHECK(default_parallelism(16, 3 * k_gib) == 1);
  CHECK(default_parallelism(16, 1 * k_gib) == 1); // never 0
  CHECK(default_parallelism() >= 1);
}

TEST_CASE("log file names keep only safe characters", "[parallel]") {
  CHECK(log_file_name("python-3.12") == "python-3.12.log");
  CHECK(log_file_name("ci image 3.12/arm64") == "ci-image-3.12-arm64.log");
}
