#pragma once

// The real-engine tier's fixture: Debian's dockerd (vfs, no iptables, no bridge) and
// docker-registry, started privately in a temp dir and always stopped again. Driven through
// Debian's docker 20.10 client (no buildx: the classic-engine path).

#include <breeze/base/files.hpp>
#include <breeze/process/runner.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace breeze::test {

/// The docker client the engine tier uses.
inline constexpr const char* k_docker_client = "/usr/bin/docker";

/// True when BREEZE_SKIP_DOCKER_E2E=1 (the tier is skipped by hand).
[[nodiscard]] bool docker_e2e_skip_requested();

/// A private docker daemon and registry; both are always stopped (and the daemon's mounts released)
/// when this goes out of scope.
class LocalEngine {
public:
  LocalEngine();
  ~LocalEngine();
  LocalEngine(const LocalEngine&) = delete;
  LocalEngine& operator=(const LocalEngine&) = delete;

  /// Why the engine is not usable ("" when it is).
  [[nodiscard]] const std::string& problem() const { return m_problem; }
  /// The temp dir that holds everything (sources may go here too).
  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir.path(); }
  /// `127.0.0.1:PORT` of the private registry.
  [[nodiscard]] std::string registry() const {
    return "127.0.0.1:" + std::to_string(m_registry_port);
  }
  /// DOCKER_HOST of the private daemon.
  [[nodiscard]] const std::string& host() const { return m_host; }

  /// Runs the docker client against this engine.
  [[nodiscard]] process::ProcessResult
  docker(const std::vector<std::string>& args,
         std::chrono::seconds timeout = std::chrono::seconds(120)) const;

  /// Environment for the built breeze to use this engine through the classic client.
  [[nodiscard]] std::map<std::string, std::string> breeze_env() const;

private:
  files::TempDir m_dir;
  std::string m_host;
  int m_registry_port = 0;
  pid_t m_dockerd = -1;
  pid_t m_registry = -1;
  std::string m_problem;
};

} // namespace breeze::test

/// Starts a LocalEngine named `engine` in the current test, or returns early when the tier is
/// skipped by hand; a failure to start fails the test loudly.
#define REQUIRE_ENGINE(engine)                                                                     \
  if (::breeze::test::docker_e2e_skip_requested()) {                                               \
    WARN("BREEZE_SKIP_DOCKER_E2E=1: docker engine e2e skipped by hand");                           \
    return;                                                                                        \
  }                                                                                                \
  ::breeze::test::LocalEngine engine;                                                              \
  INFO("set BREEZE_SKIP_DOCKER_E2E=1 to skip the real-engine tier by hand");                       \
  REQUIRE(engine.problem() == "")
