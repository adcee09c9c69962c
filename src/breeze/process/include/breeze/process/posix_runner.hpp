#pragma once

#include <breeze/process/runner.hpp>

#include <chrono>

namespace breeze::process {

/// The real runner: fork + execve (argv only, no shell; argv[0] looked up on the child's PATH),
/// each child in its own process group. Hand-written (not a library) because we need process
/// groups, a self-pipe for Ctrl-C, a pidfd for the child's exit and line-streaming of both pipes in
/// one poll loop, which no Debian-packaged C++ library offers. On timeout the group gets SIGTERM,
/// on Ctrl-C SIGINT (as a terminal would send), then SIGKILL after `grace`. The run owns its group:
/// when the leader exits, whatever it left behind in the group is terminated too, so nothing
/// outlives run() or keeps its output pipes open. Lines handed to on_line and the log file have the
/// spec's secrets masked; captured output is exact.
class PosixRunner final : public Runner {
public:
  explicit PosixRunner(std::chrono::milliseconds grace = std::chrono::seconds(5))
      : m_grace(grace) {}
  [[nodiscard]] Expected<ProcessResult> run(const ProcessSpec& spec) override;

private:
  std::chrono::milliseconds m_grace;
};

} // namespace breeze::process
