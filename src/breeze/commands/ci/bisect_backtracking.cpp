#include <breeze/commands/ci/bisect_backtracking.hpp>

#include "bisect_detail.hpp"
#include "bisect_prober.hpp"
#include "bisect_report.hpp"

#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>
#include <breeze/commands/ci/bisect_search.hpp>
#include <breeze/commands/numeric_options.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/docker/labels.hpp>
#include <breeze/http/client.hpp>
#include <breeze/parallel/pool.hpp>
#include <breeze/parallel/reporter.hpp>
#include <breeze/pypi/candidates.hpp>
#include <breeze/pypi/index.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <unistd.h>

namespace breeze::commands::ci {

using bisect_detail::BisectReport;
using bisect_detail::Check;
using bisect_detail::ci_image;
using bisect_detail::format_seconds;
using bisect_detail::k_each_placeholder;
using bisect_detail::k_placeholder;
using bisect_detail::Prober;
using bisect_detail::ProbeRecord;
using bisect_detail::ProbeRequest;

namespace {

std::filesystem::path self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("breeze") : p;
}

// The limits to bisect and, when known, the suspects among them (indexes, most likely first).
struct Gathered {
  std::vector<BisectLimit> limits;
  std::vector<std::size_t> suspects;
};

Expected<std::vector<BisectLimit>> limits_from_requirements(const BisectOptions& o, Context& ctx) {
  {
    BREEZE_TRY(auto limits, parse_limits(o.requirements));
    auto* client = ctx.services().http;
    if (client == nullptr) return limits;
    std::vector<std::string> names;
    for (const auto& l : limits)
      names.push_back(l.name);
    http::BatchOptions http_options;
    http_options.parallelism = static_cast<std::size_t>(o.candidates.parallelism);
    http_options.timeout =
        std::chrono::milliseconds(static_cast<long long>(o.candidates.timeout * 1000));
    http_options.use_cache = !o.candidates.no_cache;
    pypi::Index index(*client, o.candidates.pypi_url);
    auto lookups = index.fetch(names, http_options);
    if (!lookups) {
      spdlog::warn("Could not ask {} for the latest versions ({}): the ==latest checks are skipped",
                   o.candidates.pypi_url, lookups.error().what());
      return limits;
    }
    for (std::size_t i = 0; i < limits.size() && i < lookups->size(); ++i) {
      const auto& l = (*lookups)[i];
      if (l.status != pypi::Lookup::Status::found) {
        spdlog::warn("No latest version of {} from the index: its ==latest check is skipped",
                     limits[i].name);
        continue;
      }
      // Pre-releases only count when the limit itself names one, as in
      // find-backtracking-candidates.
      const auto spec =
          constraints::SpecifierSet::parse(limits[i].limit.substr(limits[i].name.size()));
      std::optional<constraints::Version> floor;
      if (spec && !spec->specifiers().empty()) {
        if (auto v = constraints::Version::parse(spec->specifiers().front().version())) floor = *v;
      }
      auto latest =
          pypi::choose_latest(l.project, floor.value_or(*constraints::Version::parse("0")));
      if (latest) limits[i].latest = latest->version.str();
    }
    return limits;
  }
}

Expected<Gathered> gather_limits(const BisectOptions& o, Context& ctx) {
  if (!o.requirements.empty()) {
    BREEZE_TRY(auto limits, limits_from_requirements(o, ctx));
    return Gathered{std::move(limits), {}};
  }
  if (!o.candidates_file.empty()) {
    const auto path = std::filesystem::path(o.candidates_file); // absolute since parsing
    BREEZE_TRY(auto text, files::read(path));
    auto limits = limits_from_candidates_json(text);
    if (!limits) return Error{limits.error().kind, limits.error().message, path.string()};
    auto suspects = suspects_from_candidates_json(text, *limits);
    if (!suspects) return Error{suspects.error().kind, suspects.error().message, path.string()};
    return Gathered{std::move(*limits), std::move(*suspects)};
  }
  BREEZE_TRY(auto report, find_backtracking_report(o.candidates, ctx));
  if (!report.failed.empty())
    spdlog::warn("{} packages could not be checked: bisecting the {} candidates found",
                 report.failed.size(), report.candidates.size());
  Gathered out;
  for (const auto& c : report.candidates) {
    BREEZE_TRY(auto limit, make_limit(c.name, c.pinned, c.latest));
    out.limits.push_back(std::move(limit));
  }
  if (report.conflicts)
    for (const auto& name : report.conflicts->suspects)
      for (std::size_t i = 0; i < report.candidates.size(); ++i)
        if (report.candidates[i].name == name) out.suspects.push_back(i);
  return out;
}

Expected<std::vector<std::string>> probe_template(const BisectOptions& o, Context& ctx) {
  if (!o.probe_command.empty()) {
    BREEZE_TRY(auto words, split_command_line(o.probe_command));
    if (words.empty()) return usage_error("--probe-command is empty");
    for (const auto& w : words)
      if (w != k_each_placeholder && w.find(k_each_placeholder) != std::string::npos)
        return usage_error(
            "--probe-command: {requirements...} must be a word of its own (it becomes one "
            "argument per limit)");
    if (std::none_of(words.begin(), words.end(), [](const std::string& w) {
          return w == k_each_placeholder || w.find(k_placeholder) != std::string::npos;
        }))
      return usage_error(
          "--probe-command must contain {requirements} or {requirements...} (where the limits go)");
    return words;
  }
  const auto python = o.python.empty() ? ctx.settings.default_python_version() : o.python;
  if (o.probe == "resolve") {
    BREEZE_TRY_VOID(ctx.settings.check_python(python));
    if (ctx.settings.sources_root.empty())
      return usage_error(
          "--probe resolve: no Airflow sources found (a folder with Dockerfile.ci) to mount; "
          "pass --airflow-sources PATH");
    std::string platform;
    if (!o.platform.empty()) {
      BREEZE_TRY(platform, docker::normalize_platform(o.platform));
    }
    return resolve_probe_argv(ctx.settings, docker::docker_client(ctx.services().env), python,
                              platform);
  }
  std::vector<std::string> argv{self_exe().string(),
                                "ci-image",
                                "build",
                                "--upgrade-to-newer-dependencies",
                                "--eager-upgrade-additional-requirements",
                                std::string(k_placeholder),
                                "--python",
                                python};
  auto pass = [&argv](const char* flag, const std::string& value) {
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  };
  pass("--platform", o.platform);
  pass("--builder", o.builder);
  pass("--docker-cache", o.docker_cache);
  pass("--github-repository", ctx.globals.github_repository);
  if (!ctx.settings.sources_root.empty())
    pass("--airflow-sources", ctx.settings.sources_root.string());
  if (ctx.globals.verbose) argv.push_back("--verbose");
  return argv;
}

std::string removal_comment(const BisectLimit& l, const Check* check, const std::string& date) {
  auto text = fmt::format(
      "{}<{}: pip backtracked on {} {} (found by breeze ci bisect-backtracking on {}); remove this "
      "limit when an image build with --upgrade-to-newer-dependencies without it finishes in "
      "normal time",
      l.name, l.latest, l.name, l.latest, date);
  if (check && check->verdict == "heuristics")
    text += " - try that in a few days: " + l.name + "==" + l.latest + " alone resolves";
  return text;
}

} // namespace

Expected<ExitCode> run_bisect_backtracking(const BisectOptions& o, Context& ctx) {
  using namespace std::chrono;
  BREEZE_TRY(auto argv_template, probe_template(o, ctx));
  BREEZE_TRY(auto backtracking, compile_backtracking_pattern(o.backtracking_pattern));
  BREEZE_TRY(auto gathered, gather_limits(o, ctx));
  auto& limits = gathered.limits;
  const auto& suspects = gathered.suspects;
  if (limits.empty()) {
    spdlog::error("No candidates to bisect: nothing was released since the last constraints (or "
                  "the list was empty)");
    return ExitCode::failure;
  }
  std::filesystem::path dockerfile;
  if (o.apply) {
    dockerfile = o.dockerfile.empty() ? ctx.settings.sources_root / "Dockerfile.ci"
                                      : std::filesystem::path(o.dockerfile);
    if (o.dockerfile.empty() && ctx.settings.sources_root.empty())
      return usage_error("--apply: no Airflow sources found (a folder with Dockerfile.ci); pass "
                         "--dockerfile PATH");
    // Checked before hours of probes, not after: readable, editable and replaceable in place.
    BREEZE_TRY(auto text, files::read(dockerfile));
    BREEZE_TRY_VOID(add_eager_upgrade_limits(text, {}));
    if (auto writable = paths::check_replaceable(dockerfile); !writable)
      return Error{
          writable.error().kind,
          fmt::format("--apply cannot write {}: {}", dockerfile.string(), writable.error().what())};
  }
  std::vector<std::string> all_limits;
  for (const auto& l : limits)
    all_limits.push_back(l.limit);
  std::vector<std::string> suspect_names;
  for (auto i : suspects)
    suspect_names.push_back(limits[i].name);
  if (!suspects.empty())
    spdlog::info("Suspects (from the packages' own requirements), tried first: {}",
                 strings::strip_control(strings::join(suspect_names, ", ")));
  if (o.probe == "resolve" && o.probe_command.empty()) {
    // The image must be here already: `docker run --pull never` would fail every probe, and the
    // report would only say the full list failed.
    const auto python = o.python.empty() ? ctx.settings.default_python_version() : o.python;
    const auto image = ci_image(ctx.settings, python);
    BREEZE_TRY(auto labels, docker::inspect_labels(ctx.runner(), argv_template.front(), image));
    if (!labels)
      return Error{
          ErrorKind::failure,
          fmt::format("--probe resolve runs in the local CI image {}, which is not there: build it "
                      "first (breeze ci-image build --python {})",
                      image, python)};
  }

  std::optional<milliseconds> timeout;
  if (o.probe_timeout > 0) timeout = milliseconds(static_cast<long long>(o.probe_timeout * 1000));
  if (ctx.globals.dry_run) {
    // Printing one probe shows what every probe runs; the search itself depends on real answers.
    process::ProcessSpec spec;
    spec.argv = expand_probe_command(argv_template, all_limits);
    spec.timeout = timeout;
    BREEZE_TRY(auto r, ctx.runner().run(spec));
    (void)r;
    spdlog::info("--dry-run: the first of the probes that would bisect {} limits is printed above; "
                 "nothing ran",
                 limits.size());
    return ExitCode::ok;
  }

  // The probe logs go under $TMPDIR (from the Services' environment), else /tmp.
  std::filesystem::path log_dir;
  std::vector<std::filesystem::path> roots;
  if (auto tmp = ctx.services().env("TMPDIR"); tmp && !tmp->empty()) roots.emplace_back(*tmp);
  roots.emplace_back("/tmp");
  for (const auto& root : roots) {
    if (auto made = files::TempDir::create("breeze-bisect", root)) {
      log_dir = std::move(*made).release(); // kept: the report points at the probe logs
      break;
    }
  }
  if (log_dir.empty())
    return Error{ErrorKind::io, "cannot create a folder for the probe logs",
                 roots.front().string()};

  const auto parallelism = static_cast<std::size_t>(std::max(o.parallelism, 1));
  Prober prober(ctx, argv_template, parallelism, timeout, log_dir, backtracking);
  // An internal knob, not an option: the e2e tests get the plain status lines of a running probe
  // after a second instead of a minute.
  if (auto every = ctx.services().env("BREEZE_PROBE_STATUS_SECONDS");
      every && !every->empty() && every->size() < 6 &&
      every->find_first_not_of("0123456789") == std::string::npos)
    prober.set_status_every(std::chrono::seconds(std::stoul(*every)));
  spdlog::info("Bisecting {} limits, {} probe(s) at a time; logs in {}", limits.size(), parallelism,
               log_dir.string());
  const auto started = steady_clock::now();

  bool first = true;
  std::string full_list_error;
  ProbeBatch batch = [&](const std::vector<LimitSet>& subsets, bool first_pass_wins) {
    std::vector<ProbeRequest> requests;
    for (const auto& s : subsets) {
      ProbeRequest r;
      for (auto i : s)
        r.limits.push_back(limits[i].limit);
      // The search probes the full list and a suspect alone once each, so the set tells which.
      r.purpose = s.size() == limits.size()                              ? "full list"
                  : !suspects.empty() && s == LimitSet{suspects.front()} ? "suspect"
                                                                         : "bisect";
      requests.push_back(std::move(r));
    }
    auto records = prober.run(requests, first_pass_wins);
    if (first) {
      first = false;
      const auto& r = records.front();
      if (r.outcome == ProbeOutcome::pass && !prober.timeout()) {
        prober.set_timeout(default_probe_timeout(r.elapsed));
        spdlog::info("The full list took {}: probes now fail after {}", format_seconds(r.elapsed),
                     format_seconds(*prober.timeout()));
      } else if (r.outcome == ProbeOutcome::fail) {
        full_list_error =
            !r.error.empty() ? r.error
            : r.backtracked  ? fmt::format("the resolver backtracked: output line {}: {}",
                                           r.cut_line_number, r.cut_line)
            : r.timed_out    ? fmt::format("it ran past --probe-timeout {} and was killed",
                                           format_seconds(*prober.timeout()))
                             : fmt::format("it exited {}", r.exit_code);
      }
    }
    std::vector<ProbeOutcome> out;
    for (const auto& r : records)
      out.push_back(r.outcome);
    return out;
  };
  const auto search = find_culprits(limits.size(), batch, parallelism, suspects);

  // ==latest checks: each culprit at its latest version, the other culprits still limited.
  std::vector<Check> checks;
  if (search.status == SearchResult::Status::found) {
    std::vector<std::vector<std::string>> lists;
    std::vector<std::size_t> checked;
    for (auto c : search.culprits) {
      Check check{limits[c].name, {}, "skipped", {}};
      if (!limits[c].latest.empty()) {
        check.requirement = limits[c].name + "==" + limits[c].latest;
        std::vector<std::string> l;
        for (auto other : search.culprits)
          l.push_back(other == c ? check.requirement : limits[other].limit);
        lists.push_back(std::move(l));
        checked.push_back(checks.size());
      }
      checks.push_back(std::move(check));
    }
    if (!lists.empty() && !interrupt::requested()) {
      std::vector<ProbeRequest> requests;
      for (auto& l : lists)
        requests.push_back({std::move(l), "check"});
      auto records = prober.run(requests, false);
      for (std::size_t i = 0; i < records.size(); ++i) {
        auto& check = checks[checked[i]];
        const auto& r = records[i];
        if (r.outcome == ProbeOutcome::pass)
          check.verdict = "heuristics";
        else if (r.outcome == ProbeOutcome::fail) {
          check.verdict = r.timed_out ? "timeout" : "conflict";
          check.conflicts = conflict_lines(r.output);
        } else
          check.verdict = "interrupted";
      }
    }
  }
  const auto total = duration_cast<milliseconds>(steady_clock::now() - started);
  const bool interrupted =
      interrupt::requested() || search.status == SearchResult::Status::interrupted;

  std::vector<DockerfileLimit> additions;
  std::vector<std::string> culprit_limits;
  const auto today = time::format_iso_z(ctx.now()).substr(0, 10);
  for (std::size_t k = 0; k < search.culprits.size(); ++k) {
    const auto& l = limits[search.culprits[k]];
    culprit_limits.push_back(l.limit);
    if (search.status != SearchResult::Status::found) continue;
    const Check* check = k < checks.size() ? &checks[k] : nullptr;
    if (l.latest.empty())
      additions.push_back(
          {l.limit, fmt::format("{}: pip backtracked without this limit (found by "
                                "breeze ci bisect-backtracking on {}); remove it when "
                                "an eager upgrade without it finishes in normal time",
                                l.limit, today)});
    else
      additions.push_back({l.name + "<" + l.latest, removal_comment(l, check, today)});
  }
  std::vector<std::string> add_line;
  for (const auto& a : additions)
    add_line.push_back(a.requirement);

  // Write before printing, so the report can say what happened to the file. A write that fails
  // now (after hours of probes) must not lose the answer: the whole report is printed, then the
  // error.
  std::string applied;
  std::optional<Error> apply_error;
  if (o.apply && !additions.empty() && !interrupted) {
    auto written = [&]() -> Expected<std::string> {
      BREEZE_TRY(auto text, files::read(dockerfile));
      BREEZE_TRY(auto edited, add_eager_upgrade_limits(text, additions));
      if (edited == text) return std::string("already there");
      BREEZE_TRY_VOID(files::write_atomic(dockerfile, edited));
      return std::string("written");
    }();
    if (written)
      applied = *written;
    else {
      applied = "failed";
      apply_error =
          Error{written.error().kind, fmt::format("--apply could not write {}: {}",
                                                  dockerfile.string(), written.error().what())};
    }
  }

  const BisectReport report{prober.all(),
                            search,
                            limits.size(),
                            all_limits,
                            suspect_names,
                            culprit_limits,
                            checks,
                            add_line,
                            backtracking ? std::optional(o.backtracking_pattern) : std::nullopt,
                            prober.timeout(),
                            total,
                            full_list_error,
                            log_dir,
                            dockerfile,
                            applied,
                            apply_error ? std::optional(apply_error->what()) : std::nullopt,
                            interrupted};
  // Probe output and limits come from elsewhere: the report is redacted as a whole before it is
  // printed, whatever stream it goes to.
  ctx.out() << redact::text(o.output == "json" ? render_report_json(report)
                                               : render_report_text(report));
  ctx.out().flush();
  // On GitHub Actions: the probes and the answer on the run's summary page.
  ctx.step_summary(redact::text(render_report_summary(report)));
  if (apply_error) return *apply_error;
  if (interrupted) return ExitCode::interrupted;
  return search.status == SearchResult::Status::found ? ExitCode::ok : ExitCode::failure;
}

void register_bisect_backtracking(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<BisectOptions>();
  const char* src = "Candidates";
  absolute_path_option(
      cmd->add_option(
             "--candidates-file", opts->candidates_file,
             "Read the candidates from `find-backtracking-candidates --output json` output")
          ->group(src),
      ctx.services().cwd);
  cmd->add_option(
         "--eager-upgrade-additional-requirements", opts->requirements,
         "Bisect these limits (\"a<=1 b<=2 ...\"); their latest versions come from --pypi-url")
      ->group(src);
  add_candidate_source_options(*cmd, opts->candidates, src, ctx.services().cwd);
  const char* probe = "Probes";
  cmd->add_option("--probe", opts->probe,
                  "Default probe: build (a ci-image build with the limits) or resolve (only the "
                  "resolution of the "
                  "eager-upgrade step, in the local CI image with the sources mounted)")
      ->check(CLI::IsMember({"build", "resolve"}))
      ->capture_default_str()
      ->group(probe);
  cmd->add_option("--probe-command", opts->probe_command,
                  "Probe with this command instead (split like a shell, no shell runs it; "
                  "{requirements} becomes "
                  "the space-separated limits, a word {requirements...} one argument per limit)")
      ->group(probe);
  cmd->add_option("--backtracking-pattern", opts->backtracking_pattern,
                  "A probe whose output matches this regular expression has backtracked: it fails "
                  "and is stopped "
                  "at once (not the ==latest checks); empty: off")
      ->capture_default_str()
      ->group(probe);
  cmd->add_option("--probe-timeout", opts->probe_timeout,
                  "A probe running longer fails and is killed [default: max(1.5 T, T + 120) for "
                  "the full list's time T]")
      ->check(numeric::real_in(0.01, 86400.0))
      ->group(probe);
  cmd->add_option("--parallelism", opts->parallelism, "Probes at a time")
      ->check(numeric::integer_in(1, numeric::k_max_parallelism))
      ->capture_default_str()
      ->group(probe);
  add_python_option(*cmd, opts->python,
                    "Python of the probe image builds and the constraints (default: newest)")
      ->group(probe);
  // The probe builds' options read the variables ci-image build reads (Breeze has no bisection).
  cmd->add_option("--platform", opts->platform, "Platform of the probe image builds")
      ->envname("PLATFORM")
      ->group(probe);
  cmd->add_option("--builder", opts->builder, "docker buildx builder of the probe image builds")
      ->envname("BUILDER")
      ->group(probe);
  cmd->add_option("-c,--docker-cache", opts->docker_cache,
                  "Cache of the probe image builds: registry, local or disabled")
      ->envname("DOCKER_CACHE")
      ->group(probe);
  const char* result = "Result";
  cmd->add_flag("--apply", opts->apply,
                "Add pkg<latest to Dockerfile.ci's ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS with "
                "a dated comment")
      ->group(result);
  absolute_path_option(
      cmd->add_option("--dockerfile", opts->dockerfile,
                      "The Dockerfile --apply edits [default: <sources>/Dockerfile.ci]")
          ->group(result),
      ctx.services().cwd);
  add_output_option(*cmd, opts->output)->group(result);
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& run_ctx) {
      // Here, not at parse time: options filled from the environment are set after parsing.
      opts->candidates.python = opts->python;
      // The image builds' platform is also the one whose markers the in-process analysis evaluates.
      opts->candidates.platform = opts->platform.substr(0, opts->platform.find(','));
      return run_bisect_backtracking(*opts, run_ctx);
    };
  });
}

} // namespace breeze::commands::ci
