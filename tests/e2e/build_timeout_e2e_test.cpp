#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

using namespace breeze;

// A build that runs too long is stopped and find-backtracking-candidates runs in its place, as in
// Airflow's tool: the blocking docker stand-in never finishes a build, the PyPI stand-in serves the
// index and (under /raw, like raw.githubusercontent.com) the constraints.

namespace {

struct Setup {
  files::TempDir dir{"breeze-timeout-e2e"};
  std::filesystem::path root = dir.path() / "airflow";
  std::filesystem::path index = dir.path() / "index";
  std::optional<test::PypiServer> server;

  Setup() {
    test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
    test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
    std::filesystem::copy(test::fixture("pypi/index"), index,
                          std::filesystem::copy_options::recursive);
    const auto constraints =
        test::read_file(test::fixture("pypi/constraints-source-providers-3.11.txt"));
    for (const auto* py : {"3.11", "3.12"})
      test::write_file(index / "raw/apache/airflow/constraints-main" /
                           fmt::format("constraints-source-providers-{}.txt", py),
                       constraints);
    server.emplace(test::PypiServer::Options{.root = index});
  }
  std::map<std::string, std::string> env() const {
    return {{"BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/blocking-docker"},
            {"FAKE_DOCKER_LOG", (dir.path() / "docker.log").string()},
            {"BLOCKING_DOCKER_PID", (dir.path() / "build.pid").string()},
            {"BREEZE_BUILD_TIMEOUT_SECONDS", "0.5"},
            {"BREEZE_PYPI_URL", server->url()},
            {"BREEZE_CONSTRAINTS_URL", server->url() + "/raw"},
            {"XDG_CACHE_HOME", (dir.path() / "cache").string()},
            {"-DOCKER_HOST", ""},
            {"-GITHUB_ACTIONS", ""}};
  }
};

// The seed's report, its build line naming the Python it is for.
std::string expected_for_python(const std::string& python) {
  auto text = test::read_file(test::fixture("pypi/expected-output.txt"));
  const std::string line = "breeze ci-image build --upgrade-to-newer-dependencies";
  const auto at = text.find(line);
  REQUIRE(at != std::string::npos);
  return text.replace(at, line.size(),
                      "breeze ci-image build --python " + python +
                          " --upgrade-to-newer-dependencies");
}

} // namespace

TEST_CASE("e2e: find-backtracking-candidates --python 3.11 suggests a build of Python 3.11",
          "[e2e][timeout]") {
  Setup s;
  auto env = s.env();
  auto r = test::run_binary({"ci", "find-backtracking-candidates", "--python", "3.11", "--pypi-url",
                             env.at("BREEZE_PYPI_URL"), "--constraints-url",
                             env.at("BREEZE_CONSTRAINTS_URL")},
                            env, s.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == expected_for_python("3.11"));
}

TEST_CASE(
    "e2e: a build past its timeout is stopped, then find-backtracking-candidates reports, exit 1",
    "[e2e][docker][timeout]") {
  Setup s;
  auto r = test::run_binary({"ci-image", "build", "--python", "3.11"}, s.env(), s.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("(timed out)"));
  CHECK_THAT(r.err, Catch::Contains("The build ran longer than 0.5 seconds"));
  // The same report the command prints on its own, from the build's Python and constraints.
  CHECK(r.out == expected_for_python("3.11"));
  CHECK(s.server->requests_for(
            "/raw/apache/airflow/constraints-main/constraints-source-providers-3.11.txt") == 1);
}

TEST_CASE("e2e: parallel builds past their timeout report candidates for every timed-out Python",
          "[e2e][docker][timeout]") {
  Setup s;
  auto r =
      test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions", "3.11 3.12"},
                       s.env(), s.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("Found 20 candidates for backtracking"));
  CHECK(s.server->requests_for(
            "/raw/apache/airflow/constraints-main/constraints-source-providers-3.11.txt") == 1);
  CHECK(s.server->requests_for(
            "/raw/apache/airflow/constraints-main/constraints-source-providers-3.12.txt") == 1);
}

TEST_CASE("e2e: a malformed BREEZE_BUILD_TIMEOUT_SECONDS is a usage error before anything runs",
          "[e2e][docker][timeout]") {
  Setup s;
  auto env = s.env();
  env["BREEZE_BUILD_TIMEOUT_SECONDS"] = "soon";
  auto r = test::run_binary({"ci-image", "build", "--python", "3.11"}, env, s.root);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("BREEZE_BUILD_TIMEOUT_SECONDS"));
  CHECK_FALSE(std::filesystem::exists(s.dir.path() / "build.pid"));
}
