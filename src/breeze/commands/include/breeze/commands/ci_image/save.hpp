#pragma once

#include <breeze/commands/context.hpp>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// `ci-image save` (the CI image to a tar file, a CI artifact): gives the command its options
/// and action (cli/command_table.cpp creates it).
void register_ci_image_save(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::ci_image
