#include "prepare_packages_detail.hpp"

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/option_table.hpp>
#include <breeze/commands/release_management/prepare_packages.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <regex>

namespace breeze::commands::release_management {

namespace fs = std::filesystem;

namespace packages_detail {

namespace {

// Python Breeze's tool versions for the build image (release_management_commands.py, late 2024).
constexpr const char* k_pip_version = "24.3.1";
constexpr const char* k_hatch_version = "1.9.1";
constexpr const char* k_pyyaml_version = "6.0.1";
constexpr const char* k_gitpython_version = "3.1.40";
constexpr const char* k_rich_version = "13.7.0";
constexpr const char* k_pre_commit_version = "3.5.0";

// What the build image's context leaves out: generated and local-only files, so the image holds
// the sources as git has them (Breeze's AIRFLOW_BUILD_DOCKERIGNORE, the same patterns).
constexpr const char* k_build_dockerignore = R"(# Generated at build time
airflow/git_version
# Local node_modules and the docs link of the www sources
airflow/www/node_modules
airflow/ui/node_modules
airflow/www/static/docs
out/
# Python build and cache files
**/__pycache__/
**/*.py[cod]
**/*$py.class
**/.pytest_cache/
**/env/
**/build/
**/develop-eggs/
/dist/
**/downloads/
**/eggs/
**/.eggs/
**/lib/
**/lib64/
**/parts/
**/sdist/
**/var/
**/wheels/
**/*.egg-info/
**/.installed.cfg
**/*.egg
# Editor, output and OS files
**/*~
**/*.out
**/hive_scratch_dir/
**/.DS_Store
**/Thumbs.db
# Generated docs and memray reports
docs/_build/
docs/_api/
docs/_doctrees/
*.py.*.html
*.py.*.bin)";

constexpr const char* k_dockerfile_name = "airflow-build-dockerfile";
constexpr const char* k_dockerignore_name = "airflow-build-dockerfile.dockerignore";

// 16 hex digits, as Breeze's `random.getrandbits(64)` names its build containers.
std::string random_suffix() {
  std::random_device device;
  const auto value = (static_cast<std::uint64_t>(device()) << 32U) | device();
  return fmt::format("{:016x}", value);
}

// A call whose output is streamed to the terminal (print_child_line drops a tty run's \r).
process::ProcessSpec streamed(std::vector<std::string> argv, const fs::path& cwd) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.cwd = cwd;
  spec.capture = false;
  spec.merge_stderr = true;
  spec.on_line = [](const std::string& line) { console::print_child_line(line); };
  return spec;
}

ExitCode failed_or_interrupted(const process::ProcessResult& r) {
  return r.interrupted || interrupt::requested() ? ExitCode::interrupted : ExitCode::failure;
}

// `docker rm --force NAME`, quietly; a container that is already gone is not an error.
void remove_container(Context& ctx, const std::string& docker, const std::string& name) {
  process::ProcessSpec spec;
  spec.argv = {docker, "rm", "--force", name};
  spec.capture = true;
  spec.cleanup = true; // also after Ctrl-C stopped the run: no container is left behind
  spec.timeout = std::chrono::seconds(60);
  if (auto r = ctx.runner().run(spec); !r || !r->ok())
    spdlog::debug("docker rm --force {} did not succeed", name);
}

} // namespace

const std::vector<std::string>& package_formats() {
  static const std::vector<std::string> formats{"wheel", "sdist", "both"};
  return formats;
}

std::string build_dockerfile(const config::Settings& settings) {
  const auto debian = settings.debian_version.empty() ? docker::ImageParams{}.debian_version
                                                      : settings.debian_version;
  return fmt::format("FROM python:{}-slim-{}\n"
                     "RUN apt-get update && apt-get install -y --no-install-recommends git\n"
                     "RUN pip install pip=={} hatch=={} pyyaml=={}\\\n"
                     " gitpython=={} rich=={} pre-commit=={}\n"
                     "COPY . /opt/airflow",
                     settings.default_python_version(), debian, k_pip_version, k_hatch_version,
                     k_pyyaml_version, k_gitpython_version, k_rich_version, k_pre_commit_version);
}

Expected<ExitCode> build_local_image(Context& ctx) {
  const auto& root = ctx.settings.sources_root;
  if (ctx.globals.dry_run) {
    ctx.out() << fmt::format("# write {} and {} in {}\n", k_dockerfile_name, k_dockerignore_name,
                             root.string());
  } else {
    BREEZE_TRY_VOID(files::write_atomic(root / k_dockerfile_name, build_dockerfile(ctx.settings)));
    BREEZE_TRY_VOID(files::write_atomic(root / k_dockerignore_name, k_build_dockerignore));
  }
  const auto docker = docker::docker_client(ctx.services().env);
  auto spec =
      streamed({docker, "build", ".", "-f", k_dockerfile_name, "--tag", k_build_image}, root);
  spec.env["DOCKER_CLI_HINTS"] = "false";
  spdlog::info("Building the package build image {}", k_build_image);
  BREEZE_TRY(auto r, ctx.runner().run(spec));
  if (r.ok()) return ExitCode::ok;
  spdlog::error("Building the package build image failed (exit {}): {}", r.exit_code,
                strings::shell_join(spec.argv));
  return failed_or_interrupted(r);
}

std::vector<OptionRow> package_option_rows(std::string& format, std::string& suffix) {
  return {{"--package-format",
           &format,
           "Format of packages.",
           "PACKAGE_FORMAT",
           {CLI::IsMember(package_formats())},
           true},
          {"--version-suffix-for-pypi", &suffix,
           "Version suffix used for PyPI packages (e.g. dev0, rc1).", "VERSION_SUFFIX_FOR_PYPI"}};
}

Expected<std::optional<ExitCode>> refuse_unless_ready(Context& ctx, const std::string& title,
                                                      const std::vector<std::string>& problems) {
  BREEZE_TRY_VOID(require_sources_root(ctx.settings));
  if (problems.empty()) return std::nullopt;
  spdlog::error("{}", title);
  for (const auto& p : problems)
    spdlog::error("  - {}", p);
  return ExitCode::failure;
}

Expected<ExitCode> prepare_build_image(Context& ctx) {
  BREEZE_TRY_VOID(docker::check_engine(ctx.runner(), docker::docker_client(ctx.services().env)));
  return build_local_image(ctx);
}

std::vector<std::string> package_env_flags(const std::string& suffix, const std::string& format) {
  return {"-e", "VERSION_SUFFIX_FOR_PYPI=" + suffix,
          "-e", "HOME=/opt/airflow/files/home",
          "-e", "GITHUB_ACTIONS",
          "-e", "PACKAGE_FORMAT=" + format};
}

Expected<ExitCode> run_and_copy_dist(Context& ctx, const ContainerRun& run) {
  const auto& root = ctx.settings.sources_root;
  const auto docker = docker::docker_client(ctx.services().env);
  const auto name = fmt::format("{}-{}", run.name_prefix, random_suffix());
  std::vector<std::string> argv{docker, "run", "--name", name};
  argv.insert(argv.end(), run.docker_flags.begin(), run.docker_flags.end());
  argv.emplace_back(k_build_image);
  argv.insert(argv.end(), run.command.begin(), run.command.end());
  auto spec = streamed(std::move(argv), root);
  spec.input = run.input;
  spdlog::info("Preparing {} in {}", run.what, k_build_image);
  BREEZE_TRY(auto r, ctx.runner().run(spec));
  if (!r.ok()) {
    spdlog::error("Preparing {} failed (exit {}); container {} removed", run.what, r.exit_code,
                  name);
    remove_container(ctx, docker, name);
    return failed_or_interrupted(r);
  }
  if (!ctx.globals.dry_run) {
    std::error_code ec;
    fs::create_directories(root / "dist", ec);
    if (ec) {
      remove_container(ctx, docker, name);
      return Error{ErrorKind::io,
                   fmt::format("cannot create {}: {}", (root / "dist").string(), ec.message())};
    }
  }
  // Every file of the container's dist/ (note the `/.`), as Breeze copies them.
  auto copy = streamed({docker, "cp", name + ":/opt/airflow/dist/.", "./dist"}, root);
  // Removed before any way out, also when the copy could not start (Ctrl-C just before it).
  auto copied = ctx.runner().run(copy);
  remove_container(ctx, docker, name);
  if (!copied) return copied.error();
  if (!copied->ok()) {
    spdlog::error("Copying {} out of container {} failed (exit {})", run.what, name,
                  copied->exit_code);
    return failed_or_interrupted(*copied);
  }
  return ExitCode::ok;
}

std::vector<fs::path> dist_packages(const fs::path& dist, const std::string& pattern,
                                    const std::string& format) {
  const std::regex name_re(pattern);
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dist, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    const auto name = it->path().filename().string();
    if (!std::regex_search(name, name_re)) continue;
    const bool wheel = name.ends_with(".whl");
    const bool sdist = name.ends_with(".tar.gz") && !name.ends_with("-source.tar.gz");
    if ((wheel && format != "sdist") || (sdist && format != "wheel")) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ExitCode report_dist(Context& ctx, const std::vector<fs::path>& packages, const std::string& format,
                     const std::string& what) {
  if (packages.empty()) {
    spdlog::error("The build of {} left no {} package in {}", what, format,
                  (ctx.settings.sources_root / "dist").string());
    return ExitCode::failure;
  }
  auto& out = ctx.out();
  out << "Packages available in dist:\n";
  for (const auto& p : packages)
    out << "  " << p.filename().string() << "\n";
  return ExitCode::ok;
}

} // namespace packages_detail

namespace {

using namespace packages_detail;

constexpr const char* k_airflow_script = "scripts/in_container/run_prepare_airflow_packages.py";
constexpr const char* k_airflow_dist_pattern = "^apache[_-]airflow-[0-9]";

// airflow/reproducible_build.yaml's `source-date-epoch` (what Breeze's get_source_date_epoch
// reads), or why it cannot be read.
Expected<long long> source_date_epoch(const fs::path& root) {
  const auto file = root / "airflow" / "reproducible_build.yaml";
  auto text = files::read(file);
  if (!text)
    return Error{ErrorKind::failure, fmt::format("{}: {} (Breeze reads source-date-epoch from it)",
                                                 file.string(), text.error().message)};
  try {
    const auto doc = YAML::Load(*text);
    const auto node = doc.IsMap() ? doc["source-date-epoch"] : YAML::Node();
    if (!node || !node.IsScalar())
      return Error{ErrorKind::failure, fmt::format("{} has no source-date-epoch", file.string())};
    return node.as<long long>();
  } catch (const YAML::Exception& e) {
    return Error{ErrorKind::failure, fmt::format("{}: source-date-epoch is not a number ({})",
                                                 file.string(), e.what())};
  }
}

} // namespace

std::vector<std::string> airflow_package_problems(const Context& ctx) {
  std::vector<std::string> problems;
  const auto& root = ctx.settings.sources_root;
  std::error_code ec;
  if (!fs::is_regular_file(root / k_airflow_script, ec))
    problems.push_back(fmt::format(
        "{} not found in {}: breeze prepares the Airflow package with the checkout's in-container "
        "script, which Airflow 2 checkouts have (Airflow 3's run_prepare_airflow_distributions.py "
        "is not run by this breeze)",
        k_airflow_script, root.string()));
  if (auto epoch = source_date_epoch(root); !epoch) problems.push_back(epoch.error().message);
  return problems;
}

Expected<ExitCode> run_prepare_airflow_package(const AirflowPackageOptions& o, Context& ctx) {
  const auto& root = ctx.settings.sources_root;
  BREEZE_TRY(auto refused, refuse_unless_ready(ctx, "Cannot prepare the Airflow package:",
                                               airflow_package_problems(ctx)));
  if (refused) return *refused;
  BREEZE_TRY(const auto epoch, source_date_epoch(root));
  const auto epoch_text = std::to_string(epoch);
  if (o.use_local_hatch) {
    // Breeze's _build_airflow_packages_with_hatch: the host's hatch, custom target first.
    std::vector<std::string> argv{"hatch", "build", "-c", "-t", "custom"};
    if (o.package_format != "wheel") argv.insert(argv.end(), {"-t", "sdist"});
    if (o.package_format != "sdist") argv.insert(argv.end(), {"-t", "wheel"});
    auto spec = streamed(std::move(argv), root);
    spec.env = {{"SOURCE_DATE_EPOCH", epoch_text}, {"VERSION_SUFFIX_FOR_PYPI", o.version_suffix}};
    auto r = ctx.runner().run(spec);
    if (!r)
      return Error{ErrorKind::failure,
                   fmt::format("cannot run hatch ({}): install it (`pipx install hatch`) or leave "
                               "out --use-local-hatch to build in docker",
                               r.error().message)};
    if (!r->ok()) {
      spdlog::error("hatch build failed (exit {})", r->exit_code);
      return failed_or_interrupted(*r);
    }
  } else {
    BREEZE_TRY(auto image, prepare_build_image(ctx));
    if (image != ExitCode::ok) return image;
    ContainerRun run;
    run.name_prefix = "airflow-build";
    // Breeze's order: the suffix, the epoch, then the rest.
    auto env = package_env_flags(o.version_suffix, o.package_format);
    env.insert(env.begin() + 2, {"-e", "SOURCE_DATE_EPOCH=" + epoch_text});
    run.docker_flags = {"-t"};
    run.docker_flags.insert(run.docker_flags.end(), env.begin(), env.end());
    run.docker_flags.insert(run.docker_flags.end(), {"-w", "/opt/airflow"});
    run.command = {"python", "/opt/airflow/" + std::string(k_airflow_script)};
    run.what = "the Airflow package";
    BREEZE_TRY(auto ran, run_and_copy_dist(ctx, run));
    if (ran != ExitCode::ok) return ran;
  }
  if (!ctx.globals.dry_run) {
    const auto packages = dist_packages(root / "dist", k_airflow_dist_pattern, o.package_format);
    if (const auto listed = report_dist(ctx, packages, o.package_format, "the Airflow package");
        listed != ExitCode::ok)
      return listed;
  }
  spdlog::info("Successfully prepared Airflow packages");
  return ExitCode::ok;
}

void register_prepare_airflow_package(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto o = std::make_shared<AirflowPackageOptions>();
  auto rows = package_option_rows(o->package_format, o->version_suffix);
  rows.push_back({"--use-local-hatch", &o->use_local_hatch,
                  "Use local hatch instead of docker to build the package. You need to have hatch "
                  "installed.",
                  ""});
  add_option_rows(*cmd, rows, "");
  cmd->callback(
      [&ctx, o] { ctx.action = [o](Context& c) { return run_prepare_airflow_package(*o, c); }; });
}

} // namespace breeze::commands::release_management
