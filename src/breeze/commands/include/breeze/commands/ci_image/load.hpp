#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// `ci-image load` (the CI image from a tar file `ci-image save` wrote): gives the command its
/// options and action (cli/command_table.cpp creates it).
void register_ci_image_load(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::ci_image
