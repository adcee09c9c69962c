#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/image.hpp>

#include <algorithm>
#include <cstdlib>
#include <regex>

using namespace breeze;

// `breeze ci-image build` as a user runs it, against the recording docker stand-in
// (tests/scripts/fake-docker), whose log of argv + environment is compared with golden files.

namespace {

struct Tree {
  files::TempDir dir{"breeze-build-e2e"};
  std::filesystem::path root = dir.path() / "airflow";
  std::filesystem::path log = dir.path() / "docker.log";
  Tree() {
    test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
    test::write_file(root / "Dockerfile", "FROM scratch\n");
    test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  }
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    extra.emplace("BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker");
    extra.emplace("FAKE_DOCKER_LOG", log.string());
    extra.emplace("-DOCKER_HOST", "");
    return extra;
  }
  [[nodiscard]] std::string calls() const {
    if (!std::filesystem::exists(log)) return {};
    return test::read_file(log);
  }
};

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

// Replaces what differs per run or machine: date, random string, paths and (for commands that did
// not choose a platform) the native platform.
std::string normalise(std::string text, const std::filesystem::path& root = {},
                      bool native_platform = false) {
  if (!root.empty()) replace_all(text, root.string(), "<sources>");
  replace_all(text, std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker", "docker");
  text = std::regex_replace(text, std::regex("AIRFLOW_IMAGE_DATE_CREATED=[0-9TZ:-]+"),
                            "AIRFLOW_IMAGE_DATE_CREATED=<date>");
  text = std::regex_replace(text, std::regex("UPGRADE_INVALIDATION_STRING=[0-9a-f]+"),
                            "UPGRADE_INVALIDATION_STRING=<random>");
  text = std::regex_replace(text, std::regex("breeze\\.build-time=[0-9TZ:-]+"),
                            "breeze.build-time=<date>");
  if (native_platform)
    replace_all(text, "--platform] [" + docker::native_platform() + "]", "--platform] [<native>]");
  return text;
}

// Records (argv + env line pairs) sorted, for parallel runs whose order varies.
std::string sorted_records(const std::string& log) {
  auto lines = strings::split(log, '\n');
  std::vector<std::string> records;
  for (std::size_t i = 0; i + 1 < lines.size(); i += 2)
    records.push_back(lines[i] + "\n" + lines[i + 1] + "\n");
  std::sort(records.begin(), records.end());
  return strings::join(records, "");
}

void check_golden(const std::string& name, const std::string& actual) {
  auto path = test::fixture("docker/" + name + ".log");
  if (std::getenv("BREEZE_UPDATE_GOLDEN") != nullptr) test::write_file(path, actual);
  INFO("golden file " << path.string());
  CHECK(test::read_file(path) == actual);
}

} // namespace

TEST_CASE("e2e: seed backtracking command runs verbatim and passes the eager requirements",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci-image", "build", "--upgrade-to-newer-dependencies",
                             "--eager-upgrade-additional-requirements",
                             "aiobotocore<=2.5.4 asana<=3.2.1"},
                            t.env(), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  check_golden("e2e_seed_eager", normalise(t.calls(), {}, true));
}

TEST_CASE(
    "e2e: the line Airflow's find-backtracking-candidates prints (no `build`) runs the same build",
    "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci-image", "--upgrade-to-newer-dependencies",
                             "--eager-upgrade-additional-requirements",
                             "aiobotocore<=2.5.4 asana<=3.2.1"},
                            t.env(), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("Running `breeze ci-image build`"));
  check_golden("e2e_seed_eager", normalise(t.calls(), {}, true));
  // Help and explicit commands keep their meaning.
  auto help = test::run_binary({"ci-image", "--help"}, t.env(), t.root);
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("save"));
  auto verbose_build =
      test::run_binary({"ci-image", "--verbose", "build", "--dry-run"}, t.env(), t.root);
  CHECK(verbose_build.exit_code == 0);
  CHECK_THAT(verbose_build.err, !Catch::Contains("Running `breeze ci-image build`"));
}

TEST_CASE("e2e: seed --run-in-parallel command builds every Python and prints a summary",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel",
                             "--upgrade-to-newer-dependencies", "--answer", "yes"},
                            t.env(), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  for (const auto* py : {"python3.10", "python3.11", "python3.12", "python3.13"}) {
    CHECK_THAT(r.out, Catch::Contains(py));
  }
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, std::regex("Logs: (/\\S+)")));
  CHECK(std::filesystem::is_directory(m[1].str())); // the logs stay for the user to open
  std::filesystem::remove_all(m[1].str());
  check_golden("e2e_seed_parallel", sorted_records(normalise(t.calls(), {}, true)));
}

TEST_CASE("e2e: --dry-run prints every docker command and runs none", "[e2e][docker]") {
  Tree t;
  auto r =
      test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions", "3.10 3.12",
                        "--prepare-buildx-cache", "--platform", "both", "--dry-run"},
                       t.env({{"FAKE_DOCKER_BUILDERS", "airflow_cache"}}), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  // Only the read-only probe ran.
  CHECK(normalise(t.calls()) == "argv: [buildx] [version]\nenv: DOCKER_BUILDKIT=unset\n");
  check_golden("e2e_dry_run_prepare_cache", normalise(r.out, t.root));
}

TEST_CASE("e2e: on GitHub Actions a failed parallel build leaves an error annotation and a summary",
          "[e2e][docker][github]") {
  Tree t;
  const auto summary = t.dir.path() / "step-summary.md";
  test::write_file(summary, "### an earlier step\n");
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions",
                             "3.10 3.11", "--platform", "linux/amd64"},
                            t.env({{"FAKE_DOCKER_FAIL", "python3.11:latest"},
                                   {"GITHUB_ACTIONS", "true"},
                                   {"GITHUB_STEP_SUMMARY", summary.string()}}),
                            t.root);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("::error title=python3.11 failed::[main 3/9] RUN pip install "
                                    "apache-airflow (exit 1)\n"));
  CHECK_THAT(r.err, !Catch::Contains("title=python3.10"));
  CHECK(r.err.find("simulated failure") == r.err.rfind("simulated failure")); // the log once
  CHECK_THAT(r.err, Catch::Contains("::group::[python3.10] ok")); // a built job's log, folded
  const auto markdown = test::read_file(summary);
  CHECK_THAT(markdown, Catch::StartsWith("### an earlier step\n### ci-image build\n"));
  CHECK_THAT(markdown, Catch::Contains("| python3.11 | **FAILED** | "));
  CHECK_THAT(markdown,
             Catch::Contains(" | [main 3/9] RUN pip install apache-airflow (exit 1) |\n"));
  CHECK_THAT(markdown, Catch::Contains("| python3.10 | ok | "));
  std::smatch m;
  if (std::regex_search(r.err, m, std::regex("Logs: (/\\S+)")))
    std::filesystem::remove_all(m[1].str());
}

TEST_CASE("e2e: on GitHub Actions warnings are annotations", "[e2e][docker][github]") {
  Tree t;
  auto r = test::run_binary(
      {"ci-image", "build", "--dry-run"},
      t.env({{"BREEZE_DOCKER", (t.dir.path() / "no-docker").string()}, {"GITHUB_ACTIONS", "true"}}),
      t.root);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("::warning::cannot run the docker client"));
  CHECK_THAT(r.err, !Catch::Contains("warning: "));
  auto plain =
      test::run_binary({"ci-image", "build", "--dry-run"},
                       t.env({{"BREEZE_DOCKER", (t.dir.path() / "no-docker").string()}}), t.root);
  CHECK_THAT(plain.err, Catch::Contains("warning: cannot run the docker client"));
  CHECK_THAT(plain.err, !Catch::Contains("::warning::"));
}

TEST_CASE("e2e: with the docker engine down a build fails with one line that says how to fix it",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci-image", "build", "--python", "3.11"},
                            t.env({{"FAKE_DOCKER_DOWN", "1"}}), t.root);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: Docker is not running (Cannot connect to the Docker daemon at "
                 "unix:///var/run/docker.sock. Is the docker daemon running?): start the docker "
                 "daemon (systemctl start docker) or set DOCKER_HOST to a running engine\n");
  CHECK_THAT(t.calls(), !Catch::Contains("[build]") && !Catch::Contains("[pull]"));
  // A dry run talks to no engine: it still prints the plan.
  auto dry = test::run_binary({"ci-image", "build", "--python", "3.11", "--dry-run"},
                              t.env({{"FAKE_DOCKER_DOWN", "1"}}), t.root);
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("buildx build"));
}

TEST_CASE("e2e: docker is found on PATH when BREEZE_DOCKER is unset", "[e2e][docker]") {
  Tree t;
  auto bin = t.dir.path() / "bin";
  std::filesystem::create_directories(bin);
  std::filesystem::create_symlink(std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker",
                                  bin / "docker");
  auto env = t.env({{"PATH", bin.string() + ":" + std::string(std::getenv("PATH"))}});
  env.erase("BREEZE_DOCKER");
  env["-BREEZE_DOCKER"] = "";
  auto r = test::run_binary({"ci-image", "build", "--python", "3.11", "--platform", "linux/amd64"},
                            env, t.root);
  CHECK(r.exit_code == 0);
  CHECK_THAT(t.calls(), Catch::Contains("[buildx] [build] [--load]"));
  CHECK_THAT(t.calls(), Catch::Contains("ghcr.io/apache/airflow/main/ci/python3.11:latest"));
}

TEST_CASE("e2e: without buildx the classic engine pulls, builds with DOCKER_BUILDKIT=1 and pushes",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci-image", "build", "--python", "3.10", "--platform", "linux/amd64",
                             "--push", "--github-repository", "fork/airflow"},
                            t.env({{"FAKE_DOCKER_NO_BUILDX", "1"}}), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  check_golden("e2e_classic_push", normalise(t.calls()));

  Tree t2;
  auto multi = test::run_binary({"ci-image", "build", "--platform", "both", "--push"},
                                t2.env({{"FAKE_DOCKER_NO_BUILDX", "1"}}), t2.root);
  CHECK(multi.exit_code == 2);
  CHECK_THAT(multi.err, Catch::Contains("needs docker buildx"));
  CHECK_THAT(t2.calls(), !Catch::Contains("[build]"));
}

TEST_CASE("e2e: --builder must be a buildx builder and docker contexts are never touched",
          "[e2e][docker]") {
  Tree t;
  auto bad = test::run_binary({"ci-image", "build", "--builder", "desktop-linux"}, t.env(), t.root);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("not a docker buildx builder"));
  CHECK_THAT(t.calls(), !Catch::Contains("[build]"));

  Tree t2;
  auto ok = test::run_binary({"ci-image", "build", "--builder", "airflow_cache", "--push",
                              "--platform", "linux/amd64,linux/arm64"},
                             t2.env({{"FAKE_DOCKER_BUILDERS", "airflow_cache"}}), t2.root);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  auto calls = t2.calls();
  CHECK_THAT(calls, Catch::Contains("[--push] [--builder] [airflow_cache]"));
  CHECK_THAT(calls, !Catch::Contains("[--load]"));
  CHECK_THAT(calls, !Catch::Contains("[context]"));
  CHECK_THAT(calls,
             Catch::Contains(
                 "[--cache-from=ghcr.io/apache/airflow/main/ci/python3.13:cache-linux-amd64] "
                 "[--cache-from=ghcr.io/apache/airflow/main/ci/python3.13:cache-linux-arm64]"));
}

TEST_CASE("e2e: a failing parallel build fails the run, names the job and keeps its log",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions",
                             "3.10 3.11", "--platform", "linux/amd64"},
                            t.env({{"FAKE_DOCKER_FAIL", "python3.11:latest"}}), t.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matches("(.|\\n)*python3\\.10 +ok(.|\\n)*", Catch::CaseSensitive::Yes));
  CHECK_THAT(r.out,
             Catch::Matches("(.|\\n)*python3\\.11 +FAILED(.|\\n)*", Catch::CaseSensitive::Yes));
  CHECK_THAT(r.err, Catch::Contains("simulated failure"));
  // The Summary column names the build step that failed, and the last step of the one that did
  // not, never the job's title again; the failed log is printed once.
  CHECK_THAT(r.out, Catch::Contains(".log  [main 3/9] RUN pip install apache-airflow (exit 1)\n"));
  CHECK_THAT(r.out, Catch::Contains(".log  [internal] load build definition from Dockerfile.ci\n"));
  CHECK_THAT(r.out, !Catch::Contains("Build CI image"));
  CHECK(r.err.find("simulated failure") == r.err.rfind("simulated failure"));
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex("(/\\S+python3\\.11\\.log)")));
  CHECK_THAT(test::read_file(m[1].str()), Catch::Contains("simulated failure"));
  std::filesystem::remove_all(std::filesystem::path(m[1].str()).parent_path());
}

TEST_CASE("e2e: bad option values are usage errors before anything runs", "[e2e][docker]") {
  Tree t;
  CHECK(test::run_binary({"ci-image", "build", "--python", "2.7"}, t.env(), t.root).exit_code == 2);
  CHECK(test::run_binary({"ci-image", "build", "--platform", "linux/s390x"}, t.env(), t.root)
            .exit_code == 2);
  CHECK(test::run_binary({"ci-image", "build", "--docker-cache", "sometimes"}, t.env(), t.root)
            .exit_code == 2);
  CHECK(test::run_binary({"ci-image", "build", "--platform", "both"}, t.env(), t.root).exit_code ==
        2);
  CHECK_THAT(t.calls(), !Catch::Contains("[build]"));
  files::TempDir empty;
  auto none = test::run_binary({"ci-image", "build"}, t.env(), empty.path());
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("--airflow-sources"));
}

TEST_CASE("e2e: ci-image save/load run docker save/load and check the file name against Python and "
          "platform",
          "[e2e][docker]") {
  Tree t;
  auto file = (t.dir.path() / "ci-image-save-linux-arm64-3.12.tar").string();
  auto save = test::run_binary(
      {"ci-image", "save", "--python", "3.12", "--platform", "linux/arm64", "--image-file", file},
      t.env(), t.root);
  INFO(save.err);
  CHECK(save.exit_code == 0);
  CHECK_THAT(
      t.calls(),
      Catch::Contains("argv: [save] [ghcr.io/apache/airflow/main/ci/python3.12:latest] [-o] [" +
                      file + "]"));
  test::write_file(file, "tar");
  auto load = test::run_binary(
      {"ci-image", "load", "--python", "3.12", "--platform", "linux/arm64", "--image-file", file},
      t.env(), t.root);
  CHECK(load.exit_code == 0);
  CHECK_THAT(t.calls(), Catch::Contains("argv: [load] [-i] [" + file + "]"));
  auto wrong = test::run_binary(
      {"ci-image", "load", "--python", "3.10", "--platform", "linux/arm64", "--image-file", file},
      t.env(), t.root);
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.err, Catch::Contains("-linux-arm64-3.10.tar"));
}

namespace {

// A docker config dir with (or without) a login for ghcr.io.
std::filesystem::path docker_config(const Tree& t, bool logged_in) {
  auto dir = t.dir.path() / "docker-config";
  test::write_file(dir / "config.json",
                   logged_in ? R"({"auths": {"ghcr.io": {"auth": "dXNlcjp0b2tlbg=="}}})"
                             : R"({"auths": {"https://index.docker.io/v1/": {}}})");
  return dir;
}

} // namespace

TEST_CASE("e2e: ci refresh-images --dry-run prints the whole plan and runs none", "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci", "refresh-images", "--python-versions", "3.10 3.12", "--dry-run"},
                            t.env({{"FAKE_DOCKER_BUILDERS", "airflow_cache"},
                                   {"DOCKER_CONFIG", docker_config(t, true).string()}}),
                            t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  // Only read-only probes ran: buildx version and the builder check.
  CHECK(t.calls().find("[build]") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.root / "docker-context-files"));
  check_golden("e2e_refresh_images_dry_run", normalise(r.out, t.root));
}

TEST_CASE("e2e: ci refresh-images without a registry login stops before building",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary({"ci", "refresh-images"},
                            t.env({{"FAKE_DOCKER_BUILDERS", "airflow_cache"},
                                   {"DOCKER_CONFIG", docker_config(t, false).string()}}),
                            t.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("docker login ghcr.io"));
  CHECK(t.calls().find("[build]") == std::string::npos);
}

TEST_CASE("e2e: ci refresh-images without buildx says how to install it", "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary(
      {"ci", "refresh-images"},
      t.env({{"FAKE_DOCKER_NO_BUILDX", "1"}, {"DOCKER_CONFIG", docker_config(t, true).string()}}),
      t.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err,
             Catch::Contains("needs docker buildx") && Catch::Contains("docker-buildx-plugin"));
  CHECK(t.calls().find("[build]") == std::string::npos);
}

TEST_CASE("e2e: ci refresh-images builds the CI cache, the packages, then the PROD cache",
          "[e2e][docker]") {
  Tree t;
  test::write_file(t.root / "breeze.yaml", "package-build-command: mkdir -p dist && echo wheel > "
                                           "dist/apache_airflow-2.10.0-py3-none-any.whl\n");
  test::write_file(t.root / "docker-context-files/old.whl", "stale\n");
  auto r = test::run_binary(
      {"ci", "refresh-images", "--python-versions", "3.12", "--platform", "linux/amd64"},
      t.env({{"FAKE_DOCKER_BUILDERS", "airflow_cache"},
             {"DOCKER_CONFIG", docker_config(t, true).string()}}),
      t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(std::filesystem::exists(t.root /
                                "docker-context-files/apache_airflow-2.10.0-py3-none-any.whl"));
  CHECK_FALSE(std::filesystem::exists(t.root / "docker-context-files/old.whl"));
  auto calls = t.calls();
  auto ci = calls.find("/ci/python3.12:cache-linux-amd64");
  auto prod = calls.find("/prod/python3.12:cache-linux-amd64");
  REQUIRE(ci != std::string::npos);
  REQUIRE(prod != std::string::npos);
  CHECK(ci < prod);
}
