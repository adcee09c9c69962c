#include <breeze/commands/version.hpp>

#include <breeze/base/strings.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace breeze::commands {

namespace {

Expected<ExitCode> run_version(Context& ctx) {
  const auto& s = ctx.settings;
  auto& out = ctx.out();
  out << "breeze version: " << BREEZE_VERSION << "\n";
  out << "Sources root: "
      << (s.sources_root.empty() ? std::string("(none found)") : s.sources_root.string()) << "\n";
  out << "Settings file: "
      << (s.settings_file ? s.settings_file->string() : std::string("(built-in defaults)")) << "\n";
  out << "GitHub repository: " << s.github_repository << "\n";
  out << "Python versions: " << strings::join(s.python_versions, " ") << " ("
      << s.origin("python-versions") << ")\n";
  out << "Default Python: " << s.default_python_version() << " ("
      << (s.default_python_version() == s.default_python ? s.origin("default-python")
                                                         : std::string("newest of the list"))
      << ")\n";
  out << "Default branch: " << s.default_branch << " (" << s.origin("default-branch") << ")\n";
  out << "Constraints branch: " << s.constraints_branch << " (" << s.origin("constraints-branch")
      << ")\n";
  if (!s.debian_version.empty())
    out << "Debian version: " << s.debian_version << " (" << s.origin("debian-version") << ")\n";
  out << "Registry: " << s.registry << " (" << s.origin("registry") << ")\n";
  out << "Constraints modes: " << strings::join(s.constraints_modes, " ") << "\n";
  return ExitCode::ok;
}

} // namespace

void register_version(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  cmd->callback([&ctx] { ctx.action = [](Context& c) { return run_version(c); }; });
}

} // namespace breeze::commands
