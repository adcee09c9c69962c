// Running one build job: its docker steps in order, and Breeze's --upgrade-on-failure retry.
#include "image_build_detail.hpp"

#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/docker/build_progress.hpp>
#include <breeze/docker/client.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace breeze::commands::image_build_detail {

StepsResult run_steps(const BuildJob& job, process::Runner& runner,
                      const std::filesystem::path& cwd,
                      std::optional<std::chrono::milliseconds> timeout,
                      const std::function<void(const std::string&)>& on_line) {
  StepsResult r;
  docker::BuildProgress progress;
  const auto line_seen = [&](const std::string& line) {
    progress.feed(line);
    if (on_line) on_line(line);
  };
  for (const auto& step : job.steps) {
    if (interrupt::requested()) {
      r.ok = false;
      r.interrupted = true;
      break;
    }
    auto spec = docker::to_spec(step, cwd);
    spec.timeout = timeout;
    spec.merge_stderr = true;
    spec.capture = false;
    if (on_line) {
      spec.on_line = line_seen;
      // Headers make a job's log readable on its own: which step, which exact command.
      on_line("### " + step.description);
      on_line("### " + strings::shell_join(step.argv));
    }
    auto res = runner.run(spec);
    if (!res) {
      r.ok = false;
      r.reason = res.error().message;
      r.failed_step = step.description + ": " + r.reason;
      break;
    }
    if (!res->ok() && !step.may_fail) {
      r.ok = false;
      r.timed_out = res->timed_out;
      r.interrupted = res->interrupted;
      r.reason = res->timed_out     ? std::string("timed out")
                 : res->interrupted ? std::string("interrupted")
                                    : fmt::format("exit {}", res->exit_code);
      r.failed_step = fmt::format("{} ({})", step.description, r.reason);
      break;
    }
    if (!res->ok())
      spdlog::info("{}: failed, continuing (expected when there is nothing to pull yet)",
                   step.description);
  }
  r.build_step = r.ok ? progress.last_step() : progress.failed_step();
  return r;
}

// A job's steps and, when they fail (not by a timeout or Ctrl-C) and the job has them, its retry
// steps once: Breeze's --upgrade-on-failure.
StepsResult run_job(const BuildJob& job, process::Runner& runner, const std::filesystem::path& cwd,
                    std::optional<std::chrono::milliseconds> timeout,
                    const std::function<void(const std::string&)>& on_line) {
  auto r = run_steps(job, runner, cwd, timeout, on_line);
  if (r.ok || r.timed_out || r.interrupted || interrupt::requested()) return r;
  if (job.retry_steps.empty()) {
    if (!job.upgrade_may_help) return r;
    spdlog::info("[{}] If the failure is a dependency conflict, try `breeze ci-image build "
                 "--python {} --upgrade-to-newer-dependencies`",
                 job.name, job.python);
    return r;
  }
  spdlog::warn("[{}] {}: attempting to build with --upgrade-to-newer-dependencies on failure",
               job.name, r.failed_step);
  BuildJob retry{job.name, job.python, job.retry_steps, {}, false};
  return run_steps(retry, runner, cwd, timeout, on_line);
}

} // namespace breeze::commands::image_build_detail
