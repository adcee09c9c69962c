#pragma once

// What prepare-airflow-package and prepare-provider-packages share: Python Breeze's build image
// (`airflow-build-dockerfile`, tagged apache/airflow:local-build-image), one container run in it
// whose /opt/airflow/dist/ is copied to the sources' dist/, and the list of what dist/ holds.

#include <breeze/commands/context.hpp>
#include <breeze/commands/option_table.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace breeze::commands::release_management::packages_detail {

/// Python Breeze's tag for the image the packages are built in.
inline constexpr const char* k_build_image = "apache/airflow:local-build-image";

/// The package formats Breeze allows (ALLOWED_PACKAGE_FORMATS), the first the default.
[[nodiscard]] const std::vector<std::string>& package_formats();

/// Python Breeze's `airflow-build-dockerfile` for this checkout's default Python and Debian.
[[nodiscard]] std::string build_dockerfile(const config::Settings& settings);

/// `--package-format` (PACKAGE_FORMAT) and `--version-suffix-for-pypi` (VERSION_SUFFIX_FOR_PYPI),
/// as both commands (and Breeze) have them.
[[nodiscard]] std::vector<OptionRow> package_option_rows(std::string& format, std::string& suffix);

/// A usage error when no sources root was found; else, when `problems` is not empty, they are
/// logged under `title` ("Cannot prepare the Airflow package:") and the result is
/// ExitCode::failure; nullopt: go on.
[[nodiscard]] Expected<std::optional<ExitCode>>
refuse_unless_ready(Context& ctx, const std::string& title,
                    const std::vector<std::string>& problems);

/// A running engine (one line saying how to start it otherwise), then build_local_image().
[[nodiscard]] Expected<ExitCode> prepare_build_image(Context& ctx);

/// The `-e` flags every package container gets, Breeze's: the suffix, HOME in the sources'
/// files/ (ignored by git), GITHUB_ACTIONS from breeze's environment, the format.
[[nodiscard]] std::vector<std::string> package_env_flags(const std::string& suffix,
                                                         const std::string& format);

/// Writes `airflow-build-dockerfile` and its `.dockerignore` into the sources root (as Breeze
/// does; in a dry run it says so instead) and builds the image with `docker build`.
[[nodiscard]] Expected<ExitCode> build_local_image(Context& ctx);

/// One run in the build image.
struct ContainerRun {
  std::string name_prefix;               ///< "airflow-build" -> airflow-build-<16 hex digits>
  std::vector<std::string> docker_flags; ///< after `--name N`: -t / -i, -e ..., -w ...
  std::vector<std::string> command;      ///< after the image
  std::optional<std::string> input;      ///< fed on the container's stdin (needs -i)
  std::string what;                      ///< "the Airflow package", for messages
};

/// `docker run --name N ...`, then `docker cp N:/opt/airflow/dist/. ./dist` and `docker rm
/// --force N` (also after a failed run: no container is left behind).
[[nodiscard]] Expected<ExitCode> run_and_copy_dist(Context& ctx, const ContainerRun& run);

/// The files of dist/ whose names match `prefix` (`apache_airflow-`, `apache_airflow_providers_`,
/// either separator) and `format` (wheel: .whl, sdist: .tar.gz, both), sorted.
[[nodiscard]] std::vector<std::filesystem::path> dist_packages(const std::filesystem::path& dist,
                                                               const std::string& prefix,
                                                               const std::string& format);

/// Prints "Packages available in dist:" and `packages` (from dist_packages()); an empty list is
/// an error naming `what` and `format`.
[[nodiscard]] ExitCode report_dist(Context& ctx, const std::vector<std::filesystem::path>& packages,
                                   const std::string& format, const std::string& what);

} // namespace breeze::commands::release_management::packages_detail
