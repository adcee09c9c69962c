#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// Adds `save` to the `ci-image` group: the CI image to a tar file (a CI artifact).
void register_ci_image_save(CLI::App& group, Context& ctx);

} // namespace breeze::commands::ci_image
