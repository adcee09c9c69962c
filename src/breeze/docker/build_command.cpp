#include <breeze/docker/build_command.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/labels.hpp>

#include <fmt/format.h>

namespace breeze::docker {

namespace {

constexpr const char* k_buildx_hint =
    "install the docker buildx plugin (https://docs.docker.com/go/buildx/, Debian/Ubuntu package "
    "docker-buildx-plugin) and check it with `docker buildx version`";

std::string title(const ImageParams& p) { return p.type == ImageType::ci ? "CI" : "PROD"; }

bool also_latest(const ImageParams& p) {
  return p.tag_as_latest && image_name_with_tag(p) != image_name(p) + ":latest";
}

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

std::vector<std::string> build_arg_flags(const ImageParams& p) {
  std::vector<std::string> out;
  for (const auto& v : build_arg_values(p)) {
    out.emplace_back("--build-arg");
    out.push_back(v);
  }
  return out;
}

// The cache directive for buildx. Unlike Breeze's single `--cache-from` for the joined platform
// string, every platform's cache is listed: a multi-platform build reads both caches.
std::vector<std::string> buildx_cache_from(const ImageParams& p,
                                           const std::vector<std::string>& platforms) {
  std::vector<std::string> out;
  if (p.docker_cache == DockerCache::registry)
    for (const auto& pl : platforms)
      out.push_back("--cache-from=" + cache_ref(p, pl));
  else if (p.docker_cache == DockerCache::disabled)
    out.emplace_back("--no-cache");
  return out;
}

// Everything after the cache flags, in Breeze's order: --pull, build args, labels, [-t image],
// target, context, Dockerfile, platform.
std::vector<std::string> tail(const ImageParams& p, const std::vector<std::string>& platforms,
                              bool tag, bool inline_cache) {
  std::vector<std::string> out{"--pull"};
  if (inline_cache) append(out, {"--build-arg", "BUILDKIT_INLINE_CACHE=1"});
  append(out, build_arg_flags(p));
  // Labels record how the image was built, so generate-constraints can verify it instead of asking.
  for (const auto& [key, value] : build_labels(p))
    append(out, {"--label", key + "=" + value});
  if (tag) append(out, {"-t", image_name_with_tag(p)});
  // --tag-as-latest: the build itself makes the second tag (and pushes it with --push); Breeze ran
  // `docker tag` afterwards, which fails for an image buildx pushed without loading it.
  if (tag && also_latest(p)) append(out, {"-t", image_name(p) + ":latest"});
  append(out, {"--target", "main", ".", "-f", dockerfile_of(p), "--platform",
               strings::join(platforms, ",")});
  // RUN steps on an engine without a bridge network need the host network.
  if (!p.network.empty()) append(out, {"--network", p.network});
  return out;
}

Expected<std::vector<DockerStep>> plan_buildx(const ImageParams& p, const std::string& docker) {
  std::vector<DockerStep> steps;
  const auto progress = "--progress=" + p.build_progress;
  if (p.prepare_buildx_cache) {
    // One build per platform, each pushing its own cache ref (a cache ref holds one platform).
    for (const auto& pl : p.platforms) {
      DockerStep s;
      s.description =
          fmt::format("Prepare {} image cache for Python {} ({})", title(p), p.python, pl);
      s.argv = {docker, "buildx", "build"};
      if (!p.builder.empty()) append(s.argv, {"--builder", p.builder});
      s.argv.push_back(progress);
      append(s.argv, buildx_cache_from(p, {pl}));
      append(s.argv, tail(p, {pl}, false, false));
      s.argv.push_back(fmt::format("--cache-to=type=registry,ref={},mode=max", cache_ref(p, pl)));
      steps.push_back(std::move(s));
    }
    return steps;
  }
  DockerStep s;
  s.description = fmt::format("Build {} image for Python {} ({})", title(p), p.python,
                              strings::join(p.platforms, ","));
  // Breeze adds --load next to --push for non-default builders; an image is either pushed or
  // loaded.
  s.argv = {docker, "buildx", "build", p.push ? "--push" : "--load"};
  if (!p.builder.empty()) append(s.argv, {"--builder", p.builder});
  s.argv.push_back(progress);
  append(s.argv, buildx_cache_from(p, p.platforms));
  append(s.argv, tail(p, p.platforms, true, false));
  steps.push_back(std::move(s));
  return steps;
}

Expected<std::vector<DockerStep>> plan_classic(const ImageParams& p, const std::string& docker) {
  if (p.platforms.size() > 1)
    return usage_error(
        "a multi-platform build needs docker buildx, which this docker client lacks: " +
        std::string(k_buildx_hint));
  if (p.prepare_buildx_cache)
    return usage_error(
        "--prepare-buildx-cache pushes a mode=max registry cache, which needs docker buildx: " +
        std::string(k_buildx_hint));
  if (!p.builder.empty())
    return usage_error(
        fmt::format("--builder {} names a buildx builder, but this docker client has no buildx: {}",
                    p.builder, k_buildx_hint));
  const auto image = image_name_with_tag(p);
  std::vector<DockerStep> steps;
  if (p.docker_cache == DockerCache::registry) {
    DockerStep pull;
    pull.description = fmt::format("Pull {} (cache source; it may not exist yet)", image);
    pull.argv = {docker, "pull", image};
    pull.may_fail = true;
    steps.push_back(std::move(pull));
  }
  DockerStep build;
  build.description = fmt::format("Build {} image for Python {} ({}) with the classic engine",
                                  title(p), p.python, p.platforms.front());
  build.env["DOCKER_BUILDKIT"] = "1";
  build.argv = {docker, "build", "--progress=" + p.build_progress};
  if (p.docker_cache == DockerCache::registry)
    append(build.argv, {"--cache-from", image});
  else if (p.docker_cache == DockerCache::disabled)
    build.argv.emplace_back("--no-cache");
  // The inline cache puts the cache metadata into the image itself, so the pushed image is the
  // cache.
  append(build.argv, tail(p, p.platforms, true, true));
  steps.push_back(std::move(build));
  if (p.push) {
    DockerStep push;
    push.description = fmt::format("Push {}", image);
    push.argv = {docker, "push", image};
    steps.push_back(push);
    if (also_latest(p)) {
      push.description = fmt::format("Push {}:latest", image_name(p));
      push.argv = {docker, "push", image_name(p) + ":latest"};
      steps.push_back(std::move(push));
    }
  }
  return steps;
}

} // namespace

Expected<std::vector<DockerStep>> plan_build(const ImageParams& p, Engine engine,
                                             const std::string& docker) {
  if (p.platforms.empty()) return usage_error("no platform to build for");
  if (p.prepare_buildx_cache && p.push)
    return usage_error("--prepare-buildx-cache pushes only the cache; build with --push separately "
                       "to push the image");
  if (engine == Engine::buildx && p.platforms.size() > 1 && !p.push && !p.prepare_buildx_cache)
    return usage_error(
        "a multi-platform image cannot be loaded into the local engine: add --push or "
        "--prepare-buildx-cache, or pick one --platform");
  BREEZE_TRY(auto steps,
             engine == Engine::classic ? plan_classic(p, docker) : plan_buildx(p, docker));
  // --docker-host: every docker command of the build talks to that engine, as Breeze's build env.
  if (!p.docker_host.empty())
    for (auto& s : steps)
      s.env["DOCKER_HOST"] = p.docker_host;
  return steps;
}

std::string render(const DockerStep& step) {
  std::string out;
  for (const auto& [k, v] : step.env)
    out += k + "=" + strings::shell_quote(v) + " ";
  // One option per line, its value beside it, so golden diffs show which option changed.
  const auto& a = step.argv;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i > 0) out += " \\\n    ";
    out += strings::shell_quote(a[i]);
    const bool takes_value =
        a[i].size() > 1 && a[i][0] == '-' && a[i].find('=') == std::string::npos;
    if (takes_value && i + 1 < a.size() && !a[i + 1].starts_with("-"))
      out += " " + strings::shell_quote(a[++i]);
  }
  return out;
}

} // namespace breeze::docker
