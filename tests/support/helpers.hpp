#pragma once

// Test seams shared by every layer: fakes that are real classes, and a way to run the built binary.

#include <breeze/base/files.hpp>
#include <breeze/base/prompt.hpp>
#include <breeze/commands/context.hpp>
#include <breeze/git/opener.hpp>
#include <breeze/process/runner.hpp>

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace breeze::test {

/// tests/fixtures/<relative>.
[[nodiscard]] std::filesystem::path fixture(const std::string& relative);

/// Writes `content` to `path` (creating parents); fails the test on error.
void write_file(const std::filesystem::path& path, const std::string& content);

/// Reads a whole file; fails the test on error.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

/// Sets (or, with nullopt, unsets) an environment variable for the lifetime of the object.
class ScopedEnv {
public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  std::string m_name;
  std::optional<std::string> m_saved;
};

/// A pseudo-terminal pair: `follower` is a TTY (isatty true), bytes written to `leader` arrive on
/// it as typed input. Both descriptors are closed on destruction.
class PseudoTerminal {
public:
  PseudoTerminal();
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;
  [[nodiscard]] int leader() const { return m_leader; }
  [[nodiscard]] int follower() const { return m_follower; }
  /// Types `text` as if on the keyboard.
  void type(const std::string& text);

private:
  int m_leader = -1;
  int m_follower = -1;
};

/// Records every ProcessSpec; answers with scripted results (default: exit 0, no output).
class RecordingRunner final : public process::Runner {
public:
  std::vector<process::ProcessSpec> calls;
  /// Decides the result for a call; when unset every call succeeds.
  std::function<process::ProcessResult(const process::ProcessSpec&)> respond;
  [[nodiscard]] Expected<process::ProcessResult> run(const process::ProcessSpec& spec) override;
};

/// Answers confirmations from a queue; records the questions. An empty queue is a test failure
/// surfaced as a usage error (like a terminal-less run).
class ScriptedPrompter final : public prompt::Prompter {
public:
  std::deque<prompt::Answer> answers;
  std::vector<std::string> questions;
  [[nodiscard]] Expected<prompt::Answer> confirm(const std::string& question,
                                                 prompt::Answer def) override;
};

/// The working directory of a test's Services (InProcess's default, and what a test that builds
/// Services itself passes): relative paths resolve against the injected cwd, never an empty one.
[[nodiscard]] std::filesystem::path working_directory();

/// Runs `breeze` in-process through cli::run with fakes, capturing stdout and stderr. The
/// environment breeze sees is `env` alone (empty unless the test sets it), never the real one.
struct InProcess {
  RecordingRunner runner;
  ScriptedPrompter prompter;
  std::ostringstream out;
  std::ostringstream err;
  std::map<std::string, std::string> env;
  console::Terminal terminal{};
  std::filesystem::path cwd = working_directory();
  http::Client* http = nullptr;
  git::Opener* git = &git::libgit2_opener(); ///< how the commands open repositories

  int run(const std::vector<std::string>& args);
  /// The services run() passes: these fakes, `env` as the environment.
  [[nodiscard]] commands::Services services();
};

/// Result of running the built binary.
struct BinaryResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// The variables a run of the built binary never inherits from the developer's shell unless the
/// test gives them: answers, colours, terminal, CI mode and every option's variable.
[[nodiscard]] const std::vector<const char*>& isolated_variables();

/// Runs the built `breeze` binary with `args`; `env` entries are added to (or, with an empty
/// value prefixed "-", removed from) the environment. stdin is /dev/null (no TTY).
[[nodiscard]] BinaryResult run_binary(const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env = {},
                                      const std::filesystem::path& cwd = {});

/// Runs the built `breeze` binary with stdin, stdout and stderr on a pseudo-terminal `columns`
/// wide and `rows` high (TIOCSWINSZ) that is its controlling terminal (breeze leads a session and
/// is its foreground group), as a user's terminal would; `env` as for run_binary. `typed` is typed
/// on the keyboard as breeze starts (answers to prompts). `out` holds every byte the terminal
/// received (stdout and stderr interleaved, newlines as the terminal's "\r\n", the typed echo).
[[nodiscard]] BinaryResult run_on_terminal(const std::vector<std::string>& args,
                                           const std::map<std::string, std::string>& env,
                                           const std::filesystem::path& cwd, unsigned short columns,
                                           unsigned short rows = 40, const std::string& typed = {});

/// What the job-control shell of run_on_terminal_with_job_control writes to the terminal each time
/// breeze stops (before it continues breeze with SIGCONT, as `fg` does).
inline constexpr const char* k_job_stopped_line = "[test shell: breeze stopped; fg]";

/// As run_on_terminal, but breeze runs as a job of a minimal job-control shell (what bash does for
/// a foreground command): the shell leads the session, breeze's process group is the terminal's
/// foreground one, and each time breeze stops (Ctrl-Z) the shell takes the terminal, writes
/// k_job_stopped_line, gives the terminal back and sends the group SIGCONT. exit_code is breeze's.
[[nodiscard]] BinaryResult
run_on_terminal_with_job_control(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env,
                                 const std::filesystem::path& cwd, unsigned short columns,
                                 unsigned short rows = 40, const std::string& typed = {});

/// The longest line a terminal would show for `screen` (run_on_terminal's bytes): escape
/// sequences removed, lines split at "\n" and at "\r" (a carriage return starts the line over).
[[nodiscard]] std::size_t longest_visible_line(const std::string& screen);

} // namespace breeze::test
