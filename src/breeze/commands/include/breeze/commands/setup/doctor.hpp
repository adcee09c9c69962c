#pragma once

#include <breeze/commands/context.hpp>

#include <string>

namespace CLI {
class App;
}

namespace breeze::commands::setup {

/// What `breeze setup doctor` found: one entry per check.
struct DoctorCheck {
  std::string name; ///< e.g. "buildx"
  bool ok = false;
  std::string detail; ///< what was found
  std::string fix;    ///< the command or step that fixes it (empty when ok)
};

/// `setup doctor`: gives the command its options and action (cli/command_table.cpp creates it).
void register_setup_doctor(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::setup
