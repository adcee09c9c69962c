#pragma once

#include <breeze/base/time.hpp>
#include <breeze/constraints/version.hpp>
#include <breeze/pypi/conflicts.hpp>
#include <breeze/pypi/project.hpp>

#include <optional>
#include <string>
#include <vector>

namespace breeze::pypi {

/// The release a fresh eager upgrade would pick.
struct Latest {
  constraints::Version version;
  std::optional<time::Instant> released; ///< earliest upload among its files
};

/// The highest PEP 440 version that has at least one non-yanked file and is not a pre-release
/// (pre-releases count only when `pinned` is one); nullopt when there is none.
[[nodiscard]] std::optional<Latest> choose_latest(const Project& project,
                                                  const constraints::Version& pinned);

/// The candidate rule: latest > pinned and latest was released after `since`, or its release date
/// is unknown (PEP 700 upload-time is optional): a package we cannot rule out is never dropped.
[[nodiscard]] bool is_candidate(const constraints::Version& pinned, const Latest& latest,
                                time::Instant since);

/// A package released since the constraints were made.
struct Candidate {
  std::string name;                      ///< as spelled in the constraints file
  std::string pinned;                    ///< as written in the constraints file
  std::string latest;                    ///< normalised
  std::optional<time::Instant> released; ///< none: the index gave no upload time ("unknown")
};

/// A package that could not be checked, and why.
struct Failure {
  std::string name;
  std::string reason;
};

/// The whole answer of find-backtracking-candidates.
struct Report {
  time::Instant since;     ///< the last constraints date
  std::string source;      ///< where the constraints came from (path or URL)
  std::string python;      ///< the Python asked for (--python); the next command builds that one
  std::size_t checked = 0; ///< packages asked about
  std::vector<Candidate> candidates;  ///< in the file's order
  std::vector<std::string> not_found; ///< not on the index (warnings)
  std::vector<Failure> failed;        ///< could not be checked: the report is partial
  /// The conflict analysis of the candidates' newest requirements (none: not run).
  std::optional<ConflictReport> conflicts;
};

/// `aiobotocore<=2.5.4 asana<=3.2.1 ...`: the limits that are known to work.
[[nodiscard]] std::string limits(const Report& report);

/// The exact command to run next (empty when there are no candidates), with `--python X.Y` when
/// the report is for a chosen Python.
[[nodiscard]] std::string next_command(const Report& report);

/// The text report for stdout (network text stripped of control characters): the candidate lines,
/// the likely culprits (when the conflict analysis found any), what could not be checked, the
/// count and the next command.
[[nodiscard]] std::string render_text(const Report& report);

/// The report as one JSON document (`--output json`); with the conflict analysis, `suspects` and
/// per candidate `conflicts` and `requirements_known` (see add_conflicts_json).
[[nodiscard]] std::string render_json(const Report& report);

} // namespace breeze::pypi
