#include <breeze/commands/release_management/generate_constraints.hpp>

#include "generate_constraints_detail.hpp"

#include <breeze/base/console.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/image_params.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <set>

namespace breeze::commands::release_management {

namespace fs = std::filesystem;
namespace gd = generate_detail;

Expected<std::vector<ConstraintsJob>> plan_constraints_jobs(const GenerateConstraintsOptions& opts,
                                                            const config::Settings& settings,
                                                            const std::string& docker) {
  BREEZE_TRY(const auto pythons,
             selected_pythons(opts.python, opts.run_in_parallel, opts.python_versions, settings));
  std::vector<std::string> modes;
  const auto mode = opts.mode.empty() ? settings.default_constraints_mode : opts.mode;
  if (mode == "all")
    modes = settings.constraints_modes;
  else {
    BREEZE_TRY_VOID(settings.check_constraints_mode(mode));
    modes = {mode};
  }
  for (const auto& m : modes)
    if (!settings.constraints_generation_commands.count(m))
      return usage_error(fmt::format(
          "no generation command for mode '{}': add it to constraints-generation-commands "
          "in breeze.yaml",
          m));
  std::vector<ConstraintsJob> jobs;
  for (const auto& py : pythons) {
    auto p = image_params(settings, docker::ImageType::ci, py);
    p.image_tag = opts.image_tag;
    const auto image = docker::image_name_with_tag(p);
    for (const auto& m : modes) {
      ConstraintsJob job;
      job.name = m + "-" + py;
      job.python = py;
      job.mode = m;
      job.image = image;
      job.output = settings.sources_root / "files" / ("constraints-" + py) / gd::file_name(m, py);
      // `--pull never`: the image must be the one verified locally, never a newer one from the
      // registry.
      job.argv = {docker,
                  "run",
                  "--rm",
                  "--pull",
                  "never",
                  "-v",
                  (settings.sources_root / "files").string() + ":/files",
                  "-e",
                  "AIRFLOW_CONSTRAINTS_MODE=" + m,
                  "-e",
                  "PYTHON_MAJOR_MINOR_VERSION=" + py,
                  "-e",
                  "DEFAULT_BRANCH=" + settings.default_branch};
      if (!opts.network.empty()) job.argv.insert(job.argv.end(), {"--network", opts.network});
      job.argv.insert(job.argv.end(), {"--entrypoint", "/bin/sh", image, "-c",
                                       settings.constraints_generation_commands.at(m)});
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

namespace {

// How the jobs ran.
struct JobsRun {
  std::vector<gd::JobOutcome> outcomes;
  std::vector<bool> ran;
  bool interrupted = false;
};

// The one loop over the planned jobs: in order (a failure stops the rest, except in a dry run,
// which only prints each command) or, with --run-in-parallel and more than one job, in a pool.
Expected<JobsRun> run_constraints_jobs(const std::vector<ConstraintsJob>& jobs,
                                       const gd::Shared& shared,
                                       const GenerateConstraintsOptions& opts, Context& ctx,
                                       std::ostream& text_out) {
  JobsRun r{std::vector<gd::JobOutcome>(jobs.size()), std::vector<bool>(jobs.size(), false), false};
  const bool dry_run = ctx.globals.dry_run;
  const bool parallel = !dry_run && opts.run_in_parallel && jobs.size() > 1;
  std::mutex outcomes_mutex;
  std::vector<parallel::Job> pool_jobs;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (parallel) {
      pool_jobs.push_back({jobs[i].name, [&, i](parallel::JobContext& jc) {
                             auto o = gd::run_job(jobs[i], shared, jc.on_line);
                             parallel::JobResult result{o.ok, o.ok ? gd::describe(o) : o.summary};
                             std::lock_guard lock(outcomes_mutex);
                             r.outcomes[i] = std::move(o);
                             r.ran[i] = true;
                             return result;
                           }});
      continue;
    }
    if (dry_run) { // the dry-run runner prints the docker command; nothing runs or is written
      r.outcomes[i] = gd::run_job(jobs[i], shared, {});
      r.ran[i] = true;
      continue;
    }
    spdlog::info("Generating {} for Python {} from {}", jobs[i].mode, jobs[i].python,
                 jobs[i].image);
    r.outcomes[i] = gd::run_job(jobs[i], shared,
                                [](const std::string& line) { console::print_child_line(line); });
    r.ran[i] = true;
    if (r.outcomes[i].ok) continue;
    if (interrupt::requested()) {
      r.interrupted = true;
      break;
    }
    spdlog::error("[{}] failed: {}", jobs[i].name, r.outcomes[i].summary);
    break;
  }
  if (!parallel) return r;
  const auto parallelism = opts.parallelism > 0 ? static_cast<std::size_t>(opts.parallelism)
                                                : parallel::default_parallelism();
  auto reporter =
      parallel::make_reporter(text_out, ctx.err(), ctx.reporter_facts("generate-constraints"));
  BREEZE_TRY(auto outcome, parallel::run_jobs(pool_jobs, {.parallelism = parallelism}, *reporter));
  r.interrupted = outcome.interrupted;
  return r;
}

// Checked before any job runs: a files/constraints-X.Y folder that cannot take the files would
// otherwise only show once every docker run is done.
Expected<void> check_constraints_dirs(const std::vector<ConstraintsJob>& jobs) {
  std::set<fs::path> dirs;
  for (const auto& job : jobs)
    dirs.insert(job.output.parent_path());
  for (const auto& dir : dirs)
    if (auto writable = paths::check_writable_dir(dir); !writable)
      return Error{writable.error().kind,
                   fmt::format("cannot write the constraints files: {}", writable.error().what())};
  return {};
}

} // namespace

Expected<ExitCode> run_generate_constraints(const GenerateConstraintsOptions& opts, Context& ctx) {
  const auto& settings = ctx.settings;
  BREEZE_TRY_VOID(require_sources_root(settings));
  if (opts.skip_image_check && ctx.forced_answer() != prompt::Answer::yes)
    return usage_error(
        "--skip-image-check uses an unverified image: it needs --answer yes as well");
  const bool json = opts.output == "json";
  if (json) ctx.reserve_stdout();
  // With JSON the human text goes to stderr, so stdout holds the one document.
  auto& text_out = json ? ctx.err() : ctx.out();
  const auto docker = docker::docker_client(ctx.services().env);
  BREEZE_TRY(auto jobs, plan_constraints_jobs(opts, settings, docker));
  BREEZE_TRY_VOID(gd::check_images(jobs, opts, ctx, docker));

  gd::Shared shared{settings,
                    ctx.runner(),
                    {settings.freeze_drop_prefixes, settings.freeze_drop_containing},
                    {},
                    ctx.now()};
  if (ctx.globals.dry_run) {
    BREEZE_TRY(auto planned, run_constraints_jobs(jobs, shared, opts, ctx, text_out));
    if (json)
      ctx.out() << gd::render_json(jobs, planned.outcomes, planned.ran, settings.sources_root, true,
                                   false);
    return ExitCode::ok;
  }

  BREEZE_TRY_VOID(check_constraints_dirs(jobs));
  std::vector<fs::path> existing;
  for (const auto& job : jobs)
    if (std::error_code ec; fs::exists(job.output, ec)) existing.push_back(job.output);
  if (!existing.empty()) {
    BREEZE_TRY(auto stop,
               ctx.confirm_or_stop(fmt::format("Overwrite {} existing constraints file(s) in {}?",
                                               existing.size(),
                                               (settings.sources_root / "files").string()),
                                   "Nothing was changed.",
                                   [&text_out](const std::string& text) { text_out << text; }));
    if (stop) return *stop;
  }

  BREEZE_TRY(shared.originals, gd::read_originals(jobs, opts, ctx));
  shared.generated_on = ctx.now(); // after the question: the date says when the pins were frozen

  BREEZE_TRY(const auto r, run_constraints_jobs(jobs, shared, opts, ctx, text_out));
  const auto failed = gd::print_report(text_out, jobs, r.outcomes, settings.sources_root);
  const bool interrupted = r.interrupted || interrupt::requested();
  if (json)
    ctx.out() << gd::render_json(jobs, r.outcomes, r.ran, settings.sources_root, false,
                                 interrupted);
  if (interrupted) return ExitCode::interrupted;
  if (!failed.empty()) {
    spdlog::error("Not generated: {}", strings::join(failed, ", "));
    return ExitCode::failure;
  }
  return ExitCode::ok;
}

void register_generate_constraints(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<GenerateConstraintsOptions>();
  cmd->add_option("--airflow-constraints-mode", opts->mode,
                  "Constraints mode, or all for every mode [default: "
                  "constraints-source-providers].")
      ->envname("AIRFLOW_CONSTRAINTS_MODE");
  PythonSelectionHelp help;
  help.run_in_parallel = "Generate for several Pythons in parallel.";
  help.parallelism = "Jobs at a time [default: cores, capped by memory].";
  add_python_selection(*cmd, opts->python, opts->run_in_parallel, opts->python_versions,
                       opts->parallelism, help);
  add_option_rows(
      *cmd,
      {
          image_tag_option(opts->image_tag, "Tag of the CI images to use [default: latest]."),
          constraints_repo_option(&opts->constraints_repo, ctx.services().cwd,
                                  "Local clone to read the current files from (object "
                                  "database only) instead of HTTPS."),
          remote_name_option(opts->remote_name),
          constraints_branch_option(opts->constraints_branch,
                                    "Branch of the current files [default: constraints-main]."),
          constraints_url_option(opts->constraints_url),
      },
      "");
  cmd->add_option("--docker-network", opts->network,
                  "docker run --network for the jobs (breeze only).");
  cmd->add_flag("--skip-image-check", opts->skip_image_check,
                "Use the CI images without checking their labels (needs --answer yes).");
  add_output_option(*cmd, opts->output);
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& c) { return run_generate_constraints(*opts, c); };
  });
}

} // namespace breeze::commands::release_management
