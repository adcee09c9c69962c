#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/docker/image.hpp>

#include <map>
#include <string>
#include <vector>

namespace breeze::docker {

/// One docker invocation of a build plan.
struct DockerStep {
  std::string description;                ///< e.g. "Build CI image for Python 3.10 (linux/amd64)"
  std::vector<std::string> argv;          ///< argv[0] is the docker client
  std::map<std::string, std::string> env; ///< added to the environment (DOCKER_BUILDKIT=1)
  bool may_fail =
      false; ///< a failure is expected and harmless (pulling a cache that may not exist yet)
};

/// Which docker build front-end the client offers.
enum class Engine { buildx, classic };

/// The docker commands that build one image (one Python version, all requested platforms).
/// buildx: one `docker buildx build` (or one per platform when preparing the cache, each with
/// `--cache-to=type=registry,ref=<cache>,mode=max`). classic (no buildx plugin): pull, then
/// `DOCKER_BUILDKIT=1 docker build` with `--cache-from <image>` and the inline cache, then push.
/// Usage error for combinations that cannot work (multi-platform without buildx or without
/// --push / --prepare-buildx-cache; --prepare-buildx-cache without buildx or with docker cache
/// other than registry).
[[nodiscard]] Expected<std::vector<DockerStep>> plan_build(const ImageParams& p, Engine engine,
                                                           const std::string& docker = "docker");

/// A step as a copy-pasteable, multi-line shell command (env assignments, one argument per line).
[[nodiscard]] std::string render(const DockerStep& step);

} // namespace breeze::docker
