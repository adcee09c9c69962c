#include <support/docker_engine.hpp>

#include <support/catch.hpp>

#include <breeze/process/posix_runner.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

extern char** environ;

namespace breeze::test {

using namespace std::chrono_literals;

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// SIGTERM, then SIGKILL if it has not exited within `grace` (polled, bounded).
void stop(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(50ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool port_open(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string tail(const std::filesystem::path& p) {
  auto text = files::read(p);
  if (!text) return "(no log)";
  return text->size() > 2000 ? text->substr(text->size() - 2000) : *text;
}

} // namespace

bool docker_e2e_skip_requested() {
  const char* v = std::getenv("BREEZE_SKIP_DOCKER_E2E");
  return v != nullptr && std::string(v) == "1";
}

LocalEngine::LocalEngine() : m_dir("bd") {
  const auto& t = m_dir.path();
  m_host = "unix://" + (t / "docker.sock").string();
  m_registry_port = free_port();
  if (geteuid() != 0) {
    m_problem = "the docker engine e2e needs root (dockerd)";
    return;
  }
  if (!std::filesystem::exists("/usr/sbin/dockerd") || !std::filesystem::exists(k_docker_client) ||
      !std::filesystem::exists("/usr/bin/docker-registry") ||
      !std::filesystem::exists("/bin/busybox")) {
    m_problem =
        "dockerd, /usr/bin/docker, docker-registry or busybox missing: run scripts/bootstrap.sh";
    return;
  }
  m_dockerd = spawn({"/usr/sbin/dockerd", "--storage-driver", "vfs", "--iptables=false",
                     "--bridge=none", "--data-root", (t / "data").string(), "--exec-root",
                     (t / "exec").string(), "--pidfile", (t / "pid").string(), "-H", m_host},
                    t / "dockerd.log");
  std::ofstream(t / "registry.yml")
      << "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
      << "    rootdirectory: " << (t / "registry").string() << "\n"
      << "http:\n  addr: 127.0.0.1:" << m_registry_port << "\n";
  m_registry = spawn({"/usr/bin/docker-registry", "serve", (t / "registry.yml").string()},
                     t / "registry.log");
  // Readiness: poll `docker info` and the registry port, bounded.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool engine_up = false, registry_up = false;
  while (std::chrono::steady_clock::now() < deadline && !(engine_up && registry_up)) {
    engine_up = engine_up || docker({"info"}, 10s).exit_code == 0;
    registry_up = registry_up || port_open(m_registry_port);
    if (!(engine_up && registry_up)) std::this_thread::sleep_for(100ms);
  }
  if (!engine_up)
    m_problem = "dockerd did not come up:\n" + tail(t / "dockerd.log");
  else if (!registry_up)
    m_problem = "docker-registry did not come up:\n" + tail(t / "registry.log");
}
LocalEngine::~LocalEngine() {
  stop(m_registry, 5s);
  stop(m_dockerd, 20s);
  // dockerd leaves its network namespace mounted under exec-root; release it so the dir can go.
  std::ifstream mounts("/proc/mounts");
  std::string dev, point, rest;
  std::vector<std::string> ours;
  while (mounts >> dev >> point && std::getline(mounts, rest))
    if (point.starts_with(m_dir.path().string())) ours.push_back(point);
  for (auto it = ours.rbegin(); it != ours.rend(); ++it)
    umount2(it->c_str(), MNT_DETACH);
}
process::ProcessResult LocalEngine::docker(const std::vector<std::string>& args,
                                           std::chrono::seconds timeout) const {
  process::ProcessSpec spec;
  spec.argv = {k_docker_client};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {{"DOCKER_HOST", m_host},
              {"DOCKER_CONFIG", (m_dir.path() / "docker-config").string()}};
  spec.timeout = timeout;
  process::PosixRunner runner;
  auto r = runner.run(spec);
  return r ? *r : process::ProcessResult{.exit_code = 127};
}

std::map<std::string, std::string> LocalEngine::breeze_env() const {
  return {{"BREEZE_DOCKER", k_docker_client},
          {"DOCKER_HOST", m_host},
          {"DOCKER_CONFIG", (m_dir.path() / "docker-config").string()},
          {"BREEZE_REGISTRY", registry()}};
}

} // namespace breeze::test
