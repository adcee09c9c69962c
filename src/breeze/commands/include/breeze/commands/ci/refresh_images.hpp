#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci {

/// Adds `refresh-images` to the `ci` group: CI cache, packages, PROD cache (dev/refresh_images.sh).
void register_refresh_images(CLI::App& group, Context& ctx);

} // namespace breeze::commands::ci
