#pragma once

#include <breeze/process/runner.hpp>

#include <chrono>

namespace breeze::process {

/// The real runner: fork + execvp (argv only, no shell), each child in its own process group.
/// Hand-written (not a library) because we need process groups, a self-pipe for Ctrl-C and
/// line-streaming of both pipes in one poll loop, which no Debian-packaged C++ library offers.
/// On timeout or Ctrl-C the whole group gets SIGTERM, then SIGKILL after `grace`.
class PosixRunner final : public Runner {
public:
  explicit PosixRunner(std::chrono::milliseconds grace = std::chrono::seconds(5)) : m_grace(grace) {}
  [[nodiscard]] Expected<ProcessResult> run(const ProcessSpec& spec) override;

private:
  std::chrono::milliseconds m_grace;
};

} // namespace breeze::process
