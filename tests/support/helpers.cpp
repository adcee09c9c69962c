#include <support/helpers.hpp>

#include <support/catch.hpp>

#include <breeze/cli/app.hpp>
#include <breeze/process/posix_runner.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <regex>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace breeze::test {

std::filesystem::path fixture(const std::string& relative) {
  return std::filesystem::path(BREEZE_TEST_FIXTURES) / relative;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary);
  f << content;
  REQUIRE(f.good());
}

std::string read_file(const std::filesystem::path& path) {
  auto content = files::read(path);
  REQUIRE(content.has_value());
  return *content;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value)
    : m_name(std::move(name)) {
  if (const char* old = std::getenv(m_name.c_str())) m_saved = old;
  if (value)
    ::setenv(m_name.c_str(), value->c_str(), 1);
  else
    ::unsetenv(m_name.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (m_saved)
    ::setenv(m_name.c_str(), m_saved->c_str(), 1);
  else
    ::unsetenv(m_name.c_str());
}

PseudoTerminal::PseudoTerminal() {
  m_leader = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(m_leader >= 0);
  REQUIRE(::grantpt(m_leader) == 0);
  REQUIRE(::unlockpt(m_leader) == 0);
  const char* name = ::ptsname(m_leader);
  REQUIRE(name != nullptr);
  m_follower = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(m_follower >= 0);
}

PseudoTerminal::~PseudoTerminal() {
  ::close(m_leader);
  ::close(m_follower);
}

void PseudoTerminal::type(const std::string& text) {
  REQUIRE(::write(m_leader, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

Expected<process::ProcessResult> RecordingRunner::run(const process::ProcessSpec& spec) {
  calls.push_back(spec);
  if (respond) return respond(spec);
  return process::ProcessResult{};
}

Expected<prompt::Answer> ScriptedPrompter::confirm(const std::string& question, prompt::Answer) {
  questions.push_back(question);
  if (answers.empty()) return usage_error("no scripted answer for: " + question);
  auto a = answers.front();
  answers.pop_front();
  return a;
}

std::filesystem::path working_directory() { return std::filesystem::temp_directory_path(); }

int InProcess::run(const std::vector<std::string>& args) {
  auto s = services();
  return cli::run(args, s);
}

commands::Services InProcess::services() {
  auto services = commands::Services{runner,
                                     prompter,
                                     out,
                                     err,
                                     [this](const std::string& name) -> std::optional<std::string> {
                                       if (auto it = env.find(name); it != env.end())
                                         return it->second;
                                       return std::nullopt;
                                     },
                                     cwd,
                                     http,
                                     terminal};
  services.git = git;
  return services;
}

namespace {
// Tests must not inherit the developer's answers, colours, terminal, CI mode or Breeze's option
// variables by accident (the suite passes with them exported).
const std::vector<const char*> k_isolated{"ANSWER",
                                          "CI",
                                          "NO_COLOR",
                                          "FORCE_COLOR",
                                          "CLICOLOR_FORCE",
                                          "COLUMNS",
                                          "LINES",
                                          "PAGER",
                                          "GITHUB_STEP_SUMMARY",
                                          "VERBOSE",
                                          "DRY_RUN",
                                          "GITHUB_ACTIONS",
                                          "GITHUB_REPOSITORY",
                                          "PYTHON_MAJOR_MINOR_VERSION",
                                          "PYTHON_VERSIONS",
                                          "RUN_IN_PARALLEL",
                                          "PARALLELISM",
                                          "AIRFLOW_CONSTRAINTS_MODE",
                                          "BREEZE_CONSTRAINTS_URL",
                                          "BREEZE_MAX_RESPONSE_SIZE",
                                          "UPGRADE_TO_NEWER_DEPENDENCIES",
                                          "PLATFORM",
                                          "DOCKER_CACHE",
                                          "PUSH",
                                          "IMAGE_TAG",
                                          "BUILDER",
                                          "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS",
                                          "PREPARE_BUILDX_CACHE",
                                          "BUILD_TIMEOUT_MINUTES",
                                          "AIRFLOW_CONSTRAINTS_REFERENCE",
                                          "AIRFLOW_CONSTRAINTS_LOCATION",
                                          "INSTALL_MYSQL_CLIENT_TYPE",
                                          "PYTHON_IMAGE",
                                          "DEBIAN_VERSION",
                                          "BUILD_PROGRESS",
                                          "COMMIT_SHA",
                                          "USE_UV",
                                          "UV_HTTP_TIMEOUT",
                                          "VERSION_SUFFIX_FOR_PYPI",
                                          "ADDITIONAL_AIRFLOW_EXTRAS",
                                          "ADDITIONAL_DEV_APT_COMMAND",
                                          "ADDITIONAL_DEV_APT_DEPS",
                                          "ADDITIONAL_DEV_APT_ENV",
                                          "ADDITIONAL_PIP_INSTALL_FLAGS",
                                          "ADDITIONAL_PYTHON_DEPS",
                                          "DEV_APT_COMMAND",
                                          "DEV_APT_DEPS",
                                          "UPGRADE_ON_FAILURE",
                                          "TAG_AS_LATEST",
                                          "DOCKER_HOST",
                                          "GITHUB_TOKEN",
                                          "INCLUDE_SUCCESS_OUTPUTS",
                                          "SKIP_CLEANUP",
                                          "DEBUG_RESOURCES",
                                          "ADDITIONAL_RUNTIME_APT_DEPS",
                                          "ADDITIONAL_RUNTIME_APT_COMMAND",
                                          "ADDITIONAL_RUNTIME_APT_ENV",
                                          "BREEZE_PYPI_URL",
                                          "CONSTRAINTS_REPO",
                                          "REMOTE_NAME",
                                          "AIRFLOW_VERSIONS",
                                          "UPDATED_CONSTRAINT",
                                          "COMMENT_FILE",
                                          "COMMIT_MESSAGE",
                                          "PACKAGE_FORMAT",
                                          "PACKAGE_LIST",
                                          "INCLUDE_NOT_READY_PROVIDERS",
                                          "INCLUDE_REMOVED_PROVIDERS"};
} // namespace

const std::vector<const char*>& isolated_variables() { return k_isolated; }

BinaryResult run_binary(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env,
                        const std::filesystem::path& cwd) {
  process::ProcessSpec spec;
  spec.argv.push_back(BREEZE_BINARY);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  for (const auto& [k, v] : env) {
    if (k.starts_with("-"))
      spec.unset_env.push_back(k.substr(1));
    else
      spec.env[k] = v;
  }
  for (const char* name : k_isolated)
    if (!env.count(name)) spec.unset_env.emplace_back(name);
  spec.cwd = cwd;
  spec.timeout = std::chrono::minutes(5);
  process::PosixRunner runner;
  auto result = runner.run(spec);
  REQUIRE(result.has_value());
  return {result->exit_code, result->out, result->err};
}

namespace {

// The session leader of run_on_terminal_with_job_control, after fork (async-signal-safe calls
// only): runs breeze as a foreground job in its own process group and, like a shell's `fg`, takes
// it back to the foreground and continues it each time it stops. Exits with breeze's status.
[[noreturn]] void job_control_shell(char* const* argv, char* const* envp) {
  constexpr std::array k_job_signals{SIGTSTP, SIGTTIN, SIGTTOU, SIGINT, SIGQUIT};
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  for (const int sig : k_job_signals) // an interactive shell is not stopped or ended by them
    ::sigaction(sig, &ignore, nullptr);
  const pid_t job = ::fork();
  if (job < 0) ::_exit(127);
  if (job == 0) {
    ::setpgid(0, 0);
    ::tcsetpgrp(STDIN_FILENO, ::getpid());
    struct sigaction deflt {};
    deflt.sa_handler = SIG_DFL;
    sigemptyset(&deflt.sa_mask);
    for (const int sig : k_job_signals)
      ::sigaction(sig, &deflt, nullptr);
    ::execve(argv[0], argv, envp);
    ::_exit(127);
  }
  ::setpgid(job, job); // also here: whichever of the two runs first
  ::tcsetpgrp(STDIN_FILENO, job);
  while (true) {
    int status = 0;
    if (::waitpid(job, &status, WUNTRACED) < 0) {
      if (errno == EINTR) continue;
      ::_exit(127);
    }
    if (!WIFSTOPPED(status))
      ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
    const std::string_view line = k_job_stopped_line;
    [[maybe_unused]] auto n = ::write(STDOUT_FILENO, line.data(), line.size());
    n = ::write(STDOUT_FILENO, "\r\n", 2);
    ::tcsetpgrp(STDIN_FILENO, job);
    ::kill(-job, SIGCONT);
  }
}

BinaryResult run_terminal(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env,
                          const std::filesystem::path& cwd, unsigned short columns,
                          unsigned short rows, const std::string& typed, bool job_control) {
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::vector<std::string> argv_strings{BREEZE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    const bool isolated = std::find(k_isolated.begin(), k_isolated.end(), name) != k_isolated.end();
    if (isolated || env.count(name) || env.count("-" + name)) continue;
    env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env)
    if (!k.starts_with("-")) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : argv_strings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  PseudoTerminal pty;
  winsize size{};
  size.ws_row = rows;
  size.ws_col = columns;
  REQUIRE(::ioctl(pty.follower(), TIOCSWINSZ, &size) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = pty.follower();
    // A session of its own with the pty as its controlling terminal: job control (a pager in the
    // foreground, Ctrl-C to the foreground group) works as in a user's shell.
    if (::setsid() < 0 || ::ioctl(fd, TIOCSCTTY, 0) != 0 || ::chdir(cwd.c_str()) != 0 ||
        ::dup2(fd, 0) < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0)
      ::_exit(127);
    if (job_control) job_control_shell(argv.data(), envp.data());
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (!typed.empty()) pty.type(typed);
  // The terminal's bytes are read while breeze runs: a full pty buffer would stop it writing.
  std::string screen;
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fds{pty.leader(), POLLIN, 0};
    if (::poll(&fds, 1, 50) > 0 && (fds.revents & POLLIN)) {
      char buf[4096];
      const auto n = ::read(pty.leader(), buf, sizeof buf);
      if (n > 0) {
        screen.append(buf, static_cast<std::size_t>(n));
        continue;
      }
    }
    if (exited) break; // exited and nothing more to read
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL("breeze did not finish on the terminal within 2 minutes:\n" << screen);
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, screen, {}};
}

} // namespace

BinaryResult run_on_terminal(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::filesystem::path& cwd, unsigned short columns,
                             unsigned short rows, const std::string& typed) {
  return run_terminal(args, env, cwd, columns, rows, typed, false);
}

BinaryResult run_on_terminal_with_job_control(const std::vector<std::string>& args,
                                              const std::map<std::string, std::string>& env,
                                              const std::filesystem::path& cwd,
                                              unsigned short columns, unsigned short rows,
                                              const std::string& typed) {
  return run_terminal(args, env, cwd, columns, rows, typed, true);
}

std::size_t longest_visible_line(const std::string& screen) {
  static const std::regex escape("\x1b\\[[0-9;?]*[A-Za-z]");
  const auto text = std::regex_replace(screen, escape, "");
  std::size_t longest = 0, current = 0;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      current = 0;
      continue;
    }
    // UTF-8 continuation bytes take no column of their own.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) longest = std::max(longest, ++current);
  }
  return longest;
}

} // namespace breeze::test
