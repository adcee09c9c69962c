#include <breeze/commands/ci/bisect_backtracking.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/github_actions.hpp>
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
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace breeze::commands::ci {

namespace {

constexpr std::string_view k_placeholder = "{requirements}";
constexpr std::string_view k_each_placeholder = "{requirements...}";
constexpr std::string_view k_arg = "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=";

// The project name of a requirement item: everything before the first specifier/extra/marker char.
std::string requirement_name(std::string_view item) {
  const auto end = item.find_first_of("<>=!~;[ @");
  return std::string(item.substr(0, end));
}

} // namespace

Expected<std::vector<BisectLimit>> parse_limits(std::string_view requirements) {
  std::vector<BisectLimit> out;
  for (const auto& item : strings::split_whitespace(requirements)) {
    const auto name = requirement_name(item);
    if (name.empty() || !constraints::is_valid_name(name) || name.size() == item.size())
      return usage_error(
          fmt::format("--eager-upgrade-additional-requirements: '{}' is not a limit like "
                      "'aiobotocore<=2.5.4'",
                      item));
    auto spec = constraints::SpecifierSet::parse(std::string_view(item).substr(name.size()));
    if (!spec)
      return usage_error(fmt::format("--eager-upgrade-additional-requirements: '{}': {}", item,
                                     spec.error().message));
    out.push_back({name, item, {}});
  }
  return out;
}

Expected<BisectLimit> make_limit(std::string_view name, std::string_view pinned,
                                 std::string_view latest) {
  // What these fields become is argv for the probes and, with --apply, a line of Dockerfile.ci:
  // only a PEP 508 name and normalised PEP 440 versions get through, so no newline, quote or shell
  // word from a file or an index can add an instruction.
  auto shown = [](std::string_view v) {
    auto text = strings::strip_control(v);
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
  };
  if (!constraints::is_valid_name(name))
    return failure(fmt::format("'{}' is not a valid project name (PEP 508)", shown(name)));
  auto pin = constraints::Version::parse(pinned);
  if (!pin)
    return failure(fmt::format("{}: pinned '{}' is not a PEP 440 version", name, shown(pinned)));
  BisectLimit limit{std::string(name), fmt::format("{}<={}", name, pin->str()), {}};
  if (!latest.empty()) {
    auto v = constraints::Version::parse(latest);
    if (!v)
      return failure(fmt::format("{}: latest '{}' is not a PEP 440 version", name, shown(latest)));
    limit.latest = v->str();
  }
  return limit;
}

Expected<std::vector<BisectLimit>> limits_from_candidates_json(std::string_view json) {
  try {
    const auto doc = nlohmann::json::parse(json);
    if (!doc.is_object() || !doc.contains("candidates") || !doc["candidates"].is_array())
      return failure(
          "not the --output json of find-backtracking-candidates: no \"candidates\" list");
    std::vector<BisectLimit> out;
    for (const auto& c : doc["candidates"]) {
      if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
          !c.contains("pinned") || !c["pinned"].is_string())
        return failure("a candidate without a \"name\" and \"pinned\" string");
      if (c.contains("latest") && !c["latest"].is_string() && !c["latest"].is_null())
        return failure(fmt::format("candidate '{}': \"latest\" is not a string",
                                   strings::strip_control(c["name"].get<std::string>())));
      const auto latest =
          c.contains("latest") && c["latest"].is_string() ? c["latest"].get<std::string>() : "";
      BREEZE_TRY(auto limit,
                 make_limit(c["name"].get<std::string>(), c["pinned"].get<std::string>(), latest));
      out.push_back(std::move(limit));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return failure(fmt::format("not the --output json of find-backtracking-candidates: {}",
                               strings::strip_control(e.what())));
  }
}

Expected<std::vector<std::size_t>>
suspects_from_candidates_json(std::string_view json, const std::vector<BisectLimit>& limits) {
  try {
    const auto doc = nlohmann::json::parse(json);
    if (!doc.is_object() || !doc.contains("suspects")) return std::vector<std::size_t>{};
    if (!doc["suspects"].is_array()) return failure("\"suspects\" is not a list of project names");
    std::vector<std::size_t> out;
    for (const auto& s : doc["suspects"]) {
      if (!s.is_string()) return failure("a suspect that is not a string");
      const auto name = s.get<std::string>();
      if (!constraints::is_valid_name(name))
        return failure(fmt::format("suspect '{}' is not a valid project name (PEP 508)",
                                   strings::strip_control(name).substr(0, 60)));
      const auto want = constraints::canonicalize_name(name);
      const auto it = std::find_if(limits.begin(), limits.end(), [&](const BisectLimit& l) {
        return constraints::canonicalize_name(l.name) == want;
      });
      const auto index = static_cast<std::size_t>(it - limits.begin());
      if (it == limits.end()) {
        spdlog::warn("Suspect {} is not one of the candidates: ignored", name);
      } else if (std::find(out.begin(), out.end(), index) == out.end()) {
        out.push_back(index);
      }
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return failure(fmt::format("not the --output json of find-backtracking-candidates: {}",
                               strings::strip_control(e.what())));
  }
}

Expected<std::vector<std::string>> split_command_line(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i + 1 < line.size()) {
        if (line[i + 1] != '\n') word += line[i + 1]; // backslash-newline continues the line
        ++i;
      }
      in_word = true;
    } else if (c == '\'') {
      const auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos)
        return usage_error("--probe-command: unterminated ' quote");
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      // Inside double quotes a backslash escapes only $ ` " \ and newline, as in sh.
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() &&
            std::string_view("$`\"\\\n").find(line[j + 1]) != std::string_view::npos) {
          if (line[j + 1] != '\n') word += line[j + 1];
          ++j;
        } else {
          word += line[j];
        }
      }
      if (j >= line.size()) return usage_error("--probe-command: unterminated \" quote");
      i = j;
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::vector<std::string> substitute_requirements(const std::vector<std::string>& words,
                                                 const std::string& requirements) {
  std::vector<std::string> out;
  for (auto w : words) {
    for (auto at = w.find(k_placeholder); at != std::string::npos;
         at = w.find(k_placeholder, at + requirements.size()))
      w.replace(at, k_placeholder.size(), requirements);
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<std::string> expand_probe_command(const std::vector<std::string>& words,
                                              const std::vector<std::string>& limits) {
  std::vector<std::string> out;
  const auto joined = strings::join(limits, " ");
  for (const auto& w : words) {
    if (w == k_each_placeholder) {
      out.insert(out.end(), limits.begin(), limits.end());
      continue;
    }
    auto one = substitute_requirements({w}, joined);
    out.push_back(std::move(one.front()));
  }
  return out;
}

Expected<std::optional<std::regex>> compile_backtracking_pattern(std::string_view pattern) {
  if (pattern.empty()) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(
        std::regex(std::string(pattern), std::regex::ECMAScript | std::regex::optimize));
  } catch (const std::regex_error& e) {
    return usage_error(fmt::format("--backtracking-pattern '{}' is not a regular expression: {}",
                                   strings::strip_control(pattern), e.what()));
  }
}

bool matches_backtracking(const std::regex& pattern, std::string_view line) {
  constexpr std::size_t k_max = 4096;
  const auto text = line.substr(0, std::min(line.size(), k_max));
  return std::regex_search(text.begin(), text.end(), pattern);
}

namespace {
// The local CI image a `--probe resolve` probe runs in (the one `ci-image build` makes).
std::string ci_image(const config::Settings& settings, const std::string& python) {
  docker::ImageParams p;
  p.type = docker::ImageType::ci;
  p.registry = settings.registry;
  p.github_repository = settings.github_repository;
  p.branch = settings.default_branch;
  p.python = python;
  return docker::image_name_with_tag(p);
}
} // namespace

std::vector<std::string> resolve_probe_argv(const config::Settings& settings,
                                            const std::string& docker, const std::string& python,
                                            const std::string& platform) {
  // `--pull never`: resolve in the image that is here (the one the last build made), never in a
  // newer one a registry happens to have.
  std::vector<std::string> argv{docker, "run", "--rm", "--pull", "never"};
  if (!platform.empty()) argv.insert(argv.end(), {"--platform", platform});
  argv.insert(argv.end(), {"-v", settings.sources_root.string() + ":/opt/airflow", "-e",
                           "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=" + std::string(k_placeholder),
                           "-e", "PYTHON_MAJOR_MINOR_VERSION=" + python, "--entrypoint", "/bin/sh",
                           ci_image(settings, python), "-c", settings.resolve_command});
  return argv;
}

std::chrono::milliseconds default_probe_timeout(std::chrono::milliseconds t) {
  return std::max(t * 3 / 2, t + std::chrono::milliseconds(std::chrono::seconds(120)));
}

std::vector<std::string> conflict_lines(std::string_view output, std::size_t max_lines) {
  // pip: "ERROR: Cannot install ... because these package versions have conflicting dependencies",
  // "The conflict is caused by:", "x 1.0 depends on y<2", "ResolutionImpossible"; uv: "No solution
  // found", "Because x depends on ...", "╰─▶".
  static const std::vector<std::string> k_markers = {"conflict",
                                                     "cannot install",
                                                     "depends on",
                                                     "requires",
                                                     "resolutionimpossible",
                                                     "no solution",
                                                     "because",
                                                     "the user requested",
                                                     "no matching distribution",
                                                     "╰─▶",
                                                     "error:"};
  std::vector<std::string> out;
  for (const auto& raw : strings::split(output, '\n')) {
    const auto line = strings::strip_control(redact::text(raw));
    const auto lower = strings::to_lower(line);
    if (std::any_of(k_markers.begin(), k_markers.end(),
                    [&](const std::string& m) { return lower.find(m) != std::string::npos; })) {
      out.emplace_back(strings::trim(line));
      if (out.size() == max_lines) break;
    }
  }
  return out;
}

Expected<std::string> add_eager_upgrade_limits(std::string_view dockerfile,
                                               const std::vector<DockerfileLimit>& limits) {
  // The last gate before Dockerfile.ci: a requirement is one `name<op>version` word and a comment
  // one line, whatever the caller checked, so nothing here can start an instruction of its own.
  for (const auto& l : limits) {
    const auto name = requirement_name(l.requirement);
    const bool one_word = l.requirement.find_first_of(" \t\"'\\`$") == std::string::npos &&
                          strings::strip_control(l.requirement) == l.requirement;
    if (!one_word || !constraints::is_valid_name(name) || name.size() == l.requirement.size() ||
        !constraints::SpecifierSet::parse(std::string_view(l.requirement).substr(name.size())))
      return failure(
          fmt::format("refusing to write '{}' to the Dockerfile: not a limit like 'name<1.2'",
                      strings::strip_control(l.requirement)));
    if (strings::strip_control(l.comment) != l.comment)
      return failure(
          fmt::format("refusing to write a comment with control characters for {}", l.requirement));
  }
  auto lines = strings::split(dockerfile, '\n');
  bool found = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || std::string_view(line).substr(start, k_arg.size()) != k_arg)
      continue;
    found = true;
    const std::string indent = line.substr(0, start);
    std::string value = line.substr(start + k_arg.size());
    const auto trimmed = std::string(strings::trim(value));
    value = trimmed.size() >= 2 && trimmed.front() == '"' && trimmed.back() == '"'
                ? trimmed.substr(1, trimmed.size() - 2)
                : trimmed;
    auto items = strings::split_whitespace(value);
    std::vector<std::string> comments;
    for (const auto& l : limits) {
      if (std::find(items.begin(), items.end(), l.requirement) != items.end())
        continue; // already there
      const auto name = constraints::canonicalize_name(requirement_name(l.requirement));
      std::erase_if(items, [&](const std::string& it) {
        return constraints::canonicalize_name(requirement_name(it)) == name;
      });
      items.push_back(l.requirement);
      comments.push_back(indent + "# " + l.comment);
    }
    if (comments.empty()) continue;
    lines[i] = fmt::format("{}{}\"{}\"", indent, k_arg, strings::join(items, " "));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), comments.begin(), comments.end());
    i += comments.size();
  }
  if (!found) return failure(fmt::format("no '{}\"...\"' line to add the limits to", k_arg));
  return strings::join(lines, "\n");
}

namespace {

// What one probe did, for the table and JSON.
struct ProbeRecord {
  std::size_t number = 0;
  std::string purpose; ///< "full list", "suspect", "bisect", "check"
  std::vector<std::string> limits;
  ProbeOutcome outcome = ProbeOutcome::fail;
  bool timed_out = false;
  bool backtracked = false;        ///< cut: its output matched --backtracking-pattern
  std::string cut_line;            ///< the line that matched (control characters stripped)
  std::size_t cut_line_number = 0; ///< its number in the probe's output, from 1
  int exit_code = 0;
  std::chrono::milliseconds elapsed{0};
  std::string error;  ///< the probe could not be started
  std::string output; ///< captured output (conflict lines of checks)
  std::filesystem::path log;
};

std::string outcome_word(const ProbeRecord& r) {
  switch (r.outcome) {
  case ProbeOutcome::pass:
    return "pass";
  case ProbeOutcome::cancelled:
    return "cancelled";
  case ProbeOutcome::interrupted:
    return "interrupted";
  case ProbeOutcome::fail:
    break;
  }
  if (r.backtracked) return "BACKTRACKED (cut)";
  if (r.timed_out) return "TIMEOUT (killed)";
  if (!r.error.empty()) return "ERROR";
  return fmt::format("FAIL (exit {})", r.exit_code);
}

std::string outcome_key(const ProbeRecord& r) {
  switch (r.outcome) {
  case ProbeOutcome::pass:
    return "pass";
  case ProbeOutcome::cancelled:
    return "cancelled";
  case ProbeOutcome::interrupted:
    return "interrupted";
  case ProbeOutcome::fail:
    break;
  }
  if (r.backtracked) return "backtracking";
  return r.timed_out ? "timeout" : "fail";
}

std::string short_limits(const std::vector<std::string>& limits) {
  if (limits.size() <= 4) return strings::join(limits, " ");
  std::vector<std::string> head(limits.begin(), limits.begin() + 3);
  return fmt::format("{} ... (+{} more, {} limits)", strings::join(head, " "), limits.size() - 3,
                     limits.size());
}

// Progress on stderr: one line when a probe starts or ends (the table on stdout is the result).
class ProbeReporter final : public parallel::Reporter {
public:
  [[nodiscard]] std::chrono::milliseconds interval() const override {
    return std::chrono::seconds(1);
  }
  void started(const std::filesystem::path&, const std::vector<parallel::JobStatus>&,
               std::size_t) override {}
  void changed(const parallel::JobStatus& job, const std::vector<parallel::JobStatus>&,
               parallel::Clock::time_point) override {
    if (job.state == parallel::JobState::running)
      spdlog::info("{} started", job.name);
    else if (job.state != parallel::JobState::queued)
      spdlog::info("{} {} after {}{}", job.name, job.summary,
                   parallel::format_duration(job.elapsed),
                   job.summary == "passed" ? "" : fmt::format(" (log: {})", job.log_file.string()));
  }
  void tick(const std::vector<parallel::JobStatus>&, parallel::Clock::time_point) override {}
  void finished(const parallel::PoolOutcome&) override {}
};

std::filesystem::path self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("breeze") : p;
}

// One probe to run: its limits and why.
struct ProbeRequest {
  std::vector<std::string> limits;
  std::string purpose;
};

// Runs the probes: argv per probe, the Runner (so --dry-run and recording fakes apply), the pool
// for
// --parallelism, timeouts and cancellation, and the cut when a probe's output shows backtracking.
class Prober {
public:
  Prober(Context& ctx, std::vector<std::string> argv_template, std::size_t parallelism,
         std::optional<std::chrono::milliseconds> timeout, std::filesystem::path log_dir,
         std::optional<std::regex> backtracking)
      : m_ctx(ctx), m_template(std::move(argv_template)), m_parallelism(parallelism),
        m_timeout(timeout), m_log_dir(std::move(log_dir)), m_backtracking(std::move(backtracking)) {
  }

  std::vector<std::string> argv(const std::vector<std::string>& limits) const {
    return expand_probe_command(m_template, limits);
  }

  std::vector<ProbeRecord> run(const std::vector<ProbeRequest>& batch, bool first_pass_wins) {
    std::vector<ProbeRecord> records(batch.size());
    BatchState state;
    std::vector<parallel::Job> jobs;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& rec = records[i];
      rec.number = ++m_count;
      rec.purpose = batch[i].purpose;
      rec.limits = batch[i].limits;
      rec.outcome = ProbeOutcome::cancelled;
      jobs.push_back({fmt::format("probe-{:02}", rec.number),
                      [this, &rec, &state, first_pass_wins,
                       speculative = batch.size() > 1](parallel::JobContext& jc) {
                        return run_one(rec, jc, state, first_pass_wins, speculative);
                      }});
    }
    parallel::PoolOptions options;
    options.parallelism = m_parallelism;
    options.log_dir = m_log_dir;
    ProbeReporter reporter;
    auto outcome = parallel::run_jobs(jobs, options, reporter);
    if (!outcome) {
      for (auto& r : records) {
        r.outcome = ProbeOutcome::fail;
        r.error = outcome.error().message;
      }
    }
    for (auto& r : records)
      if (r.outcome == ProbeOutcome::cancelled && interrupt::requested())
        r.outcome = ProbeOutcome::interrupted;
    m_all.insert(m_all.end(), records.begin(), records.end());
    return records;
  }

  void set_timeout(std::chrono::milliseconds t) { m_timeout = t; }
  [[nodiscard]] std::optional<std::chrono::milliseconds> timeout() const { return m_timeout; }
  [[nodiscard]] const std::vector<ProbeRecord>& all() const { return m_all; }

private:
  // What the probes of one batch tell each other while they run.
  struct BatchState {
    std::atomic<bool> passed{false}; ///< one passed (first_pass_wins stops the others)
    std::atomic<bool> abort{false};  ///< the full list failed: the probes beside it mean nothing
    /// Once the full list passed in T: the timeout the others get, from their own start (ms; -1:
    /// none yet). Until then a speculative probe has no timeout, as the full list has none.
    std::atomic<long long> late_timeout_ms{-1};
  };

  parallel::JobResult run_one(ProbeRecord& rec, parallel::JobContext& jc, BatchState& state,
                              bool first_pass_wins, bool speculative) {
    using Clock = std::chrono::steady_clock;
    rec.log = jc.log_file;
    if (first_pass_wins && state.passed.load())
      return {false, "cancelled"}; // another probe already answered
    // The ==latest checks run to their end: pip prints the conflict it explains only after it has
    // backtracked, and that explanation is what a check is for.
    const bool watch = m_backtracking && rec.purpose != "check";
    const auto started = Clock::now();
    std::size_t lines = 0;
    bool cut = false;
    bool late_timeout = false;
    process::ProcessSpec spec;
    spec.argv = argv(rec.limits);
    spec.timeout = m_timeout;
    spec.merge_stderr = true;
    spec.on_line = [&](const std::string& line) {
      jc.on_line(line);
      ++lines;
      if (watch && !cut && matches_backtracking(*m_backtracking, line)) {
        cut = true;
        rec.cut_line = strings::strip_control(line);
        rec.cut_line_number = lines;
      }
    };
    // The runner asks this right after handing on each line, so a cut stops the probe's group at
    // once (the time-based conditions are asked about every 50 ms).
    spec.cancel = [&] {
      if (cut) return true;
      if ((first_pass_wins && state.passed.load()) || state.abort.load()) return true;
      const auto late = state.late_timeout_ms.load();
      if (!m_timeout && late >= 0 && Clock::now() - started >= std::chrono::milliseconds(late)) {
        late_timeout = true;
        return true;
      }
      return false;
    };
    auto result = m_ctx.runner().run(spec);
    if (!result) {
      rec.outcome = interrupt::requested() ? ProbeOutcome::interrupted : ProbeOutcome::fail;
      rec.error = result.error().what();
      if (speculative && rec.purpose == "full list") state.abort = true;
      return {false, "could not start: " + rec.error};
    }
    rec.elapsed = result->elapsed;
    rec.exit_code = result->exit_code;
    rec.timed_out = result->timed_out || late_timeout;
    rec.backtracked = cut;
    rec.output = std::move(result->out);
    if (result->interrupted)
      rec.outcome = ProbeOutcome::interrupted;
    else if (cut || late_timeout)
      rec.outcome = ProbeOutcome::fail;
    else if (result->cancelled)
      rec.outcome = ProbeOutcome::cancelled;
    else if (result->ok())
      rec.outcome = ProbeOutcome::pass;
    else
      rec.outcome = ProbeOutcome::fail;
    if (rec.outcome == ProbeOutcome::pass) state.passed = true;
    if (speculative && rec.purpose == "full list") {
      // The full list decides for the probes beside it: its time T sets their timeout, and when it
      // does not pass the search stops, so they are stopped too.
      if (rec.outcome == ProbeOutcome::pass)
        state.late_timeout_ms = default_probe_timeout(rec.elapsed).count();
      else
        state.abort = true;
    }
    const std::string summary =
        rec.outcome == ProbeOutcome::pass ? "passed" : strings::to_lower(outcome_word(rec));
    if (cut)
      spdlog::info("{}: the resolver started backtracking (output line {}): cut", jc.name,
                   rec.cut_line_number);
    return {rec.outcome == ProbeOutcome::pass, summary};
  }

  Context& m_ctx;
  std::vector<std::string> m_template;
  std::size_t m_parallelism;
  std::optional<std::chrono::milliseconds> m_timeout;
  std::filesystem::path m_log_dir;
  std::optional<std::regex> m_backtracking;
  std::size_t m_count = 0;
  std::vector<ProbeRecord> m_all;
};

// The ==latest check of one culprit.
struct Check {
  std::string name;
  std::string requirement; ///< pkg==latest
  std::string verdict;     ///< heuristics / conflict / timeout / skipped / interrupted
  std::vector<std::string> conflicts;
};

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
    auto path = std::filesystem::path(o.candidates_file);
    if (path.is_relative()) path = ctx.services().cwd / path;
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

std::string format_seconds(std::chrono::milliseconds d) {
  return fmt::format("{:.1f}s", static_cast<double>(d.count()) / 1000.0);
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
    if (dockerfile.is_relative()) dockerfile = ctx.services().cwd / dockerfile;
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

  const auto& probes = prober.all();
  // Probe output and limits come from elsewhere: the report is redacted as a whole before it is
  // printed, whatever stream it goes to.
  std::ostringstream report;
  if (o.output == "json") {
    nlohmann::json doc{
        {"status", interrupted                                               ? "interrupted"
                   : search.status == SearchResult::Status::full_list_failed ? "full_list_failed"
                                                                             : "found"},
        {"limits", all_limits},
        {"probes", nlohmann::json::array()},
        {"probe_count", search.probes},
        {"used_ddmin", search.used_ddmin},
        {"suspects", suspect_names},
        {"found_by_suspect", search.by_suspect},
        {"backtracking_pattern",
         backtracking ? nlohmann::json(o.backtracking_pattern) : nlohmann::json(nullptr)},
        {"probe_timeout_seconds", prober.timeout()
                                      ? nlohmann::json(prober.timeout()->count() / 1000.0)
                                      : nlohmann::json(nullptr)},
        {"total_seconds", total.count() / 1000.0},
        {"culprits", culprit_limits},
        {"checks", nlohmann::json::array()},
        {"add", strings::join(add_line, " ")},
        {"log_dir", log_dir.string()}};
    for (const auto& r : probes) {
      doc["probes"].push_back({{"number", r.number},
                               {"purpose", r.purpose},
                               {"limits", r.limits},
                               {"result", outcome_key(r)},
                               {"exit_code", r.exit_code},
                               {"seconds", r.elapsed.count() / 1000.0},
                               {"log", r.log.string()},
                               {"cut", nullptr}});
      if (r.backtracked)
        doc["probes"].back()["cut"] = {{"line_number", r.cut_line_number}, {"line", r.cut_line}};
    }
    for (const auto& c : checks)
      doc["checks"].push_back({{"name", c.name},
                               {"requirement", c.requirement},
                               {"verdict", c.verdict},
                               {"conflicts", c.conflicts}});
    if (!applied.empty()) doc["applied"] = {{"file", dockerfile.string()}, {"result", applied}};
    if (apply_error) doc["applied"]["error"] = apply_error->what();
    report << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    auto& out = report;
    out << fmt::format("{:>3}  {:<10} {:<17} {:>8}  {}\n", "#", "probe", "result", "time",
                       "limits");
    for (const auto& r : probes)
      out << fmt::format("{:>3}  {:<10} {:<17} {:>8}  {}\n", r.number, r.purpose, outcome_word(r),
                         r.outcome == ProbeOutcome::cancelled && r.elapsed.count() == 0
                             ? "-"
                             : format_seconds(r.elapsed),
                         short_limits(r.limits));
    out << fmt::format(
        "{} probes for the search (the full list included, the ==latest checks not), {} in all\n",
        search.probes, format_seconds(total));
    if (!suspect_names.empty())
      out << fmt::format("Suspects (from the packages' own requirements): {}\n",
                         strings::join(suspect_names, ", "));
    for (const auto& r : probes)
      if (r.backtracked)
        out << fmt::format(
            "Probe {} cut after {}: the resolver started backtracking at output line {}: {}\n",
            r.number, format_seconds(r.elapsed), r.cut_line_number, r.cut_line);
    if (search.status == SearchResult::Status::full_list_failed) {
      out << fmt::format(
          "The full list of {} limits did not pass ({}): the candidates alone do not stop the "
          "backtracking, or the probe itself is broken. See {}\n",
          limits.size(), full_list_error,
          probes.empty() ? log_dir.string() : probes.front().log.string());
    } else if (interrupted) {
      out << (culprit_limits.empty()
                  ? std::string("Interrupted before the full list finished: nothing is known yet\n")
                  : fmt::format(
                        "Interrupted. The culprit(s) are among these {} limits (they pass): {}\n",
                        culprit_limits.size(), strings::join(culprit_limits, " ")));
    } else {
      out << fmt::format("Culprit{}: {}{}\n", culprit_limits.size() == 1 ? "" : "s (together)",
                         strings::join(culprit_limits, " "),
                         search.used_ddmin   ? " (interacting: found by delta debugging)"
                         : search.by_suspect ? " (the top suspect: its limit alone passes)"
                                             : "");
      for (const auto& c : checks) {
        if (c.verdict == "skipped")
          out << fmt::format("Check {}: skipped (latest version unknown)\n", c.name);
        else if (c.verdict == "heuristics")
          out << fmt::format("Check {}: passes - the resolver's heuristics, not a real conflict; "
                             "try removing the limit "
                             "in a few days\n",
                             c.requirement);
        else if (c.verdict == "interrupted")
          out << fmt::format("Check {}: interrupted\n", c.requirement);
        else {
          out << fmt::format("Check {}: {}\n", c.requirement,
                             c.verdict == "timeout"
                                 ? "still backtracks (killed at the probe timeout)"
                                 : "fails - a real conflict:");
          for (const auto& line : c.conflicts)
            out << "    " << line << "\n";
        }
      }
      out << fmt::format("Add to Dockerfile.ci: {}\"{}\"\n", k_arg, strings::join(add_line, " "));
      if (applied == "written")
        out << fmt::format("Written to {}\n", dockerfile.string());
      else if (applied == "already there")
        out << fmt::format("{} already has these limits\n", dockerfile.string());
      else if (applied == "failed")
        out << fmt::format("NOT written to {} (see the error below): add the line above by hand\n",
                           dockerfile.string());
      else
        out << "Run again with --apply to write it (with a dated comment), or add it by hand\n";
    }
    out << fmt::format("Probe logs: {}\n", log_dir.string());
  }
  ctx.out() << redact::text(report.str());
  ctx.out().flush();
  // On GitHub Actions: the probes and the answer on the run's summary page.
  std::vector<std::vector<std::string>> rows{{"#", "probe", "result", "time", "limits"}};
  for (const auto& r : probes)
    rows.push_back({fmt::format("{}", r.number), r.purpose, outcome_word(r),
                    format_seconds(r.elapsed), short_limits(r.limits)});
  auto markdown = "### bisect-backtracking\n\n" + github::markdown_table(rows) + "\n";
  if (interrupted)
    markdown += "Interrupted before the search finished.\n";
  else if (search.status == SearchResult::Status::found)
    markdown +=
        fmt::format("Culprit{}: `{}`. Add to Dockerfile.ci: `{}\"{}\"`\n",
                    culprit_limits.size() == 1 ? "" : "s (together)",
                    strings::join(culprit_limits, " "), k_arg, strings::join(add_line, " "));
  else
    markdown += "No culprit found: see the probe logs.\n";
  ctx.step_summary(redact::text(markdown));
  if (apply_error) return *apply_error;
  if (interrupted) return ExitCode::interrupted;
  return search.status == SearchResult::Status::found ? ExitCode::ok : ExitCode::failure;
}

void register_bisect_backtracking(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<BisectOptions>();
  const char* src = "Candidates";
  cmd->add_option("--candidates-file", opts->candidates_file,
                  "Read the candidates from `find-backtracking-candidates --output json` output")
      ->group(src);
  cmd->add_option(
         "--eager-upgrade-additional-requirements", opts->requirements,
         "Bisect these limits (\"a<=1 b<=2 ...\"); their latest versions come from --pypi-url")
      ->group(src);
  add_candidate_source_options(*cmd, opts->candidates, src);
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
  cmd->add_option("--dockerfile", opts->dockerfile,
                  "The Dockerfile --apply edits [default: <sources>/Dockerfile.ci]")
      ->group(result);
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
