#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/process/runner.hpp>

#include <optional>
#include <string>
#include <vector>

namespace breeze::docker {

/// One node of a buildx builder, as `docker buildx inspect` / `docker buildx ls` describe it.
struct BuilderNode {
  std::string name;
  std::string endpoint;               ///< e.g. unix:///var/run/docker.sock, tcp://127.0.0.1:2375
  std::string status;                 ///< running, inactive, ... (empty when not reported)
  std::vector<std::string> platforms; ///< e.g. linux/amd64 (buildx's "*" marks removed)
};

/// A buildx builder and its nodes.
struct BuilderInfo {
  std::string name;
  std::string driver;
  bool current = false; ///< marked "*" in `docker buildx ls`
  std::vector<BuilderNode> nodes;

  /// True when some node of this builder lists `platform`.
  [[nodiscard]] bool supports(const std::string& platform) const;
};

/// Parses `docker buildx inspect NAME` output ("Name:", "Driver:", then per node "Name:",
/// "Endpoint:", "Status:", "Platforms:").
[[nodiscard]] BuilderInfo parse_buildx_inspect(const std::string& text);

/// Parses `docker buildx ls` output (builder lines, indented node lines; "\_ " node prefixes of
/// newer buildx are accepted).
[[nodiscard]] std::vector<BuilderInfo> parse_buildx_ls(const std::string& text);

/// A remote node address as buildx stores it: `HOST:PORT` becomes `tcp://HOST:PORT`.
[[nodiscard]] std::string normalize_endpoint(const std::string& endpoint);

/// `docker buildx create --name NAME [--platform P]` (the seed's line: buildx's default
/// docker-container driver, and no `--use`, so neither the current builder nor the context
/// changes).
[[nodiscard]] std::vector<std::string> builder_create_argv(const std::string& docker,
                                                           const std::string& name,
                                                           const std::string& platforms);

/// `docker buildx create --name NAME --append ENDPOINT [--platform P]`.
[[nodiscard]] std::vector<std::string> builder_append_argv(const std::string& docker,
                                                           const std::string& name,
                                                           const std::string& endpoint,
                                                           const std::string& platforms);

/// `docker buildx inspect --bootstrap NAME`: starts every node and reports its platforms.
[[nodiscard]] std::vector<std::string> builder_bootstrap_argv(const std::string& docker,
                                                              const std::string& name);

/// The seed's QEMU step: `docker run --privileged --rm tonistiigi/binfmt --install all`.
[[nodiscard]] std::vector<std::string> emulation_argv(const std::string& docker);

/// The platforms binfmt's JSON status lists under "supported" (empty when there is none).
[[nodiscard]] std::vector<std::string> parse_binfmt_supported(const std::string& text);

/// The builder `name` as `docker buildx inspect` reports it, nullopt when there is no such
/// builder. Read-only (runs under --dry-run too).
[[nodiscard]] Expected<std::optional<BuilderInfo>>
inspect_builder(process::Runner& runner, const std::string& docker, const std::string& name);

/// One line saying buildx is missing and how to install it.
[[nodiscard]] std::string buildx_install_hint();

} // namespace breeze::docker
