#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace breeze;

// Ctrl-C against the built binary while docker runs: breeze must stop the child's process group and
// exit 130. We fork breeze ourselves (rather than through run_binary) because we need its pid to
// signal it while it runs, exactly as a terminal signals the foreground process.

namespace {

// The environment breeze sees: ours, minus anything that would change its behaviour, plus `extra`.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto name = entry.substr(0, entry.find('='));
    const auto& isolated = test::isolated_variables();
    if (extra.count(name) || std::find(isolated.begin(), isolated.end(), name) != isolated.end())
      continue;
    env.push_back(entry);
  }
  for (const auto& [k, v] : extra)
    env.push_back(k + "=" + v);
  return env;
}

// Starts the built binary in `cwd` with output to `output`; returns its pid.
pid_t spawn_breeze(const std::vector<std::string>& args, const std::vector<std::string>& env,
                   const std::filesystem::path& cwd, const std::filesystem::path& output) {
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> argv_strings{BREEZE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  std::vector<char*> envp;
  for (auto& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(out >= 0);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(in >= 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)
      ::_exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(in);
  REQUIRE(pid > 0);
  return pid;
}

// Waits up to `limit` for `pid` to exit; nullopt if it is still running.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

// What the terminal does on Ctrl-C: SIGINT to breeze, then its wait status. When breeze does not
// exit within a minute, it and `child` are killed and the test fails.
int interrupt_and_wait(pid_t breeze, pid_t child) {
  REQUIRE(::kill(breeze, SIGINT) == 0);
  auto status = wait_for_exit(breeze, std::chrono::seconds(60));
  if (!status) {
    ::kill(breeze, SIGKILL);
    ::waitpid(breeze, nullptr, 0);
    ::kill(child, SIGKILL);
    FAIL("breeze did not exit after SIGINT");
  }
  return *status;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// Starts breeze with `args` against the blocking docker stand-in, presses Ctrl-C once docker runs,
// and checks breeze exits 130 having stopped (and reaped) the docker process.
void check_ctrl_c_exits_130(const std::vector<std::string>& args, const std::filesystem::path& dir,
                            const std::filesystem::path& root,
                            std::map<std::string, std::string> extra_env = {}) {
  auto pid_file = dir / "docker.pid";
  auto output = dir / "breeze.out";
  extra_env["BREEZE_DOCKER"] = std::string(BREEZE_TEST_SCRIPTS) + "/blocking-docker";
  extra_env["FAKE_DOCKER_LOG"] = (dir / "docker.log").string();
  extra_env["BLOCKING_DOCKER_PID"] = pid_file.string();
  auto env = child_environment(extra_env);

  pid_t breeze = spawn_breeze(args, env, root, output);

  // Readiness is the stand-in's pid file (renamed into place, so never half-written); polling it is
  // bounded, and breeze exiting first is a failure rather than a hang.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::optional<int> early_exit;
  while (!std::filesystem::exists(pid_file) && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(breeze, &status, WNOHANG) == breeze) {
      early_exit = status;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto breeze_output = [&] {
    return std::filesystem::exists(output) ? test::read_file(output) : std::string();
  };
  if (early_exit || !std::filesystem::exists(pid_file)) {
    if (!early_exit) {
      ::kill(breeze, SIGKILL);
      ::waitpid(breeze, nullptr, 0);
    }
    INFO("breeze output:\n" << breeze_output());
    FAIL("the docker stand-in's build never started");
  }
  auto docker =
      static_cast<pid_t>(std::stol(std::string(strings::trim(test::read_file(pid_file)))));
  REQUIRE(process_exists(docker));

  // What the terminal does on Ctrl-C for breeze; breeze's children are in their own group, so
  // only breeze's handler can stop them.
  const int status = interrupt_and_wait(breeze, docker);
  INFO("breeze output:\n" << breeze_output());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  bool docker_left = process_exists(docker);
  if (docker_left) ::kill(docker, SIGKILL);
  CHECK_FALSE(docker_left); // breeze waited for (and reaped) the build it started
  // Jobs stopped by Ctrl-C were interrupted, not failed: no FAILED, no log dump.
  CHECK_THAT(breeze_output(), !Catch::Contains("FAILED") && !Catch::Contains("Log of failed job"));
  std::smatch logs; // a parallel run's log folder is kept for the user; not for the test
  const auto text = breeze_output();
  if (std::regex_search(text, logs, std::regex("Logs: (/\\S+)")))
    std::filesystem::remove_all(logs[1].str());
}

} // namespace

TEST_CASE("e2e: Ctrl-C while docker builds stops the build and exits 130", "[e2e][docker]") {
  files::TempDir dir{"breeze-interrupt-e2e"};
  auto root = dir.path() / "airflow";
  test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
  test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  check_ctrl_c_exits_130({"ci-image", "build", "--python", "3.12"}, dir.path(), root);
}

TEST_CASE("e2e: Ctrl-C while a package container runs stops it, removes the container and exits "
          "130",
          "[e2e][docker][packages]") {
  files::TempDir dir{"breeze-interrupt-e2e"};
  auto root = dir.path() / "airflow";
  std::filesystem::copy(test::fixture("airflow-checkout/v2-10-test"), root,
                        std::filesystem::copy_options::recursive);
  check_ctrl_c_exits_130({"release-management", "prepare-airflow-package"}, dir.path(), root,
                         {{"BLOCKING_DOCKER_ONLY_RUN", "1"}});
  // The build went through the recording stand-in; the container run blocked until Ctrl-C; its
  // container was removed afterwards all the same (a cleanup runs after Ctrl-C).
  const auto calls = test::read_file(dir.path() / "docker.log");
  CHECK_THAT(calls, Catch::Contains("[build] [.] [-f] [airflow-build-dockerfile]"));
  CHECK_THAT(calls, Catch::Matches(
                        "(.|\\n)*\\[rm\\] \\[--force\\] \\[airflow-build-[0-9a-f]{16}\\](.|\\n)*"));
  CHECK(calls.find("[cp]") == std::string::npos);
}

TEST_CASE("e2e: Ctrl-C during a parallel build reports the running jobs as interrupted",
          "[e2e][docker]") {
  files::TempDir dir{"breeze-interrupt-e2e"};
  auto root = dir.path() / "airflow";
  test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
  test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  check_ctrl_c_exits_130({"ci-image", "build", "--run-in-parallel", "--python-versions",
                          "3.10 3.11", "--parallelism", "1", "--platform", "linux/amd64"},
                         dir.path(), root);
  const auto out = test::read_file(dir.path() / "breeze.out");
  CHECK_THAT(out, Catch::Matches("(.|\\n)*python3\\.10 +interrupted(.|\\n)*"));
  CHECK_THAT(out, Catch::Matches("(.|\\n)*python3\\.11 +not run(.|\\n)*"));
}

TEST_CASE(
    "e2e: Ctrl-C during parallel generate-constraints stops docker, exits 130 and writes no file",
    "[e2e][docker][generate-constraints]") {
  files::TempDir dir{"breeze-interrupt-e2e"};
  auto root = dir.path() / "airflow";
  test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
  check_ctrl_c_exits_130(
      {"release-management", "generate-constraints", "--run-in-parallel", "--python-versions",
       "3.10 3.11", "--constraints-url", "http://127.0.0.1:1", "--answer", "yes"},
      dir.path(), root,
      {{"FAKE_DOCKER_LABELS",
        R"({"org.apache.airflow.breeze.build-time":"2099-01-01T00:00:00Z",)"
        R"("org.apache.airflow.breeze.upgrade-to-newer-dependencies":"true"})"}});
  CHECK(!std::filesystem::exists(root / "files" / "constraints-3.10"));
  CHECK(!std::filesystem::exists(root / "files" / "constraints-3.11"));
}

TEST_CASE("e2e: Ctrl-C during bisect-backtracking stops the probe and prints what is known",
          "[e2e][bisect]") {
  files::TempDir dir{"breeze-bisect-interrupt"};
  const auto log = dir.path() / "probes.log";
  const auto output = dir.path() / "breeze.out";
  // aiobotocore last: the full list passes, then the first half (without it) hangs.
  const std::string reqs = "asana<=3.2.1 boto3<=1.28.17 cfgv<=3.3.1 aiobotocore<=2.5.4";
  auto env = child_environment({{"FAKE_PROBE_LOG", log.string()}, {"TMPDIR", dir.path().string()}});
  pid_t breeze =
      spawn_breeze({"ci", "bisect-backtracking", "--eager-upgrade-additional-requirements", reqs,
                    "--pypi-url", "http://127.0.0.1:9", "--probe-timeout", "120",
                    "--backtracking-pattern", "", "--probe-command", // a hang, not a cut
                    std::string(BREEZE_TEST_SCRIPTS) + "/fake-probe seed 0.05 {requirements}"},
                   env, dir.path(), output);
  // Readiness: the stand-in logged the second probe's start (it hangs from then on).
  auto started = [&] {
    std::vector<std::string> starts;
    if (std::filesystem::exists(log))
      for (auto& l : strings::split(test::read_file(log), '\n'))
        if (l.starts_with("start ")) starts.push_back(l);
    return starts;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (started().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(breeze, nullptr, WNOHANG) == breeze)
      FAIL("breeze exited early: " << test::read_file(output));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto lines = started();
  REQUIRE(lines.size() == 2);
  const auto probe = static_cast<pid_t>(std::stol(strings::split(lines[1], ' ')[1]));
  const int status = interrupt_and_wait(breeze, probe);
  const auto out = test::read_file(output);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_THAT(out, Catch::Contains("interrupted"));
  CHECK_THAT(out, Catch::Contains(
                      "Interrupted. The culprit(s) are among these 4 limits (they pass): " + reqs));
  bool left = process_exists(probe);
  if (left) ::kill(probe, SIGKILL);
  CHECK_FALSE(left);
}
