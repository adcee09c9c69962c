#include <breeze/commands/ci_image/build.hpp>

#include <breeze/commands/image_build.hpp>

#include <CLI/CLI.hpp>

namespace breeze::commands::ci_image {

void register_ci_image_build(CLI::App& cmd, Context& ctx) {
  add_image_build_command(cmd, ctx, docker::ImageType::ci);
}

} // namespace breeze::commands::ci_image
