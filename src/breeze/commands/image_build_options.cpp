// The build commands' options: Breeze's build and customisation options as rows, the options
// Python Breeze has that change nothing here, and the command's action.
#include <breeze/commands/image_build.hpp>

#include <breeze/commands/numeric_options.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/option_table.hpp>

#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>

#include <memory>

namespace breeze::commands {

namespace {

using docker::ImageType;

// Breeze's options this command had no use for, or that change only what breeze prints; each with
// Breeze's variable. Returns the --upgrade-on-failure flag (CI only; nullptr for PROD) so the
// action can tell "not given" (Breeze's default by CI) from either spelling.
CLI::Option* add_breeze_compat_options(CLI::App& cmd, ImageBuildOptions& o, bool& upgrade_flag) {
  const char* g = "Build options";
  CLI::Option* upgrade = nullptr;
  if (o.type == ImageType::ci)
    upgrade = add_option_rows(
                  cmd,
                  {{"--upgrade-on-failure,!--no-upgrade-on-failure", &upgrade_flag,
                    "Retry a failed build once with --upgrade-to-newer-dependencies [default: "
                    "yes, no when CI is set].",
                    "UPGRADE_ON_FAILURE"}},
                  g)
                  .front();
  add_option_rows(
      cmd,
      {
          {"--tag-as-latest", &o.image.tag_as_latest,
           "Also tag the image :latest (pushed too with --push).", "TAG_AS_LATEST"},
          {"--docker-host", &o.image.docker_host,
           "DOCKER_HOST for every docker command of the build (no --builder).", "DOCKER_HOST"},
          {"--github-token", &o.github_token,
           "Accepted for Breeze compatibility (masked in all output; not used).", "GITHUB_TOKEN"},
          {"--include-success-outputs", &o.include_success_outputs,
           "With --run-in-parallel: also print the logs of successful builds.",
           "INCLUDE_SUCCESS_OUTPUTS"},
          {"--skip-cleanup", &o.skip_cleanup,
           "Accepted for Breeze compatibility (the job logs are always kept).", "SKIP_CLEANUP"},
          {"--debug-resources", &o.debug_resources,
           "Accepted for Breeze compatibility (no resource monitor).", "DEBUG_RESOURCES"},
      },
      g);
  return upgrade;
}

// The build's options as rows, in help order. Python Breeze's PROD build lacks some of CI's
// variables (and some options), so for PROD breeze reads none of those.
std::vector<OptionRow> build_option_rows(ImageBuildOptions& o) {
  auto& i = o.image;
  const bool ci = o.type == ImageType::ci;
  const auto ci_only = [ci](const char* variable) { return ci ? variable : ""; };
  return {
      {"-u,--upgrade-to-newer-dependencies", &i.upgrade_to_newer_dependencies,
       "Upgrade dependencies eagerly instead of using the constraints.",
       ci_only("UPGRADE_TO_NEWER_DEPENDENCIES")},
      {"--eager-upgrade-additional-requirements", &i.eager_upgrade_additional_requirements,
       "Extra requirements (e.g. \"aiobotocore<=2.5.4\") applied with "
       "--upgrade-to-newer-dependencies.",
       ci_only("EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS")},
      {"--platform", &o.platform,
       "linux/amd64, linux/arm64, linux/amd64,linux/arm64 or both [default: the engine's own].",
       "PLATFORM"},
      {"--prepare-buildx-cache", &i.prepare_buildx_cache,
       "Push the registry cache (mode=max) of each platform instead of building an image.",
       "PREPARE_BUILDX_CACHE"},
      {"--push", &i.push, "Push the image after building it.", "PUSH"},
      {"--builder", &i.builder, "The docker buildx builder to use [default: buildx's current one].",
       "BUILDER"},
      {"-c,--docker-cache",
       &o.docker_cache,
       "Cache: registry, local or disabled [default: registry].",
       "DOCKER_CACHE",
       {CLI::IsMember({"registry", "local", "disabled"})}},
      image_tag_option(i.image_tag, "Tag of the built image [default: latest]."),
      {"--airflow-constraints-mode", &i.airflow_constraints_mode,
       ci ? "Constraints mode [default: constraints-source-providers]."
          : "Constraints mode [default: constraints].",
       ""},
      {"--airflow-constraints-reference", &i.airflow_constraints_reference,
       "Constraints branch or tag [default: the checkout's, constraints-main].",
       "AIRFLOW_CONSTRAINTS_REFERENCE"},
      {"--airflow-constraints-location", &i.airflow_constraints_location,
       "URL or path of constraints.", "AIRFLOW_CONSTRAINTS_LOCATION"},
      {"--python-image", &i.python_image, "Base image [default: python:X.Y-slim-<debian>].",
       "PYTHON_IMAGE"},
      {"--debian-version",
       &i.debian_version,
       "Debian release of the base image [default: bookworm].",
       "DEBIAN_VERSION",
       {CLI::IsMember({"bookworm", "bullseye"})}},
      {"--build-progress",
       &i.build_progress,
       "auto, plain or tty [default: auto].",
       "BUILD_PROGRESS",
       {CLI::IsMember({"auto", "plain", "tty"})}},
      {"--build-timeout-minutes",
       &o.build_timeout_minutes,
       "Stop a build that runs longer than this, then run find-backtracking-candidates.",
       ci_only("BUILD_TIMEOUT_MINUTES"),
       {numeric::integer_in(1, 10000)}},
      {"--commit-sha", &i.commit_sha, "Commit SHA recorded in the image.", "COMMIT_SHA"},
      {"--install-mysql-client-type",
       &i.install_mysql_client_type,
       "mariadb or mysql.",
       "INSTALL_MYSQL_CLIENT_TYPE",
       {CLI::IsMember({"mariadb", "mysql"})}},
      {"--use-uv,!--no-use-uv", &i.use_uv,
       ci ? "Install with uv [default: yes]." : "Install with uv [default: no].", "USE_UV"},
      {"--uv-http-timeout",
       &i.uv_http_timeout,
       "uv's HTTP timeout in seconds [default: 300].",
       "UV_HTTP_TIMEOUT",
       {numeric::integer_in(1, 3600)}},
      {"--version-suffix-for-pypi", &i.version_suffix_for_pypi, "Version suffix (e.g. dev0).",
       "VERSION_SUFFIX_FOR_PYPI"},
      {"--build-network", &i.network,
       "--network for RUN steps, e.g. host on an engine without a bridge (breeze only).", ""},
  };
}

// The customisation options (Breeze's "Customization options"), in help order; the last five
// are PROD's only.
std::vector<OptionRow> customisation_rows(ImageBuildOptions& o) {
  auto& i = o.image;
  std::vector<OptionRow> rows{
      {"--additional-airflow-extras", &i.additional_airflow_extras,
       "Extras added to the default ones.", "ADDITIONAL_AIRFLOW_EXTRAS"},
      {"--additional-dev-apt-command", &i.additional_dev_apt_command,
       "Command run before dev apt deps.", "ADDITIONAL_DEV_APT_COMMAND"},
      {"--additional-dev-apt-deps", &i.additional_dev_apt_deps, "Extra dev apt packages.",
       "ADDITIONAL_DEV_APT_DEPS"},
      {"--additional-dev-apt-env", &i.additional_dev_apt_env, "Env for the dev apt step.",
       "ADDITIONAL_DEV_APT_ENV"},
      {"--additional-pip-install-flags", &i.additional_pip_install_flags,
       "Extra pip install flags.", "ADDITIONAL_PIP_INSTALL_FLAGS"},
      {"--additional-python-deps", &i.additional_python_deps, "Extra Python packages.",
       "ADDITIONAL_PYTHON_DEPS"},
      {"--dev-apt-command", &i.dev_apt_command, "Replaces the dev apt command.", "DEV_APT_COMMAND"},
      {"--dev-apt-deps", &i.dev_apt_deps, "Replaces the dev apt packages.", "DEV_APT_DEPS"},
  };
  if (o.type == ImageType::prod)
    rows.insert(
        rows.end(),
        {
            {"--airflow-extras", &i.airflow_extras, "Extras installed in the PROD image.", ""},
            {"--install-packages-from-context", &i.install_packages_from_context,
             "Install the packages in docker-context-files/ instead of from PyPI.", ""},
            {"--additional-runtime-apt-deps", &i.additional_runtime_apt_deps,
             "Extra runtime apt packages.", "ADDITIONAL_RUNTIME_APT_DEPS"},
            {"--additional-runtime-apt-command", &i.additional_runtime_apt_command,
             "Command run before runtime apt deps.", "ADDITIONAL_RUNTIME_APT_COMMAND"},
            {"--additional-runtime-apt-env", &i.additional_runtime_apt_env,
             "Env for the runtime apt step.", "ADDITIONAL_RUNTIME_APT_ENV"},
        });
  return rows;
}

void add_image_build_options(CLI::App& cmd, ImageBuildOptions& o) {
  const char* g = "Build options";
  add_python_selection(cmd, o.python, o.run_in_parallel, o.python_versions, o.parallelism, {}, g);
  add_option_rows(cmd, build_option_rows(o), g);
  add_option_rows(cmd, customisation_rows(o), "Customisation");
}

} // namespace

void add_image_build_command(CLI::App& cmd, Context& ctx, ImageType type) {
  auto opts = std::make_shared<ImageBuildOptions>();
  opts->type = type;
  if (type == ImageType::prod) docker::apply_prod_defaults(opts->image);
  add_image_build_options(cmd, *opts);
  add_output_option(cmd, opts->output)->group("Build options");
  auto upgrade_flag = std::make_shared<bool>(false);
  auto* upgrade = add_breeze_compat_options(cmd, *opts, *upgrade_flag);
  cmd.callback([&ctx, opts, upgrade, upgrade_flag] {
    ctx.action = [opts, upgrade, upgrade_flag](Context& c) {
      // Read when the action runs: the environment's value is filled in after parsing.
      auto o = *opts;
      if (upgrade != nullptr && upgrade->count() > 0) o.upgrade_on_failure = *upgrade_flag;
      return build_images(c, std::move(o));
    };
  });
}

} // namespace breeze::commands
