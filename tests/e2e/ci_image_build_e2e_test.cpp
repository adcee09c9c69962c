#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/image.hpp>

#include <nlohmann/json.hpp>

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
                                   {"CI", "true"}, // as on GitHub's runners: no retry with upgrade
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
  // --no-upgrade-on-failure: one attempt, so its log holds one failure (the retry is tested apart).
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions",
                             "3.10 3.11", "--platform", "linux/amd64", "--no-upgrade-on-failure"},
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

// FAKE_DOCKER_STATE holding the builder airflow_cache with one node per platform in `platforms`.
std::filesystem::path builder_state(const Tree& t, const std::string& platforms) {
  auto dir = t.dir.path() / "docker-state";
  test::write_file(dir / "builders",
                   "airflow_cache|airflow_cache0|unix:///var/run/docker.sock|" + platforms + "\n");
  return dir;
}

// A bin folder whose `breeze` is a stand-in for Python Breeze: it has every command (`--help`
// exits 0) and "prepares" packages by writing a wheel into dist/.
std::filesystem::path python_breeze_on_path(const Tree& t) {
  auto bin = t.dir.path() / "python-breeze-bin";
  test::write_file(bin / "breeze", "#!/bin/sh\n"
                                   "for a in \"$@\"; do [ \"$a\" = --help ] && exit 0; done\n"
                                   "mkdir -p dist && echo \"$2\" > dist/apache_airflow-$2.whl\n");
  std::filesystem::permissions(bin / "breeze", std::filesystem::perms(0755));
  return bin;
}

// A bin folder whose `breeze` is this binary, which lacks Python Breeze's package commands.
std::filesystem::path this_breeze_on_path(const Tree& t) {
  auto bin = t.dir.path() / "bin";
  std::filesystem::create_directories(bin);
  std::filesystem::create_symlink(BREEZE_BINARY, bin / "breeze");
  return bin;
}

// this_breeze_on_path, made at most once per tree.
std::filesystem::path this_breeze_on_path_once(const Tree& t) {
  const auto bin = t.dir.path() / "bin";
  return std::filesystem::exists(bin / "breeze") ? bin : this_breeze_on_path(t);
}

// The v2-10-test checkout fixture in the tree: what breeze's package step reads (the in-container
// script, the Breeze provider code, provider.yaml files, the provider list, the epoch).
void checkout_with_packages(const Tree& t) {
  std::filesystem::copy(test::fixture("airflow-checkout/v2-10-test"), t.root,
                        std::filesystem::copy_options::recursive |
                            std::filesystem::copy_options::overwrite_existing);
}

std::map<std::string, std::string> refresh_env(const Tree& t, const std::filesystem::path& bin) {
  return t.env({{"FAKE_DOCKER_STATE", builder_state(t, "linux/amd64,linux/arm64").string()},
                {"DOCKER_CONFIG", docker_config(t, true).string()},
                {"PATH", bin.string() + ":" + std::string(std::getenv("PATH"))}});
}

} // namespace

TEST_CASE("e2e: ci refresh-images --dry-run prints the whole plan and runs none", "[e2e][docker]") {
  Tree t;
  checkout_with_packages(t);
  auto r = test::run_binary({"ci", "refresh-images", "--python-versions", "3.10 3.12", "--dry-run"},
                            refresh_env(t, this_breeze_on_path(t)), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  // Only read-only probes ran: buildx version and the builder check.
  CHECK(t.calls().find("[build]") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.root / "docker-context-files"));
  CHECK_FALSE(std::filesystem::exists(t.root / "airflow-build-dockerfile"));
  check_golden("e2e_refresh_images_dry_run",
               std::regex_replace(normalise(r.out, t.root),
                                  std::regex("(airflow-(providers-)?build)-[0-9a-f]{16}"),
                                  "$1-<id>"));
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

namespace {

std::size_t builds_in(const std::string& calls) {
  std::size_t n = 0;
  for (auto pos = calls.find("[buildx] [build]"); pos != std::string::npos;
       pos = calls.find("[buildx] [build]", pos + 1))
    ++n;
  return n;
}

// The argv record of the n-th (0-based) `buildx build`.
std::string build_record(const std::string& calls, std::size_t n) {
  auto pos = calls.find("[buildx] [build]");
  for (std::size_t i = 0; i < n && pos != std::string::npos; ++i)
    pos = calls.find("[buildx] [build]", pos + 1);
  REQUIRE(pos != std::string::npos);
  return calls.substr(pos, calls.find('\n', pos) - pos);
}

const std::vector<std::string> k_one_build{"ci-image", "build",      "--python",
                                           "3.11",     "--platform", "linux/amd64"};

std::vector<std::string> plus(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

} // namespace

TEST_CASE("e2e: --upgrade-on-failure (the local default) retries a failed build exactly once with "
          "the upgrade",
          "[e2e][docker]") {
  Tree t;
  const auto once = (t.dir.path() / "failed-once").string();
  auto r = test::run_binary(
      k_one_build,
      t.env({{"FAKE_DOCKER_FAIL", "buildx build"}, {"FAKE_DOCKER_FAIL_ONCE", once}, {"-CI", ""}}),
      t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const auto calls = t.calls();
  REQUIRE(builds_in(calls) == 2);
  CHECK_THAT(build_record(calls, 0), !Catch::Contains("UPGRADE_INVALIDATION_STRING"));
  CHECK_THAT(build_record(calls, 1), Catch::Contains("UPGRADE_INVALIDATION_STRING="));
  CHECK_THAT(build_record(calls, 1),
             Catch::Contains("org.apache.airflow.breeze.upgrade-to-newer-dependencies=true"));
  CHECK_THAT(r.err, Catch::Contains("attempting to build with --upgrade-to-newer-dependencies on "
                                    "failure"));

  // A build that fails again is not retried a second time.
  Tree t2;
  auto twice = test::run_binary(
      k_one_build, t2.env({{"FAKE_DOCKER_FAIL", "buildx build"}, {"-CI", ""}}), t2.root);
  CHECK(twice.exit_code == 1);
  CHECK(builds_in(t2.calls()) == 2);
}

TEST_CASE("e2e: no retry when CI is set, with --no-upgrade-on-failure or UPGRADE_ON_FAILURE=false, "
          "and the flag wins over CI",
          "[e2e][docker]") {
  const std::map<std::string, std::string> fail{{"FAKE_DOCKER_FAIL", "buildx build"}};
  auto env_with = [&](const Tree& t, std::map<std::string, std::string> more) {
    auto e = t.env(fail);
    e.insert(more.begin(), more.end());
    return e;
  };
  {
    Tree t;
    auto r = test::run_binary(k_one_build, env_with(t, {{"CI", "true"}}), t.root);
    CHECK(r.exit_code == 1);
    CHECK(builds_in(t.calls()) == 1);
    CHECK_THAT(r.err, Catch::Contains("--python 3.11 --upgrade-to-newer-dependencies"));
  }
  {
    Tree t;
    auto r = test::run_binary(plus(k_one_build, {"--no-upgrade-on-failure"}),
                              env_with(t, {{"-CI", ""}}), t.root);
    CHECK(r.exit_code == 1);
    CHECK(builds_in(t.calls()) == 1);
  }
  {
    Tree t;
    auto r = test::run_binary(k_one_build,
                              env_with(t, {{"-CI", ""}, {"UPGRADE_ON_FAILURE", "false"}}), t.root);
    CHECK(r.exit_code == 1);
    CHECK(builds_in(t.calls()) == 1);
  }
  {
    Tree t;
    auto r = test::run_binary(plus(k_one_build, {"--upgrade-on-failure"}),
                              env_with(t, {{"CI", "true"}}), t.root);
    CHECK(r.exit_code == 1);
    CHECK(builds_in(t.calls()) == 2);
  }
}

TEST_CASE("e2e: --docker-host sets DOCKER_HOST for docker and drops --builder, --tag-as-latest "
          "adds the :latest tag",
          "[e2e][docker]") {
  Tree t;
  auto r = test::run_binary(
      plus(k_one_build, {"--docker-host", "tcp://127.0.0.1:2375", "--builder", "airflow_cache",
                         "--image-tag", "my-tag", "--tag-as-latest"}),
      t.env({{"FAKE_DOCKER_ENV", "DOCKER_HOST"}, {"FAKE_DOCKER_BUILDERS", "airflow_cache"}}),
      t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const auto calls = t.calls();
  const auto build = calls.find("[buildx] [build]");
  REQUIRE(build != std::string::npos);
  const auto env_line = calls.substr(calls.find("\nenv:", build) + 1);
  CHECK_THAT(env_line.substr(0, env_line.find('\n')),
             Catch::Contains("DOCKER_HOST=tcp://127.0.0.1:2375"));
  const auto argv = build_record(calls, 0);
  CHECK_THAT(argv, !Catch::Contains("[--builder]"));
  CHECK_THAT(argv, Catch::Contains("[DOCKER_HOST=tcp://127.0.0.1:2375]"));
  CHECK_THAT(argv, Catch::Contains("[-t] [ghcr.io/apache/airflow/main/ci/python3.11:my-tag] [-t] "
                                   "[ghcr.io/apache/airflow/main/ci/python3.11:latest]"));
  CHECK_THAT(r.err, Catch::Contains("--builder airflow_cache is not used"));
}

TEST_CASE("e2e: --github-token is accepted and masked, --include-success-outputs prints the "
          "successful jobs' logs, --skip-cleanup and --debug-resources are accepted",
          "[e2e][docker]") {
  Tree t;
  const std::string token = "ghp_0123456789abcdefTOKEN";
  // The token is not used by the build; to see that it is masked wherever it would show, it is
  // also the eager-upgrade value, which the dry run prints in the docker command line.
  const std::vector<std::string> shows_it{"ci-image",
                                          "--python",
                                          "3.11",
                                          "--upgrade-to-newer-dependencies",
                                          "--eager-upgrade-additional-requirements",
                                          token,
                                          "--dry-run"};
  auto r = test::run_binary(plus(shows_it, {"--github-token", token}), t.env(), t.root);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=***"));
  CHECK((r.out + r.err).find(token) == std::string::npos);
  auto from_env = test::run_binary(shows_it, t.env({{"GITHUB_TOKEN", token}}), t.root);
  CHECK(from_env.exit_code == 0);
  CHECK_THAT(from_env.out, Catch::Contains("EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=***"));
  CHECK((from_env.out + from_env.err).find(token) == std::string::npos);
  // The control: without the token option or variable the value is printed as it is.
  auto plain = test::run_binary(shows_it, t.env({{"-GITHUB_TOKEN", ""}}), t.root);
  CHECK_THAT(plain.out, Catch::Contains(token));

  Tree t2;
  auto par = test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions",
                               "3.10 3.11", "--platform", "linux/amd64",
                               "--include-success-outputs", "--skip-cleanup", "--debug-resources"},
                              t2.env(), t2.root);
  INFO(par.err);
  CHECK(par.exit_code == 0);
  CHECK_THAT(par.err, Catch::Contains("Log of successful job python3.10"));
  CHECK_THAT(par.err, Catch::Contains("Log of successful job python3.11"));
  CHECK_THAT(par.err, Catch::Contains("load build definition from Dockerfile.ci"));
  std::smatch m;
  if (std::regex_search(par.err, m, std::regex("Logs: (/\\S+)")))
    std::filesystem::remove_all(m[1].str());
}

TEST_CASE("e2e: ci refresh-images checks every step first and lists every problem at once",
          "[e2e][docker]") {
  Tree t;
  auto env = t.env({{"FAKE_DOCKER_STATE", builder_state(t, "linux/amd64").string()},
                    {"DOCKER_CONFIG", docker_config(t, false).string()}});
  std::filesystem::remove(t.root / "Dockerfile");
  for (const bool dry_run : {false, true}) {
    INFO("dry run " << dry_run);
    auto args = std::vector<std::string>{"ci", "refresh-images"};
    if (dry_run) args.emplace_back("--dry-run");
    auto r = test::run_binary(args, env, t.root);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("Cannot refresh the images; nothing was built:"));
    CHECK_THAT(r.err, Catch::Contains("docker login ghcr.io"));
    CHECK_THAT(r.err, Catch::Contains("builder 'airflow_cache' has no node for linux/arm64"));
    CHECK_THAT(r.err, Catch::Contains("Dockerfile not found"));
    CHECK(t.calls().find("[build]") == std::string::npos);
    CHECK(r.out.find("buildx build") == std::string::npos);
  }
}

TEST_CASE("e2e: ci refresh-images stops before step 1 when breeze's package step cannot run on "
          "the checkout, dry run or not",
          "[e2e][docker]") {
  Tree t; // no in-container script, no Breeze provider code, no provider list
  for (const bool dry_run : {true, false}) {
    INFO("dry run " << dry_run);
    std::vector<std::string> args{"ci", "refresh-images", "--python-versions", "3.10"};
    if (dry_run) args.emplace_back("--dry-run");
    auto r = test::run_binary(args, refresh_env(t, this_breeze_on_path_once(t)), t.root);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("Cannot refresh the images; nothing was built:"));
    CHECK_THAT(r.err, Catch::Contains("- step 2 (packages) cannot run: "
                                      "dev/breeze/src/airflow_breeze/prepare_providers/"
                                      "provider_packages.py not found"));
    CHECK_THAT(r.err, Catch::Contains("- step 2 (packages) cannot run: --package-list-file " +
                                      (t.root / "prod_image_installed_providers.txt").string()));
    CHECK_THAT(r.err, Catch::Contains("- step 2 (packages) cannot run: "
                                      "scripts/in_container/run_prepare_airflow_packages.py not "
                                      "found"));
    CHECK_THAT(r.err, Catch::Contains("--ci-image-only"));
    CHECK(t.calls().find("[build]") == std::string::npos);
    CHECK(r.out.find("buildx build") == std::string::npos);
  }

  // The packages are built by the local engine: one that is down is a problem before step 1.
  Tree t2;
  checkout_with_packages(t2);
  auto down = test::run_binary({"ci", "refresh-images", "--python-versions", "3.10", "--dry-run"},
                               refresh_env(t2, this_breeze_on_path_once(t2)), t2.root);
  CHECK(down.exit_code == 0);
  auto env = refresh_env(t2, this_breeze_on_path_once(t2));
  env["FAKE_DOCKER_DOWN"] = "1";
  down = test::run_binary({"ci", "refresh-images", "--python-versions", "3.10", "--dry-run"}, env,
                          t2.root);
  CHECK(down.exit_code == 1);
  CHECK_THAT(down.err, Catch::Contains("step 2 (packages) cannot run: Docker is not running") &&
                           Catch::Contains("(the packages are built by the local engine)"));
}

TEST_CASE("e2e: ci refresh-images builds the packages with breeze's own commands between the two "
          "caches",
          "[e2e][docker]") {
  Tree t;
  checkout_with_packages(t);
  test::write_file(t.root / "docker-context-files/old.whl", "stale\n");
  auto r = test::run_binary({"ci", "refresh-images", "--python-versions", "3.12"},
                            refresh_env(t, this_breeze_on_path_once(t)), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::vector<std::string> wheels;
  for (const auto& e : std::filesystem::directory_iterator(t.root / "docker-context-files"))
    wheels.push_back(e.path().filename().string());
  std::sort(wheels.begin(), wheels.end());
  // dev/refresh_images.sh's providers (the list file, qubole removed) and Airflow, suffix dev0.
  CHECK(wheels == std::vector<std::string>{
                      "apache_airflow-2.10.0.dev0-py3-none-any.whl",
                      "apache_airflow_providers_amazon-1.0.0.dev0-py3-none-any.whl",
                      "apache_airflow_providers_celery-1.0.0.dev0-py3-none-any.whl",
                      "apache_airflow_providers_cncf_kubernetes-1.0.0.dev0-py3-none-any.whl"});
  const auto calls = t.calls();
  const auto ci = calls.find("/ci/python3.12:cache-linux-arm64");
  const auto image = calls.find("[build] [.] [-f] [airflow-build-dockerfile]");
  const auto providers = calls.find("[run] [--name] [airflow-providers-build-");
  const auto airflow = calls.find("[run] [--name] [airflow-build-");
  const auto prod = calls.find("/prod/python3.12:cache-linux-arm64");
  REQUIRE(ci != std::string::npos);
  REQUIRE(image != std::string::npos);
  REQUIRE(providers != std::string::npos);
  REQUIRE(airflow != std::string::npos);
  REQUIRE(prod != std::string::npos);
  CHECK(ci < image);
  CHECK(image < providers);
  CHECK(providers < airflow);
  CHECK(airflow < prod);
  CHECK_THAT(calls, Catch::Contains("[-e] [VERSION_SUFFIX_FOR_PYPI=dev0] [-e] "
                                    "[SOURCE_DATE_EPOCH=1718812800]"));

  // A failing package build stops before the PROD cache.
  Tree t3;
  checkout_with_packages(t3);
  auto env = refresh_env(t3, this_breeze_on_path_once(t3));
  env["FAKE_DOCKER_FAIL"] = "run_prepare_airflow_packages.py";
  auto failed =
      test::run_binary({"ci", "refresh-images", "--python-versions", "3.12"}, env, t3.root);
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.err, Catch::Contains("Preparing the Airflow package failed"));
  CHECK(t3.calls().find("/prod/") == std::string::npos);
}

TEST_CASE("e2e: ci refresh-images --ci-image-only builds the CI cache only and says it skipped the "
          "rest",
          "[e2e][docker]") {
  Tree t;
  const auto bin = this_breeze_on_path(t);
  // Neither the package command nor the PROD Dockerfile is needed.
  std::filesystem::remove(t.root / "Dockerfile");
  auto r = test::run_binary({"ci", "refresh-images", "--python-versions", "3.10", "--platform",
                             "linux/amd64", "--ci-image-only"},
                            refresh_env(t, bin), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains(
                        "Steps 2 (packages) and 3 (PROD image cache) skipped: --ci-image-only"));
  const auto calls = t.calls();
  CHECK_THAT(calls, Catch::Contains("/ci/python3.10:cache-linux-amd64"));
  CHECK(builds_in(calls) == 1);
  CHECK(calls.find("/prod/") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(t.root / "docker-context-files"));
}

TEST_CASE("e2e: ci refresh-images runs a configured package-build-command (Python Breeze's), "
          "then the PROD cache",
          "[e2e][docker]") {
  Tree t;
  test::write_file(t.root / "breeze.yaml",
                   "package-build-command: breeze release-management prepare-provider-packages "
                   "--package-list-file ./prod_image_installed_providers.txt --package-format "
                   "wheel && breeze release-management prepare-airflow-package --package-format "
                   "wheel\n");
  // The file the default command reads must be there, or the steps are not planned.
  auto missing =
      test::run_binary({"ci", "refresh-images", "--python-versions", "3.12", "--dry-run"},
                       refresh_env(t, python_breeze_on_path(t)), t.root);
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("step 2 (packages) cannot run: --package-list-file "
                                          "./prod_image_installed_providers.txt: no such file"));
  CHECK(missing.out.find("buildx build") == std::string::npos);
  test::write_file(t.root / "prod_image_installed_providers.txt", "amazon\n");
  auto r = test::run_binary({"ci", "refresh-images", "--python-versions", "3.12"},
                            refresh_env(t, python_breeze_on_path(t)), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(std::filesystem::exists(
      t.root / "docker-context-files/apache_airflow-prepare-provider-packages.whl"));
  CHECK(std::filesystem::exists(t.root /
                                "docker-context-files/apache_airflow-prepare-airflow-package.whl"));
  const auto calls = t.calls();
  const auto ci = calls.find("/ci/python3.12:cache-linux-arm64");
  const auto prod = calls.find("/prod/python3.12:cache-linux-arm64");
  REQUIRE(ci != std::string::npos);
  REQUIRE(prod != std::string::npos);
  CHECK(ci < prod);
}

TEST_CASE("e2e: ci refresh-images refreshes the checkout's Pythons", "[e2e][docker][checkout]") {
  Tree t;
  checkout_with_packages(t);
  auto r = test::run_binary({"ci", "refresh-images", "--dry-run"},
                            refresh_env(t, this_breeze_on_path(t)), t.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  for (const auto* py : {"3.8", "3.9", "3.10", "3.11", "3.12"}) {
    CHECK_THAT(r.out, Catch::Contains(std::string("v2-10-test/ci/python") + py + ":cache"));
    CHECK_THAT(r.out, Catch::Contains(std::string("v2-10-test/prod/python") + py + ":cache"));
  }
  CHECK(r.out.find("python3.13") == std::string::npos);
}

TEST_CASE("e2e: image builds --output json: one document on stdout, one entry per job",
          "[e2e][docker][json]") {
  Tree t;
  auto r =
      test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions", "3.10 3.11",
                        "--platform", "linux/amd64", "--no-upgrade-on-failure", "--output", "json"},
                       t.env({{"FAKE_DOCKER_FAIL", "python3.11:latest"}}), t.root);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const auto doc = nlohmann::json::parse(r.out); // the summary table went to stderr
  CHECK(doc.at("command") == "ci-image build");
  CHECK(doc.at("ok") == false);
  CHECK(doc.at("dry_run") == false);
  REQUIRE(doc.at("jobs").size() == 2);
  const auto& ok = doc.at("jobs")[0];
  const auto& failed = doc.at("jobs")[1];
  CHECK(ok.at("name") == "python3.10");
  CHECK(ok.at("python") == "3.10");
  CHECK(ok.at("platforms") == nlohmann::json({"linux/amd64"}));
  CHECK_THAT(ok.at("image").get<std::string>(), Catch::EndsWith("/ci/python3.10:latest"));
  CHECK(ok.at("status") == "succeeded");
  CHECK(ok.at("duration_seconds").is_number());
  CHECK(ok.at("failed_step").is_null());
  CHECK(ok.at("last_step") == "[internal] load build definition from Dockerfile.ci");
  CHECK(failed.at("status") == "failed");
  CHECK(failed.at("failed_step") == "[main 3/9] RUN pip install apache-airflow (exit 1)");
  const auto log = failed.at("log_file").get<std::string>();
  CHECK_THAT(test::read_file(log), Catch::Contains("simulated failure"));
  CHECK_THAT(r.err, Catch::Contains("python3.11"));
  std::filesystem::remove_all(std::filesystem::path(log).parent_path());

  auto one = test::run_binary(
      {"prod-image", "build", "--python", "3.12", "--platform", "linux/arm64", "--output", "json"},
      t.env(), t.root);
  INFO(one.out << one.err);
  REQUIRE(one.exit_code == 0);
  const auto single = nlohmann::json::parse(one.out);
  CHECK(single.at("command") == "prod-image build");
  CHECK(single.at("ok") == true);
  REQUIRE(single.at("jobs").size() == 1);
  CHECK(single.at("jobs")[0].at("status") == "succeeded");
  CHECK(single.at("jobs")[0].at("platforms") == nlohmann::json({"linux/arm64"}));
  CHECK(single.at("jobs")[0].at("log_file").is_null()); // a single build's output is the terminal

  auto dry = test::run_binary(
      {"ci-image", "build", "--python", "3.11", "--dry-run", "--output", "json"}, t.env(), t.root);
  INFO(dry.out << dry.err);
  REQUIRE(dry.exit_code == 0);
  const auto planned = nlohmann::json::parse(dry.out); // the docker commands went to stderr
  CHECK(planned.at("dry_run") == true);
  CHECK(planned.at("jobs")[0].at("status") == "dry_run");
  CHECK_THAT(dry.err, Catch::Contains("buildx build"));
}
