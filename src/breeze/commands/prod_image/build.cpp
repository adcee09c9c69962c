#include <breeze/commands/prod_image/build.hpp>

#include <breeze/commands/image_build.hpp>

#include <CLI/CLI.hpp>

namespace breeze::commands::prod_image {

void register_prod_image_build(CLI::App& group, Context& ctx) {
  auto* cmd = add_image_build_command(group, ctx, docker::ImageType::prod,
                                      "Build the PROD image (Dockerfile) with docker buildx.");
  cmd->footer("Examples:\n"
              "  breeze prod-image build --python 3.12\n"
              "  breeze prod-image build --install-packages-from-context --run-in-parallel\n"
              "  breeze prod-image build --dry-run\n");
}

} // namespace breeze::commands::prod_image
