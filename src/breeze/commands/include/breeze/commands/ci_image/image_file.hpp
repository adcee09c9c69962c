#pragma once

#include <breeze/commands/context.hpp>
#include <breeze/docker/build_command.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// `/tmp/ci-image-save-<linux-amd64>-<X.Y>.tar`: Breeze's artifact name for a saved CI image.
[[nodiscard]] std::string default_image_file(const std::string& platform,
                                             const std::string& python);

/// Usage error unless `file`'s name is `...-<platform tag>-<python>.tar` (so an artifact for
/// another Python or platform is never loaded by mistake).
[[nodiscard]] Expected<void> check_image_file_name(const std::filesystem::path& file,
                                                   const std::string& platform,
                                                   const std::string& python);

/// Flags of `ci-image save` and `ci-image load`.
struct ImageFileOptions {
  std::string python;
  std::string platform;
  std::string image_file;
};

/// Adds -p/--python, --platform and --image-file to `cmd`.
void add_image_file_options(CLI::App& cmd, ImageFileOptions& o);

/// The image and the tar file the options name, checked against each other.
struct ImageFile {
  docker::ImageParams image;
  std::filesystem::path file;
};

/// Resolves the options against the settings (defaults, Python, platform, file name check).
[[nodiscard]] Expected<ImageFile> resolve_image_file(Context& ctx, const ImageFileOptions& o);

/// What `save` or `load` does with the resolved image and file: `docker` is the client to run,
/// `image` the image's name with its tag.
using ImageFileAction = std::function<Expected<ExitCode>(
    Context& ctx, const ImageFile& file, const std::string& docker, const std::string& image)>;

/// Gives `cmd` the image file options and an action that resolves them and then runs `act`.
void add_image_file_command(CLI::App& cmd, Context& ctx, ImageFileAction act);

/// Runs one docker command through ctx.runner(); exit 1 (its output's tail logged) when it fails.
[[nodiscard]] Expected<ExitCode> run_docker(Context& ctx, std::vector<std::string> argv,
                                            const std::string& what);

} // namespace breeze::commands::ci_image
