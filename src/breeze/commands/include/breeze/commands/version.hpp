#pragma once

#include <breeze/commands/context.hpp>

namespace breeze::commands {

/// `breeze version` (prints the breeze version and the settings in force): gives the command
/// its options and action (cli/command_table.cpp creates it).
void register_version(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands
