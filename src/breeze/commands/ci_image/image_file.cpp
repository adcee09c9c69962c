#include <breeze/commands/ci_image/image_file.hpp>

#include <breeze/commands/image_params.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

namespace breeze::commands::ci_image {

namespace {

std::string strings_tail(const std::string& out) {
  return out.size() > 2000 ? out.substr(out.size() - 2000) : out;
}

std::string platform_tag(const std::string& platform) {
  auto tag = platform;
  for (auto& c : tag)
    if (c == '/') c = '-';
  return tag;
}

} // namespace

Expected<ImageFile> resolve_image_file(Context& ctx, const ImageFileOptions& o) {
  ImageFile r;
  BREEZE_TRY(auto python, selected_python(o.python, ctx.settings));
  r.image = image_params(ctx.settings, docker::ImageType::ci, std::move(python));
  BREEZE_TRY(auto platform, docker::normalize_platform(
                                o.platform.empty() ? docker::native_platform() : o.platform));
  r.image.platforms = {platform};
  r.file = o.image_file.empty() ? default_image_file(platform, r.image.python) : o.image_file;
  BREEZE_TRY_VOID(check_image_file_name(r.file, platform, r.image.python));
  return r;
}

void add_image_file_command(CLI::App& cmd, Context& ctx, ImageFileAction act) {
  auto o = std::make_shared<ImageFileOptions>();
  add_image_file_options(cmd, *o);
  cmd.callback([&ctx, o, act = std::move(act)] {
    ctx.action = [o, act](Context& c) -> Expected<ExitCode> {
      BREEZE_TRY(auto r, resolve_image_file(c, *o));
      return act(c, r, docker::docker_client(c.services().env),
                 docker::image_name_with_tag(r.image));
    };
  });
}

Expected<ExitCode> run_docker(Context& ctx, std::vector<std::string> argv,
                              const std::string& what) {
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

std::string default_image_file(const std::string& platform, const std::string& python) {
  return (std::filesystem::temp_directory_path() /
          fmt::format("ci-image-save-{}-{}.tar", platform_tag(platform), python))
      .string();
}

Expected<void> check_image_file_name(const std::filesystem::path& file, const std::string& platform,
                                     const std::string& python) {
  const auto expected_suffix = fmt::format("-{}-{}.tar", platform_tag(platform), python);
  const auto name = file.filename().string();
  if (name.size() >= expected_suffix.size() && name.ends_with(expected_suffix)) return {};
  return usage_error(
      fmt::format("image file '{}' does not end with '{}': it holds an image for another Python or "
                  "platform (pass --python/--platform that match it)",
                  name, expected_suffix));
}

void add_image_file_options(CLI::App& cmd, ImageFileOptions& o) {
  add_python_option(cmd, o.python, "Python version of the image [default: the newest supported].");
  cmd.add_option("--platform", o.platform,
                 "linux/amd64 or linux/arm64 [default: the engine's own].");
  cmd.add_option("--image-file", o.image_file,
                 "The tar file [default: /tmp/ci-image-save-<platform>-<python>.tar].");
}

} // namespace breeze::commands::ci_image
