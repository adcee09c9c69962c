#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci {

/// `ci refresh-images` (CI cache, packages, PROD cache as dev/refresh_images.sh): gives the
/// command its options and action (cli/command_table.cpp creates it).
void register_refresh_images(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::ci
