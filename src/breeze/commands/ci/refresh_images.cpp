#include <breeze/commands/ci/refresh_images.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/image_build.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/release_management/prepare_packages.hpp>
#include <breeze/docker/buildx.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <breeze/commands/numeric_options.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <unistd.h>

namespace breeze::commands::ci {

namespace {

struct RefreshOptions {
  std::string python_versions; ///< empty: all supported
  std::string platform = "linux/amd64,linux/arm64";
  std::string builder = "airflow_cache";
  int parallelism = 0;
  bool ci_image_only = false; ///< --ci-image-only: step 1 only (no package step, no PROD cache)
};

namespace fs = std::filesystem;

// Visible (non-dot) regular files of `dir`, sorted: what the script's `dir/*` glob matches.
std::vector<fs::path> visible_files(const fs::path& dir, const std::string& suffix = "") {
  std::vector<fs::path> out;
  std::error_code ec;
  // increment(ec), not range-for: the throwing operator++ would let an error out of a listing.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& e = *it;
    const auto name = e.path().filename().string();
    std::error_code type_ec;
    if (name.starts_with(".") || !e.is_regular_file(type_ec)) continue;
    if (!suffix.empty() && !name.ends_with(suffix)) continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// dist/ and docker-context-files/ as step 2 will empty them. A folder that is a symlink to
// elsewhere is emptied only after saying so and a yes (--answer yes), decided before step 1 so
// neither the question nor a folder that cannot be written waits for an hour of builds.
Expected<ExitCode> check_package_dirs(Context& ctx) {
  const auto root = ctx.settings.sources_root;
  for (const auto* name : {"dist", "docker-context-files"}) {
    const auto dir = root / name;
    std::error_code ec;
    const auto link = fs::symlink_status(dir, ec);
    if (fs::is_symlink(link)) {
      const auto target = fs::read_symlink(dir, ec);
      const auto resolved = fs::weakly_canonical(dir, ec);
      const auto where = ec ? target.string() : resolved.string();
      if (!fs::is_directory(dir, ec))
        return Error{ErrorKind::failure,
                     fmt::format("{}/ is a symlink to {}, which is not a folder: make it a folder",
                                 name, where)};
      const auto files = visible_files(dir).size();
      if (ctx.globals.dry_run) {
        ctx.out() << fmt::format(
            "# {}/ is a symlink to {}: step 2 would delete the {} file(s) there (and ask "
            "first)\n",
            name, where, files);
        continue;
      }
      BREEZE_TRY(auto answer, ctx.confirm(fmt::format(
                                  "{}/ is a symlink to {}: step 2 deletes the {} file(s) there. "
                                  "Go on?",
                                  name, where, files)));
      if (answer != prompt::Answer::yes) {
        spdlog::error("Nothing was built or deleted: replace {} by a folder, or answer yes",
                      dir.string());
        return ExitCode::failure;
      }
    }
    if (!ctx.globals.dry_run) {
      if (auto writable = paths::check_writable_dir(dir); !writable)
        return Error{writable.error().kind, fmt::format("step 2 could not empty and fill {}/: {}",
                                                        name, writable.error().what())};
    }
  }
  return ExitCode::ok;
}

// The options dev/refresh_images.sh (2024) gives Breeze's two package commands.
release_management::ProviderPackagesOptions native_providers(const Context& ctx) {
  release_management::ProviderPackagesOptions o;
  o.package_format = "wheel";
  o.version_suffix = "dev0";
  o.package_list_file = ctx.settings.sources_root / "prod_image_installed_providers.txt";
  return o;
}

release_management::AirflowPackageOptions native_airflow() {
  release_management::AirflowPackageOptions o;
  o.package_format = "wheel";
  o.version_suffix = "dev0";
  return o;
}

Expected<ExitCode> move_wheels(Context& ctx);

// Step 2 of dev/refresh_images.sh: empty dist/ and docker-context-files/, build the packages with
// breeze's own prepare-provider-packages and prepare-airflow-package (or the configured
// package-build-command), move the wheels into docker-context-files/ readable by the image build.
Expected<ExitCode> build_packages(Context& ctx) {
  const auto root = ctx.settings.sources_root;
  const auto dist = root / "dist";
  const auto context_dir = root / "docker-context-files";
  if (ctx.globals.dry_run) {
    auto& out = ctx.out();
    out << "rm -f dist/* docker-context-files/*\n";
  } else {
    std::error_code ec;
    for (const auto& dir : {dist, context_dir}) {
      for (const auto& f : visible_files(dir)) {
        if (!fs::remove(f, ec) && ec)
          return Error{ErrorKind::io,
                       fmt::format("cannot remove {}: {}", f.string(), ec.message())};
      }
    }
  }
  if (ctx.settings.package_build_command.empty()) {
    // dev/refresh_images.sh's two Breeze commands, as breeze's own.
    BREEZE_TRY(auto providers,
               release_management::run_prepare_provider_packages(native_providers(ctx), ctx));
    if (providers != ExitCode::ok) return providers;
    BREEZE_TRY(auto airflow,
               release_management::run_prepare_airflow_package(native_airflow(), ctx));
    if (airflow != ExitCode::ok) return airflow;
    return move_wheels(ctx);
  }
  process::ProcessSpec spec;
  spec.argv = {"sh", "-c", ctx.settings.package_build_command};
  spec.cwd = root;
  spec.merge_stderr = true;
  spec.capture = false;
  spec.on_line = [](const std::string& line) { console::print_child_line(line); };
  spdlog::info("Building the packages: {}", ctx.settings.package_build_command);
  BREEZE_TRY(auto r, ctx.runner().run(spec));
  if (r.interrupted || interrupt::requested()) return ExitCode::interrupted;
  if (!r.ok()) {
    spdlog::error("the package-build command failed (exit {}): {}", r.exit_code,
                  ctx.settings.package_build_command);
    return ExitCode::failure;
  }
  return move_wheels(ctx);
}

// The end of step 2: dist/*.whl into docker-context-files/, readable by the image build.
Expected<ExitCode> move_wheels(Context& ctx) {
  const auto root = ctx.settings.sources_root;
  const auto dist = root / "dist";
  const auto context_dir = root / "docker-context-files";
  if (ctx.globals.dry_run) {
    ctx.out() << "mv dist/*.whl docker-context-files/ && chmod a+r docker-context-files/*\n";
    return ExitCode::ok;
  }
  auto wheels = visible_files(dist, ".whl");
  if (wheels.empty()) {
    spdlog::error("the package-build command left no wheels in {}: check `package-build-command` "
                  "in breeze.yaml",
                  dist.string());
    return ExitCode::failure;
  }
  std::error_code ec;
  fs::create_directories(context_dir, ec);
  for (const auto& w : wheels) {
    const auto to = context_dir / w.filename();
    fs::rename(w, to, ec);
    if (ec)
      return Error{ErrorKind::io,
                   fmt::format("cannot move {} to {}: {}", w.string(), to.string(), ec.message())};
    fs::permissions(to, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::add, ec);
  }
  spdlog::info("Moved {} wheel(s) to {}", wheels.size(), context_dir.string());
  return ExitCode::ok;
}

ImageBuildOptions cache_options(const RefreshOptions& o, docker::ImageType type) {
  ImageBuildOptions b;
  b.type = type;
  b.run_in_parallel = true;
  b.python_versions = o.python_versions;
  b.platform = o.platform;
  b.parallelism = o.parallelism;
  b.image.prepare_buildx_cache = true;
  b.image.builder = o.builder;
  if (type == docker::ImageType::prod) {
    docker::apply_prod_defaults(b.image);
    b.image.install_packages_from_context = true;
  }
  return b;
}

// The program of each command of a `sh -c` line (`a x && b y | c` -> a, b, c), skipping
// leading VAR=value assignments.
std::vector<std::vector<std::string>> shell_commands(const std::string& line) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> current;
  for (const auto& word : strings::split_whitespace(line)) {
    if (word == "&&" || word == "||" || word == ";" || word == "|") {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (current.empty() && word.find('=') != std::string::npos && !word.starts_with("-")) continue;
    current.push_back(word);
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// `name` as the shell would find it: a path (relative to the sources root) or a PATH entry.
std::optional<fs::path> find_program(const std::string& name, const fs::path& root,
                                     const EnvLookup& env) {
  auto executable = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    const auto p = fs::path(name).is_absolute() ? fs::path(name) : root / name;
    return executable(p) ? std::optional(p) : std::nullopt;
  }
  const auto path = env("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  for (const auto& dir : strings::split(path, ':'))
    if (!dir.empty() && executable(fs::path(dir) / name)) return fs::path(dir) / name;
  return std::nullopt;
}

// Why step 2 cannot run here (empty: it can). Breeze's own commands: what they need from the
// checkout (prepare_packages.hpp) and a running local engine. A configured package-build-command:
// a program not found, a `breeze` that lacks the subcommand (the probe is `<breeze> <group>
// <command> --help`, read-only), or a file it reads through a `--...-file` option.
std::vector<std::string> package_step_problems(Context& ctx) {
  if (ctx.settings.package_build_command.empty()) {
    // breeze's own commands: what they need from the checkout, and a running engine.
    auto problems = release_management::provider_packages_problems(ctx, native_providers(ctx));
    const auto airflow = release_management::airflow_package_problems(ctx);
    problems.insert(problems.end(), airflow.begin(), airflow.end());
    if (auto engine = docker::check_engine(ctx.runner(), docker::docker_client(ctx.services().env));
        !engine)
      problems.push_back(engine.error().message + " (the packages are built by the local engine)");
    return problems;
  }
  static const std::set<std::string> builtins{"cd",     "echo", "true", "false", "test",  "[",
                                              "export", "set",  "exit", ":",     "printf"};
  const auto& line = ctx.settings.package_build_command;
  if (strings::trim(line).empty()) return {"package-build-command (breeze.yaml) is empty"};
  for (const auto& command : shell_commands(line)) {
    const auto& program = command.front();
    if (builtins.count(program) != 0) continue;
    auto found = find_program(program, ctx.settings.sources_root, ctx.services().env);
    if (!found) return {fmt::format("`{}` is not on PATH", program)};
    if (fs::path(program).filename() == "breeze" && command.size() >= 3) {
      process::ProcessSpec probe;
      probe.argv = {found->string(), command[1], command[2], "--help"};
      probe.cwd = ctx.settings.sources_root;
      probe.changes_state = false;
      probe.timeout = std::chrono::seconds(60);
      auto r = ctx.runner().run(probe);
      if (!r || !r->ok())
        return {fmt::format("`breeze {} {}` is not a command of {} (Python Breeze has it: "
                            "`pipx install -e ./dev/breeze`)",
                            command[1], command[2], found->string())};
    }
    // Files the command reads (`--package-list-file ./prod_image_installed_providers.txt`).
    for (std::size_t i = 1; i + 1 < command.size(); ++i) {
      std::error_code ec;
      if (command[i].starts_with("--") && command[i].ends_with("-file") &&
          !fs::exists(ctx.settings.sources_root / command[i + 1], ec))
        return {fmt::format("{} {}: no such file in {}", command[i], command[i + 1],
                            ctx.settings.sources_root.string())};
    }
  }
  return {};
}

// Every prerequisite of every step, checked before step 1 so that nothing fails after hours of
// builds: buildx, the registry login, the builder and its platforms, the Dockerfiles and the
// Airflow version, and (unless --ci-image-only) step 2's command. Returns the problems (empty:
// go); step 2's folders are checked afterwards, since that may ask.
Expected<std::vector<std::string>> preflight(Context& ctx, const RefreshOptions& o) {
  const auto& settings = ctx.settings;
  std::vector<std::string> problems;
  const auto docker = docker::docker_client(ctx.services().env);
  auto engine = docker::detect_engine(ctx.runner(), docker);
  if (!engine)
    problems.push_back(engine.error().message);
  else if (*engine != docker::Engine::buildx)
    problems.push_back("ci refresh-images needs docker buildx (multi-platform cache with "
                       "mode=max): install the docker buildx plugin "
                       "(https://docs.docker.com/go/buildx/, Debian/Ubuntu package "
                       "docker-buildx-plugin) and check it with `docker buildx version`");
  const auto config_file = docker::docker_config_file(ctx.services().env);
  BREEZE_TRY(auto logged_in, docker::has_registry_login(config_file, settings.registry));
  if (!logged_in)
    problems.push_back(fmt::format(
        "not logged in to {} (no entry in {}): run `docker login {}` first (pushing the cache "
        "needs write access to {}/{})",
        settings.registry, config_file.string(), settings.registry, settings.registry,
        settings.github_repository));
  auto platforms = docker::normalize_platforms(o.platform);
  if (!platforms) return platforms.error();
  if (engine && *engine == docker::Engine::buildx) {
    BREEZE_TRY(auto builder, docker::inspect_builder(ctx.runner(), docker, o.builder));
    if (!builder)
      problems.push_back(fmt::format("no buildx builder '{}': create it with `breeze setup "
                                     "builder --name {}`",
                                     o.builder, o.builder));
    else
      for (const auto& p : *platforms)
        if (!builder->supports(p))
          problems.push_back(fmt::format(
              "builder '{}' has no node for {}: add one (`breeze setup builder --name {} "
              "--append HOST:PORT`) or emulation (`breeze setup emulation`)",
              o.builder, p, o.builder));
  }
  std::error_code ec;
  auto dockerfiles = std::vector<std::string>{settings.dockerfile_ci};
  if (!o.ci_image_only) dockerfiles.push_back(settings.dockerfile_prod);
  for (const auto& file : dockerfiles)
    if (!fs::exists(settings.sources_root / file, ec))
      problems.push_back(fmt::format("{} not found in {}", file, settings.sources_root.string()));
  if (auto version = read_airflow_version(settings.sources_root); !version)
    problems.push_back(version.error().message);
  // A package step that cannot run is a problem like the others: refreshing the CI cache alone
  // and exiting 0 would look like success to a CI job. --ci-image-only asks for exactly that.
  if (!o.ci_image_only)
    if (const auto why = package_step_problems(ctx); !why.empty()) {
      for (const auto& line : why)
        problems.push_back(fmt::format("step 2 (packages) cannot run: {}", line));
      problems.emplace_back(
          "(for step 2: fix the above, or set package-build-command in breeze.yaml to a command "
          "that leaves wheels in dist/, or pass --ci-image-only to refresh only the CI image "
          "cache)");
    }
  return problems;
}

Expected<ExitCode> run_refresh_images(Context& ctx, const RefreshOptions& o) {
  const auto& settings = ctx.settings;
  BREEZE_TRY_VOID(require_sources_root(settings));
  BREEZE_TRY(auto problems, preflight(ctx, o));
  if (!problems.empty()) {
    spdlog::error("Cannot refresh the images; nothing was built:");
    for (const auto& p : problems)
      spdlog::error("  - {}", strings::strip_control(p));
    return ExitCode::failure;
  }
  const bool with_packages = !o.ci_image_only;
  if (with_packages) {
    BREEZE_TRY(auto dirs, check_package_dirs(ctx));
    if (dirs != ExitCode::ok) return dirs;
  } else {
    spdlog::info("Steps 2 (packages) and 3 (PROD image cache) skipped: --ci-image-only");
  }
  const int steps = with_packages ? 3 : 1;
  spdlog::info("Step 1/{}: CI image cache for every Python and platform", steps);
  BREEZE_TRY(auto ci, build_images(ctx, cache_options(o, docker::ImageType::ci)));
  if (ci != ExitCode::ok || !with_packages) return ci;
  spdlog::info("Step 2/3: packages into docker-context-files/");
  BREEZE_TRY(auto built, build_packages(ctx));
  if (built != ExitCode::ok) return built;
  spdlog::info("Step 3/3: PROD image cache for every Python and platform");
  return build_images(ctx, cache_options(o, docker::ImageType::prod));
}

} // namespace

void register_refresh_images(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto o = std::make_shared<RefreshOptions>();
  add_python_versions_option(*cmd, o->python_versions,
                             "Space separated Pythons [default: all supported].");
  // The variables ci-image build reads (Breeze has no such command; dev/refresh_images.sh).
  cmd->add_option("--platform", o->platform,
                  "Platforms of the cache [default: linux/amd64,linux/arm64].")
      ->envname("PLATFORM");
  cmd->add_option("--builder", o->builder, "The docker buildx builder [default: airflow_cache].")
      ->envname("BUILDER");
  add_parallelism_option(*cmd, o->parallelism,
                         "Builds at a time [default: cores, capped by memory].");
  // breeze's own (dev/refresh_images.sh has no such switch), so no variable.
  cmd->add_flag("--ci-image-only", o->ci_image_only,
                "Refresh only the CI image cache: no package step, no PROD image cache.");
  cmd->callback([&ctx, o] { ctx.action = [o](Context& c) { return run_refresh_images(c, *o); }; });
}

} // namespace breeze::commands::ci
