#pragma once

#include <breeze/commands/context.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace breeze::commands::release_management {

/// Flags of `breeze release-management prepare-airflow-package` (Python Breeze's names).
struct AirflowPackageOptions {
  std::string package_format = "wheel"; ///< wheel, sdist or both (PACKAGE_FORMAT)
  std::string version_suffix;           ///< VERSION_SUFFIX_FOR_PYPI, e.g. dev0; empty: none
  bool use_local_hatch = false;         ///< build with the host's hatch instead of in docker
};

/// Flags of `breeze release-management prepare-provider-packages` (Python Breeze's names).
struct ProviderPackagesOptions {
  std::string package_format = "wheel";
  std::string version_suffix;
  std::filesystem::path package_list_file; ///< one provider id per line; `#` lines skipped
  std::string package_list;                ///< PACKAGE_LIST: comma separated, overrides the ids
  std::vector<std::string> providers;      ///< positional provider ids
  bool clean_dist = false;
  bool skip_tag_check = false; ///< accepted for Breeze's command lines; breeze never checks tags
  bool skip_deleting_generated_files = false;
  bool include_not_ready = false;
  bool include_removed = false;
};

/// Why `prepare-airflow-package` cannot run on this checkout (empty: it can), read-only and
/// without docker: the in-container script and `reproducible_build.yaml`'s epoch. For
/// `ci refresh-images`' preflight as well as the command itself.
[[nodiscard]] std::vector<std::string> airflow_package_problems(const Context& ctx);

/// Why `prepare-provider-packages` cannot run on this checkout (empty: it can): the checkout's
/// Breeze provider-preparation module and its functions, the package list file, every listed
/// provider's `provider.yaml`.
[[nodiscard]] std::vector<std::string> provider_packages_problems(const Context& ctx,
                                                                  const ProviderPackagesOptions& o);

/// The Python program prepare-provider-packages feeds to `python -` in the build image: for each
/// provider id of its arguments it calls the checkout's Breeze provider functions
/// (airflow_breeze.prepare_providers.provider_packages, late-2024 API) as Breeze's command does,
/// moving the packages to /opt/airflow/dist; exit 1 naming the providers that failed.
[[nodiscard]] const std::string& provider_build_driver();

/// Builds the Airflow package into dist/ as Python Breeze does: the `airflow-build-dockerfile`
/// image from the sources, the checkout's `run_prepare_airflow_packages.py` in it, `docker cp`
/// of its dist/ (or `hatch build` on the host with --use-local-hatch).
[[nodiscard]] Expected<ExitCode> run_prepare_airflow_package(const AirflowPackageOptions& o,
                                                             Context& ctx);

/// Builds the provider packages into dist/ in the same build image, by the checkout's own Breeze
/// provider code (templates, flit), then `docker cp` of their dist/.
[[nodiscard]] Expected<ExitCode> run_prepare_provider_packages(const ProviderPackagesOptions& o,
                                                               Context& ctx);

/// `release-management prepare-airflow-package`: options and action (cli/command_table.cpp).
void register_prepare_airflow_package(CLI::App& cmd, Context& ctx);

/// `release-management prepare-provider-packages`: options and action (cli/command_table.cpp).
void register_prepare_provider_packages(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::release_management
