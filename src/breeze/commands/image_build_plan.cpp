// Planning a build: options and settings resolved into jobs (pure), the Airflow version of the
// sources and the build's time limit.
#include "image_build_detail.hpp"

#include <breeze/commands/image_params.hpp>
#include <breeze/commands/numeric_options.hpp>
#include <breeze/commands/option_groups.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/docker/image.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace breeze::commands {

namespace {

using docker::DockerCache;
using docker::ImageType;

Expected<DockerCache> parse_cache(const std::string& v) {
  if (v == "registry") return DockerCache::registry;
  if (v == "local") return DockerCache::local;
  if (v == "disabled") return DockerCache::disabled;
  return usage_error("--docker-cache must be registry, local or disabled");
}

} // namespace

Expected<std::string> read_airflow_version(const std::filesystem::path& root) {
  static const std::regex re(R"(__version__\s*=\s*["']([^"']+)["'])");
  for (const auto* rel : {"airflow/__init__.py", "airflow-core/src/airflow/__init__.py"}) {
    auto text = files::read(root / rel);
    if (!text) continue;
    std::smatch m;
    if (std::regex_search(*text, m, re)) return m[1].str();
  }
  return usage_error(
      fmt::format("cannot tell Airflow's version: no __version__ in airflow/__init__.py or "
                  "airflow-core/src/airflow/__init__.py under {}",
                  root.string()));
}

Expected<std::vector<BuildJob>> plan_image_jobs(const ImageBuildOptions& opts,
                                                const config::Settings& settings,
                                                docker::Engine engine, const std::string& docker) {
  BREEZE_TRY(const auto pythons,
             selected_pythons(opts.python, opts.run_in_parallel, opts.python_versions, settings));
  BREEZE_TRY_VOID(settings.check_constraints_mode(opts.image.airflow_constraints_mode));

  // The identity from the settings; each job sets its own Python below.
  auto base = image_params(settings, opts.type, {}, opts.image);
  if (base.airflow_constraints_reference.empty())
    base.airflow_constraints_reference = settings.constraints_branch;
  BREEZE_TRY(base.docker_cache, parse_cache(opts.docker_cache));
  if (opts.platform.empty())
    base.platforms = {docker::native_platform()};
  else {
    BREEZE_TRY(base.platforms, docker::normalize_platforms(opts.platform));
  }

  std::vector<BuildJob> jobs;
  for (const auto& py : pythons) {
    auto p = base;
    p.python = py;
    // Cache preparation in parallel: one job per Python x platform, so both platforms' builders
    // work at once.
    if (opts.run_in_parallel && p.prepare_buildx_cache && p.platforms.size() > 1) {
      for (const auto& pl : base.platforms) {
        auto one = p;
        one.platforms = {pl};
        BREEZE_TRY(auto steps, docker::plan_build(one, engine, docker));
        auto tag = pl;
        std::replace(tag.begin(), tag.end(), '/', '-');
        jobs.push_back({"python" + py + "-" + tag,
                        py,
                        std::move(steps),
                        {},
                        false,
                        docker::image_name_with_tag(one),
                        one.platforms});
      }
    } else {
      BREEZE_TRY(auto steps, docker::plan_build(p, engine, docker));
      const bool may_help =
          opts.type == ImageType::ci && !p.upgrade_to_newer_dependencies && !p.prepare_buildx_cache;
      jobs.push_back({"python" + py,
                      py,
                      std::move(steps),
                      {},
                      may_help,
                      docker::image_name_with_tag(p),
                      p.platforms});
      if (may_help && opts.upgrade_on_failure.value_or(false)) {
        auto retry = p;
        retry.upgrade_to_newer_dependencies = true;
        retry.upgrade_invalidation_string = opts.retry_upgrade_string;
        BREEZE_TRY(jobs.back().retry_steps, docker::plan_build(retry, engine, docker));
      }
    }
  }
  return jobs;
}

namespace image_build_detail {

// The build's time limit: --build-timeout-minutes, or (undocumented in --help, for tests and the
// benchmark) BREEZE_BUILD_TIMEOUT_SECONDS when it is set to a positive number.
Expected<std::optional<std::chrono::milliseconds>> build_timeout(const ImageBuildOptions& opts,
                                                                 const EnvLookup& env) {
  if (auto v = env("BREEZE_BUILD_TIMEOUT_SECONDS"); v && !strings::trim(*v).empty()) {
    const auto text = std::string(strings::trim(*v));
    if (auto problem = numeric::real_problem(text, 0.001, numeric::k_max_timeout_seconds);
        !problem.empty())
      return usage_error(
          fmt::format("BREEZE_BUILD_TIMEOUT_SECONDS must be a positive number of seconds: {}",
                      strings::strip_control(problem)));
    return std::optional<std::chrono::milliseconds>(static_cast<long long>(std::stod(text) * 1000));
  }
  if (opts.build_timeout_minutes > 0)
    return std::optional<std::chrono::milliseconds>(
        std::chrono::minutes(opts.build_timeout_minutes));
  return std::optional<std::chrono::milliseconds>{};
}

} // namespace image_build_detail

} // namespace breeze::commands
