#include <breeze/commands/image_build.hpp>

#include <breeze/commands/ci/find_backtracking_candidates.hpp>
#include <breeze/commands/image_params.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/option_table.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>
#include <breeze/docker/build_progress.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/git/head_commit.hpp>
#include <breeze/git/tracked_paths.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>

#include <breeze/commands/numeric_options.hpp>
#include <breeze/commands/option_env.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sys/stat.h>

namespace breeze::commands {

namespace {

using docker::DockerCache;
using docker::ImageType;

Expected<DockerCache> parse_cache(const std::string& v) {
  if (v == "registry") return DockerCache::registry;
  if (v == "local") return DockerCache::local;
  if (v == "disabled") return DockerCache::disabled;
  return usage_error("--docker-cache must be registry, local or disabled");
}

std::string random_hex() {
  std::random_device rd;
  return fmt::format("{:x}", static_cast<std::uint32_t>(rd()));
}

// How one job's steps ended.
struct StepsResult {
  bool ok = true;
  bool timed_out = false;
  bool interrupted = false;
  std::string failed_step;               ///< breeze's step and why: "Push X (exit 1)"
  std::string reason;                    ///< why alone: "exit 1", "timed out", ...
  std::optional<std::string> build_step; ///< the docker build's failed step (or, if ok, last one)

  // The summary-table cell: where the build was, not the job's title again.
  [[nodiscard]] std::string summary(const BuildJob& job) const {
    if (ok)
      return build_step ? *build_step : job.steps.empty() ? job.name : job.steps.back().description;
    return build_step ? fmt::format("{} ({})", *build_step, reason) : failed_step;
  }
};

// Runs one job's steps in order; the first failing step (that may not fail) ends the job. Every
// output line goes to `on_line` (the terminal when sequential, the job's log and live view in a
// pool).
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

// What --output json says about one job (docs/json-output.md, "ci-image build").
struct JobReport {
  std::string status = "not_started"; // succeeded, failed, timed_out, interrupted, dry_run
  std::optional<double> duration_seconds;
  std::optional<std::filesystem::path> log_file;
  std::optional<StepsResult> steps;
};

std::string render_json(const ImageBuildOptions& opts, const std::vector<BuildJob>& jobs,
                        const std::vector<JobReport>& reports, bool dry_run) {
  auto or_null = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  auto list = nlohmann::json::array();
  bool ok = true;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const auto& r = reports[i];
    if (r.status != "succeeded" && r.status != "dry_run") ok = false;
    std::optional<std::string> last_step;
    std::optional<std::string> failed_step;
    if (r.steps) {
      last_step = r.steps->summary(job);
      if (!r.steps->ok) failed_step = last_step; // the build's own step when it names one
    }
    list.push_back(
        {{"name", job.name},
         {"image", job.image},
         {"python", job.python},
         {"platforms", job.platforms},
         {"status", r.status},
         {"duration_seconds",
          r.duration_seconds ? nlohmann::json(*r.duration_seconds) : nlohmann::json(nullptr)},
         {"log_file", r.log_file ? nlohmann::json(r.log_file->string()) : nlohmann::json(nullptr)},
         {"last_step", or_null(last_step)},
         {"failed_step", or_null(failed_step)}});
  }
  nlohmann::json doc = {
      {"command", opts.type == ImageType::ci ? "ci-image build" : "prod-image build"},
      {"dry_run", dry_run},
      {"ok", ok},
      {"jobs", std::move(list)}};
  return doc.dump(2) + "\n";
}

std::string status_of(const StepsResult& r) {
  return r.ok ? "succeeded" : r.timed_out ? "timed_out" : r.interrupted ? "interrupted" : "failed";
}

// The build's time limit: --build-timeout-minutes, or (undocumented in --help, for tests and the
// benchmark) BREEZE_BUILD_TIMEOUT_SECONDS when it is set to a positive number.
Expected<std::optional<std::chrono::milliseconds>> build_timeout(const ImageBuildOptions& opts,
                                                                 const EnvLookup& env) {
  if (auto v = env("BREEZE_BUILD_TIMEOUT_SECONDS"); v && !strings::trim(*v).empty()) {
    const auto text = std::string(strings::trim(*v));
    if (auto problem = numeric::real_problem(text, 0.001, numeric::k_max_timeout_seconds);
        !problem.empty())
      return usage_error(
          fmt::format("BREEZE_BUILD_TIMEOUT_SECONDS must be a positive number of seconds: {}",
                      strings::strip_control(problem)));
    return std::optional<std::chrono::milliseconds>(static_cast<long long>(std::stod(text) * 1000));
  }
  if (opts.build_timeout_minutes > 0)
    return std::optional<std::chrono::milliseconds>(
        std::chrono::minutes(opts.build_timeout_minutes));
  return std::optional<std::chrono::milliseconds>{};
}

// As Airflow's tool does when a build times out (pip is most likely backtracking): run
// find-backtracking-candidates for each timed-out Python with the build's constraints, print its
// report, and fail. The index and constraints source come from BREEZE_PYPI_URL /
// BREEZE_CONSTRAINTS_URL when set, else that command's defaults.
ExitCode after_timeout(Context& ctx, const ImageBuildOptions& opts, std::chrono::milliseconds limit,
                       const std::vector<std::string>& pythons) {
  const auto seconds = std::chrono::duration<double>(limit).count();
  spdlog::error(
      "The build ran longer than {}: it was stopped. pip is probably backtracking; looking for the "
      "packages that make it do so (breeze ci find-backtracking-candidates)",
      seconds >= 60 && static_cast<long long>(seconds) % 60 == 0
          ? fmt::format("{} minutes", static_cast<long long>(seconds) / 60)
          : fmt::format("{:g} seconds", seconds));
  for (const auto& python : pythons) {
    ci::FindBacktrackingOptions fo;
    fo.python = python;
    fo.constraints_mode = opts.image.airflow_constraints_mode;
    fo.constraints_branch = opts.image.airflow_constraints_reference;
    if (auto v = ctx.services().env("BREEZE_PYPI_URL"); v && !v->empty()) fo.pypi_url = *v;
    if (auto v = ctx.services().env("BREEZE_CONSTRAINTS_URL"); v && !v->empty())
      fo.constraints_url = *v;
    spdlog::info("find-backtracking-candidates --python {}", python);
    auto r = ci::run_find_backtracking_candidates(fo, ctx);
    if (!r)
      spdlog::error("find-backtracking-candidates for Python {}: {}", python,
                    strings::strip_control(r.error().what()));
  }
  return ExitCode::failure;
}

// Python Breeze's fix_group_permissions: removes group and other write from every tracked file,
// and from every tracked folder while adding group and other execute. File modes are part of the
// COPY layers' digests, so a checkout made under `umask 002` would otherwise miss CI's registry
// cache from the first COPY on. Untracked files are left alone; symlinks are never followed.
void fix_group_permissions(git::Opener& opener, const std::filesystem::path& root) {
  auto tracked = git::tracked_paths(opener, root);
  if (!tracked) {
    spdlog::warn("Cannot list the tracked files of {}: permissions not fixed ({})", root.string(),
                 strings::strip_control(tracked.error().what()));
    return;
  }
  if (!*tracked) {
    spdlog::debug("{} is not a git work tree: no permissions to fix", root.string());
    return;
  }
  std::size_t changed = 0;
  std::size_t failed = 0;
  auto fix = [&](const std::string& rel, bool dir) {
    const auto path = root / rel;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return; // gone, or a symlink
    const mode_t mode = st.st_mode & 07777;
    mode_t want = mode & ~static_cast<mode_t>(S_IWGRP | S_IWOTH);
    if (dir) want |= S_IXGRP | S_IXOTH;
    if (want == mode) return;
    if (::chmod(path.c_str(), want) == 0)
      ++changed;
    else
      ++failed;
  };
  for (const auto& f : (*tracked)->files)
    fix(f, false);
  for (const auto& d : (*tracked)->dirs)
    fix(d, true);
  if (changed > 0)
    spdlog::info("Removed group/other write from {} tracked file(s) and folder(s), as CI's "
                 "checkout has them (so the image layers match CI's cache)",
                 changed);
  if (failed > 0)
    spdlog::warn("Could not change the mode of {} tracked file(s) or folder(s): the image layers "
                 "may miss CI's cache",
                 failed);
}

// The providers' dependencies refresh Python Breeze runs before a CI image build that is not a
// cache build: Airflow's own script, when the checkout has it, run with python3 from the sources
// root; its output is shown as it comes and its failure stops the build.
constexpr const char* k_providers_script = "scripts/ci/pre_commit/update_providers_dependencies.py";

bool runs_providers_script(const ImageBuildOptions& opts, const std::filesystem::path& root) {
  std::error_code ec;
  return opts.type == ImageType::ci && !opts.image.prepare_buildx_cache &&
         std::filesystem::is_regular_file(root / k_providers_script, ec);
}

Expected<ExitCode> update_providers_dependencies(Context& ctx, const std::filesystem::path& root) {
  process::ProcessSpec spec;
  spec.argv = {"python3", (root / k_providers_script).string()};
  spec.cwd = root;
  spec.merge_stderr = true;
  spec.capture = false;
  spec.on_line = [](const std::string& line) { console::print_child_line(line); };
  spdlog::info("Refreshing generated/provider_dependencies.json: python3 {}", k_providers_script);
  auto r = ctx.runner().run(spec);
  if (!r)
    return Error{r.error().kind,
                 fmt::format("cannot run python3 {}: {} (the build was not started)",
                             k_providers_script, r.error().message)};
  if (r->interrupted || interrupt::requested()) return ExitCode::interrupted;
  if (!r->ok()) {
    spdlog::error("{} failed (exit {}; its output is above): the build was not started",
                  k_providers_script, r->exit_code);
    return ExitCode::failure;
  }
  return ExitCode::ok;
}

Expected<ExitCode> run_image_build(Context& ctx, ImageBuildOptions opts) {
  const auto& settings = ctx.settings;
  const bool json = opts.output == "json";
  if (json) ctx.reserve_stdout();
  // With JSON the human text goes to stderr, so stdout holds the one document.
  auto& text_out = json ? ctx.err() : ctx.out();
  if (settings.sources_root.empty())
    return usage_error(
        "no Airflow sources found (a folder with Dockerfile.ci or breeze.yaml): run inside them or "
        "pass --airflow-sources PATH");
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

// Breeze's options this command had no use for, or that change only what breeze prints; each with
// Breeze's variable. Returns the --upgrade-on-failure flag (CI only; nullptr for PROD) so the
// action can tell "not given" (Breeze's default by CI) from either spelling.
CLI::Option* add_breeze_compat_options(CLI::App& cmd, ImageBuildOptions& o, bool& upgrade_flag) {
  const char* g = "Build options";
  CLI::Option* upgrade = nullptr;
  if (o.type == ImageType::ci)
    upgrade = add_option_rows(
                  cmd,
                  {{"--upgrade-on-failure,!--no-upgrade-on-failure", &upgrade_flag,
                    "Retry a failed build once with --upgrade-to-newer-dependencies [default: "
                    "yes, no when CI is set].",
                    "UPGRADE_ON_FAILURE"}},
                  g)
                  .front();
  add_option_rows(
      cmd,
      {
          {"--tag-as-latest", &o.image.tag_as_latest,
           "Also tag the image :latest (pushed too with --push).", "TAG_AS_LATEST"},
          {"--docker-host", &o.image.docker_host,
           "DOCKER_HOST for every docker command of the build (no --builder).", "DOCKER_HOST"},
          {"--github-token", &o.github_token,
           "Accepted for Breeze compatibility (masked in all output; not used).", "GITHUB_TOKEN"},
          {"--include-success-outputs", &o.include_success_outputs,
           "With --run-in-parallel: also print the logs of successful builds.",
           "INCLUDE_SUCCESS_OUTPUTS"},
          {"--skip-cleanup", &o.skip_cleanup,
           "Accepted for Breeze compatibility (the job logs are always kept).", "SKIP_CLEANUP"},
          {"--debug-resources", &o.debug_resources,
           "Accepted for Breeze compatibility (no resource monitor).", "DEBUG_RESOURCES"},
      },
      g);
  return upgrade;
}

// The build's options as rows, in help order. Python Breeze's PROD build lacks some of CI's
// variables (and some options), so for PROD breeze reads none of those.
std::vector<OptionRow> build_option_rows(ImageBuildOptions& o) {
  auto& i = o.image;
  const bool ci = o.type == ImageType::ci;
  const auto ci_only = [ci](const char* variable) { return ci ? variable : ""; };
  return {
      {"-u,--upgrade-to-newer-dependencies", &i.upgrade_to_newer_dependencies,
       "Upgrade dependencies eagerly instead of using the constraints.",
       ci_only("UPGRADE_TO_NEWER_DEPENDENCIES")},
      {"--eager-upgrade-additional-requirements", &i.eager_upgrade_additional_requirements,
       "Extra requirements (e.g. \"aiobotocore<=2.5.4\") applied with "
       "--upgrade-to-newer-dependencies.",
       ci_only("EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS")},
      {"--platform", &o.platform,
       "linux/amd64, linux/arm64, linux/amd64,linux/arm64 or both [default: the engine's own].",
       "PLATFORM"},
      {"--prepare-buildx-cache", &i.prepare_buildx_cache,
       "Push the registry cache (mode=max) of each platform instead of building an image.",
       "PREPARE_BUILDX_CACHE"},
      {"--push", &i.push, "Push the image after building it.", "PUSH"},
      {"--builder", &i.builder, "The docker buildx builder to use [default: buildx's current one].",
       "BUILDER"},
      {"-c,--docker-cache",
       &o.docker_cache,
       "Cache: registry, local or disabled [default: registry].",
       "DOCKER_CACHE",
       {CLI::IsMember({"registry", "local", "disabled"})}},
      image_tag_option(i.image_tag, "Tag of the built image [default: latest]."),
      {"--airflow-constraints-mode", &i.airflow_constraints_mode,
       ci ? "Constraints mode [default: constraints-source-providers]."
          : "Constraints mode [default: constraints].",
       ""},
      {"--airflow-constraints-reference", &i.airflow_constraints_reference,
       "Constraints branch or tag [default: the checkout's, constraints-main].",
       "AIRFLOW_CONSTRAINTS_REFERENCE"},
      {"--airflow-constraints-location", &i.airflow_constraints_location,
       "URL or path of constraints.", "AIRFLOW_CONSTRAINTS_LOCATION"},
      {"--python-image", &i.python_image, "Base image [default: python:X.Y-slim-<debian>].",
       "PYTHON_IMAGE"},
      {"--debian-version",
       &i.debian_version,
       "Debian release of the base image [default: bookworm].",
       "DEBIAN_VERSION",
       {CLI::IsMember({"bookworm", "bullseye"})}},
      {"--build-progress",
       &i.build_progress,
       "auto, plain or tty [default: auto].",
       "BUILD_PROGRESS",
       {CLI::IsMember({"auto", "plain", "tty"})}},
      {"--build-timeout-minutes",
       &o.build_timeout_minutes,
       "Stop a build that runs longer than this, then run find-backtracking-candidates.",
       ci_only("BUILD_TIMEOUT_MINUTES"),
       {numeric::integer_in(1, 10000)}},
      {"--commit-sha", &i.commit_sha, "Commit SHA recorded in the image.", "COMMIT_SHA"},
      {"--install-mysql-client-type",
       &i.install_mysql_client_type,
       "mariadb or mysql.",
       "INSTALL_MYSQL_CLIENT_TYPE",
       {CLI::IsMember({"mariadb", "mysql"})}},
      {"--use-uv,!--no-use-uv", &i.use_uv,
       ci ? "Install with uv [default: yes]." : "Install with uv [default: no].", "USE_UV"},
      {"--uv-http-timeout",
       &i.uv_http_timeout,
       "uv's HTTP timeout in seconds [default: 300].",
       "UV_HTTP_TIMEOUT",
       {numeric::integer_in(1, 3600)}},
      {"--version-suffix-for-pypi", &i.version_suffix_for_pypi, "Version suffix (e.g. dev0).",
       "VERSION_SUFFIX_FOR_PYPI"},
      {"--build-network", &i.network,
       "--network for RUN steps, e.g. host on an engine without a bridge (breeze only).", ""},
  };
}

// The customisation options (Breeze's "Customization options"), in help order; the last five
// are PROD's only.
std::vector<OptionRow> customisation_rows(ImageBuildOptions& o) {
  auto& i = o.image;
  std::vector<OptionRow> rows{
      {"--additional-airflow-extras", &i.additional_airflow_extras,
       "Extras added to the default ones.", "ADDITIONAL_AIRFLOW_EXTRAS"},
      {"--additional-dev-apt-command", &i.additional_dev_apt_command,
       "Command run before dev apt deps.", "ADDITIONAL_DEV_APT_COMMAND"},
      {"--additional-dev-apt-deps", &i.additional_dev_apt_deps, "Extra dev apt packages.",
       "ADDITIONAL_DEV_APT_DEPS"},
      {"--additional-dev-apt-env", &i.additional_dev_apt_env, "Env for the dev apt step.",
       "ADDITIONAL_DEV_APT_ENV"},
      {"--additional-pip-install-flags", &i.additional_pip_install_flags,
       "Extra pip install flags.", "ADDITIONAL_PIP_INSTALL_FLAGS"},
      {"--additional-python-deps", &i.additional_python_deps, "Extra Python packages.",
       "ADDITIONAL_PYTHON_DEPS"},
      {"--dev-apt-command", &i.dev_apt_command, "Replaces the dev apt command.", "DEV_APT_COMMAND"},
      {"--dev-apt-deps", &i.dev_apt_deps, "Replaces the dev apt packages.", "DEV_APT_DEPS"},
  };
  if (o.type == ImageType::prod)
    rows.insert(
        rows.end(),
        {
            {"--airflow-extras", &i.airflow_extras, "Extras installed in the PROD image.", ""},
            {"--install-packages-from-context", &i.install_packages_from_context,
             "Install the packages in docker-context-files/ instead of from PyPI.", ""},
            {"--additional-runtime-apt-deps", &i.additional_runtime_apt_deps,
             "Extra runtime apt packages.", "ADDITIONAL_RUNTIME_APT_DEPS"},
            {"--additional-runtime-apt-command", &i.additional_runtime_apt_command,
             "Command run before runtime apt deps.", "ADDITIONAL_RUNTIME_APT_COMMAND"},
            {"--additional-runtime-apt-env", &i.additional_runtime_apt_env,
             "Env for the runtime apt step.", "ADDITIONAL_RUNTIME_APT_ENV"},
        });
  return rows;
}

void add_image_build_options(CLI::App& cmd, ImageBuildOptions& o) {
  const char* g = "Build options";
  add_python_selection(cmd, o.python, o.run_in_parallel, o.python_versions, o.parallelism, {}, g);
  add_option_rows(cmd, build_option_rows(o), g);
  add_option_rows(cmd, customisation_rows(o), "Customisation");
}

} // namespace

Expected<ExitCode> build_images(Context& ctx, ImageBuildOptions opts) {
  return run_image_build(ctx, std::move(opts));
}

Expected<std::string> read_airflow_version(const std::filesystem::path& root) {
  static const std::regex re(R"(__version__\s*=\s*["']([^"']+)["'])");
  for (const auto* rel : {"airflow/__init__.py", "airflow-core/src/airflow/__init__.py"}) {
    auto text = files::read(root / rel);
    if (!text) continue;
    std::smatch m;
    if (std::regex_search(*text, m, re)) return m[1].str();
  }
  return usage_error(
      fmt::format("cannot tell Airflow's version: no __version__ in airflow/__init__.py or "
                  "airflow-core/src/airflow/__init__.py under {}",
                  root.string()));
}

Expected<std::vector<BuildJob>> plan_image_jobs(const ImageBuildOptions& opts,
                                                const config::Settings& settings,
                                                docker::Engine engine, const std::string& docker) {
  BREEZE_TRY(const auto pythons,
             selected_pythons(opts.python, opts.run_in_parallel, opts.python_versions, settings));
  BREEZE_TRY_VOID(settings.check_constraints_mode(opts.image.airflow_constraints_mode));

  // The identity from the settings; each job sets its own Python below.
  auto base = image_params(settings, opts.type, {}, opts.image);
  if (base.airflow_constraints_reference.empty())
    base.airflow_constraints_reference = settings.constraints_branch;
  BREEZE_TRY(base.docker_cache, parse_cache(opts.docker_cache));
  if (opts.platform.empty())
    base.platforms = {docker::native_platform()};
  else {
    BREEZE_TRY(base.platforms, docker::normalize_platforms(opts.platform));
  }

  std::vector<BuildJob> jobs;
  for (const auto& py : pythons) {
    auto p = base;
    p.python = py;
    // Cache preparation in parallel: one job per Python x platform, so both platforms' builders
    // work at once.
    if (opts.run_in_parallel && p.prepare_buildx_cache && p.platforms.size() > 1) {
      for (const auto& pl : base.platforms) {
        auto one = p;
        one.platforms = {pl};
        BREEZE_TRY(auto steps, docker::plan_build(one, engine, docker));
        auto tag = pl;
        std::replace(tag.begin(), tag.end(), '/', '-');
        jobs.push_back({"python" + py + "-" + tag,
                        py,
                        std::move(steps),
                        {},
                        false,
                        docker::image_name_with_tag(one),
                        one.platforms});
      }
    } else {
      BREEZE_TRY(auto steps, docker::plan_build(p, engine, docker));
      const bool may_help =
          opts.type == ImageType::ci && !p.upgrade_to_newer_dependencies && !p.prepare_buildx_cache;
      jobs.push_back({"python" + py,
                      py,
                      std::move(steps),
                      {},
                      may_help,
                      docker::image_name_with_tag(p),
                      p.platforms});
      if (may_help && opts.upgrade_on_failure.value_or(false)) {
        auto retry = p;
        retry.upgrade_to_newer_dependencies = true;
        retry.upgrade_invalidation_string = opts.retry_upgrade_string;
        BREEZE_TRY(jobs.back().retry_steps, docker::plan_build(retry, engine, docker));
      }
    }
  }
  return jobs;
}

void add_image_build_command(CLI::App& cmd, Context& ctx, ImageType type) {
  auto opts = std::make_shared<ImageBuildOptions>();
  opts->type = type;
  if (type == ImageType::prod) docker::apply_prod_defaults(opts->image);
  add_image_build_options(cmd, *opts);
  add_output_option(cmd, opts->output)->group("Build options");
  auto upgrade_flag = std::make_shared<bool>(false);
  auto* upgrade = add_breeze_compat_options(cmd, *opts, *upgrade_flag);
  cmd.callback([&ctx, opts, upgrade, upgrade_flag] {
    ctx.action = [opts, upgrade, upgrade_flag](Context& c) {
      // Read when the action runs: the environment's value is filled in after parsing.
      auto o = *opts;
      if (upgrade != nullptr && upgrade->count() > 0) o.upgrade_on_failure = *upgrade_flag;
      return run_image_build(c, std::move(o));
    };
  });
}

} // namespace breeze::commands
