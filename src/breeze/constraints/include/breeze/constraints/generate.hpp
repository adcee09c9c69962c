#pragma once

// Pure pieces of `generate-constraints`: turning `pip freeze` output into a constraints file,
// the standard header, and what changed against the file on the constraints branch.

#include <breeze/base/time.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace breeze::constraints {

/// Which freeze lines are not constraints.
struct FreezeFilter {
  std::vector<std::string> drop_prefixes;   ///< lines starting with one of these (after trimming)
  std::vector<std::string> drop_containing; ///< lines containing one of these
};

/// The kept lines of `pip freeze` output: trimmed, blank and filtered lines dropped, duplicates
/// removed, sorted case-insensitively (as Airflow sorts them).
[[nodiscard]] std::vector<std::string> filter_freeze(std::string_view freeze_output,
                                                     const FreezeFilter& filter);

/// The standard header (Airflow's wording per mode): `#`, the generation date
/// (`...automatically generated on 2024-08-13T10:00:00Z`), how it was made and for which branch,
/// what the mode means, `#`. Every line ends in "\n".
[[nodiscard]] std::string render_header(const std::string& mode, const std::string& branch,
                                        time::Instant generated_on);

/// Header followed by the pins, one per line.
[[nodiscard]] std::string render_constraints(const std::string& header,
                                             const std::vector<std::string>& pins);

/// One pin that differs between two constraints files (compared by PEP 503 name).
struct PinChange {
  std::string name;   ///< as spelled in the new file (the old one for removals)
  std::string before; ///< version before; empty when added
  std::string after;  ///< version after; empty when removed
};

/// Pins added, removed or changed from `before` to `after` (headers ignored), sorted by name.
[[nodiscard]] std::vector<PinChange> diff_pins(std::string_view before, std::string_view after);

/// diff-<mode>-<python>.md: a title line ("Dependencies <mode> updated for Python <py>") and a
/// ```diff block with `-name==old` / `+name==new` lines.
[[nodiscard]] std::string render_diff_markdown(const std::string& mode, const std::string& python,
                                               const std::vector<PinChange>& changes);

} // namespace breeze::constraints
