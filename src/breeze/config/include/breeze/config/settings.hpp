#pragma once

#include <breeze/base/env.hpp>
#include <breeze/base/expected.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::config {

/// Project settings. Built-in defaults are Apache Airflow's; a `breeze.yaml` in the sources root
/// overrides them (so other projects with the same CI-image + constraints pattern can use breeze),
/// then BREEZE_* environment variables, then command-line flags (applied by each command).
struct Settings {
  std::vector<std::string> python_versions{"3.10", "3.11", "3.12", "3.13"};
  std::string default_branch = "main";
  std::string registry = "ghcr.io";
  std::string github_repository = "apache/airflow";
  std::vector<std::string> constraints_modes{"constraints-source-providers", "constraints",
                                             "constraints-no-providers"};
  std::string default_constraints_mode = "constraints-source-providers";
  std::string constraints_branch = "constraints-main";
  std::string dockerfile_ci = "Dockerfile.ci";
  std::string dockerfile_prod = "Dockerfile";
  /// Shell command (run with `sh -c` in the sources root) that builds the packages into dist/ for
  /// the PROD image instead of breeze's own prepare-provider-packages / prepare-airflow-package;
  /// empty (the default): breeze's own. `ci refresh-images` moves the wheels into
  /// docker-context-files/.
  std::string package_build_command;
  /// Per constraints mode: the shell command (`/bin/sh -c`, in the CI image, sources at
  /// /opt/airflow, files/ at /files) that installs what the mode needs and prints `pip freeze` on
  /// stdout (install output goes to stderr). generate-constraints filters and writes the result
  /// itself.
  std::map<std::string, std::string> constraints_generation_commands{
      {"constraints-source-providers", "pip freeze"},
      {"constraints",
       "pip install --upgrade --upgrade-strategy eager -e '/opt/airflow[all-core]' $(python -c "
       "'import json; "
       "print(\" \".join(\"apache-airflow-providers-\" + p.replace(\".\", \"-\") for p in "
       "json.load(open(\"/opt/airflow/generated/provider_dependencies.json\"))))') >&2 && pip "
       "freeze"},
      {"constraints-no-providers", "pip freeze | grep -v '^-e' | grep -v ' @ ' | cut -d= -f1 | "
                                   "xargs -r pip uninstall -y >&2 && "
                                   "pip install --upgrade --upgrade-strategy eager -e "
                                   "'/opt/airflow[all-core]' >&2 && pip freeze"},
  };
  /// The shell command (`/bin/sh -c`, in the CI image, sources mounted at /opt/airflow) that
  /// `ci bisect-backtracking --probe resolve` runs: only the resolution of the image's
  /// eager-upgrade step, with the limits to try in $EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS.
  /// Airflow's default is the 2024 Dockerfile.ci's eager-upgrade `pip install` with `--dry-run`.
  std::string resolve_command =
      "cd /opt/airflow && pip install --root-user-action ignore --dry-run --upgrade "
      "--upgrade-strategy eager "
      "${ADDITIONAL_PIP_INSTALL_FLAGS:-} --editable \".[${AIRFLOW_EXTRAS:-devel-ci}]\" "
      "${EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS}";
  /// `pip freeze` lines starting with one of these are left out of generated constraints
  /// (Airflow itself, editable installs, comments).
  std::vector<std::string> freeze_drop_prefixes{"apache-airflow==", "apache_airflow", "-e ",
                                                "/opt/airflow", "#"};
  /// `pip freeze` lines containing one of these are left out (direct references and local files).
  std::vector<std::string> freeze_drop_containing{" @ ", "file://"};
  /// Hosts besides github.com that may receive GITHUB_TOKEN over https (GitHub Enterprise), from
  /// `github-token-hosts` / BREEZE_GITHUB_TOKEN_HOSTS (space or comma separated).
  std::vector<std::string> github_token_hosts;

  /// The sources root (folder holding Dockerfile.ci or breeze.yaml); empty when none was found.
  std::filesystem::path sources_root;
  /// The breeze.yaml that was read, if any.
  std::optional<std::filesystem::path> settings_file;

  /// The checkout's DEFAULT_PYTHON_MAJOR_MINOR_VERSION; empty when the checkout gives none (then
  /// the newest of python_versions is the default, breeze's own choice).
  std::string default_python;
  /// The checkout's DEBIAN_VERSION (branch_defaults.py); empty when it gives none.
  std::string debian_version;
  /// The checkout's DEFAULT_EXTRAS (global_constants.py), the PROD image's default extras; empty
  /// when it gives none (then breeze's copy of Breeze's 2024 list).
  std::vector<std::string> prod_extras;
  /// Where each value came from, by setting name ("python-versions", "default-python",
  /// "default-branch", "constraints-branch", "debian-version" shown by `breeze version`, and
  /// "prod-extras"): "built-in",
  /// "file:line" of the checkout, the breeze.yaml path, or the environment variable.
  std::map<std::string, std::string> origins;
  /// One "file:line: NAME: unsupported form (why)" per checkout value that fell back; for
  /// --verbose.
  std::vector<std::string> checkout_notes;

  /// The default for `--python`: the checkout's default when it is one of python_versions (Python
  /// Breeze: the oldest allowed), else the newest of python_versions.
  [[nodiscard]] std::string default_python_version() const;
  /// Where `key` came from ("built-in" when not recorded).
  [[nodiscard]] std::string origin(const std::string& key) const;

  /// Newest supported Python ("3.13" by default) — the default for `--python`.
  [[nodiscard]] std::string newest_python() const;
  /// Oldest supported Python ("3.10" by default).
  [[nodiscard]] std::string oldest_python() const;
  /// Usage error unless `python` is MAJOR.MINOR and one of python_versions.
  [[nodiscard]] Expected<void> check_python(const std::string& python) const;
  /// Usage error unless `mode` is one of constraints_modes.
  [[nodiscard]] Expected<void> check_constraints_mode(const std::string& mode) const;
};

/// True for `MAJOR.MINOR` of at most 3 digits each (`3.12`): a Python version breeze may put in
/// file names (files/constraints-3.12/...) and image tags.
[[nodiscard]] bool is_python_version(std::string_view text);

/// True for a constraints mode name that is safe in a file name: letters, digits, `-`, `_`, `.`,
/// not starting with `.` or `-`.
[[nodiscard]] bool is_constraints_mode(std::string_view text);

/// Walks up from `start` (absolute: the injected working directory; a relative one finds nothing)
/// to the first folder holding `Dockerfile.ci` or `breeze.yaml`.
[[nodiscard]] std::optional<std::filesystem::path>
find_sources_root(const std::filesystem::path& start);

/// Applies a breeze.yaml text to `settings`. Errors are usage errors worded
/// `breeze.yaml:LINE: what is wrong`.
[[nodiscard]] Expected<void> apply_yaml(Settings& settings, const std::string& yaml_text,
                                        const std::string& file_label = "breeze.yaml");

/// Applies BREEZE_PYTHON_VERSIONS (space or comma separated), BREEZE_DEFAULT_BRANCH,
/// BREEZE_REGISTRY, BREEZE_CONSTRAINTS_BRANCH, BREEZE_GITHUB_TOKEN_HOSTS (space or comma
/// separated).
[[nodiscard]] Expected<void> apply_env(Settings& settings, const EnvLookup& env);

/// Applies what an Airflow checkout under `settings.sources_root` gives (dev/breeze's
/// global_constants.py and branch_defaults.py, read as text) and records where each value came
/// from. Missing files change nothing; unknown forms go to `checkout_notes`.
[[nodiscard]] Expected<void> apply_checkout(Settings& settings);

/// Defaults <- checkout files <- breeze.yaml in the sources root <- environment. `airflow_sources`
/// is the value of --airflow-sources, relative to `cwd` (the injected working directory) when not
/// absolute (empty: discover from `cwd`).
[[nodiscard]] Expected<Settings> load(const std::string& airflow_sources,
                                      const std::filesystem::path& cwd, const EnvLookup& env);

} // namespace breeze::config
