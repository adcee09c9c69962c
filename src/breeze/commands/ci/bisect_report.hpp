#pragma once

// bisect-backtracking's report: what the search found, as text, as the --output json document
// (docs/json-output.md) and as the GitHub Actions job summary. Pure: the caller prints it.

#include "bisect_prober.hpp"

#include <breeze/commands/ci/bisect_search.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace breeze::commands::ci::bisect_detail {

/// The ==latest check of one culprit.
struct Check {
  std::string name;
  std::string requirement; ///< pkg==latest
  std::string verdict;     ///< heuristics / conflict / timeout / skipped / interrupted
  std::vector<std::string> conflicts;
};

/// Everything the report says, gathered by run_bisect_backtracking.
struct BisectReport {
  const std::vector<ProbeRecord>& probes;
  const SearchResult& search;
  std::size_t limit_count = 0;
  const std::vector<std::string>& all_limits;
  const std::vector<std::string>& suspect_names;
  const std::vector<std::string>& culprit_limits;
  const std::vector<Check>& checks;
  const std::vector<std::string>& add_line;        ///< the limits to add to Dockerfile.ci
  std::optional<std::string> backtracking_pattern; ///< when one is in use
  std::optional<std::chrono::milliseconds> probe_timeout;
  std::chrono::milliseconds total{0};
  std::string full_list_error; ///< why the full list failed
  std::filesystem::path log_dir;
  std::filesystem::path dockerfile;
  std::string applied;                    ///< --apply: written / already there / failed / empty
  std::optional<std::string> apply_error; ///< --apply's error, when writing failed
  bool interrupted = false;
};

/// Seconds with one decimal: "12.3s".
[[nodiscard]] std::string format_seconds(std::chrono::milliseconds d);

/// The text report: the probe table, the totals, the culprits, the checks and what to add.
[[nodiscard]] std::string render_report_text(const BisectReport& r);

/// The --output json document.
[[nodiscard]] std::string render_report_json(const BisectReport& r);

/// The GitHub Actions job summary (markdown).
[[nodiscard]] std::string render_report_summary(const BisectReport& r);

} // namespace breeze::commands::ci::bisect_detail
