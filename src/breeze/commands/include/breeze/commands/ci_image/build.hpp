#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// Adds `build` to the `ci-image` group.
void register_ci_image_build(CLI::App& group, Context& ctx);

} // namespace breeze::commands::ci_image
