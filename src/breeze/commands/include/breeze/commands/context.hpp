#pragma once

#include <breeze/base/env.hpp>
#include <breeze/base/error.hpp>
#include <breeze/base/expected.hpp>
#include <breeze/base/prompt.hpp>
#include <breeze/config/settings.hpp>
#include <breeze/process/runner.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}
namespace breeze::http {
class Client;
}

namespace breeze::commands {

/// Options every command accepts, each with the environment variable Breeze uses.
struct GlobalOptions {
  bool verbose = false;          ///< -v/--verbose, VERBOSE
  bool dry_run = false;          ///< -D/--dry-run, DRY_RUN
  std::string answer;            ///< -a/--answer, ANSWER (y/n/q/yes/no/quit)
  std::string github_repository; ///< -g/--github-repository, GITHUB_REPOSITORY
  std::string airflow_sources;   ///< --airflow-sources
};

/// The side effects a command may use. main() wires the real ones; tests wire fakes.
struct Services {
  process::Runner& runner;
  prompt::Prompter& prompter;
  std::ostream& out;            ///< results (stdout)
  EnvLookup env;                ///< environment lookup
  std::filesystem::path cwd;    ///< where the user ran breeze
  http::Client* http = nullptr; ///< HTTP client (set by main when linked)
};

/// Everything a running command sees: parsed global options, resolved settings, services.
class Context {
public:
  explicit Context(Services& services) : m_services(services) {}

  GlobalOptions globals;
  config::Settings
      settings; ///< defaults <- breeze.yaml <- env <- -g (filled before the action runs)

  [[nodiscard]] Services& services() { return m_services; }
  [[nodiscard]] std::ostream& out() { return m_services.out; }

  /// The runner commands must use: in --dry-run it prints state-changing commands instead of
  /// running them; secrets are masked in everything it prints.
  [[nodiscard]] process::Runner& runner();

  /// Confirmation with Breeze's semantics: --answer/ANSWER forces (and says so); otherwise asks on
  /// the terminal; no TTY and no forced answer is a usage error telling the user to pass --answer.
  [[nodiscard]] Expected<prompt::Answer>
  confirm(const std::string& question, prompt::Answer default_answer = prompt::Answer::no);

  /// The forced answer from --answer/ANSWER, if one was given.
  [[nodiscard]] std::optional<prompt::Answer> forced_answer() const;

  /// Set by a command's CLI11 callback; cli::run calls it once parsing is complete.
  std::function<Expected<ExitCode>(Context&)> action;

private:
  Services& m_services;
  std::unique_ptr<process::Runner> m_dry_run_runner;
};

/// Adds the global options to `app` (every command and group gets them, bound to `globals`).
void add_global_options(CLI::App& app, GlobalOptions& globals);

} // namespace breeze::commands
