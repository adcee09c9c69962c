#include <breeze/commands/ci/find_backtracking_candidates.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/github_actions.hpp>
#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/option_table.hpp>
#include <breeze/constraints/constraints_file.hpp>
#include <breeze/constraints/markers.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/git/read_blob.hpp>
#include <breeze/http/client.hpp>
#include <breeze/pypi/candidates.hpp>
#include <breeze/pypi/conflicts.hpp>
#include <breeze/pypi/index.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <unistd.h>

namespace breeze::commands::ci {

namespace {

// The constraints text and what we know about where it came from.
struct Source {
  std::string text;
  std::string label; ///< path, repo:branch:file, or URL — used in messages
  std::string repo;  ///< set when read from a git repository (for the commit-date fallback)
  std::string branch;
  std::string file;
};

Expected<Source> read_constraints(const FindBacktrackingOptions& o, Context& ctx,
                                  const std::string& branch,
                                  const http::BatchOptions& http_options) {
  if (!o.constraints_file.empty()) {
    // Absolute since parsing; the report names the file as the user spelled it.
    BREEZE_TRY(auto text, files::read(o.constraints_file));
    return Source{std::move(text),
                  o.constraints_file_as_typed.empty() ? o.constraints_file
                                                      : o.constraints_file_as_typed,
                  {},
                  {},
                  {}};
  }
  BREEZE_TRY(const auto python, selected_python(o.python, ctx.settings));
  const auto mode =
      o.constraints_mode.empty() ? ctx.settings.default_constraints_mode : o.constraints_mode;
  BREEZE_TRY_VOID(ctx.settings.check_constraints_mode(mode));
  const auto file = fmt::format("{}-{}.txt", mode, python);
  if (!o.constraints_repo.empty()) {
    const auto repo = std::filesystem::path(o.constraints_repo);
    BREEZE_TRY(auto blob, git::read_blob(ctx.git(), repo, branch, file, o.remote_name));
    spdlog::info("Reading {} from {} of {} ({})", file, blob.ref, repo.string(),
                 blob.commit.substr(0, 12));
    return Source{std::move(blob.content), fmt::format("{}:{}:{}", repo.string(), branch, file),
                  repo.string(), branch, file};
  }
  auto* client = ctx.services().http;
  if (client == nullptr) return failure("no HTTP client is available to download the constraints");
  auto base = o.constraints_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  const auto url = fmt::format("{}/{}/{}/{}", base, ctx.settings.github_repository, branch, file);
  const auto shown = redact::url(url); // userinfo in --constraints-url is used, never shown
  spdlog::info("Downloading constraints from {}", shown);
  BREEZE_TRY(auto response, client->get({url, {}}, http_options));
  if (response.status == 404)
    return Error{ErrorKind::not_found,
                 "no constraints file there (check --python, --airflow-constraints-mode, "
                 "--constraints-branch and --github-repository)",
                 shown};
  if (response.status != 200)
    return Error{ErrorKind::network, fmt::format("HTTP {}", response.status), shown};
  return Source{std::move(response.body), shown, {}, {}, {}};
}

Expected<time::Instant> constraints_date(const FindBacktrackingOptions& o, const Source& source,
                                         const constraints::ConstraintsFile& file,
                                         git::Opener& opener) {
  if (!o.since.empty()) {
    auto since = time::parse_iso8601(o.since);
    if (!since) return usage_error("--since: " + since.error().message);
    return *since;
  }
  if (auto at = file.generated_at()) return *at;
  if (!source.repo.empty()) {
    // No date in the header: the commit that last wrote the file is the best evidence of when
    // these constraints were known to work.
    BREEZE_TRY(auto at, git::last_commit_time(opener, source.repo, source.branch, source.file,
                                              o.remote_name));
    spdlog::info("No date in the header of {}; using the date of the last commit touching it",
                 source.label);
    return at;
  }
  return Error{
      ErrorKind::failure,
      "no generation date in the header (expected a line like '# This constraints file was "
      "automatically generated on 2023-08-09T21:48:23Z'); pass --since DATETIME",
      source.label};
}

// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise (CI
// logs).
class Progress {
public:
  // fprintf bypasses the redacting std::cerr filter: the label is redacted here instead.
  Progress(std::string_view what, const console::OutputMode& mode)
      : m_what(redact::text(what)), m_tty(mode.live), m_width(mode.width) {}
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::size_t done, std::size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (m_tty) {
      if (now - m_last < std::chrono::milliseconds(50) && done != total) return;
      // Fitted to the width: a bar that wraps leaves a trail of half-drawn lines behind \r.
      std::fprintf(stderr, "\r%s", console::progress_line(m_what, done, total, m_width).c_str());
      std::fflush(stderr);
      m_drawn = true;
    } else if (now - m_last >= std::chrono::seconds(3) && done != total) {
      spdlog::info("{}: {}/{}", m_what, done, total);
    } else {
      return;
    }
    m_last = now;
  }

  void finish() {
    if (m_drawn) std::fputs("\r\033[K", stderr);
    m_drawn = false;
  }

private:
  std::string m_what;
  bool m_tty;
  std::size_t m_width;
  bool m_drawn = false;
  std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

// The conflict analysis: each candidate's newest requirements (at most one request each, in one
// batch with the scan's options), checked against the other candidates' newest releases and the
// constraints' pins, with markers evaluated for the target Python and platform.
Expected<pypi::ConflictReport> analyse_conflicts(pypi::Index& index, const pypi::Report& report,
                                                 const std::vector<const pypi::Lookup*>& lookups,
                                                 const constraints::ConstraintsFile& file,
                                                 const constraints::MarkerEnvironment& env,
                                                 const http::BatchOptions& options) {
  std::vector<pypi::RequirementsQuery> queries;
  for (std::size_t i = 0; i < report.candidates.size(); ++i)
    queries.push_back({report.candidates[i].name, lookups[i], report.candidates[i].latest});
  const auto started = std::chrono::steady_clock::now();
  BREEZE_TRY(auto requirements, index.requirements(queries, options));
  std::vector<pypi::ConflictCandidate> candidates;
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < report.candidates.size(); ++i) {
    const auto& c = report.candidates[i];
    auto& r = requirements[i];
    spdlog::debug("requirements of {} {}: {}", c.name, c.latest, strings::strip_control(r.source));
    if (!r.requires_dist) unknown.push_back(c.name);
    candidates.push_back({c.name, constraints::canonicalize_name(c.name), c.pinned, c.latest,
                          std::move(r.requires_dist)});
  }
  std::map<std::string, std::string> pins;
  for (const auto& pin : file.pins())
    pins.emplace(constraints::canonicalize_name(pin.name), pin.version);
  auto conflicts = pypi::find_conflicts(candidates, pins, env);
  spdlog::info("Read the requirements of {} of {} candidates in {:.1f} s: {} likely culprit(s)",
               candidates.size() - unknown.size(), candidates.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
               conflicts.suspects.size());
  if (!unknown.empty())
    spdlog::info("No requirements known for {} (unranked): {}", unknown.size(),
                 strings::strip_control(strings::join(unknown, ", ")));
  return conflicts;
}

} // namespace

Expected<pypi::Report> find_backtracking_report(const FindBacktrackingOptions& o, Context& ctx) {
  auto http_options = o.index.batch_options();
  const auto branch =
      o.constraints_branch.empty() ? ctx.settings.constraints_branch : o.constraints_branch;

  BREEZE_TRY(auto source, read_constraints(o, ctx, branch, http_options));
  const auto file = constraints::ConstraintsFile::parse(source.text);
  // An HTML error page saved as a file, an empty file or a wrong URL parse as "no pins": checking
  // nothing must not look like "no candidates".
  if (file.pins().empty())
    return Error{ErrorKind::failure,
                 "no pins (name==version lines) in the constraints: is this a constraints file?",
                 source.label};
  BREEZE_TRY(auto since, constraints_date(o, source, file, ctx.git()));
  // Checked before any request: the markers are evaluated for this Python and platform.
  BREEZE_TRY(const auto python, selected_python(o.python, ctx.settings));
  BREEZE_TRY(const auto platform,
             docker::normalize_platform(o.platform.empty() ? "linux/amd64" : o.platform));
  const auto env = constraints::MarkerEnvironment::for_linux(
      python, platform == "linux/arm64" ? "aarch64" : "x86_64");

  pypi::Report report;
  report.since = since;
  // Only a Python the user chose: the default build builds the default Python already.
  if (o.constraints_file.empty()) report.python = o.python;
  report.source = source.label;

  // One lookup per project even when the file pins it twice (different markers): the first pin
  // decides, in the file's order.
  struct Wanted {
    constraints::Pin pin;
    constraints::Version version;
  };
  std::vector<Wanted> wanted;
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (auto& pin : file.pins()) {
    if (!seen.insert(constraints::canonicalize_name(pin.name)).second) continue;
    auto v = constraints::Version::parse(pin.version);
    if (!v) {
      report.failed.push_back(
          {pin.name, fmt::format("pinned version '{}' is not a PEP 440 version", pin.version)});
      continue;
    }
    names.push_back(pin.name);
    wanted.push_back({pin, std::move(*v)});
  }
  report.checked = names.size() + report.failed.size();

  auto* client = ctx.services().http;
  if (client == nullptr) return failure("no HTTP client is available to ask the package index");
  pypi::Index index(*client, o.index.pypi_url);
  spdlog::info("Checking {} packages on {} ({} at a time)", names.size(),
               redact::url(o.index.pypi_url), o.index.parallelism);
  const auto started = std::chrono::steady_clock::now();
  std::vector<pypi::Lookup> lookups;
  {
    Progress progress("Asking the package index", ctx.output_mode());
    http_options.on_progress = [&progress](std::size_t done, std::size_t total) {
      progress.update(done, total);
    };
    BREEZE_TRY(auto fetched, index.fetch(names, http_options));
    lookups = std::move(fetched);
  }
  spdlog::info("Checked {} packages in {:.1f} s", names.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

  std::vector<const pypi::Lookup*> candidate_lookups; // the lookup of each candidate, in order
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const auto& w = wanted[i];
    const auto& l = lookups[i];
    if (l.status == pypi::Lookup::Status::not_found) {
      report.not_found.push_back(w.pin.name);
      continue;
    }
    if (l.status == pypi::Lookup::Status::failed) {
      report.failed.push_back({w.pin.name, l.error});
      continue;
    }
    auto latest = pypi::choose_latest(l.project, w.version);
    if (latest && pypi::is_candidate(w.version, *latest, since)) {
      report.candidates.push_back(
          {w.pin.name, w.pin.version, latest->version.str(), latest->released});
      candidate_lookups.push_back(&l);
    }
  }
  if (o.conflict_analysis && !report.candidates.empty()) {
    auto options = http_options;
    options.on_progress = nullptr;
    BREEZE_TRY(report.conflicts,
               analyse_conflicts(index, report, candidate_lookups, file, env, options));
  }
  std::vector<std::string> undated;
  for (const auto& c : report.candidates)
    if (!c.released) undated.push_back(c.name);
  if (!undated.empty())
    spdlog::warn("The index gives no upload time for the newest release of {} package(s), "
                 "listed as candidates with an unknown release date: {}",
                 undated.size(), strings::strip_control(strings::join(undated, ", ")));

  if (!report.not_found.empty())
    spdlog::warn("Not on the index, skipped ({}): {}", report.not_found.size(),
                 strings::strip_control(strings::join(report.not_found, ", ")));
  for (const auto& f : report.failed)
    spdlog::error("Could not check {}: {}", f.name, strings::strip_control(f.reason));
  return report;
}

namespace {
// The job summary on GitHub Actions: the candidates as a table and the build to bisect with.
std::string render_step_summary(const pypi::Report& report) {
  std::vector<std::vector<std::string>> rows{{"Package", "Pinned", "Latest", "Released"}};
  for (const auto& c : report.candidates)
    rows.push_back({c.name, c.pinned, c.latest,
                    c.released ? time::format_iso_z(*c.released) : std::string("unknown")});
  auto text = fmt::format("### find-backtracking-candidates\n\n{} packages checked against {} "
                          "(generated {}): {} candidate(s)",
                          report.checked, report.source, time::format_iso_z(report.since),
                          report.candidates.size());
  if (!report.not_found.empty())
    text += fmt::format(", {} not on the index", report.not_found.size());
  if (!report.failed.empty()) text += fmt::format(", **{} not checked**", report.failed.size());
  text += ".\n\n";
  if (!report.candidates.empty())
    text += github::markdown_table(rows) + "\n```\n" + pypi::next_command(report) + "\n```\n";
  return text;
}
} // namespace

Expected<ExitCode> run_find_backtracking_candidates(const FindBacktrackingOptions& o,
                                                    Context& ctx) {
  BREEZE_TRY(auto report, find_backtracking_report(o, ctx));
  ctx.out() << (o.output == "json" ? pypi::render_json(report) : pypi::render_text(report));
  ctx.out().flush();
  ctx.step_summary(render_step_summary(report));
  if (!report.failed.empty()) {
    spdlog::error(
        "{} of {} packages could not be checked: the list of candidates may be incomplete",
        report.failed.size(), report.checked);
    return ExitCode::failure;
  }
  return ExitCode::ok;
}

void add_candidate_source_options(CLI::App& cmd, FindBacktrackingOptions& o,
                                  const std::string& group, const std::filesystem::path& cwd,
                                  const std::string& parallelism_names,
                                  const std::string& parallelism_help) {
  add_option_rows(
      cmd,
      {
          {"--airflow-constraints-mode", &o.constraints_mode,
           "Constraints variant (default: constraints-source-providers)",
           "AIRFLOW_CONSTRAINTS_MODE"},
          constraints_branch_option(o.constraints_branch,
                                    "Branch holding the constraints (default: constraints-main)"),
          {"--constraints-file",
           &o.constraints_file,
           "Read the constraints from this local file",
           "",
           {},
           false,
           false,
           &cwd,
           &o.constraints_file_as_typed},
          constraints_repo_option(&o.constraints_repo, cwd,
                                  "Read the constraints from this git repository (object database; "
                                  "the work tree is not touched)"),
          remote_name_option(o.remote_name),
          constraints_url_option(o.constraints_url),
          {"--since", &o.since,
           "Use this date-time instead of the constraints' date (ISO 8601, UTC)", ""},
      },
      group);
  add_index_access_options(cmd, o.index, group, parallelism_names, parallelism_help);
  add_option_rows(
      cmd,
      {{"!--no-conflict-analysis", &o.conflict_analysis,
        "Do not read the candidates' requirements (no likely culprits, no suspects)", ""}},
      group);
}

void register_find_backtracking_candidates(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<FindBacktrackingOptions>();
  add_python_option(*cmd, opts->python,
                    "Python version of the constraints file (default: newest supported)");
  add_candidate_source_options(*cmd, *opts, "Options", ctx.services().cwd);
  add_output_option(*cmd, opts->output);
  cmd->add_option("--platform", opts->platform,
                  "Platform whose environment markers the conflict analysis evaluates: linux/amd64 "
                  "or linux/arm64 "
                  "[default: linux/amd64]");
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& c) { return run_find_backtracking_candidates(*opts, c); };
  });
}

} // namespace breeze::commands::ci
