#pragma once

#include <breeze/base/env.hpp>
#include <breeze/base/expected.hpp>
#include <breeze/docker/build_command.hpp>
#include <breeze/process/runner.hpp>

#include <filesystem>
#include <string>

namespace breeze::docker {

/// The docker client to run: `BREEZE_DOCKER` when set, else `docker` from PATH.
[[nodiscard]] std::string docker_client(const EnvLookup& env);

/// How to bring a docker engine that does not answer up (also `setup doctor`'s fix).
inline constexpr const char* k_start_engine_fix =
    "start the docker daemon (systemctl start docker) or set DOCKER_HOST to a running engine";

/// Succeeds when `docker version` reaches the engine; otherwise one Error line saying so and how to
/// fix it ("Docker is not running (Cannot connect ...): start the docker daemon ..."), or that the
/// client cannot be run. Read-only: runs even under --dry-run.
[[nodiscard]] Expected<void> check_engine(process::Runner& runner, const std::string& docker);

/// buildx when `docker buildx version` succeeds, classic when it fails; an Error (with the fix)
/// when the docker client cannot be started at all. Read-only: runs even under --dry-run.
[[nodiscard]] Expected<Engine> detect_engine(process::Runner& runner, const std::string& docker);

/// Succeeds when `name` is a buildx builder (`docker buildx inspect NAME`); otherwise a usage
/// error saying how to create it. Never looks at or switches docker contexts.
[[nodiscard]] Expected<void> check_builder(process::Runner& runner, const std::string& docker,
                                           const std::string& name);

/// The process to run for `step` in `cwd` (the sources root).
[[nodiscard]] process::ProcessSpec to_spec(const DockerStep& step,
                                           const std::filesystem::path& cwd);

/// The docker client's config file: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
[[nodiscard]] std::filesystem::path docker_config_file(const EnvLookup& env);

/// True when the docker config at `config_json` holds a login for `registry` (an `auths` entry,
/// with or without scheme, or a `credHelpers` entry). A missing file is false; unreadable JSON an
/// io Error.
[[nodiscard]] Expected<bool> has_registry_login(const std::filesystem::path& config_json,
                                                const std::string& registry);

} // namespace breeze::docker
