#pragma once

#include <breeze/base/expected.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace breeze::process {

/// One child process to run. Never a shell string: argv[0] is looked up on PATH.
struct ProcessSpec {
  std::vector<std::string> argv;
  std::filesystem::path cwd;                        ///< empty: inherit
  std::map<std::string, std::string> env;           ///< added to / overriding the inherited env
  std::vector<std::string> unset_env;               ///< removed from the inherited env
  std::optional<std::chrono::milliseconds> timeout; ///< kill the whole process group after this
  std::function<void(const std::string& line)>
      on_line;                                   ///< each output line (stdout+stderr), as it comes
  std::optional<std::filesystem::path> log_file; ///< also append all output here
  bool capture = true;                           ///< keep stdout/stderr in the result
  bool merge_stderr = false;                     ///< stderr goes to the same pipe as stdout
  /// True when running this changes state (build, push, commit): --dry-run prints it instead.
  bool changes_state = true;
  /// Values that must never be printed (tokens, passwords); masked as *** in every printed line.
  std::vector<std::string> secrets;
  /// Polled while the child runs (every ~50 ms); true stops its group as a timeout would. For
  /// callers that decide to stop a probe from outside (another probe already answered).
  std::function<bool()> cancel;
  /// The child uses breeze's terminal (a pager): it inherits stdout and stderr (on_line, log_file,
  /// capture and merge_stderr do not apply) and stays in breeze's process group (the terminal's
  /// foreground one, when breeze's is), so it reads keys and Ctrl-Z stops both together. It is
  /// signalled alone, never for Ctrl-C (the terminal sent that to it too): breeze waits for it.
  bool interactive = false;
  /// Removes what an interrupted run left behind (`docker rm --force` of breeze's own build
  /// container): it starts even after Ctrl-C and is never stopped by it (give it a timeout).
  bool cleanup = false;
  /// Fed on the child's stdin through a pipe, which is then closed (a reader that quits early is
  /// not an error). Unset: stdin is /dev/null, or breeze's own stdin when interactive.
  std::optional<std::string> input;
};

/// What happened. A non-zero exit is data, not an error.
struct ProcessResult {
  int exit_code = 0;         ///< exit status, or 128+signal when killed by a signal
  std::optional<int> signal; ///< the signal that ended the process, if any
  bool timed_out = false;    ///< the timeout killed it
  bool interrupted = false;  ///< Ctrl-C arrived while it ran (the group was stopped)
  bool dry_run = false;      ///< nothing ran: --dry-run printed the command instead
  bool cancelled = false;    ///< spec.cancel asked to stop it (the group was stopped)
  std::string out;           ///< captured stdout (when capture)
  std::string err;           ///< captured stderr (when capture and not merged)
  std::chrono::milliseconds elapsed{0};

  [[nodiscard]] bool ok() const {
    return exit_code == 0 && !timed_out && !interrupted && !cancelled;
  }
};

/// Runs child processes. The posix implementation is the real one; tests use recording fakes.
class Runner {
public:
  virtual ~Runner() = default;
  /// Runs to completion. An Error only when the process could not be started at all.
  [[nodiscard]] virtual Expected<ProcessResult> run(const ProcessSpec& spec) = 0;
};

} // namespace breeze::process
