#pragma once

#include <breeze/base/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace breeze::docker {

/// Which of Airflow's two images: the CI image (Dockerfile.ci) or the PROD image (Dockerfile).
enum class ImageType { ci, prod };

/// Where layers are cached: `registry` (the :cache-<platform> refs), `local` (the engine's own
/// cache only) or `disabled` (--no-cache).
enum class DockerCache { registry, local, disabled };

/// Everything that decides the docker command lines of one image build (one Python version).
/// Values the tool itself computes (date, random upgrade string, Airflow version) are inputs so
/// the builder stays a pure function.
struct ImageParams {
  ImageType type = ImageType::ci;
  std::string registry = "ghcr.io";
  std::string github_repository = "apache/airflow";
  std::string branch = "main";
  std::string python;         ///< X.Y; no default: the settings decide (commands::image_params)
  std::string image_tag;      ///< empty: `latest`
  bool tag_as_latest = false; ///< also tag the image `:latest` (--tag-as-latest)
  std::vector<std::string> platforms{"linux/amd64"}; ///< normalised (see normalize_platforms)
  DockerCache docker_cache = DockerCache::registry;
  std::string builder; ///< a buildx builder name; empty: buildx's current one
  std::string build_progress = "auto";
  std::string network; ///< `--network` for RUN steps (empty: engine default)
  bool push = false;
  bool prepare_buildx_cache = false;
  std::string dockerfile; ///< empty: Dockerfile.ci / Dockerfile by type

  // Build-arg inputs (names as Airflow's Dockerfiles declare them).
  std::string airflow_branch; ///< empty: `branch`
  std::string airflow_constraints_mode = "constraints-source-providers";
  std::string airflow_constraints_reference = "constraints-main";
  std::string airflow_constraints_location;
  std::string airflow_extras; ///< empty: `devel-ci` (CI) / Breeze's PROD default
  std::string airflow_version;
  std::string build_id = "0";
  std::string commit_sha;
  std::string source_commit; ///< git HEAD of the sources (image label; empty: unknown)
  std::string constraints_github_repository = "apache/airflow";
  std::string debian_version = "bookworm";
  std::string python_image;       ///< empty: python:<X.Y>-slim-<debian_version>
  std::string image_date_created; ///< `%Y-%m-%dT%H:%M:%SZ`
  bool upgrade_to_newer_dependencies = false;
  std::string upgrade_invalidation_string; ///< random hex, only with the upgrade flag
  std::string eager_upgrade_additional_requirements;
  std::string additional_airflow_extras;
  std::string additional_dev_apt_command;
  std::string additional_dev_apt_deps;
  std::string additional_dev_apt_env;
  std::string additional_pip_install_flags;
  std::string additional_python_deps;
  std::string dev_apt_command;
  std::string dev_apt_deps;
  std::string docker_host; ///< DOCKER_HOST of every docker step and the DOCKER_HOST build arg
  std::string install_mysql_client_type = "mariadb";
  bool use_uv = true;
  int uv_http_timeout = 300;
  std::string version_suffix_for_pypi;         ///< CI: empty is `dev0`, as Python Breeze forces
  bool airflow_pre_cached_pip_packages = true; ///< CI: AIRFLOW_PRE_CACHED_PIP_PACKAGES
  // PROD only.
  bool install_packages_from_context = false;
  std::string additional_runtime_apt_deps;
  std::string additional_runtime_apt_command;
  std::string additional_runtime_apt_env;
};

/// `ci` or `prod`.
[[nodiscard]] std::string type_name(ImageType type);

/// `linux/amd64` for linux/amd64, linux/x86_64, amd64, x86_64 (and the same for arm64/aarch64);
/// a usage error naming the allowed values otherwise.
[[nodiscard]] Expected<std::string> normalize_platform(const std::string& platform);

/// `--platform` value to list: `linux/amd64`, `linux/arm64`, `linux/amd64,linux/arm64` or `both`.
[[nodiscard]] Expected<std::vector<std::string>> normalize_platforms(const std::string& value);

/// The engine's own platform (`linux/amd64` on x86_64, `linux/arm64` on aarch64).
[[nodiscard]] std::string native_platform();

/// `ghcr.io/<github-repository lower-cased>/<branch>/<ci|prod>/python<X.Y>`.
[[nodiscard]] std::string image_name(const ImageParams& p);

/// image_name with `:<image-tag>` (`:latest` when no tag).
[[nodiscard]] std::string image_name_with_tag(const ImageParams& p);

/// `<image_name>:cache-linux-amd64` / `:cache-linux-arm64` for one platform.
[[nodiscard]] std::string cache_ref(const ImageParams& p, const std::string& platform);

/// The base image: `--python-image` or `python:<X.Y>-slim-<debian>`.
[[nodiscard]] std::string python_base_image(const ImageParams& p);

/// Dockerfile path relative to the sources root.
[[nodiscard]] std::string dockerfile_of(const ImageParams& p);

/// `NAME=VALUE` build args in Breeze's 2024 order: required ones, then those only set when
/// non-empty (see docs/ci-image-build.md).
[[nodiscard]] std::vector<std::string> build_arg_values(const ImageParams& p);

/// Sets Python Breeze's `prod-image build` defaults where they differ from the CI build's:
/// `--airflow-constraints-mode constraints` and `--no-use-uv`. Called before options are read.
void apply_prod_defaults(ImageParams& p);

/// Breeze's 2024 PROD extras ("aiobotocore,amazon,..."), what a PROD build gets when neither
/// --airflow-extras nor the checkout's DEFAULT_EXTRAS gives a list.
[[nodiscard]] std::string_view default_prod_extras();

} // namespace breeze::docker
