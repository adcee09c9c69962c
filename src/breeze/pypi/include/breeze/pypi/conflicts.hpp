#pragma once

// Conflict analysis for find-backtracking-candidates: which candidate's newest release, by its own
// requirements, cannot be installed beside another candidate's newest release (or beside a pin of
// the constraints file). Pure: the requirements come in as text, fetched by the caller.

#include <breeze/constraints/markers.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace breeze::pypi {

/// A candidate as the analysis sees it: its newest release and what that release requires.
struct ConflictCandidate {
  std::string name;            ///< as spelled in the constraints file
  std::string normalized_name; ///< PEP 503 (constraints::canonicalize_name)
  std::string pinned;          ///< the version in the constraints file
  std::string latest;          ///< the newest release, the one an eager upgrade picks
  /// The newest release's `Requires-Dist` lines (`info.requires_dist`); nullopt when unknown.
  std::optional<std::vector<std::string>> requires_dist;
};

/// What a conflicting requirement excludes.
enum class ConflictKind {
  excludes_new, ///< another candidate's newest release
  excludes_pin, ///< the pinned version of a package that is not a candidate
};

/// One requirement of a candidate's newest release that an eager upgrade cannot satisfy as is.
struct Conflict {
  std::string package;     ///< the required package, PEP 503-normalised (`botocore`)
  std::string requirement; ///< normalised, marker dropped: `botocore<1.31.18,>=1.31.17`
  std::string excludes;    ///< the excluded version: the package's newest release or its pin
  ConflictKind kind = ConflictKind::excludes_new;
  /// An upper bound (`<`, `<=`, `==`, `~=`, `===`) is what excludes another candidate's newest
  /// release: the strongest sign of a culprit. False for excludes_pin.
  bool upper_bound = false;
};

/// The analysis of one candidate, in the input's order.
struct CandidateConflicts {
  std::string name;   ///< as spelled in the constraints file
  std::string latest; ///< its newest release
  bool known = false; ///< its requirements were known (false: unranked, never an error)
  std::vector<Conflict>
      conflicts;              ///< strongest first, then in the order the requirements are written
  std::size_t unparsable = 0; ///< requirement lines skipped because they are not valid PEP 508
};

/// The whole answer: per-candidate conflicts and the ranked suspects.
struct ConflictReport {
  std::vector<CandidateConflicts> candidates; ///< one per input candidate, same order
  /// Names (as spelled) of the candidates with conflicts, most likely culprit first: by upper-bound
  /// conflicts with a new release, then other conflicts with a new release, then pin conflicts;
  /// ties keep the file's order.
  std::vector<std::string> suspects;
};

/// Finds the conflicts. Each candidate's requirements are parsed (unparsable ones skipped and
/// counted), those whose marker is false in `env` dropped, and each requirement on a package Y
/// checked: when Y is a candidate, against Y's newest release (its pin is being replaced anyway);
/// else, when `pins` (PEP 503 name -> version) has Y, against that pin. Requirements on the
/// candidate itself are ignored.
[[nodiscard]] ConflictReport find_conflicts(const std::vector<ConflictCandidate>& candidates,
                                            const std::map<std::string, std::string>& pins,
                                            const constraints::MarkerEnvironment& env);

/// `Likely culprits (from the packages' own requirements):` then one line per conflict of each
/// suspect, in rank order, e.g. `aiobotocore 2.6.0 requires botocore<1.31.18,>=1.31.17, which
/// excludes botocore 1.31.25 (also new)`; empty when there are no suspects. Control characters
/// from the metadata are stripped.
[[nodiscard]] std::string render_conflicts_text(const ConflictReport& report);

/// Adds `"suspects": [...]` (ranked) to a find-backtracking-candidates JSON document and, to each
/// entry of its `"candidates"` array whose `"name"` matches, `"conflicts": [{"package",
/// "requirement", "excludes", "kind"}]` and `"requirements_known"`.
void add_conflicts_json(nlohmann::json& document, const ConflictReport& report);

/// `excludes_new` / `excludes_pin`.
[[nodiscard]] const char* to_string(ConflictKind kind);

} // namespace breeze::pypi
