#include <breeze/commands/image_build.hpp>

#include "image_build_detail.hpp"

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/git/head_commit.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <random>
#include <set>

// The build itself: checks, the engine, the plan (image_build_plan.cpp), then the dry run, the
// pre-build steps (image_build_prebuild.cpp) and the jobs (image_build_run.cpp), sequential or in
// the shared pool, and their report (image_build_report.cpp).

namespace breeze::commands {

namespace {

using docker::ImageType;
using image_build_detail::after_timeout;
using image_build_detail::build_timeout;
using image_build_detail::fix_group_permissions;
using image_build_detail::JobReport;
using image_build_detail::k_providers_script;
using image_build_detail::render_json;
using image_build_detail::run_job;
using image_build_detail::run_steps;
using image_build_detail::runs_providers_script;
using image_build_detail::status_of;
using image_build_detail::update_providers_dependencies;

std::string random_hex() {
  std::random_device rd;
  return fmt::format("{:x}", static_cast<std::uint32_t>(rd()));
}

} // namespace

Expected<ExitCode> build_images(Context& ctx, ImageBuildOptions opts) {
  const auto& settings = ctx.settings;
  const bool json = opts.output == "json";
  if (json) ctx.reserve_stdout();
  // With JSON the human text goes to stderr, so stdout holds the one document.
  auto& text_out = json ? ctx.err() : ctx.out();
  BREEZE_TRY_VOID(require_sources_root(settings));
  auto& img = opts.image;
  img.type = opts.type;
  if (img.dockerfile.empty())
    img.dockerfile = opts.type == ImageType::ci ? settings.dockerfile_ci : settings.dockerfile_prod;
  if (std::error_code ec; !std::filesystem::exists(settings.sources_root / img.dockerfile, ec))
    return usage_error(
        fmt::format("{} not found in {}", img.dockerfile, settings.sources_root.string()));
  BREEZE_TRY(img.airflow_version, read_airflow_version(settings.sources_root));
  img.image_date_created = time::format_iso_z(ctx.now());
  if (img.upgrade_to_newer_dependencies) img.upgrade_invalidation_string = random_hex();
  // Breeze's default: retry on failure locally, not on CI (any non-empty CI, even CI=false).
  if (!opts.upgrade_on_failure) {
    const auto ci = ctx.services().env("CI");
    opts.upgrade_on_failure = !(ci && !ci->empty());
  }
  if (*opts.upgrade_on_failure) opts.retry_upgrade_string = random_hex();
  // --docker-host (or DOCKER_HOST, its variable): as in Breeze, no --builder then.
  if (!img.docker_host.empty() && !img.builder.empty()) {
    spdlog::warn("--docker-host {}: --builder {} is not used (the build goes to that engine's "
                 "current builder)",
                 img.docker_host, img.builder);
    img.builder.clear();
  }
  // Builds started by refresh-images (no options parsed) take the variable for the build arg.
  if (img.docker_host.empty())
    if (auto h = ctx.services().env("DOCKER_HOST")) img.docker_host = *h;
  // The source commit label lets generate-constraints tell an image built from these sources.
  if (auto head = git::head_commit(ctx.git(), settings.sources_root); head && *head)
    img.source_commit = (*head)->id;

  const auto docker = docker::docker_client(ctx.services().env);
  // One check before any docker work: an engine that is down is one line with the fix, not a
  // failed pull, a fallback and BuildKit's own error. A dry run talks to no engine: it skips it.
  if (!ctx.globals.dry_run) BREEZE_TRY_VOID(docker::check_engine(ctx.runner(), docker));
  auto engine = docker::detect_engine(ctx.runner(), docker);
  if (!engine) {
    if (!ctx.globals.dry_run) return engine.error();
    spdlog::warn("{} (dry run: planning for buildx)", engine.error().message);
    engine = docker::Engine::buildx;
  }
  if (*engine == docker::Engine::classic)
    spdlog::info("docker buildx is not available: using the classic engine (DOCKER_BUILDKIT=1 "
                 "docker build)");
  if (!img.builder.empty() && *engine == docker::Engine::buildx)
    BREEZE_TRY_VOID(docker::check_builder(ctx.runner(), docker, img.builder));

  BREEZE_TRY(auto jobs, plan_image_jobs(opts, settings, *engine, docker));

  BREEZE_TRY(const auto timeout, build_timeout(opts, ctx.services().env));
  const auto cwd = settings.sources_root;
  auto& runner = ctx.runner();
  std::vector<JobReport> reports(jobs.size());
  auto json_result = [&](ExitCode code) {
    if (json) ctx.out() << render_json(opts, jobs, reports, ctx.globals.dry_run);
    return code;
  };
  // A timeout runs find-backtracking-candidates, whose report is text on stdout: with JSON it is
  // only named, so stdout keeps the one document.
  auto timed_out = [&](const std::vector<std::string>& pythons) {
    if (!json) return after_timeout(ctx, opts, *timeout, pythons);
    for (const auto& python : pythons)
      spdlog::error("The build timed out: run `breeze ci find-backtracking-candidates --python {}` "
                    "to find the packages that make pip backtrack",
                    python);
    return json_result(ExitCode::failure);
  };

  if (ctx.globals.dry_run) {
    // Pure: the dry-run runner prints each command; nothing runs and nothing is written (the
    // pre-build steps, which change the checkout, are only named).
    std::error_code ec;
    if (std::filesystem::exists(cwd / ".git", ec))
      text_out << "# not run in a dry run: fix_group_permissions (group/other write off the "
                  "tracked files)\n";
    if (runs_providers_script(opts, cwd))
      text_out << "# not run in a dry run: python3 " << k_providers_script << "\n";
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const auto& job = jobs[i];
      (void)run_steps(job, runner, cwd, timeout, {});
      reports[i].status = "dry_run";
      if (!job.retry_steps.empty())
        text_out << "# if it fails: built once more with --upgrade-to-newer-dependencies "
                    "(--upgrade-on-failure)\n";
    }
    return json_result(ExitCode::ok);
  }

  // Before every real build, as Python Breeze does.
  fix_group_permissions(ctx.git(), cwd);
  if (runs_providers_script(opts, cwd)) {
    BREEZE_TRY(auto refreshed, update_providers_dependencies(ctx, cwd));
    if (refreshed != ExitCode::ok) return refreshed;
  }

  const bool parallel = opts.run_in_parallel && jobs.size() > 1;
  if (!parallel) {
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const auto& job = jobs[i];
      spdlog::info("{}", job.steps.empty() ? job.name : job.steps.back().description);
      const auto started = std::chrono::steady_clock::now();
      auto r = run_job(job, runner, cwd, timeout,
                       [](const std::string& line) { console::print_child_line(line); });
      reports[i].duration_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      reports[i].status = status_of(r);
      if (interrupt::requested() && !r.ok) reports[i].status = "interrupted";
      reports[i].steps = r;
      if (r.ok) continue;
      if (interrupt::requested() || r.interrupted) return json_result(ExitCode::interrupted);
      spdlog::error("[{}] failed: {}", job.name, r.summary(job));
      if (r.timed_out && timeout) return timed_out({job.python});
      return json_result(ExitCode::failure);
    }
    return json_result(ExitCode::ok);
  }

  // Parallel: the shared pool gives every job its log file, the live view / CI lines / ::group::
  // folding, and the summary table with the logs of failed jobs.
  std::mutex timed_out_mutex;
  std::set<std::string> timed_out_pythons;
  std::vector<parallel::Job> pool_jobs;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    pool_jobs.push_back({job.name, [&, job, i](parallel::JobContext& jc) {
                           auto r = run_job(job, runner, cwd, timeout, jc.on_line);
                           std::lock_guard lock(timed_out_mutex);
                           reports[i].steps = r;
                           if (r.timed_out) timed_out_pythons.insert(job.python);
                           return parallel::JobResult{r.ok, r.summary(job), r.interrupted};
                         }});
  }
  const auto parallelism = opts.parallelism > 0 ? static_cast<std::size_t>(opts.parallelism)
                                                : parallel::default_parallelism();
  auto reporter = parallel::make_reporter(
      text_out, ctx.err(),
      ctx.reporter_facts(opts.type == ImageType::ci ? "ci-image build" : "prod-image build"));
  BREEZE_TRY(auto outcome, parallel::run_jobs(pool_jobs, {.parallelism = parallelism}, *reporter));
  if (opts.include_success_outputs)
    for (const auto& job : outcome.jobs) {
      if (job.state != parallel::JobState::succeeded) continue;
      auto log = files::read(job.log_file);
      ctx.err() << fmt::format("Log of successful job {} ({}):\n", job.name, job.log_file.string())
                << strings::strip_control(log ? *log : std::string("(unreadable)\n"), true);
    }
  for (std::size_t i = 0; i < jobs.size() && i < outcome.jobs.size(); ++i) {
    const auto& status = outcome.jobs[i];
    auto& report = reports[i];
    report.status = status.state == parallel::JobState::succeeded     ? "succeeded"
                    : status.state == parallel::JobState::interrupted ? "interrupted"
                    : status.state == parallel::JobState::failed
                        ? (report.steps && report.steps->timed_out ? "timed_out" : "failed")
                        : "not_started";
    if (status.state != parallel::JobState::not_started &&
        status.state != parallel::JobState::queued) {
      report.duration_seconds = std::chrono::duration<double>(status.elapsed).count();
      report.log_file = status.log_file;
    }
  }
  if (outcome.interrupted || interrupt::requested()) return json_result(ExitCode::interrupted);
  if (!timed_out_pythons.empty() && timeout)
    return timed_out({timed_out_pythons.begin(), timed_out_pythons.end()});
  return json_result(outcome.ok() ? ExitCode::ok : ExitCode::failure);
}

} // namespace breeze::commands
