#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::setup {

/// `setup emulation`: gives the command its options and action (cli/command_table.cpp creates it).
void register_setup_emulation(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::setup
