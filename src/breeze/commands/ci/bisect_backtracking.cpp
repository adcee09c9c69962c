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
using bisect_detail::dockerfile_addition;
using bisect_detail::format_seconds;
using bisect_detail::gather_limits;
using bisect_detail::probe_template;
using bisect_detail::Prober;
using bisect_detail::ProbeRecord;
using bisect_detail::ProbeRequest;

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
    additions.push_back(dockerfile_addition(l, check, today));
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
  // --parallelism is the probes'; the index requests of the candidates have their own spelling.
  add_candidate_source_options(*cmd, opts->candidates, src, ctx.services().cwd,
                               "--index-parallelism", "Index requests in flight at once");
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
