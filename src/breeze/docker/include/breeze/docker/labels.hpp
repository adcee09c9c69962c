#pragma once

// The labels `ci-image build` puts on an image so that later commands (generate-constraints) can
// verify how it was built instead of asking the user.

#include <breeze/base/expected.hpp>
#include <breeze/base/time.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/process/runner.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace breeze::docker {

/// Label keys (`org.apache.airflow.breeze.*`).
inline constexpr const char* k_label_build_time = "org.apache.airflow.breeze.build-time";
inline constexpr const char* k_label_upgraded =
    "org.apache.airflow.breeze.upgrade-to-newer-dependencies";
inline constexpr const char* k_label_eager =
    "org.apache.airflow.breeze.eager-upgrade-additional-requirements";
inline constexpr const char* k_label_source_commit = "org.apache.airflow.breeze.source-commit";

/// The labels of a build, in argv order: for PROD first Breeze's four `io.artifacthub.package.*`
/// labels; then build time (UTC, `image_date_created`), upgrade flag (`true`/`false`), eager
/// upgrade requirements, source commit (empty when unknown).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> build_labels(const ImageParams& p);

/// What an image's breeze labels say.
struct BuildLabels {
  time::Instant build_time;
  bool upgraded = false;
  std::string eager_requirements;
  std::string source_commit;
};

/// Reads breeze's labels from an image's label map; nullopt when the build-time or upgrade label
/// is missing or unreadable (an image not built by breeze).
[[nodiscard]] std::optional<BuildLabels>
parse_build_labels(const std::map<std::string, std::string>& labels);

/// The labels of a local image (`docker image inspect --format '{{json .Config.Labels}}'`,
/// read-only, runs under --dry-run too); nullopt when the engine has no such image; an Error when
/// docker cannot be run or answers something that is not a JSON object.
[[nodiscard]] Expected<std::optional<std::map<std::string, std::string>>>
inspect_labels(process::Runner& runner, const std::string& docker, const std::string& image);

} // namespace breeze::docker
