#include <breeze/commands/ci_image/image_file.hpp>

#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace breeze::commands::ci_image {

namespace {

struct SaveLoadOptions {
  std::string python;
  std::string platform;
  std::string image_file;
};

std::string platform_tag(const std::string& platform) {
  auto tag = platform;
  for (auto& c : tag)
    if (c == '/') c = '-';
  return tag;
}

struct Resolved {
  docker::ImageParams image;
  std::filesystem::path file;
};

Expected<Resolved> resolve(Context& ctx, const SaveLoadOptions& o) {
  Resolved r;
  r.image.python = o.python.empty() ? ctx.settings.newest_python() : o.python;
  BREEZE_TRY_VOID(ctx.settings.check_python(r.image.python));
  BREEZE_TRY(auto platform, docker::normalize_platform(o.platform.empty() ? docker::native_platform() : o.platform));
  r.image.platforms = {platform};
  r.image.registry = ctx.settings.registry;
  r.image.github_repository = ctx.settings.github_repository;
  r.image.branch = ctx.settings.default_branch;
  r.file = o.image_file.empty() ? default_image_file(platform, r.image.python) : o.image_file;
  BREEZE_TRY_VOID(check_image_file_name(r.file, platform, r.image.python));
  return r;
}

std::string strings_tail(const std::string& out) {
  return out.size() > 2000 ? out.substr(out.size() - 2000) : out;
}

Expected<ExitCode> run_docker(Context& ctx, std::vector<std::string> argv, const std::string& what) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.merge_stderr = true;
  BREEZE_TRY(auto res, ctx.runner().run(spec));
  if (res.dry_run) return ExitCode::ok;
  if (!res.ok()) {
    spdlog::error("{} failed (exit {}): {}", what, res.exit_code, strings_tail(res.out));
    return ExitCode::failure;
  }
  return ExitCode::ok;
}

} // namespace

std::string default_image_file(const std::string& platform, const std::string& python) {
  return (std::filesystem::temp_directory_path() / fmt::format("ci-image-save-{}-{}.tar", platform_tag(platform), python))
      .string();
}

Expected<void> check_image_file_name(const std::filesystem::path& file, const std::string& platform,
                                     const std::string& python) {
  const auto expected_suffix = fmt::format("-{}-{}.tar", platform_tag(platform), python);
  const auto name = file.filename().string();
  if (name.size() >= expected_suffix.size() && name.ends_with(expected_suffix)) return {};
  return usage_error(fmt::format("image file '{}' does not end with '{}': it holds an image for another Python or "
                                 "platform (pass --python/--platform that match it)",
                                 name, expected_suffix));
}

void register_ci_image_save_load(CLI::App& group, Context& ctx) {
  for (const bool save : {true, false}) {
    auto* cmd = group.add_subcommand(save ? "save" : "load",
                                     save ? "Save the CI image to a tar file (a CI artifact)."
                                          : "Load the CI image from a tar file saved by `ci-image save`.");
    auto o = std::make_shared<SaveLoadOptions>();
    cmd->add_option("-p,--python", o->python, "Python version of the image [default: the newest supported].");
    cmd->add_option("--platform", o->platform, "linux/amd64 or linux/arm64 [default: the engine's own].");
    cmd->add_option("--image-file", o->image_file,
                    "The tar file [default: /tmp/ci-image-save-<platform>-<python>.tar].");
    add_global_options(*cmd, ctx.globals);
    cmd->footer(save ? "Examples:\n  breeze ci-image save --python 3.12 --platform linux/amd64\n"
                     : "Examples:\n  breeze ci-image load --python 3.12 --image-file /tmp/ci-image-save-linux-amd64-3.12.tar\n");
    cmd->callback([&ctx, o, save] {
      ctx.action = [o, save](Context& c) -> Expected<ExitCode> {
        BREEZE_TRY(auto r, resolve(c, *o));
        const auto docker = docker::docker_client(c.services().env);
        const auto image = docker::image_name_with_tag(r.image);
        if (save) {
          BREEZE_TRY(auto code, run_docker(c, {docker, "save", image, "-o", r.file.string()}, "docker save"));
          if (code == ExitCode::ok && !c.globals.dry_run) c.out() << "Saved " << image << " to " << r.file.string() << "\n";
          return code;
        }
        if (!c.globals.dry_run && !std::filesystem::exists(r.file))
          return Error{ErrorKind::not_found, "no such image file (save it with `breeze ci-image save`)", r.file.string()};
        BREEZE_TRY(auto code, run_docker(c, {docker, "load", "-i", r.file.string()}, "docker load"));
        if (code == ExitCode::ok && !c.globals.dry_run) c.out() << "Loaded " << image << " from " << r.file.string() << "\n";
        return code;
      };
    });
  }
}

} // namespace breeze::commands::ci_image
