#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::prod_image {

/// `prod-image build`: gives the command its options and action (cli/command_table.cpp creates it).
void register_prod_image_build(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::prod_image
