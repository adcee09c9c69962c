#include <support/catch.hpp>
#include <support/docker_engine.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/image.hpp>

using namespace breeze;
using test::LocalEngine;

// The real-engine tier: Debian's dockerd (vfs, no iptables, no bridge) and docker-registry, started
// by the test itself in a temp dir (tests/support/docker_engine), driven by the built breeze
// through Debian's docker 20.10 client (no buildx: the classic-engine path). When the engine cannot
// start this fails loudly unless BREEZE_SKIP_DOCKER_E2E=1.

namespace {

// A tiny Airflow-like source tree: Dockerfile.ci from scratch + busybox, declaring Airflow's ARGs.
void write_sources(const std::filesystem::path& root, const std::string& extra_run = "true") {
  std::string args;
  for (const auto* a : {"AIRFLOW_BRANCH", "AIRFLOW_IMAGE_DATE_CREATED", "AIRFLOW_IMAGE_REPOSITORY",
                        "BUILD_ID", "CONSTRAINTS_GITHUB_REPOSITORY", "AIRFLOW_CONSTRAINTS_MODE",
                        "AIRFLOW_CONSTRAINTS_REFERENCE", "AIRFLOW_EXTRAS", "AIRFLOW_USE_UV",
                        "UV_HTTP_TIMEOUT", "AIRFLOW_VERSION", "PYTHON_BASE_IMAGE",
                        "UPGRADE_INVALIDATION_STRING", "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS",
                        "BUILD_PROGRESS", "INSTALL_MYSQL_CLIENT_TYPE", "DOCKER_HOST"})
    args += std::string("ARG ") + a + "\n";
  test::write_file(
      root / "Dockerfile.ci",
      "# syntax: classic BuildKit, no frontend image needed\n"
      "FROM scratch AS main\n"
      "COPY busybox /bin/busybox\n"
      "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox --install -s /bin\"]\n"
          // Like Airflow's Dockerfile.ci, the ARGs come after the expensive steps: the date
          // changes on every build and would otherwise invalidate every RUN step's cache.
          + args +
          "RUN echo \"airflow ${AIRFLOW_VERSION} on ${PYTHON_BASE_IMAGE}\" > /version && " +
          extra_run +
          "\n"
          "CMD [\"/bin/cat\", \"/version\"]\n");
  test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  std::filesystem::copy_file("/bin/busybox", root / "busybox");
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
    ++n;
  return n;
}

} // namespace

TEST_CASE("e2e: real engine: build, push, rebuild from the registry cache on a clean engine, run",
          "[e2e][docker][engine]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  write_sources(root);
  const auto image = engine.registry() + "/apache/airflow/main/ci/python3.10:latest";
  const std::vector<std::string> build{"ci-image",   "build",
                                       "--python",   "3.10",
                                       "--platform", docker::native_platform(),
                                       "--push",     "--build-network",
                                       "host",       "--build-progress",
                                       "plain"};

  auto first = test::run_binary(build, engine.breeze_env(), root);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.err, Catch::Contains("classic engine"));
  CHECK(std::filesystem::exists(
      engine.dir() / "registry/docker/registry/v2/repositories/apache/airflow/main/ci/python3.10"));

  // A clean engine: no image, no build cache. Whatever is reused now must come from the registry.
  CHECK(engine.docker({"rmi", "-f", image}).exit_code == 0);
  CHECK(engine.docker({"builder", "prune", "-af"}).exit_code == 0);
  auto images = engine.docker({"images", "-q"});
  CHECK(strings::trim(images.out).empty());

  auto second = test::run_binary(build, engine.breeze_env(), root);
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.err, Catch::Contains("importing cache manifest from " + image));
  CHECK(occurrences(second.err, "CACHED") >=
        2); // COPY and the install step came from the registry cache

  auto run = engine.docker({"run", "--rm", "--network", "host", image});
  CHECK(run.exit_code == 0);
  CHECK(run.out == "airflow 2.10.0.dev0 on python:3.10-slim-bookworm\n");

  // save -> remove -> load round trip (the CI artifact path).
  const auto tar = (engine.dir() /
                    ("ci-image-save-" + docker::native_platform().replace(5, 1, "-") + "-3.10.tar"))
                       .string();
  const std::vector<std::string> where{
      "--python", "3.10", "--platform", docker::native_platform(), "--image-file", tar};
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

TEST_CASE("e2e: real engine: parallel builds, one failing, each with its own log",
          "[e2e][docker][engine]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  // The 3.11 build fails in its RUN step; the 3.10 build succeeds.
  write_sources(root, "! /bin/grep -q 3.11 /version");
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions",
                             "3.10 3.11", "--platform", docker::native_platform(), "--docker-cache",
                             "local", "--build-network", "host", "--parallelism", "2"},
                            engine.breeze_env(), root);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matches("(.|\\n)*python3\\.10 +ok(.|\\n)*"));
  CHECK_THAT(r.out, Catch::Matches("(.|\\n)*python3\\.11 +FAILED(.|\\n)*"));
  auto ok = engine.docker({"run", "--rm", "--network", "host",
                           engine.registry() + "/apache/airflow/main/ci/python3.10:latest"});
  CHECK(ok.out == "airflow 2.10.0.dev0 on python:3.10-slim-bookworm\n");
  auto logs = strings::split_whitespace(r.out);
  for (const auto& w : logs)
    if (w.ends_with(".log")) std::filesystem::remove_all(std::filesystem::path(w).parent_path());
}

TEST_CASE("e2e: real engine: a tracked file with mode 0664 yields the same layer digest as with "
          "0644",
          "[e2e][docker][engine]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  // The COPY goes to / : a folder COPY creates (`/scripts/`) gets the build's time, which would
  // make every build's layer differ whatever the modes.
  test::write_file(root / "Dockerfile.ci",
                   "FROM scratch AS main\nCOPY scripts/install_airflow.sh /\n");
  test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  test::write_file(root / "scripts/install_airflow.sh", "pip install apache-airflow\n");
  test::init_repo_tracking(root,
                           {"Dockerfile.ci", "airflow/__init__.py", "scripts/install_airflow.sh"});
  const auto image = engine.registry() + "/apache/airflow/main/ci/python3.10:latest";
  const auto script = root / "scripts/install_airflow.sh";
  // A build from nothing (no image, no build cache, no registry cache), then its layers.
  auto layers_of_build = [&](std::filesystem::perms mode) {
    (void)engine.docker({"rmi", "-f", image});
    CHECK(engine.docker({"builder", "prune", "-af"}).exit_code == 0);
    std::filesystem::permissions(script, mode);
    auto r = test::run_binary({"ci-image", "build", "--python", "3.10", "--platform",
                               docker::native_platform(), "--docker-cache", "disabled",
                               "--build-network", "host"},
                              engine.breeze_env(), root);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto inspect = engine.docker({"image", "inspect", "-f", "{{json .RootFS.Layers}}", image});
    REQUIRE(inspect.exit_code == 0);
    return std::string(strings::trim(inspect.out));
  };
  const auto as_ci = layers_of_build(std::filesystem::perms(0644));
  // Reproducible: the same tree twice gives the same layer, so the comparisons below mean
  // something.
  CHECK(layers_of_build(std::filesystem::perms(0644)) == as_ci);
  const auto group_writable = layers_of_build(std::filesystem::perms(0664));
  CHECK(group_writable == as_ci);
  CHECK((std::filesystem::status(script).permissions() & std::filesystem::perms::group_write) ==
        std::filesystem::perms::none);
  // The control: the mode is part of the digest. Without git (nothing tracked, nothing fixed) the
  // same 0664 file gives another layer.
  std::filesystem::rename(root / ".git", root / "git-off");
  const auto unfixed = layers_of_build(std::filesystem::perms(0664));
  std::filesystem::rename(root / "git-off", root / ".git");
  CHECK(unfixed != as_ci);
}
