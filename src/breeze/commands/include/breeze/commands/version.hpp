#pragma once

#include <breeze/commands/context.hpp>

namespace breeze::commands {

/// `breeze version`: prints the breeze version and the settings in force.
void register_version(CLI::App& root, Context& ctx);

} // namespace breeze::commands
