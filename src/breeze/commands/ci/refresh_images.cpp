#include <breeze/commands/ci/refresh_images.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/commands/image_build.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/docker/client.hpp>

#include <breeze/commands/numeric_options.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

namespace breeze::commands::ci {

namespace {

struct RefreshOptions {
  std::string python_versions; ///< empty: all supported
  std::string platform = "linux/amd64,linux/arm64";
  std::string builder = "airflow_cache";
  int parallelism = 0;
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

// Step 2 of dev/refresh_images.sh: empty dist/ and docker-context-files/, build the packages with
// the project's command, move the wheels into docker-context-files/ readable by the image build.
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
  b.image.install_packages_from_context = type == docker::ImageType::prod;
  return b;
}

Expected<ExitCode> run_refresh_images(Context& ctx, const RefreshOptions& o) {
  const auto& settings = ctx.settings;
  if (settings.sources_root.empty())
    return usage_error(
        "no Airflow sources found (a folder with Dockerfile.ci or breeze.yaml): run inside them or "
        "pass --airflow-sources PATH");
  const auto docker = docker::docker_client(ctx.services().env);
  // Checks first, so nothing is built when the cache could not be pushed anyway.
  auto engine = docker::detect_engine(ctx.runner(), docker);
  if (!engine) return engine.error();
  if (*engine != docker::Engine::buildx)
    return Error{ErrorKind::failure, "ci refresh-images needs docker buildx (multi-platform cache "
                                     "with mode=max): install the docker "
                                     "buildx plugin (https://docs.docker.com/go/buildx/, "
                                     "Debian/Ubuntu package docker-buildx-plugin) and "
                                     "check it with `docker buildx version`"};
  const auto config_file = docker::docker_config_file(ctx.services().env);
  BREEZE_TRY(auto logged_in, docker::has_registry_login(config_file, settings.registry));
  if (!logged_in)
    return Error{
        ErrorKind::failure,
        fmt::format(
            "not logged in to {} (no entry in {}): run `docker login {}` first (pushing the cache "
            "needs write access to {}/{})",
            settings.registry, config_file.string(), settings.registry, settings.registry,
            settings.github_repository)};

  BREEZE_TRY(auto dirs, check_package_dirs(ctx));
  if (dirs != ExitCode::ok) return dirs;

  spdlog::info("Step 1/3: CI image cache for every Python and platform");
  BREEZE_TRY(auto ci, build_images(ctx, cache_options(o, docker::ImageType::ci)));
  if (ci != ExitCode::ok) return ci;
  spdlog::info("Step 2/3: packages into docker-context-files/");
  BREEZE_TRY(auto packages, build_packages(ctx));
  if (packages != ExitCode::ok) return packages;
  spdlog::info("Step 3/3: PROD image cache for every Python and platform");
  return build_images(ctx, cache_options(o, docker::ImageType::prod));
}

} // namespace

void register_refresh_images(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto o = std::make_shared<RefreshOptions>();
  add_python_versions_option(*cmd, o->python_versions,
                             "Space separated Pythons [default: all supported].");
  cmd->add_option("--platform", o->platform,
                  "Platforms of the cache [default: linux/amd64,linux/arm64].");
  cmd->add_option("--builder", o->builder, "The docker buildx builder [default: airflow_cache].");
  add_parallelism_option(*cmd, o->parallelism,
                         "Builds at a time [default: cores, capped by memory].");
  cmd->callback([&ctx, o] { ctx.action = [o](Context& c) { return run_refresh_images(c, *o); }; });
}

} // namespace breeze::commands::ci
