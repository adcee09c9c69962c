#include <support/pypi_server.hpp>

#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <curl/curl.h>

#include <cerrno>
#include <csignal>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace breeze::test {

PypiServer::PypiServer(Options options) {
  std::vector<std::string> args{"python3", std::string(BREEZE_TEST_SCRIPTS) + "/pypi_server.py",
                                "--root", options.root.string()};
  if (options.simple_only) args.emplace_back("--simple-only");
  if (options.delay_ms > 0)
    args.insert(args.end(), {"--delay-ms", std::to_string(options.delay_ms)});
  if (options.max_age) args.insert(args.end(), {"--max-age", std::to_string(*options.max_age)});
  if (options.no_validators) args.emplace_back("--no-validators");
  if (!options.faults.is_null()) {
    write_file(m_dir.path() / "faults.json", options.faults.dump());
    args.insert(args.end(), {"--faults", (m_dir.path() / "faults.json").string()});
  }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t parent = ::getpid();
  m_pid = ::fork();
  REQUIRE(m_pid >= 0);
  if (m_pid == 0) {
    // Dies with the test process even if that crashes before the destructor runs.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  // Read the port line; the poll bound only turns a broken server into a failure, not a hang.
  std::string line;
  char c = 0;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 20'000) <= 0) break;
    auto n = ::read(fds[0], &c, 1);
    if (n <= 0) break;
    line.push_back(c);
  }
  ::close(fds[0]);
  if (!line.empty() && line.back() == '\n') m_port = std::stoi(line);
  if (m_port <= 0) {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
    FAIL("the test PyPI server did not start (python3 tests/scripts/pypi_server.py)");
  }
}

PypiServer::~PypiServer() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string PypiServer::url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

namespace {
std::size_t append(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
} // namespace

nlohmann::json PypiServer::stats() const {
  // A plain easy handle, so counting does not depend on the client under test.
  std::string body;
  CURL* e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, (url() + "/_stats").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
  const auto rc = curl_easy_perform(e);
  curl_easy_cleanup(e);
  REQUIRE(rc == CURLE_OK);
  return nlohmann::json::parse(body);
}

int PypiServer::requests_for(const std::string& path) const {
  auto s = stats();
  return s["by_path"].contains(path) ? s["by_path"][path].get<int>() : 0;
}

void write_project(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<std::tuple<std::string, std::string, bool>>& releases) {
  // As PyPI: `info` describes the newest release (the last one given), with no requirements known.
  const std::string latest = releases.empty() ? "" : std::get<0>(releases.back());
  nlohmann::json doc{{"info", {{"name", name}, {"version", latest}, {"requires_dist", nullptr}}},
                     {"releases", nlohmann::json::object()}};
  for (const auto& [version, uploaded, yanked] : releases) {
    nlohmann::json file{{"filename", name + "-" + version + ".tar.gz"},
                        {"packagetype", "sdist"},
                        {"upload_time_iso_8601", uploaded},
                        {"yanked", yanked},
                        {"url", "https://files.example/" + name + "-" + version + ".tar.gz"}};
    doc["releases"][version].push_back(file);
  }
  write_file(dir / (name + ".json"), doc.dump(1));
}

} // namespace breeze::test
