#include <breeze/docker/client.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

namespace breeze::docker {

std::string docker_client(const config::EnvLookup& env) {
  if (auto v = env("BREEZE_DOCKER"); v && !strings::trim(*v).empty()) return std::string(strings::trim(*v));
  return "docker";
}

Expected<Engine> detect_engine(process::Runner& runner, const std::string& docker) {
  process::ProcessSpec spec;
  spec.argv = {docker, "buildx", "version"};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(30);
  auto r = runner.run(spec);
  if (!r)
    return Error{ErrorKind::process,
                 fmt::format("cannot run the docker client '{}' ({}): install docker or point BREEZE_DOCKER at it",
                             docker, r.error().message)};
  return r->ok() ? Engine::buildx : Engine::classic;
}

Expected<void> check_builder(process::Runner& runner, const std::string& docker, const std::string& name) {
  process::ProcessSpec spec;
  spec.argv = {docker, "buildx", "inspect", name};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(60);
  BREEZE_TRY(auto r, runner.run(spec));
  if (r.ok()) return {};
  return usage_error(fmt::format("'{}' is not a docker buildx builder (docker contexts are not builders): create it "
                                 "with `breeze setup builder --name {}` or see `docker buildx ls`",
                                 name, name));
}

process::ProcessSpec to_spec(const DockerStep& step, const std::filesystem::path& cwd) {
  process::ProcessSpec spec;
  spec.argv = step.argv;
  spec.env = step.env;
  spec.cwd = cwd;
  return spec;
}

} // namespace breeze::docker
