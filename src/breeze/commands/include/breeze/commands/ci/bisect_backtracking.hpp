#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/commands/context.hpp>
#include <breeze/commands/ci/find_backtracking_candidates.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::commands::ci {

/// Flags of `breeze ci bisect-backtracking`.
struct BisectOptions {
  FindBacktrackingOptions candidates;   ///< how to compute the candidates in-process (its flags)
  std::string candidates_file;          ///< --candidates-file: find-backtracking-candidates --output json
  std::string requirements;             ///< --eager-upgrade-additional-requirements "a<=1 b<=2"
  std::string probe_command;            ///< --probe-command: split like a shell, {requirements} replaced
  double probe_timeout = 0;             ///< --probe-timeout seconds; 0: max(1.5 T, T + 120 s)
  int parallelism = 1;                  ///< --parallelism: probes at once
  bool apply = false;                   ///< --apply: edit Dockerfile.ci
  std::string dockerfile;               ///< --dockerfile (default <sources>/Dockerfile.ci)
  std::string python;                   ///< --python for the default probe
  std::string platform;                 ///< --platform for the default probe
  std::string builder;                  ///< --builder for the default probe
  std::string docker_cache;             ///< --docker-cache for the default probe
  std::string output = "text";          ///< --output text|json
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

/// Splits a command line into words as a POSIX shell would for quotes ('..', ".."), backslashes and
/// blanks — without running a shell (no variables, globs or operators). Usage Error on an open quote.
[[nodiscard]] Expected<std::vector<std::string>> split_command_line(std::string_view line);

/// `words` with `{requirements}` replaced by `requirements` inside each word (a word that is only
/// the placeholder becomes one argument holding all the limits).
[[nodiscard]] std::vector<std::string> substitute_requirements(const std::vector<std::string>& words,
                                                               const std::string& requirements);

/// The default probe timeout for a full-list time T: max(1.5 T, T + 120 s).
[[nodiscard]] std::chrono::milliseconds default_probe_timeout(std::chrono::milliseconds full_list_time);

/// The lines of a resolver's output that explain a conflict (pip and uv wording), control
/// characters stripped, at most `max_lines`.
[[nodiscard]] std::vector<std::string> conflict_lines(std::string_view output, std::size_t max_lines = 40);

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
[[nodiscard]] Expected<std::string> add_eager_upgrade_limits(std::string_view dockerfile,
                                                             const std::vector<DockerfileLimit>& limits);

/// Adds `bisect-backtracking` to the `ci` group.
void register_bisect_backtracking(CLI::App& ci, Context& ctx);

/// Runs the search with real probes and prints (and with --apply writes) the result.
[[nodiscard]] Expected<ExitCode> run_bisect_backtracking(const BisectOptions& options, Context& ctx);

} // namespace breeze::commands::ci
