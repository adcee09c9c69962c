#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/commands/ci/find_backtracking_candidates.hpp>
#include <breeze/commands/context.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::commands::ci {

/// pip's line when its resolver starts backtracking ("INFO: pip is looking at multiple versions of
/// aiobotocore to determine which version is compatible with other requirements. This could take a
/// while."; later pips also print "... is still looking at ...").
inline constexpr std::string_view k_default_backtracking_pattern =
    "INFO: pip is (still )?looking at multiple versions of";

/// Flags of `breeze ci bisect-backtracking`.
struct BisectOptions {
  FindBacktrackingOptions candidates; ///< how to compute the candidates in-process (its flags)
  std::string candidates_file; ///< --candidates-file: find-backtracking-candidates --output json
  std::string requirements;    ///< --eager-upgrade-additional-requirements "a<=1 b<=2"
  std::string probe_command;   ///< --probe-command: split like a shell, {requirements} replaced
  std::string probe = "build"; ///< --probe build|resolve (the default probe's kind)
  /// --backtracking-pattern: a probe whose output matches fails at once (empty: off).
  std::string backtracking_pattern = std::string(k_default_backtracking_pattern);
  double probe_timeout = 0;    ///< --probe-timeout seconds; 0: max(1.5 T, T + 120 s)
  int parallelism = 1;         ///< --parallelism: probes at once
  bool apply = false;          ///< --apply: edit Dockerfile.ci
  std::string dockerfile;      ///< --dockerfile (default <sources>/Dockerfile.ci)
  std::string python;          ///< --python for the default probe
  std::string platform;        ///< --platform for the default probe
  std::string builder;         ///< --builder for the default probe
  std::string docker_cache;    ///< --docker-cache for the default probe
  std::string output = "text"; ///< --output text|json
};

/// One limit under test.
struct BisectLimit {
  std::string name;   ///< as spelled by the source
  std::string limit;  ///< the requirement passed to a probe, e.g. `aiobotocore<=2.5.4`
  std::string latest; ///< latest version on the index (empty: unknown)
};

/// Parses `--eager-upgrade-additional-requirements`: whitespace-separated PEP 508-style
/// `name<op>version` items. A usage Error naming the first bad item.
[[nodiscard]] Expected<std::vector<BisectLimit>> parse_limits(std::string_view requirements);

/// One limit from untrusted fields: `name` must be a PEP 508 name and `pinned` (and `latest`, when
/// not empty) PEP 440 versions; the limit is `name<=pinned` with normalised versions. A failure
/// Error naming the bad field (control characters stripped) otherwise.
[[nodiscard]] Expected<BisectLimit> make_limit(std::string_view name, std::string_view pinned,
                                               std::string_view latest);

/// Reads the limits out of `find-backtracking-candidates --output json` (`name<=pinned`, latest),
/// every field checked by make_limit.
[[nodiscard]] Expected<std::vector<BisectLimit>> limits_from_candidates_json(std::string_view json);

/// Reads the ranked `suspects` of the same document as indexes into `limits` (matched by PEP 503
/// name), most likely first; none when the key is absent. A failure Error naming the entry when
/// `suspects` is not a list of PEP 508 project names (control characters stripped); a valid name
/// that is no candidate is skipped with a warning, as is a repeated one.
[[nodiscard]] Expected<std::vector<std::size_t>>
suspects_from_candidates_json(std::string_view json, const std::vector<BisectLimit>& limits);

/// Splits a command line into words as a POSIX shell would for quotes ('..', ".."), backslashes and
/// blanks — without running a shell (no variables, globs or operators). Usage Error on an open
/// quote.
[[nodiscard]] Expected<std::vector<std::string>> split_command_line(std::string_view line);

/// `words` with `{requirements}` replaced by `requirements` inside each word (a word that is only
/// the placeholder becomes one argument holding all the limits).
[[nodiscard]] std::vector<std::string>
substitute_requirements(const std::vector<std::string>& words, const std::string& requirements);

/// `words` for one probe: a word that is exactly `{requirements...}` becomes one argument per limit
/// (pip takes requirements as separate arguments; none for an empty list), and `{requirements}`
/// inside any word becomes the space-separated limits.
[[nodiscard]] std::vector<std::string> expand_probe_command(const std::vector<std::string>& words,
                                                            const std::vector<std::string>& limits);

/// Compiles --backtracking-pattern (ECMAScript syntax): nullopt when empty (detection off), a usage
/// Error naming the pattern when it is not a valid regular expression.
[[nodiscard]] Expected<std::optional<std::regex>>
compile_backtracking_pattern(std::string_view pattern);

/// Whether one output line matches the pattern anywhere (docker prefixes build output with
/// `#12 3.4 `); only a line's first 4 KiB are searched, so a megabyte line cannot stall a probe.
[[nodiscard]] bool matches_backtracking(const std::regex& pattern, std::string_view line);

/// The `--probe resolve` command: `docker run --rm --pull never` of the local CI image for
/// `python` (settings' registry, repository and default branch), the sources mounted at
/// /opt/airflow, `-e EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS={requirements}` and the settings'
/// resolve_command run by `/bin/sh -c` (the limits reach the shell as a variable, never as code).
/// `platform` (may be empty) becomes `--platform`.
[[nodiscard]] std::vector<std::string> resolve_probe_argv(const config::Settings& settings,
                                                          const std::string& docker,
                                                          const std::string& python,
                                                          const std::string& platform);

/// The default probe timeout for a full-list time T: max(1.5 T, T + 120 s).
[[nodiscard]] std::chrono::milliseconds
default_probe_timeout(std::chrono::milliseconds full_list_time);

/// The lines of a resolver's output that explain a conflict (pip and uv wording), control
/// characters stripped, at most `max_lines`.
[[nodiscard]] std::vector<std::string> conflict_lines(std::string_view output,
                                                      std::size_t max_lines = 40);

/// A limit to add to Dockerfile.ci and why.
struct DockerfileLimit {
  std::string requirement; ///< `aiobotocore<2.6.0`
  std::string comment;     ///< one line, without the leading `# `
};

/// Adds `limits` to every `ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS="..."` line of a Dockerfile:
/// an existing limit of the same project (PEP 503 name) is replaced, others are kept, and each
/// added limit gets its comment on the line above. Unchanged text when all are already there; a
/// failure Error when there is no such ARG line, or when a requirement is not one `name<op>version`
/// word or a comment holds a control character (nothing may start a line of its own).
[[nodiscard]] Expected<std::string>
add_eager_upgrade_limits(std::string_view dockerfile, const std::vector<DockerfileLimit>& limits);

/// `ci bisect-backtracking`: gives the command its options and action (cli/command_table.cpp
/// creates it).
void register_bisect_backtracking(CLI::App& cmd, Context& ctx);

/// Runs the search with real probes and prints (and with --apply writes) the result.
[[nodiscard]] Expected<ExitCode> run_bisect_backtracking(const BisectOptions& options,
                                                         Context& ctx);

} // namespace breeze::commands::ci
