#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::setup {

/// Adds `emulation` to the `setup` group.
void register_setup_emulation(CLI::App& setup, Context& ctx);

} // namespace breeze::commands::setup
