#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace breeze::commands::ci {

/// What one probe said about a subset of the limits.
enum class ProbeOutcome { pass, fail, cancelled, interrupted };

/// Indexes into the list of limits, ascending.
using LimitSet = std::vector<std::size_t>;

/// Runs one probe per subset (at most the search's parallelism at once), one outcome per subset in
/// order. With `first_pass_wins`, probes not yet finished may be cancelled once one of them passed.
using ProbeBatch = std::function<std::vector<ProbeOutcome>(const std::vector<LimitSet>& subsets,
                                                           bool first_pass_wins)>;

/// The answer of find_culprits.
struct SearchResult {
  enum class Status { found, full_list_failed, interrupted };
  Status status = Status::found;
  /// found: a 1-minimal set of limits that still passes (removing any one of them fails);
  /// interrupted: the smallest set known to pass so far (empty when not even the full list ran).
  LimitSet culprits;
  std::size_t probes = 0;  ///< probes started, the full-list run included (cancelled ones too)
  bool used_ddmin = false; ///< bisection alone could not explain the results (interacting culprits)
  bool by_suspect = false; ///< found: the top suspect's limit alone passed
};

/// Finds the limits whose presence keeps the resolver from backtracking, among `n` limits, assuming
/// a probe on a set passes whenever it passes on a subset of it. First probes the full list, then
/// bisects (p = parallelism: splits into p+1 parts and probes p of them at once, the last one is
/// inferred and verified at the end) and falls back to delta debugging (ddmin) when no part passes
/// on its own. With parallelism 1 one culprit costs at most ceil(log2 n) + 2 probes.
///
/// `suspects` (indexes, most likely culprit first, e.g. from the conflict analysis) go first: the
/// top suspect's limit alone is probed right after the full list, or with parallelism >= 2 in the
/// same round as it (speculation). When it passes it is the answer — 2 probes, 1 round in
/// parallel; otherwise the search goes on as above, reusing both results (so a wrong suspect
/// costs at most one probe, and no round in parallel). Out-of-range suspects are ignored.
[[nodiscard]] SearchResult find_culprits(std::size_t n, const ProbeBatch& probe,
                                         std::size_t parallelism,
                                         const std::vector<std::size_t>& suspects = {});

} // namespace breeze::commands::ci
