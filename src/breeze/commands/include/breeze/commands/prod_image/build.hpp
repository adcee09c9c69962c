#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::prod_image {

/// Adds `build` to the `prod-image` group.
void register_prod_image_build(CLI::App& group, Context& ctx);

} // namespace breeze::commands::prod_image
