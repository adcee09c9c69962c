#include <breeze/docker/client.hpp>

#include <breeze/base/strings.hpp>

#include <breeze/base/files.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace breeze::docker {

std::string docker_client(const EnvLookup& env) {
  if (auto v = env("BREEZE_DOCKER"); v && !strings::trim(*v).empty())
    return std::string(strings::trim(*v));
  return "docker";
}

namespace {
Error client_missing(const std::string& docker, const Error& why) {
  return Error{
      ErrorKind::process,
      fmt::format(
          "cannot run the docker client '{}' ({}): install docker or point BREEZE_DOCKER at it",
          docker, why.message)};
}
} // namespace

Expected<void> check_engine(process::Runner& runner, const std::string& docker) {
  process::ProcessSpec spec;
  spec.argv = {docker, "version", "--format", "{{json .}}"};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(30);
  auto r = runner.run(spec);
  if (!r) return client_missing(docker, r.error());
  if (r->ok()) return {};
  // The client's own first line names the engine it tried ("Cannot connect to the Docker daemon at
  // unix:///var/run/docker.sock. Is the docker daemon running?").
  auto why = std::string(strings::trim(r->err));
  if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
  why = strings::strip_control(why);
  return Error{ErrorKind::failure,
               fmt::format("Docker is not running{}: {}",
                           why.empty() ? std::string() : fmt::format(" ({})", why),
                           k_start_engine_fix)};
}

Expected<Engine> detect_engine(process::Runner& runner, const std::string& docker) {
  process::ProcessSpec spec;
  spec.argv = {docker, "buildx", "version"};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(30);
  auto r = runner.run(spec);
  if (!r) return client_missing(docker, r.error());
  return r->ok() ? Engine::buildx : Engine::classic;
}

Expected<void> check_builder(process::Runner& runner, const std::string& docker,
                             const std::string& name) {
  process::ProcessSpec spec;
  spec.argv = {docker, "buildx", "inspect", name};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(60);
  BREEZE_TRY(auto r, runner.run(spec));
  if (r.ok()) return {};
  return usage_error(fmt::format(
      "'{}' is not a docker buildx builder (docker contexts are not builders): create it "
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

std::filesystem::path docker_config_file(const EnvLookup& env) {
  if (auto d = env("DOCKER_CONFIG"); d && !d->empty())
    return std::filesystem::path(*d) / "config.json";
  auto home = env("HOME");
  return std::filesystem::path(home ? *home : std::string(".")) / ".docker" / "config.json";
}

namespace {

// `docker login` stores "ghcr.io"; older clients and Docker Hub use "https://host/v1/".
std::string registry_host(std::string key) {
  for (const auto* scheme : {"https://", "http://"})
    if (key.starts_with(scheme)) key = key.substr(std::string_view(scheme).size());
  if (auto slash = key.find('/'); slash != std::string::npos) key = key.substr(0, slash);
  return key;
}

} // namespace

Expected<bool> has_registry_login(const std::filesystem::path& config_json,
                                  const std::string& registry) {
  if (!std::filesystem::exists(config_json)) return false;
  BREEZE_TRY(auto text, files::read(config_json));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorKind::io,
                 fmt::format("{}: not valid JSON ({})", config_json.string(), e.what())};
  }
  const auto want = registry_host(registry);
  for (const auto* section : {"auths", "credHelpers"}) {
    auto it = doc.find(section);
    if (it == doc.end() || !it->is_object()) continue;
    for (const auto& [key, value] : it->items())
      if (registry_host(key) == want) return true;
  }
  return false;
}

} // namespace breeze::docker
