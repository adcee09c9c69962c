#include <breeze/commands/prod_image/build.hpp>

#include <breeze/commands/image_build.hpp>

#include <CLI/CLI.hpp>

namespace breeze::commands::prod_image {

void register_prod_image_build(CLI::App& cmd, Context& ctx) {
  add_image_build_command(cmd, ctx, docker::ImageType::prod);
}

} // namespace breeze::commands::prod_image
