#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::docker {

/// Follows a build's output lines (BuildKit's plain progress `#12 [stage 3/9] RUN ...`, or the
/// classic builder's `Step 3/9 : RUN ...`) and names the step the build was at, and the one that
/// failed (`#12 ERROR: ...`), for the summary table and CI annotations. Pure.
class BuildProgress {
public:
  /// One output line (any prefix a job adds is tolerated; `###` headers of breeze's own are not
  /// steps).
  void feed(std::string_view line);
  /// The latest step seen, e.g. `[stage-2 3/9] RUN pip install ...` or `Step 3/9 : RUN ...`.
  [[nodiscard]] std::optional<std::string> last_step() const;
  /// The step BuildKit reported an ERROR for (else, after an ERROR line, the latest step).
  [[nodiscard]] std::optional<std::string> failed_step() const;

private:
  std::map<std::string, std::string> m_steps; // BuildKit step number -> its title
  std::optional<std::string> m_last;
  std::optional<std::string> m_failed;
};

} // namespace breeze::docker
