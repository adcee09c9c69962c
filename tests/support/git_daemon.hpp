#pragma once

// A real git server on 127.0.0.1 for push tests: `git daemon` (Debian's git) serving bare
// repositories with receive-pack enabled, so server-side hooks run (libgit2's local-path
// transport writes refs directly and never runs them). Plus a way to run the built binary in the
// background (two racing runs, a run killed half-way).

#include <breeze/base/files.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace breeze::test {

/// `git daemon --listen=127.0.0.1 --port=<free> --base-path=<base> --export-all
/// --enable=receive-pack`, started by the constructor (ready when it returns: the port accepts
/// connections) and killed with its connection children by the destructor.
class GitDaemon {
public:
  explicit GitDaemon(std::filesystem::path base_path);
  ~GitDaemon();
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;

  /// git://127.0.0.1:PORT/<relative> for a repository under the base path.
  [[nodiscard]] std::string url(const std::string& relative) const;
  [[nodiscard]] int port() const { return m_port; }

private:
  files::TempDir m_dir{"breeze-git-daemon"};
  pid_t m_pid = -1;
  int m_port = 0;
};

/// tests/scripts/auth_challenge_server.py on 127.0.0.1:0: answers every request with 401 and
/// `WWW-Authenticate: Basic`, recording each request's Authorization header.
class AuthChallengeServer {
public:
  AuthChallengeServer();
  ~AuthChallengeServer();
  AuthChallengeServer(const AuthChallengeServer&) = delete;
  AuthChallengeServer& operator=(const AuthChallengeServer&) = delete;
  /// http://127.0.0.1:PORT
  [[nodiscard]] std::string url() const;
  /// The Authorization header of every request so far ("" for none), in order.
  [[nodiscard]] std::vector<std::string> authorizations() const;

private:
  files::TempDir m_dir{"breeze-auth-server"};
  pid_t m_pid = -1;
  int m_port = 0;
};

/// A port on 127.0.0.1 nothing listens on: bound and kept bound (never listening) for the rest of
/// the test process, so connecting to it is refused and no other test's server can take it.
[[nodiscard]] int closed_port();

/// Writes an executable `hooks/<name>` (e.g. pre-receive) into a bare repository.
void install_hook(const std::filesystem::path& bare_repo, const std::string& name,
                  const std::string& script);

/// Sets `remote`'s URL (and, when given, its separate push URL) in `repo`'s config.
void set_remote_url(const std::filesystem::path& repo, const std::string& remote,
                    const std::string& url,
                    const std::optional<std::string>& push_url = std::nullopt);

/// A gate hooks can wait at: a FIFO that the test holds open, so a hook's `read x < PATH`
/// blocks until release() (no polling, no sleeps). release() lets every waiting and arriving hook
/// through and removes the FIFO, so later hook runs (the tag push after the branch push) pass
/// straight on. The destructor releases too, so a failing test never leaves a hook hanging.
class HookGate {
public:
  explicit HookGate(std::filesystem::path path);
  ~HookGate();
  HookGate(const HookGate&) = delete;
  HookGate& operator=(const HookGate&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
  void release();

private:
  std::filesystem::path m_path;
  int m_fd = -1;
};

/// The built breeze binary running in the background; stdout/stderr go to files read at exit.
class BackgroundBreeze {
public:
  /// Starts BREEZE_BINARY `args` with `env` changes as in run_binary() (stdin /dev/null).
  BackgroundBreeze(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {});
  ~BackgroundBreeze(); ///< kills it if still running
  BackgroundBreeze(const BackgroundBreeze&) = delete;
  BackgroundBreeze& operator=(const BackgroundBreeze&) = delete;

  [[nodiscard]] pid_t pid() const { return m_pid; }
  /// Waits (at most `deadline`) for the process to end; true when it did.
  bool wait(std::chrono::milliseconds deadline);
  /// Sends `signal` to it.
  void kill(int signal) const;
  [[nodiscard]] bool done() const { return m_done; }
  /// Valid once done(): exit code (128 + signal when killed), stdout, stderr.
  [[nodiscard]] int exit_code() const { return m_exit_code; }
  [[nodiscard]] std::string out() const;
  [[nodiscard]] std::string err() const;
  /// The read end of a pipe that reaches EOF when the process ends (for poll() over several).
  [[nodiscard]] int exit_fd() const { return m_exit_fd; }

private:
  files::TempDir m_dir{"breeze-background"};
  pid_t m_pid = -1;
  int m_exit_fd = -1;
  bool m_done = false;
  int m_exit_code = -1;
};

/// Waits until one of `runs` that is not done() ends (at most `deadline`); returns its index,
/// or nullopt on timeout.
[[nodiscard]] std::optional<std::size_t> wait_any(const std::vector<BackgroundBreeze*>& runs,
                                                  std::chrono::milliseconds deadline);

} // namespace breeze::test
