#include <breeze/commands/version.hpp>

#include <breeze/base/strings.hpp>

#include <breeze/commands/option_groups.hpp>
#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace breeze::commands {

namespace {

struct VersionOptions {
  std::string output = "text";
};

// The PROD image's default extras: the checkout's DEFAULT_EXTRAS, else Breeze's 2024 list.
std::vector<std::string> prod_extras(const config::Settings& s) {
  return s.prod_extras.empty() ? strings::split(docker::default_prod_extras(), ',') : s.prod_extras;
}

std::string default_python_origin(const config::Settings& s) {
  return s.default_python_version() == s.default_python ? s.origin("default-python")
                                                        : std::string("newest of the list");
}

// docs/json-output.md ("breeze version") is this document's schema.
nlohmann::json version_json(const config::Settings& s) {
  auto setting = [](nlohmann::json value, std::string origin) {
    return nlohmann::json{{"value", std::move(value)}, {"origin", std::move(origin)}};
  };
  auto doc = nlohmann::json::object();
  doc["version"] = BREEZE_VERSION;
  doc["sources_root"] =
      s.sources_root.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.sources_root.string());
  doc["settings_file"] =
      s.settings_file ? nlohmann::json(s.settings_file->string()) : nlohmann::json(nullptr);
  doc["github_repository"] = s.github_repository;
  doc["constraints_modes"] = s.constraints_modes;
  auto settings = nlohmann::json::object();
  settings["python-versions"] = setting(s.python_versions, s.origin("python-versions"));
  settings["default-python"] = setting(s.default_python_version(), default_python_origin(s));
  settings["default-branch"] = setting(s.default_branch, s.origin("default-branch"));
  settings["constraints-branch"] = setting(s.constraints_branch, s.origin("constraints-branch"));
  if (!s.debian_version.empty())
    settings["debian-version"] = setting(s.debian_version, s.origin("debian-version"));
  settings["registry"] = setting(s.registry, s.origin("registry"));
  settings["prod-extras"] = setting(prod_extras(s), s.origin("prod-extras"));
  doc["settings"] = std::move(settings);
  return doc;
}

Expected<ExitCode> run_version(const VersionOptions& opts, Context& ctx) {
  const auto& s = ctx.settings;
  auto& out = ctx.out();
  if (opts.output == "json") {
    out << version_json(s).dump(2) << "\n";
    return ExitCode::ok;
  }
  out << "breeze version: " << BREEZE_VERSION << "\n";
  out << "Sources root: "
      << (s.sources_root.empty() ? std::string("(none found)") : s.sources_root.string()) << "\n";
  out << "Settings file: "
      << (s.settings_file ? s.settings_file->string() : std::string("(built-in defaults)")) << "\n";
  out << "GitHub repository: " << s.github_repository << "\n";
  out << "Python versions: " << strings::join(s.python_versions, " ") << " ("
      << s.origin("python-versions") << ")\n";
  out << "Default Python: " << s.default_python_version() << " (" << default_python_origin(s)
      << ")\n";
  out << "Default branch: " << s.default_branch << " (" << s.origin("default-branch") << ")\n";
  out << "Constraints branch: " << s.constraints_branch << " (" << s.origin("constraints-branch")
      << ")\n";
  if (!s.debian_version.empty())
    out << "Debian version: " << s.debian_version << " (" << s.origin("debian-version") << ")\n";
  out << "Registry: " << s.registry << " (" << s.origin("registry") << ")\n";
  out << "PROD extras: " << strings::join(prod_extras(s), ",") << " (" << s.origin("prod-extras")
      << ")\n";
  out << "Constraints modes: " << strings::join(s.constraints_modes, " ") << "\n";
  return ExitCode::ok;
}

} // namespace

void register_version(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<VersionOptions>();
  add_output_option(*cmd, opts->output);
  cmd->callback(
      [&ctx, opts] { ctx.action = [opts](Context& c) { return run_version(*opts, c); }; });
}

} // namespace breeze::commands
