#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/image.hpp>
#include <breeze/process/posix_runner.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

extern char** environ;

using namespace breeze;
using namespace std::chrono_literals;

// The real-engine tier: Debian's dockerd (vfs, no iptables, no bridge) and docker-registry, started
// by the test itself in a temp dir, driven by the built breeze through Debian's docker 20.10 client
// (no buildx: the classic-engine path). When the engine cannot start this fails loudly unless
// BREEZE_SKIP_DOCKER_E2E=1.

namespace {

constexpr const char* k_docker = "/usr/bin/docker";

bool skip_requested() {
  const char* v = std::getenv("BREEZE_SKIP_DOCKER_E2E");
  return v != nullptr && std::string(v) == "1";
}

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
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

// A private docker daemon and registry; both are always stopped (and the daemon's mounts released)
// when this goes out of scope.
class LocalEngine {
public:
  LocalEngine() : m_dir("bd") {
    const auto& t = m_dir.path();
    m_host = "unix://" + (t / "docker.sock").string();
    m_registry_port = free_port();
    if (geteuid() != 0) {
      m_problem = "the docker engine e2e needs root (dockerd)";
      return;
    }
    if (!std::filesystem::exists("/usr/sbin/dockerd") || !std::filesystem::exists(k_docker) ||
        !std::filesystem::exists("/usr/bin/docker-registry") || !std::filesystem::exists("/bin/busybox")) {
      m_problem = "dockerd, /usr/bin/docker, docker-registry or busybox missing: run scripts/bootstrap.sh";
      return;
    }
    m_dockerd = spawn({"/usr/sbin/dockerd", "--storage-driver", "vfs", "--iptables=false", "--bridge=none",
                       "--data-root", (t / "data").string(), "--exec-root", (t / "exec").string(), "--pidfile",
                       (t / "pid").string(), "-H", m_host},
                      t / "dockerd.log");
    std::ofstream(t / "registry.yml") << "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
                                      << "    rootdirectory: " << (t / "registry").string() << "\n"
                                      << "http:\n  addr: 127.0.0.1:" << m_registry_port << "\n";
    m_registry = spawn({"/usr/bin/docker-registry", "serve", (t / "registry.yml").string()}, t / "registry.log");
    // Readiness: poll `docker info` and the registry port, bounded.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    bool engine_up = false, registry_up = false;
    while (std::chrono::steady_clock::now() < deadline && !(engine_up && registry_up)) {
      engine_up = engine_up || docker({"info"}, 10s).exit_code == 0;
      registry_up = registry_up || port_open(m_registry_port);
      if (!(engine_up && registry_up)) std::this_thread::sleep_for(100ms);
    }
    if (!engine_up) m_problem = "dockerd did not come up:\n" + tail(t / "dockerd.log");
    else if (!registry_up) m_problem = "docker-registry did not come up:\n" + tail(t / "registry.log");
  }
  ~LocalEngine() {
    stop(m_registry, 5s);
    stop(m_dockerd, 20s);
    // dockerd leaves its network namespace mounted under exec-root; release it so the dir can go.
    std::ifstream mounts("/proc/mounts");
    std::string dev, point, rest;
    std::vector<std::string> ours;
    while (mounts >> dev >> point && std::getline(mounts, rest))
      if (point.starts_with(m_dir.path().string())) ours.push_back(point);
    for (auto it = ours.rbegin(); it != ours.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
  }
  LocalEngine(const LocalEngine&) = delete;
  LocalEngine& operator=(const LocalEngine&) = delete;

  [[nodiscard]] const std::string& problem() const { return m_problem; }
  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir.path(); }
  [[nodiscard]] std::string registry() const { return "127.0.0.1:" + std::to_string(m_registry_port); }
  [[nodiscard]] const std::string& host() const { return m_host; }

  /// Runs the docker client against this engine.
  process::ProcessResult docker(const std::vector<std::string>& args, std::chrono::seconds timeout = 120s) const {
    process::ProcessSpec spec;
    spec.argv = {k_docker};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = {{"DOCKER_HOST", m_host}, {"DOCKER_CONFIG", (m_dir.path() / "docker-config").string()}};
    spec.timeout = timeout;
    process::PosixRunner runner;
    auto r = runner.run(spec);
    return r ? *r : process::ProcessResult{.exit_code = 127};
  }

  /// Environment for the built breeze to use this engine through the classic client.
  [[nodiscard]] std::map<std::string, std::string> breeze_env() const {
    return {{"BREEZE_DOCKER", k_docker}, {"DOCKER_HOST", m_host},
            {"DOCKER_CONFIG", (m_dir.path() / "docker-config").string()}, {"BREEZE_REGISTRY", registry()}};
  }

private:
  static std::string tail(const std::filesystem::path& p) {
    auto text = files::read(p);
    if (!text) return "(no log)";
    return text->size() > 2000 ? text->substr(text->size() - 2000) : *text;
  }

  files::TempDir m_dir;
  std::string m_host;
  int m_registry_port = 0;
  pid_t m_dockerd = -1;
  pid_t m_registry = -1;
  std::string m_problem;
};

// A tiny Airflow-like source tree: Dockerfile.ci from scratch + busybox, declaring Airflow's ARGs.
void write_sources(const std::filesystem::path& root, const std::string& extra_run = "true") {
  std::string args;
  for (const auto* a : {"AIRFLOW_BRANCH", "AIRFLOW_IMAGE_DATE_CREATED", "AIRFLOW_IMAGE_REPOSITORY", "BUILD_ID",
                        "CONSTRAINTS_GITHUB_REPOSITORY", "AIRFLOW_CONSTRAINTS_MODE", "AIRFLOW_CONSTRAINTS_REFERENCE",
                        "AIRFLOW_EXTRAS", "AIRFLOW_USE_UV", "UV_HTTP_TIMEOUT", "AIRFLOW_VERSION", "PYTHON_BASE_IMAGE",
                        "UPGRADE_INVALIDATION_STRING", "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS", "BUILD_PROGRESS",
                        "INSTALL_MYSQL_CLIENT_TYPE", "DOCKER_HOST"})
    args += std::string("ARG ") + a + "\n";
  test::write_file(root / "Dockerfile.ci",
                   "# syntax: classic BuildKit, no frontend image needed\n"
                   "FROM scratch AS main\n"
                   "COPY busybox /bin/busybox\n"
                   "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox --install -s /bin\"]\n"
                   // Like Airflow's Dockerfile.ci, the ARGs come after the expensive steps: the date
                   // changes on every build and would otherwise invalidate every RUN step's cache.
                   + args +
                   "RUN echo \"airflow ${AIRFLOW_VERSION} on ${PYTHON_BASE_IMAGE}\" > /version && " + extra_run + "\n"
                   "CMD [\"/bin/cat\", \"/version\"]\n");
  test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  std::filesystem::copy_file("/bin/busybox", root / "busybox");
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

#define REQUIRE_ENGINE(engine)                                                                                     \
  if (skip_requested()) {                                                                                          \
    WARN("BREEZE_SKIP_DOCKER_E2E=1: docker engine e2e skipped by hand");                                           \
    return;                                                                                                        \
  }                                                                                                                \
  LocalEngine engine;                                                                                              \
  INFO("set BREEZE_SKIP_DOCKER_E2E=1 to skip the real-engine tier by hand");                                       \
  REQUIRE(engine.problem() == "")

} // namespace

TEST_CASE("e2e: real engine: build, push, rebuild from the registry cache on a clean engine, run",
          "[e2e][docker][engine]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  write_sources(root);
  const auto image = engine.registry() + "/apache/airflow/main/ci/python3.10:latest";
  const std::vector<std::string> build{"ci-image", "build", "--python", "3.10", "--platform",
                                       docker::native_platform(), "--push", "--build-network", "host",
                                       "--build-progress", "plain"};

  auto first = test::run_binary(build, engine.breeze_env(), root);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.err, Catch::Contains("classic engine"));
  CHECK(std::filesystem::exists(engine.dir() / "registry/docker/registry/v2/repositories/apache/airflow/main/ci/python3.10"));

  // A clean engine: no image, no build cache. Whatever is reused now must come from the registry.
  CHECK(engine.docker({"rmi", "-f", image}).exit_code == 0);
  CHECK(engine.docker({"builder", "prune", "-af"}).exit_code == 0);
  auto images = engine.docker({"images", "-q"});
  CHECK(strings::trim(images.out).empty());

  auto second = test::run_binary(build, engine.breeze_env(), root);
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.err, Catch::Contains("importing cache manifest from " + image));
  CHECK(occurrences(second.err, "CACHED") >= 2); // COPY and the install step came from the registry cache

  auto run = engine.docker({"run", "--rm", "--network", "host", image});
  CHECK(run.exit_code == 0);
  CHECK(run.out == "airflow 2.10.0.dev0 on python:3.10-slim-bookworm\n");

  // save -> remove -> load round trip (the CI artifact path).
  const auto tar = (engine.dir() / ("ci-image-save-" + docker::native_platform().replace(5, 1, "-") + "-3.10.tar")).string();
  const std::vector<std::string> where{"--python", "3.10", "--platform", docker::native_platform(), "--image-file", tar};
  auto save_args = std::vector<std::string>{"ci-image", "save"};
  save_args.insert(save_args.end(), where.begin(), where.end());
  auto saved = test::run_binary(save_args, engine.breeze_env(), root);
  INFO(saved.err);
  REQUIRE(saved.exit_code == 0);
  CHECK(std::filesystem::file_size(tar) > 100000);
  CHECK(engine.docker({"rmi", "-f", image}).exit_code == 0);
  auto load_args = std::vector<std::string>{"ci-image", "load"};
  load_args.insert(load_args.end(), where.begin(), where.end());
  CHECK(test::run_binary(load_args, engine.breeze_env(), root).exit_code == 0);
  CHECK(engine.docker({"run", "--rm", "--network", "host", image}).out ==
        "airflow 2.10.0.dev0 on python:3.10-slim-bookworm\n");
}

TEST_CASE("e2e: real engine: parallel builds, one failing, each with its own log", "[e2e][docker][engine]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  // The 3.11 build fails in its RUN step; the 3.10 build succeeds.
  write_sources(root, "! /bin/grep -q 3.11 /version");
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions", "3.10 3.11", "--platform",
                             docker::native_platform(), "--docker-cache", "local", "--build-network", "host",
                             "--parallelism", "2"},
                            engine.breeze_env(), root);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matches("(.|\\n)*python3\\.10 +ok(.|\\n)*"));
  CHECK_THAT(r.out, Catch::Matches("(.|\\n)*python3\\.11 +FAILED(.|\\n)*"));
  auto ok = engine.docker({"run", "--rm", "--network", "host", engine.registry() + "/apache/airflow/main/ci/python3.10:latest"});
  CHECK(ok.out == "airflow 2.10.0.dev0 on python:3.10-slim-bookworm\n");
  auto logs = strings::split_whitespace(r.out);
  for (const auto& w : logs)
    if (w.ends_with(".log")) std::filesystem::remove_all(std::filesystem::path(w).parent_path());
}
