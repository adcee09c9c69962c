#include <support/git_daemon.hpp>

#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

#include <git2.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace breeze::test {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  auto addr = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Reaps `pid`: its exit code, or 128 + the signal that killed it.
int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

AuthChallengeServer::AuthChallengeServer() {
  std::vector<std::string> args{"python3",
                                std::string(BREEZE_TEST_SCRIPTS) + "/auth_challenge_server.py",
                                "--log", (m_dir.path() / "requests.jsonl").string()};
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const pid_t parent = ::getpid();
  m_pid = ::fork();
  REQUIRE(m_pid >= 0);
  if (m_pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::dup2(fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  // The script prints its port once it listens; the poll bound turns a broken script into a
  // failure.
  std::string line;
  char c = 0;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 20'000) <= 0 || ::read(fds[0], &c, 1) <= 0) break;
    line.push_back(c);
  }
  ::close(fds[0]);
  if (!line.empty() && line.back() == '\n') m_port = std::stoi(line);
  if (m_port <= 0) {
    ::kill(m_pid, SIGKILL);
    wait_status(m_pid);
    m_pid = -1;
    FAIL("tests/scripts/auth_challenge_server.py did not start");
  }
}

AuthChallengeServer::~AuthChallengeServer() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGKILL);
  wait_status(m_pid);
}

std::string AuthChallengeServer::url() const {
  return "http://127.0.0.1:" + std::to_string(m_port);
}

std::vector<std::string> AuthChallengeServer::authorizations() const {
  std::vector<std::string> out;
  const auto text = files::read(m_dir.path() / "requests.jsonl").value_or("");
  for (const auto& line : strings::split(text, '\n')) {
    if (strings::trim(line).empty()) continue;
    out.push_back(nlohmann::json::parse(line).value("authorization", ""));
  }
  return out;
}

namespace {
// A port the kernel picked, and the socket bound to it (not listening).
std::pair<int, int> bound_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  auto addr = loopback(0);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  return {fd, ntohs(addr.sin_port)};
}
} // namespace

int closed_port() {
  // The socket stays bound, never listening, until the test process ends: a connection is refused,
  // and no server of a test running beside this one (a git daemon picks its port the same way) can
  // take the port and answer in its place.
  auto [fd, port] = bound_port();
  (void)fd; // kept open on purpose
  return port;
}

GitDaemon::GitDaemon(std::filesystem::path base_path) {
  // The kernel picks a free port; git daemon binds it a moment later (it cannot take a bound fd).
  auto [fd, port] = bound_port();
  ::close(fd);
  m_port = port;
  std::vector<std::string> args{"git",
                                "daemon",
                                "--listen=127.0.0.1",
                                "--port=" + std::to_string(m_port),
                                "--base-path=" + base_path.string(),
                                "--export-all",
                                "--enable=receive-pack",
                                "--reuseaddr",
                                "--informative-errors",
                                base_path.string()};
  const auto log = m_dir.path() / "daemon.log";
  const pid_t parent = ::getpid();
  m_pid = ::fork();
  REQUIRE(m_pid >= 0);
  if (m_pid == 0) {
    ::setpgid(0, 0); // its connection children share the group; the destructor kills them all
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(m_pid, m_pid);
  // Ready = the port accepts a connection. The deadline only turns a daemon that cannot start
  // into a failure instead of a hang; each probe is a real connect(), not a timed guess.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      break;
    }
    ready = accepts(m_port);
    if (!ready) {
      pollfd none{};
      ::poll(&none, 0, 10); // yield between probes; readiness is decided by connect() alone
    }
  }
  if (!ready) {
    const auto text = files::read(log);
    if (m_pid > 0) ::kill(-m_pid, SIGKILL);
    FAIL("git daemon did not start: " << (text ? *text : std::string("(no log)")));
  }
}

GitDaemon::~GitDaemon() {
  if (m_pid <= 0) return;
  ::kill(-m_pid, SIGKILL);
  while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

std::string GitDaemon::url(const std::string& relative) const {
  return "git://127.0.0.1:" + std::to_string(m_port) + "/" + relative;
}

void install_hook(const std::filesystem::path& bare_repo, const std::string& name,
                  const std::string& script) {
  const auto path = bare_repo / "hooks" / name;
  write_file(path, script);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

void set_remote_url(const std::filesystem::path& repo, const std::string& remote,
                    const std::string& url, const std::optional<std::string>& push_url) {
  git_repository* raw = nullptr;
  REQUIRE(git_repository_open(&raw, repo.c_str()) == 0);
  REQUIRE(git_remote_set_url(raw, remote.c_str(), url.c_str()) == 0);
  if (push_url) REQUIRE(git_remote_set_pushurl(raw, remote.c_str(), push_url->c_str()) == 0);
  git_repository_free(raw);
}

HookGate::HookGate(std::filesystem::path path) : m_path(std::move(path)) {
  REQUIRE(::mkfifo(m_path.c_str(), 0600) == 0);
  // O_RDWR on a FIFO never blocks (Linux) and makes us its writer: a hook's open for reading
  // returns at once and its read blocks until we write.
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(m_fd >= 0);
}

void HookGate::release() {
  if (m_fd < 0) return;
  ::unlink(m_path.c_str()); // hooks that come later find no gate
  const std::string lines(64, '\n');
  (void)!::write(m_fd, lines.data(), lines.size()); // one line per waiting hook
  ::close(m_fd);                                    // and EOF for any other reader
  m_fd = -1;
}

HookGate::~HookGate() { release(); }

BackgroundBreeze::BackgroundBreeze(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const char* name : isolated_variables())
    if (!env.count(name)) environment.erase(name);
  for (const auto& [k, v] : env) {
    if (k.starts_with("-"))
      environment.erase(k.substr(1));
    else
      environment[k] = v;
  }
  std::vector<std::string> argv_s{BREEZE_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s;
  for (const auto& [k, v] : environment)
    env_s.push_back(k + "=" + v);
  const auto out = m_dir.path() / "out";
  const auto err = m_dir.path() / "err";
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const pid_t parent = ::getpid();
  m_pid = ::fork();
  REQUIRE(m_pid >= 0);
  if (m_pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    const int in = ::open("/dev/null", O_RDONLY);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, STDIN_FILENO);
    ::dup2(o, STDOUT_FILENO);
    ::dup2(e, STDERR_FILENO);
    // The exit pipe's write end stays open across exec (dup2 clears CLOEXEC) until breeze ends.
    ::dup2(fds[1], 100);
    std::vector<char*> argv;
    for (auto& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& kv : env_s)
      envp.push_back(kv.data());
    envp.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  m_exit_fd = fds[0];
}

BackgroundBreeze::~BackgroundBreeze() {
  if (!m_done && m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    wait_status(m_pid);
  }
  if (m_exit_fd >= 0) ::close(m_exit_fd);
}

bool BackgroundBreeze::wait(std::chrono::milliseconds deadline) {
  if (m_done) return true;
  pollfd p{m_exit_fd, POLLIN, 0};
  int rc = 0;
  while ((rc = ::poll(&p, 1, static_cast<int>(deadline.count()))) < 0 && errno == EINTR) {
  }
  if (rc <= 0) return false;
  m_exit_code = wait_status(m_pid);
  m_done = true;
  return true;
}

void BackgroundBreeze::kill(int signal) const {
  if (!m_done) ::kill(m_pid, signal);
}

std::string BackgroundBreeze::out() const { return files::read(m_dir.path() / "out").value_or(""); }
std::string BackgroundBreeze::err() const { return files::read(m_dir.path() / "err").value_or(""); }

std::optional<std::size_t> wait_any(const std::vector<BackgroundBreeze*>& runs,
                                    std::chrono::milliseconds deadline) {
  std::vector<pollfd> fds;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i]->done()) continue;
    fds.push_back({runs[i]->exit_fd(), POLLIN, 0});
    index.push_back(i);
  }
  if (fds.empty()) return std::nullopt;
  int rc = 0;
  while ((rc = ::poll(fds.data(), fds.size(), static_cast<int>(deadline.count()))) < 0 &&
         errno == EINTR) {
  }
  if (rc <= 0) return std::nullopt;
  for (std::size_t k = 0; k < fds.size(); ++k) {
    if (fds[k].revents == 0) continue;
    runs[index[k]]->wait(std::chrono::milliseconds(0));
    return index[k];
  }
  return std::nullopt;
}

} // namespace breeze::test
