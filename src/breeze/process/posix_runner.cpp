#include <breeze/process/posix_runner.hpp>

#include <breeze/base/env.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/process/secrets.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <optional>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace breeze::process {

namespace {

using Clock = std::chrono::steady_clock;

// Used only when the kernel has no pidfd_open (Linux < 5.3): how often we look for the child's
// exit.
constexpr auto k_fallback_tick = std::chrono::milliseconds(20);
// How often spec.cancel is asked: it is a plain predicate, so nothing can wake poll() for it.
constexpr auto k_cancel_tick = std::chrono::milliseconds(50);

class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return m_fd; }
  void reset(int fd = -1) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }
  // Hands the descriptor over (no longer closed here).
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd = -1;
};

struct Pipe {
  Fd read, write;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.reset(fds[0]);
    write.reset(fds[1]);
    return true;
  }
};

std::map<std::string, std::string> environment(const ProcessSpec& spec) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (auto eq = kv.find('='); eq != std::string_view::npos)
      env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& name : spec.unset_env)
    env.erase(name);
  for (const auto& [k, v] : spec.env)
    env[k] = v;
  return env;
}

// PATH lookup happens here, in the parent, with the child's PATH: after fork() in a threaded
// program only async-signal-safe calls are allowed, so the child must not setenv() or search.
Expected<std::string> resolve(const std::string& program,
                              const std::map<std::string, std::string>& env,
                              const std::filesystem::path& cwd) {
  if (program.find('/') != std::string::npos) return program;
  auto it = env.find("PATH");
  const std::string path = it != env.end() ? it->second : "/usr/local/bin:/usr/bin:/bin";
  std::size_t begin = 0;
  while (begin <= path.size()) {
    auto end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::filesystem::path dir = path.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    if (dir.is_relative() && !cwd.empty()) dir = cwd / dir;
    const auto candidate = (dir / program).string();
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    begin = end + 1;
  }
  return Error{ErrorKind::process, fmt::format("cannot run '{}': not found on PATH", program), {}};
}

// What the child reports through the exec pipe when it fails before exec.
struct ChildFailure {
  int stage; // 0: chdir, 1: exec
  int error;
};

// The file descriptors a child gets: -1 for out/err keeps breeze's own (interactive), -1 for `in`
// means /dev/null unless `inherit_in`. `own_group`: the child leads a process group of its own.
struct ChildFds {
  int in = -1, out = -1, err = -1, exec = -1;
  bool inherit_in = false;
  bool own_group = true;
};

// Child setup between fork and exec: its own process group (unless interactive), default signal
// handling, stdout and stderr on our pipes (or breeze's), stdin on the input pipe or /dev/null (or
// breeze's), the working directory. Only async-signal-safe calls (the parent may have other
// threads); a failure before exec goes back through fds.exec.
[[noreturn]] void exec_child(const std::string& program, char* const* argv, char* const* envp,
                             const std::filesystem::path& cwd, const ChildFds& fds) {
  if (fds.own_group) ::setpgid(0, 0);
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD})
    ::sigaction(sig, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (fds.out >= 0) ::dup2(fds.out, STDOUT_FILENO);
  if (fds.err >= 0) ::dup2(fds.err, STDERR_FILENO);
  if (fds.in >= 0) {
    ::dup2(fds.in, STDIN_FILENO);
  } else if (!fds.inherit_in) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  }
  ChildFailure failure{0, 0};
  if (cwd.empty() || ::chdir(cwd.c_str()) == 0) {
    ::execve(program.c_str(), argv, envp);
    failure.stage = 1;
  }
  failure.error = errno;
  [[maybe_unused]] auto n = ::write(fds.exec, &failure, sizeof failure);
  ::_exit(127);
}

// The child's pipes: stdout, stderr (unused when merged into stdout or interactive), stdin (only
// with spec.input) and the exec-failure pipe.
struct ChildPipes {
  Pipe out, err, in, exec;
};

// Where a signal for the run goes: the child's whole process group, or only an interactive child
// (it shares breeze's group, which must not be signalled).
pid_t signal_target(const ProcessSpec& spec, pid_t pid) { return spec.interactive ? pid : -pid; }

// Forks and execs `program` with the spec's argv and `env`, each child in its own process group
// except an interactive one. Returns the child's pid once exec succeeded (the exec pipe closed);
// an Error when fork, chdir or exec failed (the child is reaped then). The parent's write ends are
// closed either way.
Expected<pid_t> start_child(const ProcessSpec& spec, const std::string& program,
                            const std::map<std::string, std::string>& env, ChildPipes& pipes) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& s : args)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  ChildFds fds;
  fds.out = pipes.out.write.get();
  fds.err = spec.merge_stderr ? fds.out : pipes.err.write.get();
  fds.in = pipes.in.read.get();
  fds.exec = pipes.exec.write.get();
  fds.inherit_in = spec.interactive;
  // An interactive child (a pager) stays in breeze's process group, as git keeps its pager: that
  // group is the one the user's shell put in the terminal's foreground, so the pager can read keys
  // without a tcsetpgrp, and job control works for both together. Ctrl-Z stops the whole
  // foreground group, the shell sees breeze stopped and `fg` continues both. In a group of its own
  // (the foreground one, for the keys) Ctrl-Z stopped only the pager, the shell never learnt of
  // it, and breeze waited for the stopped pager forever. Waiting with WUNTRACED and stopping
  // breeze by hand, as shells do, would take the terminal back and forth and need a wake-up for
  // a stopped child that pidfds do not give; sharing the group needs none of it.
  fds.own_group = !spec.interactive;

  const pid_t pid = ::fork();
  if (pid < 0)
    return Error{ErrorKind::process, fmt::format("fork failed: {}", std::strerror(errno)),
                 spec.argv[0]};
  if (pid == 0) exec_child(program, argv.data(), envp.data(), spec.cwd, fds);
  // Also from the parent, so the group exists before we may signal it.
  if (fds.own_group) ::setpgid(pid, pid);

  pipes.out.write.reset();
  pipes.err.write.reset();
  pipes.exec.write.reset();
  pipes.in.read.reset();
  ChildFailure failure{};
  ssize_t n_exec;
  do {
    n_exec = ::read(pipes.exec.read.get(), &failure, sizeof failure);
  } while (n_exec < 0 && errno == EINTR);
  if (n_exec == static_cast<ssize_t>(sizeof failure)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (failure.stage == 0)
      return Error{
          ErrorKind::process,
          fmt::format("cannot change to working directory: {}", std::strerror(failure.error)),
          spec.cwd.string()};
    return Error{ErrorKind::process,
                 fmt::format("cannot run '{}': {}", spec.argv[0], std::strerror(failure.error)),
                 {}};
  }
  return pid;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// True once the leader has exited; it stays a zombie (WNOWAIT) so its pid, and with it the process
// group id, cannot be reused while we may still signal the group.
bool leader_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno == ECHILD;
  return info.si_pid == pid;
}

// One output pipe: collects bytes and hands out complete lines.
struct Stream {
  int fd = -1;
  std::string pending;
  std::string* capture = nullptr;
};

// spec.input on its way into the child's stdin (a non-blocking pipe).
struct Input {
  int fd = -1;
  std::string_view data;
  std::size_t written = 0;

  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  // Writes what the pipe takes now; closes it when all is written or the reader has gone (a pager
  // the user quit early). SIGPIPE, which would end breeze, is blocked and consumed meanwhile.
  void feed() {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    const int e = errno;
    if (n < 0 && e == EPIPE) {
      timespec zero{};
      ::sigtimedwait(&pipe_set, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (n > 0) written += static_cast<std::size_t>(n);
    if (written >= data.size() || (n < 0 && e != EAGAIN && e != EINTR)) close();
  }
};

// Where complete lines go: masked, then to the log file (if open) and on_line (if set).
struct LineSink {
  int log_fd = -1;
  const std::vector<std::string>* secrets = nullptr;
  const std::function<void(const std::string&)>* on_line = nullptr;

  // Hands on every complete line of `s.pending` (and, with `flush_all`, the partial rest).
  void emit(Stream& s, bool flush_all) const {
    std::size_t pos;
    while ((pos = s.pending.find('\n')) != std::string::npos || (flush_all && !s.pending.empty())) {
      std::string line = pos == std::string::npos ? s.pending : s.pending.substr(0, pos);
      s.pending.erase(0, pos == std::string::npos ? s.pending.size() : pos + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      line = mask(std::move(line), *secrets); // also strips URL userinfo and process-wide secrets
      if (log_fd >= 0) {
        line.push_back('\n');
        [[maybe_unused]] auto n = ::write(log_fd, line.data(), line.size());
        line.pop_back();
      }
      if (*on_line) (*on_line)(line);
    }
  }
};

// The parent's side of a started child: reads both pipes until the leader has exited and the
// pipes are closed, acting on the deadline, spec.cancel and Ctrl-C (signalling the whole group,
// SIGKILL `grace` later) and giving up on pipes held by processes that escaped the group. An
// interactive child is signalled alone, and never for Ctrl-C: it shares breeze's group, so the
// terminal sent the signal to it too, and it is the user's to quit (a pager taking Ctrl-C as
// "stop searching"); breeze waits for it, as git waits for its pager, then reports interrupted.
// Sets result's timed_out/cancelled/interrupted; an Error only when poll() itself fails (the
// group is killed and the leader reaped then).
Expected<void> poll_until_done(const ProcessSpec& spec, pid_t pid, Clock::time_point start,
                               std::chrono::milliseconds grace, std::array<Stream, 2>& streams,
                               const LineSink& sink, Input& input, ProcessResult& result) {
  Fd pidfd(open_pidfd(pid));
  bool exited = false;
  std::optional<Clock::time_point> deadline;
  if (spec.timeout) deadline = start + *spec.timeout;
  std::optional<Clock::time_point> kill_at; // SIGKILL the group then, if it still holds our pipes
  std::optional<Clock::time_point>
      give_up; // stop reading pipes held by processes that escaped the group
  const pid_t target = signal_target(spec, pid);
  auto stop_group = [&](int sig) {
    ::kill(target, sig);
    if (!kill_at) kill_at = Clock::now() + grace;
  };

  while (true) {
    if (!exited && leader_exited(pid)) {
      exited = true;
      pidfd.reset();
      input.close();
      // The run owns its process group: whatever the leader left behind in it is stopped too, so
      // a background grandchild can neither outlive the run nor keep our pipes open forever.
      if (!spec.interactive) stop_group(SIGTERM);
    }
    const bool streams_open = streams[0].fd >= 0 || streams[1].fd >= 0;
    if (exited && !streams_open) break;

    auto now = Clock::now();
    if (deadline && !result.timed_out && now >= *deadline) {
      result.timed_out = true;
      stop_group(SIGTERM);
    }
    if (spec.cancel && !result.cancelled && !exited && spec.cancel()) {
      result.cancelled = true;
      stop_group(SIGTERM);
    }
    if (!spec.cleanup && !result.interrupted && interrupt::requested()) {
      result.interrupted = true;
      // What the terminal would have sent the group, had it been in the foreground.
      if (!spec.interactive) stop_group(SIGINT);
    }
    if (kill_at && now >= *kill_at) {
      ::kill(target, SIGKILL);
      kill_at = Clock::time_point::max();
      give_up = now + grace;
    }
    if (give_up && now >= *give_up) break;

    std::optional<Clock::time_point> wake;
    auto earliest = [&](const std::optional<Clock::time_point>& t) {
      if (t && *t != Clock::time_point::max() && (!wake || *t < *wake)) wake = t;
    };
    if (!result.timed_out) earliest(deadline);
    earliest(kill_at);
    earliest(give_up);
    if (!exited && pidfd.get() < 0) earliest(now + k_fallback_tick);
    if (spec.cancel && !result.cancelled) earliest(now + k_cancel_tick);

    std::vector<pollfd> fds;
    for (auto& s : streams)
      if (s.fd >= 0) fds.push_back({s.fd, POLLIN, 0});
    if (!exited && pidfd.get() >= 0) fds.push_back({pidfd.get(), POLLIN, 0});
    if (input.fd >= 0) fds.push_back({input.fd, POLLOUT, 0});
    // The self-pipe stays readable once Ctrl-C arrived, so it is watched only until we have acted.
    if (!result.interrupted && !spec.cleanup) fds.push_back({interrupt::wake_fd(), POLLIN, 0});
    int timeout_ms = -1;
    if (wake) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 60'000));
    }
    const int rc = ::poll(fds.data(), fds.size(), timeout_ms);
    if (rc < 0 && errno != EINTR) {
      const int e = errno;
      ::kill(target, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      return Error{ErrorKind::process, fmt::format("poll failed: {}", std::strerror(e)),
                   spec.argv[0]};
    }
    for (const auto& p : fds) {
      if (p.fd == input.fd && (p.revents & (POLLOUT | POLLHUP | POLLERR))) {
        input.feed();
        continue;
      }
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      for (auto& s : streams) {
        if (p.fd != s.fd) continue;
        char buf[65536];
        const ssize_t n = ::read(s.fd, buf, sizeof buf);
        if (n > 0) {
          if (s.capture) s.capture->append(buf, static_cast<std::size_t>(n));
          s.pending.append(buf, static_cast<std::size_t>(n));
          sink.emit(s, false);
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          sink.emit(s, true);
          s.fd = -1;
        }
      }
    }
  }
  return {};
}

// Kills what is left of the group and reaps the leader into result's exit_code/signal.
void reap(const ProcessSpec& spec, pid_t pid, ProcessResult& result) {
  // Nothing of the group outlives the run, not even a leftover that ignores SIGTERM and does not
  // hold our pipes. The leader is still an unreaped zombie, so the group id is still ours. (An
  // interactive child has no group of its own: breeze's is not ours to kill.)
  if (!spec.interactive) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + WTERMSIG(status);
  }
}

} // namespace

Expected<ProcessResult> PosixRunner::run(const ProcessSpec& spec) {
  if (spec.argv.empty()) return Error{ErrorKind::process, "empty command line", {}};
  if (interrupt::requested() && !spec.cleanup)
    return Error{ErrorKind::interrupted, "interrupted before it started", spec.argv[0]};
  const auto start = Clock::now();

  const auto env = environment(spec);
  BREEZE_TRY(const auto program, resolve(spec.argv[0], env, spec.cwd));

  ChildPipes pipes;
  // An interactive child writes to breeze's own stdout and stderr: no output pipes.
  const bool piped = !spec.interactive;
  if ((piped && !pipes.out.open()) || (piped && !spec.merge_stderr && !pipes.err.open()) ||
      (spec.input && !pipes.in.open()) || !pipes.exec.open())
    return Error{ErrorKind::process, fmt::format("cannot create pipes: {}", std::strerror(errno)),
                 spec.argv[0]};

  // A raw O_CLOEXEC descriptor (not an ofstream): children must not inherit it, and each line is on
  // disk as soon as it is written, so a killed breeze still leaves a complete log.
  Fd log;
  if (spec.log_file) {
    log.reset(::open(spec.log_file->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (log.get() < 0)
      return Error{ErrorKind::io, fmt::format("cannot open log file: {}", std::strerror(errno)),
                   spec.log_file->string()};
  }
  // Lines we hand on (on_line, log file) may be printed; captured output is data and stays exact.
  const auto secrets = (spec.on_line || spec.log_file) ? secrets_of(spec, process_env())
                                                       : std::vector<std::string>{};

  BREEZE_TRY(const pid_t pid, start_child(spec, program, env, pipes));
  Input input;
  if (spec.input) {
    input.fd = pipes.in.write.get();
    input.data = *spec.input;
    ::fcntl(input.fd, F_SETFL, ::fcntl(input.fd, F_GETFL) | O_NONBLOCK);
    (void)pipes.in.write.release();
    if (input.data.empty()) input.close();
  }

  ProcessResult result;
  std::array<Stream, 2> streams{
      Stream{pipes.out.read.get(), {}, spec.capture ? &result.out : nullptr},
      Stream{pipes.err.read.get(), {}, spec.capture ? &result.err : nullptr}};
  const LineSink sink{log.get(), &secrets, &spec.on_line};
  auto polled = poll_until_done(spec, pid, start, m_grace, streams, sink, input, result);
  input.close();
  if (!polled) return polled.error();
  for (auto& s : streams)
    sink.emit(s, true); // pipes we gave up on may still hold a partial line

  reap(spec, pid, result);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

} // namespace breeze::process
