#include <breeze/process/posix_runner.hpp>

#include <breeze/base/interrupt.hpp>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <optional>
#include <poll.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace breeze::process {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() { close_both(); }
  bool open() { return ::pipe2(fds, O_CLOEXEC) == 0; }
  void close_read() { if (fds[0] >= 0) { ::close(fds[0]); fds[0] = -1; } }
  void close_write() { if (fds[1] >= 0) { ::close(fds[1]); fds[1] = -1; } }
  void close_both() { close_read(); close_write(); }
};

std::vector<std::string> build_env(const ProcessSpec& spec) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : spec.unset_env) env.erase(name);
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// Collects bytes from one pipe, hands out complete lines.
struct Stream {
  int fd = -1;
  std::string pending;
  std::string* capture = nullptr;
};

} // namespace

Expected<ProcessResult> PosixRunner::run(const ProcessSpec& spec) {
  if (spec.argv.empty()) return Error{ErrorKind::process, "empty command line", {}};
  const auto start = Clock::now();

  Pipe out_pipe, err_pipe, exec_pipe;
  if (!out_pipe.open() || !err_pipe.open() || !exec_pipe.open())
    return Error{ErrorKind::process, fmt::format("cannot create pipes: {}", std::strerror(errno)), spec.argv[0]};

  const auto env_strings = build_env(spec);
  std::vector<char*> envp;
  for (const auto& s : env_strings) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& s : spec.argv) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);

  // execvpe searches PATH of *our* environment; honour a PATH given in spec.env instead.
  std::optional<std::string> path_override;
  if (auto it = spec.env.find("PATH"); it != spec.env.end()) path_override = it->second;

  std::optional<std::ofstream> log;
  if (spec.log_file) {
    log.emplace(*spec.log_file, std::ios::app | std::ios::binary);
    if (!*log) return Error{ErrorKind::io, "cannot open log file", spec.log_file->string()};
  }

  const pid_t pid = ::fork();
  if (pid < 0) return Error{ErrorKind::process, fmt::format("fork failed: {}", std::strerror(errno)), spec.argv[0]};
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::dup2(out_pipe.fds[1], STDOUT_FILENO);
    ::dup2(spec.merge_stderr ? out_pipe.fds[1] : err_pipe.fds[1], STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
      int e = errno;
      [[maybe_unused]] auto n = ::write(exec_pipe.fds[1], &e, sizeof e);
      ::_exit(127);
    }
    if (path_override) ::setenv("PATH", path_override->c_str(), 1);
    ::execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    [[maybe_unused]] auto n = ::write(exec_pipe.fds[1], &e, sizeof e);
    ::_exit(127);
  }
  ::setpgid(pid, pid); // also from the parent, so the group exists before we may signal it

  out_pipe.close_write();
  err_pipe.close_write();
  exec_pipe.close_write();
  int exec_errno = 0;
  ssize_t n_exec;
  do { n_exec = ::read(exec_pipe.fds[0], &exec_errno, sizeof exec_errno); } while (n_exec < 0 && errno == EINTR);
  if (n_exec == sizeof exec_errno) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return Error{ErrorKind::process,
                 fmt::format("cannot run '{}': {}", spec.argv[0], std::strerror(exec_errno)),
                 spec.cwd.empty() ? std::string{} : spec.cwd.string()};
  }

  ProcessResult result;
  std::array<Stream, 2> streams{Stream{out_pipe.fds[0], {}, spec.capture ? &result.out : nullptr},
                                Stream{err_pipe.fds[0], {}, spec.capture ? &result.err : nullptr}};
  auto emit_lines = [&](Stream& s, bool flush_all) {
    std::size_t pos;
    while ((pos = s.pending.find('\n')) != std::string::npos || (flush_all && !s.pending.empty())) {
      std::string line = pos == std::string::npos ? s.pending : s.pending.substr(0, pos);
      s.pending.erase(0, pos == std::string::npos ? s.pending.size() : pos + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (spec.on_line) spec.on_line(line);
      if (log) *log << line << '\n';
    }
  };

  std::optional<Clock::time_point> kill_at;    // SIGKILL deadline after SIGTERM
  bool term_sent = false;
  auto stop_group = [&] {
    if (!term_sent) {
      ::kill(-pid, SIGTERM);
      term_sent = true;
      kill_at = Clock::now() + m_grace;
    }
  };

  int open_streams = 2;
  bool exited = false;
  int status = 0;
  while (open_streams > 0 || !exited) {
    if (!exited) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) exited = true;
    }
    if (exited && open_streams == 0) break;

    int timeout_ms = 100; // bounded so waitpid and deadlines are checked without a SIGCHLD handler
    const auto now = Clock::now();
    if (spec.timeout && !result.timed_out && now - start >= *spec.timeout) {
      result.timed_out = true;
      stop_group();
    }
    if (interrupt::requested() && !result.interrupted) {
      result.interrupted = true;
      ::kill(-pid, SIGINT); // what a terminal would have sent the group
      stop_group();
    }
    if (kill_at && now >= *kill_at) {
      ::kill(-pid, SIGKILL);
      kill_at.reset();
    }
    if (exited && open_streams > 0 && term_sent) {
      // The leader is gone but grandchildren may hold the pipes: make sure the group is gone too.
      ::kill(-pid, SIGKILL);
    }

    std::vector<pollfd> fds;
    for (auto& s : streams)
      if (s.fd >= 0) fds.push_back({s.fd, POLLIN, 0});
    if (!result.interrupted) fds.push_back({interrupt::wake_fd(), POLLIN, 0});
    int rc = ::poll(fds.data(), fds.size(), timeout_ms);
    if (rc < 0 && errno != EINTR) break;
    for (auto& s : streams) {
      if (s.fd < 0) continue;
      for (const auto& p : fds) {
        if (p.fd != s.fd || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buf[65536];
        ssize_t n = ::read(s.fd, buf, sizeof buf);
        if (n > 0) {
          if (s.capture) s.capture->append(buf, static_cast<std::size_t>(n));
          s.pending.append(buf, static_cast<std::size_t>(n));
          emit_lines(s, false);
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          emit_lines(s, true);
          s.fd = -1;
          --open_streams;
        }
      }
    }
  }
  out_pipe.close_read();
  err_pipe.close_read();

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + WTERMSIG(status);
  }
  if ((result.timed_out || result.interrupted) && result.exit_code == 0) result.exit_code = 128 + SIGTERM;
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

} // namespace breeze::process
