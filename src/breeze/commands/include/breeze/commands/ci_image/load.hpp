#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// Adds `load` to the `ci-image` group: the CI image from a tar file `ci-image save` wrote.
void register_ci_image_load(CLI::App& group, Context& ctx);

} // namespace breeze::commands::ci_image
