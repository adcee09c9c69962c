#include <breeze/commands/release_management/generate_constraints.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/image_params.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/constraints/generate.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/docker/labels.hpp>
#include <breeze/git/read_blob.hpp>
#include <breeze/http/client.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>

#include <breeze/commands/numeric_options.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <set>

namespace breeze::commands::release_management {

namespace fs = std::filesystem;

namespace {

std::string file_name(const std::string& mode, const std::string& python) {
  return fmt::format("{}-{}.txt", mode, python);
}

// The current file on the constraints branch, when it could be read.
struct Original {
  std::optional<std::string> text;
  bool absent =
      false; ///< the branch has no such file (a new Python or mode), as opposed to unreadable
};

// Reads every job's current file: from the local constraints repository (object database only) or
// over HTTPS in one batch. A file that cannot be read is a warning: the new file is still written,
// only the comparison is missing.
Expected<std::map<std::string, Original>> read_originals(const std::vector<ConstraintsJob>& jobs,
                                                         const GenerateConstraintsOptions& opts,
                                                         Context& ctx) {
  std::map<std::string, Original> out;
  const auto branch =
      opts.constraints_branch.empty() ? ctx.settings.constraints_branch : opts.constraints_branch;
  if (!opts.constraints_repo.empty()) {
    auto repo = fs::path(opts.constraints_repo);
    if (repo.is_relative()) repo = ctx.services().cwd / repo;
    bool said = false;
    for (const auto& job : jobs) {
      const auto name = file_name(job.mode, job.python);
      auto blob = git::read_blob_if_present(ctx.git(), repo, branch, name, opts.remote_name);
      if (blob && *blob && !said) {
        said = true;
        spdlog::info("Reading the current files from {} of {} ({})", (*blob)->ref, repo.string(),
                     (*blob)->commit.substr(0, 12));
      }
      if (blob && *blob)
        out[name].text = std::move((*blob)->content);
      else if (blob)
        out[name].absent = true;
      else if (blob.error().kind == ErrorKind::not_found) // no such repository or branch
        // A wrong --constraints-repo/--constraints-branch is a mistake to fix, not a file to skip.
        return usage_error(
            fmt::format("{}: {} (see --constraints-branch)", repo.string(), blob.error().message));
      else
        spdlog::warn("Cannot read {} from {} ({}): no comparison for it", name, repo.string(),
                     blob.error().what());
    }
    return out;
  }
  auto* client = ctx.services().http;
  if (client == nullptr) {
    spdlog::warn("No HTTP client: the generated files are not compared with {}", branch);
    return out;
  }
  auto base = opts.constraints_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  std::vector<http::Request> requests;
  std::vector<std::string> names;
  for (const auto& job : jobs) {
    names.push_back(file_name(job.mode, job.python));
    requests.push_back(
        {fmt::format("{}/{}/{}/{}", base, ctx.settings.github_repository, branch, names.back()),
         {}});
  }
  http::BatchOptions options;
  options.use_cache = false; // the branch moves; an old copy would make a wrong diff
  options.max_retries = 1;
  auto responses = client->get_all(requests, options);
  for (std::size_t i = 0; i < responses.size() && i < names.size(); ++i) {
    const auto& r = responses[i];
    if (!r)
      spdlog::warn("Cannot download {} ({}): no comparison for it", requests[i].url,
                   r.error().message);
    else if (r->status == 200)
      out[names[i]].text = r->body;
    else if (r->status == 404)
      out[names[i]].absent = true;
    else
      spdlog::warn("Cannot download {} (HTTP {}): no comparison for it", requests[i].url,
                   r->status);
  }
  return out;
}

// What one job produced.
struct JobOutcome {
  bool ok = false;
  std::string summary; ///< one line: the summary table / the failure
  std::vector<fs::path> written;
  std::size_t pins = 0;
  std::optional<std::size_t> changed; ///< nullopt: nothing to compare with
  bool new_file = false;
};

// What every job reads; it is filled before the jobs start and only read while they run.
struct Shared {
  const config::Settings& settings;
  process::Runner& runner;
  constraints::FreezeFilter filter;
  std::map<std::string, Original> originals;
  time::Instant generated_on; ///< one date for every file of the run
};

JobOutcome run_job(const ConstraintsJob& job, const Shared& shared,
                   const std::function<void(const std::string&)>& on_line) {
  JobOutcome o;
  if (interrupt::requested()) {
    o.summary = "interrupted";
    return o;
  }
  process::ProcessSpec spec;
  spec.argv = job.argv;
  spec.cwd = shared.settings.sources_root;
  spec.capture = true; // stdout is the freeze list; stderr (install output) only goes to the log
  spec.on_line = on_line;
  if (on_line) on_line("### " + strings::shell_join(job.argv));
  auto res = shared.runner.run(spec);
  if (!res) {
    o.summary = res.error().message;
    return o;
  }
  if (res->dry_run) {
    o.ok = true;
    o.summary = "dry run";
    return o;
  }
  if (!res->ok()) {
    o.summary = res->interrupted ? "interrupted"
                : res->timed_out ? "timed out"
                                 : fmt::format("docker run: exit {}", res->exit_code);
    return o;
  }
  const auto pins = constraints::filter_freeze(res->out, shared.filter);
  if (pins.empty()) {
    // An empty list would wipe the constraints: the command printed nothing usable.
    o.summary = "the freeze command printed no pins";
    return o;
  }
  const auto text = constraints::render_constraints(
      constraints::render_header(job.mode, shared.settings.default_branch, shared.generated_on),
      pins);
  const auto dir = job.output.parent_path();
  const auto name = job.output.filename().string();
  auto wrote = files::write_atomic(job.output, text);
  if (!wrote) {
    o.summary = wrote.error().what();
    return o;
  }
  o.written.push_back(job.output);
  o.pins = pins.size();
  const auto diff_path = dir / ("diff-" + job.mode + "-" + job.python + ".md");
  const auto found = shared.originals.find(name);
  const Original original = found == shared.originals.end() ? Original{} : found->second;
  if (original.text) {
    const auto orig_path = dir / ("original-" + name);
    if (auto w = files::write_atomic(orig_path, *original.text); !w) {
      o.summary = w.error().what();
      return o;
    }
    o.written.push_back(orig_path);
    const auto changes = constraints::diff_pins(*original.text, text);
    o.changed = changes.size();
    std::error_code ec;
    if (changes.empty()) {
      fs::remove(diff_path, ec); // a diff from an earlier run would describe changes that are gone
    } else {
      if (auto w = files::write_atomic(
              diff_path, constraints::render_diff_markdown(job.mode, job.python, changes));
          !w) {
        o.summary = w.error().what();
        return o;
      }
      o.written.push_back(diff_path);
    }
  } else {
    o.new_file = original.absent;
  }
  o.ok = true;
  o.summary = !o.changed ? fmt::format("{} pins", o.pins)
                         : fmt::format("{} pins, {} changed", o.pins, *o.changed);
  return o;
}

std::string describe(const JobOutcome& o) {
  if (o.changed)
    return *o.changed == 0 ? fmt::format("{} pins, unchanged", o.pins)
                           : fmt::format("{} pins, {} changed", o.pins, *o.changed);
  return fmt::format("{} pins, {}", o.pins,
                     o.new_file ? "new file" : "not compared (current file unavailable)");
}

std::string relative_to(const fs::path& p, const fs::path& root) {
  std::error_code ec;
  auto rel = fs::relative(p, root, ec);
  return ec || rel.empty() ? p.string() : rel.string();
}

// --output json (docs/json-output.md, "generate-constraints"): one entry per planned file.
// `ran` is false for jobs that never ran (a single-Python run stops at the first failure).
std::string render_json(const std::vector<ConstraintsJob>& jobs,
                        const std::vector<JobOutcome>& outcomes, const std::vector<bool>& ran,
                        const fs::path& root, bool dry_run, bool interrupted) {
  auto files = nlohmann::json::array();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& o = outcomes[i];
    const char* status = dry_run                      ? "dry_run"
                         : !ran[i]                    ? "not_run"
                         : o.ok                       ? "generated"
                         : o.summary == "interrupted" ? "interrupted"
                                                      : "failed";
    nlohmann::json entry = {{"mode", jobs[i].mode},
                            {"python", jobs[i].python},
                            {"image", jobs[i].image},
                            {"path", relative_to(jobs[i].output, root)},
                            {"status", status}};
    entry["pins"] = o.ok && !dry_run ? nlohmann::json(o.pins) : nlohmann::json(nullptr);
    entry["pins_changed"] =
        o.ok && o.changed ? nlohmann::json(*o.changed) : nlohmann::json(nullptr);
    entry["new_file"] = o.ok && o.new_file;
    auto written = nlohmann::json::array();
    for (std::size_t k = 1; k < o.written.size(); ++k)
      written.push_back(relative_to(o.written[k], root));
    entry["also_written"] = std::move(written);
    entry["error"] =
        !o.ok && ran[i] && !dry_run ? nlohmann::json(o.summary) : nlohmann::json(nullptr);
    files.push_back(std::move(entry));
  }
  nlohmann::json doc = {
      {"dry_run", dry_run}, {"interrupted", interrupted}, {"files", std::move(files)}};
  return doc.dump(2) + "\n";
}

Expected<void> check_images(const std::vector<ConstraintsJob>& jobs,
                            const GenerateConstraintsOptions& opts, Context& ctx,
                            const std::string& docker) {
  if (opts.skip_image_check) {
    spdlog::warn("--skip-image-check: the CI images are used without checking how they were built");
    return {};
  }
  auto head = git::head_commit(ctx.git(), ctx.settings.sources_root);
  if (!head)
    spdlog::warn("Cannot read the sources' last commit ({}): image age not checked",
                 head.error().what());
  const std::optional<git::HeadCommit> last = head ? *head : std::nullopt;
  // Grouped by reason, so four unlabelled images make one short line, not four long ones.
  std::vector<std::pair<std::string, std::vector<std::string>>> problems;
  std::vector<std::string> pythons;
  std::set<std::string> seen;
  for (const auto& job : jobs) {
    if (!seen.insert(job.image).second) continue;
    auto labels = docker::inspect_labels(ctx.runner(), docker, job.image);
    if (!labels) {
      if (!ctx.globals.dry_run) return labels.error();
      spdlog::warn("{} (dry run: continuing)", labels.error().message);
      continue;
    }
    auto p = image_problem(*labels, last);
    if (!p) continue;
    pythons.push_back(job.python);
    auto it = std::find_if(problems.begin(), problems.end(),
                           [&](const auto& e) { return e.first == *p; });
    if (it == problems.end())
      problems.push_back({*p, {job.python}});
    else
      it->second.push_back(job.python);
  }
  if (problems.empty()) return {};
  std::vector<std::string> parts;
  for (const auto& [why, pys] : problems)
    parts.push_back(fmt::format("CI image{} for Python {} ({})", pys.size() > 1 ? "s" : "",
                                strings::join(pys, ", "), why));
  auto line = fmt::format("Refusing {}: run `{}` first (or pass --answer yes --skip-image-check)",
                          strings::join(parts, ", "), rebuild_command(pythons, opts, ctx.settings));
  if (ctx.globals.dry_run) {
    spdlog::warn("{} (dry run: continuing)", line);
    return {};
  }
  return failure(line);
}

} // namespace

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
      job.output = settings.sources_root / "files" / ("constraints-" + py) / file_name(m, py);
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

std::optional<std::string>
image_problem(const std::optional<std::map<std::string, std::string>>& labels,
              const std::optional<git::HeadCommit>& head) {
  if (!labels) return "missing from the local docker engine";
  const auto parsed = docker::parse_build_labels(*labels);
  if (!parsed) return "without breeze build labels: not built by breeze ci-image build";
  if (!parsed->upgraded) return "not built with --upgrade-to-newer-dependencies";
  // Built from exactly this commit is fine whatever the clocks say; otherwise it must be newer.
  if (head && parsed->source_commit != head->id && parsed->build_time < head->time)
    return fmt::format("built at {}, before the sources' last commit {} ({})",
                       time::format_human(parsed->build_time), head->id.substr(0, 10),
                       time::format_human(head->time));
  return std::nullopt;
}

std::string rebuild_command(const std::vector<std::string>& pythons,
                            const GenerateConstraintsOptions& opts,
                            const config::Settings& settings) {
  std::string cmd = "breeze ci-image build";
  if (pythons.size() == 1)
    cmd += " --python " + pythons.front();
  else
    cmd += " --run-in-parallel --python-versions \"" + strings::join(pythons, " ") + "\"";
  cmd += " --upgrade-to-newer-dependencies";
  if (!opts.image_tag.empty()) cmd += " --image-tag " + opts.image_tag;
  if (settings.github_repository != config::Settings{}.github_repository)
    cmd += " --github-repository " + settings.github_repository;
  return cmd;
}

Expected<ExitCode> run_generate_constraints(const GenerateConstraintsOptions& opts, Context& ctx) {
  const auto& settings = ctx.settings;
  if (settings.sources_root.empty())
    return usage_error(
        "no Airflow sources found (a folder with Dockerfile.ci or breeze.yaml): run inside them or "
        "pass --airflow-sources PATH");
  if (opts.skip_image_check && ctx.forced_answer() != prompt::Answer::yes)
    return usage_error(
        "--skip-image-check uses an unverified image: it needs --answer yes as well");
  const bool json = opts.output == "json";
  if (json) ctx.reserve_stdout();
  // With JSON the human text goes to stderr, so stdout holds the one document.
  auto& text_out = json ? ctx.err() : ctx.out();
  const auto docker = docker::docker_client(ctx.services().env);
  BREEZE_TRY(auto jobs, plan_constraints_jobs(opts, settings, docker));
  BREEZE_TRY_VOID(check_images(jobs, opts, ctx, docker));

  auto& runner = ctx.runner();
  Shared shared{settings,
                runner,
                {settings.freeze_drop_prefixes, settings.freeze_drop_containing},
                {},
                ctx.now()};
  if (ctx.globals.dry_run) {
    // The dry-run runner prints every docker command; nothing runs and nothing is written.
    std::vector<JobOutcome> planned;
    for (const auto& job : jobs)
      planned.push_back(run_job(job, shared, {}));
    if (json)
      ctx.out() << render_json(jobs, planned, std::vector<bool>(jobs.size(), true),
                               settings.sources_root, true, false);
    return ExitCode::ok;
  }

  // Checked before any job runs: a files/constraints-X.Y folder that cannot take the files would
  // otherwise only show once every docker run is done.
  std::set<fs::path> dirs;
  for (const auto& job : jobs)
    dirs.insert(job.output.parent_path());
  for (const auto& dir : dirs)
    if (auto writable = paths::check_writable_dir(dir); !writable)
      return Error{writable.error().kind,
                   fmt::format("cannot write the constraints files: {}", writable.error().what())};

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

  BREEZE_TRY(shared.originals, read_originals(jobs, opts, ctx));
  shared.generated_on = ctx.now(); // after the question: the date says when the pins were frozen

  std::vector<JobOutcome> outcomes(jobs.size());
  std::vector<bool> ran(jobs.size(), false);
  std::mutex outcomes_mutex;
  bool interrupted = false;
  const bool parallel = opts.run_in_parallel && jobs.size() > 1;
  if (!parallel) {
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      spdlog::info("Generating {} for Python {} from {}", jobs[i].mode, jobs[i].python,
                   jobs[i].image);
      outcomes[i] = run_job(jobs[i], shared,
                            [](const std::string& line) { console::print_child_line(line); });
      ran[i] = true;
      if (outcomes[i].ok) continue;
      if (interrupt::requested()) {
        interrupted = true;
        break;
      }
      spdlog::error("[{}] failed: {}", jobs[i].name, outcomes[i].summary);
      break;
    }
  } else {
    std::vector<parallel::Job> pool_jobs;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      pool_jobs.push_back({jobs[i].name, [&, i](parallel::JobContext& jc) {
                             auto o = run_job(jobs[i], shared, jc.on_line);
                             parallel::JobResult r{o.ok, o.ok ? describe(o) : o.summary};
                             std::lock_guard lock(outcomes_mutex);
                             outcomes[i] = std::move(o);
                             ran[i] = true;
                             return r;
                           }});
    }
    const auto parallelism = opts.parallelism > 0 ? static_cast<std::size_t>(opts.parallelism)
                                                  : parallel::default_parallelism();
    auto reporter =
        parallel::make_reporter(text_out, ctx.err(), ctx.reporter_facts("generate-constraints"));
    BREEZE_TRY(auto outcome,
               parallel::run_jobs(pool_jobs, {.parallelism = parallelism}, *reporter));
    interrupted = outcome.interrupted;
  }

  bool all_ok = true;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& o = outcomes[i];
    if (!o.ok) {
      all_ok = false;
      continue;
    }
    text_out << fmt::format("{}: {}\n", relative_to(jobs[i].output, settings.sources_root),
                            describe(o));
    for (std::size_t k = 1; k < o.written.size(); ++k)
      text_out << fmt::format("  {}\n", relative_to(o.written[k], settings.sources_root));
  }
  if (json)
    ctx.out() << render_json(jobs, outcomes, ran, settings.sources_root, false,
                             interrupted || interrupt::requested());
  if (interrupted || interrupt::requested()) return ExitCode::interrupted;
  if (!all_ok) {
    std::vector<std::string> failed;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (!outcomes[i].ok) failed.push_back(jobs[i].name);
    spdlog::error("Not generated: {}", strings::join(failed, ", "));
    return ExitCode::failure;
  }
  return ExitCode::ok;
}

void register_generate_constraints(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<GenerateConstraintsOptions>();
  cmd->add_option("--airflow-constraints-mode", opts->mode,
                  "constraints-source-providers, constraints, constraints-no-providers or all "
                  "[default: constraints-source-providers].")
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
          constraints_repo_option(&opts->constraints_repo,
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
