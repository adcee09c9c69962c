#pragma once

#include <breeze/commands/context.hpp>
#include <breeze/docker/build_command.hpp>

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::commands {

/// Flags of `ci-image build` / `prod-image build` (Breeze's names; see docs/ci-image-build.md).
struct ImageBuildOptions {
  docker::ImageType type = docker::ImageType::ci;
  std::string python; ///< empty: the newest supported Python
  bool run_in_parallel = false;
  std::string python_versions; ///< space separated; empty: all supported
  int parallelism = 0;         ///< 0: cores, capped by memory
  std::string platform;        ///< empty: the engine's native platform
  std::string docker_cache = "registry";
  int build_timeout_minutes = 0; ///< 0: no timeout
  /// CI: --upgrade-on-failure/--no-upgrade-on-failure (UPGRADE_ON_FAILURE); nullopt: on unless
  /// the environment's CI is set. A failed build is retried once with the upgrade.
  std::optional<bool> upgrade_on_failure;
  std::string retry_upgrade_string;     ///< UPGRADE_INVALIDATION_STRING of that retry
  std::string github_token;             ///< --github-token (GITHUB_TOKEN): accepted, masked, unused
  bool include_success_outputs = false; ///< parallel: print the logs of successful jobs too
  bool skip_cleanup = false;            ///< accepted (job logs are always kept)
  bool debug_resources = false;         ///< accepted (no resource monitor)
  std::string output = "text";          ///< text or json (docs/json-output.md)
  /// Everything else that shapes the docker command. The constraints reference starts empty: it
  /// is the settings' constraints branch (the checkout's) unless --airflow-constraints-reference.
  docker::ImageParams image = [] {
    docker::ImageParams p;
    p.airflow_constraints_reference.clear();
    return p;
  }();
};

/// One build job: a label and the docker steps it runs in order.
struct BuildJob {
  std::string name;   ///< e.g. "python3.10" or "python3.10-linux-arm64"
  std::string python; ///< the job's Python, e.g. "3.10"
  std::vector<docker::DockerStep> steps;
  /// Run once when `steps` fail (--upgrade-on-failure): the same build with the upgrade.
  std::vector<docker::DockerStep> retry_steps;
  bool upgrade_may_help = false; ///< a CI build without the upgrade: a failure hints at it
  std::string image;             ///< the image it builds, with its tag (--output json)
  std::vector<std::string> platforms;
};

/// Resolves options against settings into jobs (pure, except nothing: values such as the date and
/// the random upgrade string are already in `opts.image`). Usage errors for invalid combinations.
[[nodiscard]] Expected<std::vector<BuildJob>> plan_image_jobs(const ImageBuildOptions& opts,
                                                              const config::Settings& settings,
                                                              docker::Engine engine,
                                                              const std::string& docker);

/// Runs `ci-image build` / `prod-image build` with `opts` (checks, plan, sequential or pooled run).
[[nodiscard]] Expected<ExitCode> build_images(Context& ctx, ImageBuildOptions opts);

/// Reads `__version__` from airflow/__init__.py (or airflow-core/src/airflow/__init__.py).
[[nodiscard]] Expected<std::string> read_airflow_version(const std::filesystem::path& sources_root);

/// Makes `cmd` the `build` of images of `type`: every flag of ImageBuildOptions and the action
/// (ci_image/build.cpp, prod_image/build.cpp; the command table adds the global options).
void add_image_build_command(CLI::App& cmd, Context& ctx, docker::ImageType type);

} // namespace breeze::commands
