#pragma once

#include <breeze/base/console.hpp>
#include <breeze/base/env.hpp>
#include <breeze/base/error.hpp>
#include <breeze/base/expected.hpp>
#include <breeze/base/github_actions.hpp>
#include <breeze/base/prompt.hpp>
#include <breeze/base/time.hpp>
#include <breeze/config/settings.hpp>
#include <breeze/parallel/reporter.hpp>
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
namespace breeze::git {
class Opener;
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

/// The side effects a command may use. main() wires the real ones; tests wire fakes. Nothing
/// below main reads getenv, isatty or the clock itself: it asks these.
struct Services {
  process::Runner& runner;
  prompt::Prompter& prompter;
  std::ostream& out;            ///< results (stdout)
  std::ostream& err;            ///< diagnostics and progress (stderr)
  EnvLookup env;                ///< environment lookup (options' variables too)
  std::filesystem::path cwd;    ///< where the user ran breeze
  http::Client* http = nullptr; ///< HTTP client (set by main when linked)
  console::Terminal terminal{}; ///< whether stdout/stderr are TTYs, their width
  std::function<time::Instant()> now = [] { return time::Instant{}; }; ///< the wall clock
  git::Opener* git = nullptr; ///< how repositories are opened (main: libgit2; nullptr: libgit2)
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
  [[nodiscard]] std::ostream& err() { return m_services.err; }
  /// The opener every repository a command reads or changes is opened with (Services::git, or
  /// libgit2's when the services name none).
  [[nodiscard]] git::Opener& git() const;
  /// The wall clock of the injected services.
  [[nodiscard]] time::Instant now() const { return m_services.now(); }
  /// GITHUB_ACTIONS=true in the injected environment.
  [[nodiscard]] bool github_actions() const { return console::github_actions(m_services.env); }
  /// How every view draws (live or plain, colour, width): console::output_mode of the injected
  /// terminal and environment.
  [[nodiscard]] console::OutputMode output_mode() const {
    return console::output_mode(m_services.terminal, m_services.env);
  }
  /// What make_reporter needs: the output mode, the job summary file on GitHub Actions, and
  /// `title` (what the jobs are) for it.
  [[nodiscard]] parallel::ReporterFacts reporter_facts(std::string title = {}) const {
    const auto mode = output_mode();
    return {mode.github_actions,
            mode.live,
            mode.width,
            mode.colour,
            github::step_summary_file(m_services.env),
            std::move(title),
            mode.height};
  }
  /// Colour on stderr (the output mode's).
  [[nodiscard]] bool stderr_colour() const { return output_mode().colour; }
  /// Colour on stdout: the same rules, for stdout's terminal (results such as diffs).
  [[nodiscard]] bool stdout_colour() const {
    return console::colour_enabled(m_services.terminal.stdout_tty, m_services.env);
  }

  /// The runner commands must use: in --dry-run it prints state-changing commands instead of
  /// running them; secrets are masked in everything it prints.
  [[nodiscard]] process::Runner& runner();
  /// For --output json: stdout is kept for the one JSON document, so what the dry-run runner
  /// prints goes to stderr. Call before the first runner().
  void reserve_stdout() { m_stdout_reserved = true; }

  /// Confirmation with Breeze's semantics: --answer/ANSWER forces (and says so); otherwise asks on
  /// the terminal; no TTY and no forced answer is a usage error telling the user to pass --answer.
  [[nodiscard]] Expected<prompt::Answer>
  confirm(const std::string& question, prompt::Answer default_answer = prompt::Answer::no);

  /// A confirmation before a command changes anything: nullopt when the answer is yes (go on);
  /// otherwise `nothing_done` (for no) or "Stopped (q): nothing changed." (for quit) is said (to
  /// stdout, or through `say` when given, e.g. a JSON mode's log) and the command stops with
  /// ExitCode::ok for no and ExitCode::failure for quit.
  [[nodiscard]] Expected<std::optional<ExitCode>>
  confirm_or_stop(const std::string& question, const std::string& nothing_done,
                  const std::function<void(const std::string&)>& say = {});

  /// Prints `text` (a result) on stdout; through $PAGER (else `less -FRX`) when
  /// console::pager_wanted says so and no answer is forced (--answer: nobody is there to page).
  /// The pager runs in breeze's process group (Ctrl-Z stops both); when it cannot start or fails,
  /// `text` is printed directly, so it is never lost.
  void page(const std::string& text);

  /// On GitHub Actions with $GITHUB_STEP_SUMMARY set: appends `markdown` to the job summary (a
  /// file that cannot be written is a warning). Elsewhere nothing.
  void step_summary(const std::string& markdown) const;

  /// The forced answer from --answer/ANSWER, if one was given.
  [[nodiscard]] std::optional<prompt::Answer> forced_answer() const;

  /// Set by a command's CLI11 callback; cli::run calls it once parsing is complete.
  std::function<Expected<ExitCode>(Context&)> action;

private:
  Services& m_services;
  std::unique_ptr<process::Runner> m_dry_run_runner;
  bool m_stdout_reserved = false;
};

/// A usage error when `settings` found no sources root ("no Airflow sources found ...: run inside
/// them or pass --airflow-sources PATH"): what every command that builds from the sources says.
[[nodiscard]] Expected<void> require_sources_root(const config::Settings& settings);

/// Adds the global options to `app` (every command and group gets them, bound to `globals`).
void add_global_options(CLI::App& app, GlobalOptions& globals);

} // namespace breeze::commands
