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

/// Adds `doctor` to the `setup` group.
void register_setup_doctor(CLI::App& setup, Context& ctx);

} // namespace breeze::commands::setup
