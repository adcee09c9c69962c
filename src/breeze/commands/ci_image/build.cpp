#include <breeze/commands/ci_image/build.hpp>

#include <breeze/commands/image_build.hpp>

#include <CLI/CLI.hpp>

namespace breeze::commands::ci_image {

void register_ci_image_build(CLI::App& group, Context& ctx) {
  auto* cmd = add_image_build_command(group, ctx, docker::ImageType::ci,
                                      "Build the CI image (Dockerfile.ci) with docker buildx.");
  cmd->footer(
      "Examples:\n"
      "  breeze ci-image build --python 3.12\n"
      "  breeze ci-image build --upgrade-to-newer-dependencies "
      "--eager-upgrade-additional-requirements "
      "\"aiobotocore<=2.5.4 asana<=3.2.1\"\n"
      "  breeze ci-image build --run-in-parallel --upgrade-to-newer-dependencies --answer yes\n"
      "  breeze ci-image build --run-in-parallel --prepare-buildx-cache --platform "
      "linux/amd64,linux/arm64 "
      "--builder airflow_cache\n"
      "  breeze ci-image build --dry-run\n");
}

} // namespace breeze::commands::ci_image
