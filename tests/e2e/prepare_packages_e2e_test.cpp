// release-management prepare-airflow-package / prepare-provider-packages on the v2-10-test
// checkout fixture, with the recording docker stand-in (tests/scripts/fake-docker: its `run --name`
// containers hold a dist/ that `cp` copies out) and, for --use-local-hatch, a recording `hatch`.

#include <breeze/base/files.hpp>

#include "support/catch.hpp"
#include "support/helpers.hpp"

#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

using namespace breeze;

namespace {

namespace fs = std::filesystem;

struct Checkout {
  files::TempDir dir{"breeze-packages-e2e"};
  fs::path root = dir.path() / "airflow";
  fs::path log = dir.path() / "docker.log";
  explicit Checkout(const std::string& fixture = "airflow-checkout/v2-10-test") {
    fs::copy(test::fixture(fixture), root, fs::copy_options::recursive);
  }
  [[nodiscard]] std::map<std::string, std::string>
  env(std::map<std::string, std::string> extra = {}) const {
    extra.emplace("BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker");
    extra.emplace("FAKE_DOCKER_LOG", log.string());
    extra.emplace("-DOCKER_HOST", "");
    return extra;
  }
  [[nodiscard]] std::string calls() const {
    return fs::exists(log) ? test::read_file(log) : std::string();
  }
  // The docker calls without their env lines, container names normalised.
  [[nodiscard]] std::string argv_lines() const {
    std::string out;
    for (const auto& line : test_lines(calls()))
      if (line.starts_with("argv:") || line.starts_with("stdin:")) out += line + "\n";
    return std::regex_replace(out, std::regex("(airflow-(providers-)?build)-[0-9a-f]{16}"),
                              "$1-<id>");
  }
  [[nodiscard]] std::vector<std::string> dist() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root / "dist", ec))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  [[nodiscard]] bool containers_left() const {
    std::error_code ec;
    const auto containers = fs::path(log.string() + ".containers");
    return fs::exists(containers, ec) && !fs::is_empty(containers, ec);
  }
  static std::vector<std::string> test_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  }
};

} // namespace

TEST_CASE("e2e: prepare-airflow-package builds in Python Breeze's build image and copies dist/",
          "[e2e][docker][packages]") {
  Checkout c;
  auto r = test::run_binary({"release-management", "prepare-airflow-package", "--package-format",
                             "wheel", "--version-suffix-for-pypi", "dev0"},
                            c.env(), c.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(c.argv_lines() ==
        "argv: [version] [--format] [{{json .}}]\n"
        "argv: [build] [.] [-f] [airflow-build-dockerfile] [--tag] "
        "[apache/airflow:local-build-image]\n"
        "argv: [run] [--name] [airflow-build-<id>] [-t] [-e] [VERSION_SUFFIX_FOR_PYPI=dev0] [-e] "
        "[SOURCE_DATE_EPOCH=1718812800] [-e] [HOME=/opt/airflow/files/home] [-e] "
        "[GITHUB_ACTIONS] [-e] [PACKAGE_FORMAT=wheel] [-w] [/opt/airflow] "
        "[apache/airflow:local-build-image] [python] "
        "[/opt/airflow/scripts/in_container/run_prepare_airflow_packages.py]\n"
        "argv: [cp] [airflow-build-<id>:/opt/airflow/dist/.] [./dist]\n"
        "argv: [rm] [--force] [airflow-build-<id>]\n");
  // The checkout's default Python and Debian, Breeze's tool pins.
  CHECK(test::read_file(c.root / "airflow-build-dockerfile") ==
        "FROM python:3.8-slim-bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends git\n"
        "RUN pip install pip==24.3.1 hatch==1.9.1 pyyaml==6.0.1\\\n"
        " gitpython==3.1.40 rich==13.7.0 pre-commit==3.5.0\n"
        "COPY . /opt/airflow");
  CHECK_THAT(test::read_file(c.root / "airflow-build-dockerfile.dockerignore"),
             Catch::Contains("\n/dist/\n") && Catch::Contains("**/__pycache__/"));
  CHECK(c.dist() == std::vector<std::string>{"apache_airflow-2.10.0.dev0-py3-none-any.whl"});
  CHECK_THAT(r.out, Catch::Contains("apache_airflow-2.10.0.dev0-py3-none-any.whl"));
  CHECK_FALSE(c.containers_left());
}

TEST_CASE("e2e: prepare-airflow-package --dry-run prints the docker calls and writes nothing",
          "[e2e][docker][packages]") {
  Checkout c;
  auto r = test::run_binary({"release-management", "prepare-airflow-package", "--dry-run"},
                            c.env({{"VERSION_SUFFIX_FOR_PYPI", "rc1"}}), c.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("# write airflow-build-dockerfile"));
  CHECK_THAT(r.out, Catch::Contains("-e VERSION_SUFFIX_FOR_PYPI=rc1")); // the variable counts
  CHECK_THAT(r.out, Catch::Contains(" cp airflow-build-"));
  CHECK_FALSE(fs::exists(c.root / "airflow-build-dockerfile"));
  CHECK_FALSE(fs::exists(c.root / "dist"));
  CHECK(c.calls().find("[build]") == std::string::npos); // only `docker version` ran
}

TEST_CASE("e2e: a failed package build says so, removes its container and exits 1",
          "[e2e][docker][packages]") {
  Checkout c;
  auto r =
      test::run_binary({"release-management", "prepare-airflow-package"},
                       c.env({{"FAKE_DOCKER_FAIL", "run_prepare_airflow_packages.py"}}), c.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("Preparing the Airflow package failed (exit 1)"));
  CHECK_THAT(c.argv_lines(), Catch::Contains("argv: [rm] [--force] [airflow-build-<id>]"));
  CHECK(c.argv_lines().find("[cp]") == std::string::npos);
  CHECK(c.dist().empty());
}

TEST_CASE("e2e: prepare-airflow-package on a checkout without the in-container script stops "
          "before docker",
          "[e2e][docker][packages]") {
  Checkout c("airflow-checkout/main"); // Airflow 3 layout: no run_prepare_airflow_packages.py
  auto r = test::run_binary({"release-management", "prepare-airflow-package"}, c.env(), c.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("scripts/in_container/run_prepare_airflow_packages.py not "
                                    "found"));
  CHECK_THAT(r.err, Catch::Contains("reproducible_build.yaml"));
  CHECK(c.calls().empty());
}

TEST_CASE("e2e: prepare-airflow-package --use-local-hatch runs the host's hatch with Breeze's "
          "targets and environment",
          "[e2e][packages]") {
  Checkout c;
  const auto bin = c.dir.path() / "bin";
  test::write_file(bin / "hatch",
                   "#!/bin/sh\n"
                   "echo \"hatch $* SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH "
                   "VERSION_SUFFIX_FOR_PYPI=$VERSION_SUFFIX_FOR_PYPI\" >> \"$HATCH_LOG\"\n"
                   "mkdir -p dist && : > dist/apache_airflow-2.10.0.dev0.tar.gz "
                   "&& : > dist/apache_airflow-2.10.0.dev0-py3-none-any.whl\n");
  fs::permissions(bin / "hatch", fs::perms(0755));
  const auto hatch_log = c.dir.path() / "hatch.log";
  auto r = test::run_binary({"release-management", "prepare-airflow-package", "--use-local-hatch",
                             "--package-format", "both", "--version-suffix-for-pypi", "dev0"},
                            c.env({{"PATH", bin.string() + ":" + std::getenv("PATH")},
                                   {"HATCH_LOG", hatch_log.string()}}),
                            c.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(test::read_file(hatch_log) ==
        "hatch build -c -t custom -t sdist -t wheel "
        "SOURCE_DATE_EPOCH=1718812800 VERSION_SUFFIX_FOR_PYPI=dev0\n");
  CHECK(c.calls().empty()); // no docker at all
  CHECK_THAT(r.out, Catch::Contains("apache_airflow-2.10.0.dev0.tar.gz") &&
                        Catch::Contains("apache_airflow-2.10.0.dev0-py3-none-any.whl"));
}

TEST_CASE("e2e: prepare-provider-packages builds the listed providers with the checkout's Breeze "
          "code in the build image",
          "[e2e][docker][packages]") {
  Checkout c;
  auto r = test::run_binary({"release-management", "prepare-provider-packages",
                             "--package-list-file", "./prod_image_installed_providers.txt",
                             "--package-format", "wheel", "--version-suffix-for-pypi", "dev0"},
                            c.env(), c.root);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const auto argv = c.argv_lines();
  // The list file's providers, without the removed one (qubole) and the comment.
  CHECK_THAT(argv, Catch::Contains(
                       "argv: [run] [--name] [airflow-providers-build-<id>] [-i] [-e] "
                       "[VERSION_SUFFIX_FOR_PYPI=dev0] [-e] [HOME=/opt/airflow/files/home] [-e] "
                       "[GITHUB_ACTIONS] [-e] [PACKAGE_FORMAT=wheel] [-e] "
                       "[SKIP_BREEZE_SELF_UPGRADE_CHECK=true] [-w] [/opt/airflow] "
                       "[apache/airflow:local-build-image] [bash] [-c] [pip install --quiet "
                       "--root-user-action ignore -e ./dev/breeze && exec python - \"$@\"] "
                       "[prepare-provider-packages] [amazon] [celery] [cncf.kubernetes]\n"
                       "stdin: import os\n"));
  CHECK_THAT(argv,
             Catch::Contains("argv: [cp] [airflow-providers-build-<id>:/opt/airflow/dist/.] "
                             "[./dist]\nargv: [rm] [--force] [airflow-providers-build-<id>]"));
  CHECK(c.dist() == std::vector<std::string>{
                        "apache_airflow_providers_amazon-1.0.0.dev0-py3-none-any.whl",
                        "apache_airflow_providers_celery-1.0.0.dev0-py3-none-any.whl",
                        "apache_airflow_providers_cncf_kubernetes-1.0.0.dev0-py3-none-any.whl"});
  CHECK_FALSE(c.containers_left());
}

TEST_CASE("e2e: prepare-provider-packages selects providers as Breeze does",
          "[e2e][docker][packages]") {
  Checkout c;
  auto run_line = [&](const std::vector<std::string>& args,
                      std::map<std::string, std::string> extra = {}) {
    std::vector<std::string> argv{"release-management", "prepare-provider-packages", "--dry-run"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = test::run_binary(argv, c.env(std::move(extra)), c.root);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("prepare-provider-packages( [a-z. ]+)\\)?\n")));
    return std::make_pair(std::string(m[1]), r.err);
  };
  SECTION("included removed providers") {
    CHECK(run_line({"--package-list-file", "prod_image_installed_providers.txt",
                    "--include-removed-providers"})
              .first == " amazon celery cncf.kubernetes qubole");
  }
  SECTION("included removed providers, by the variables") {
    CHECK(run_line({"--package-list-file", "prod_image_installed_providers.txt"},
                   {{"INCLUDE_REMOVED_PROVIDERS", "true"}, {"INCLUDE_NOT_READY_PROVIDERS", "1"}})
              .first == " amazon celery cncf.kubernetes qubole");
  }
  SECTION("arguments, a suspended one skipped with a warning") {
    auto [ids, err] = run_line({"apache.hive", "daskexecutor", "google"});
    CHECK(ids == " apache.hive google");
    CHECK_THAT(err, Catch::Contains("daskexecutor is suspended"));
  }
  SECTION("PACKAGE_LIST over the arguments") {
    auto [ids, err] = run_line({"google"}, {{"PACKAGE_LIST", "amazon,apache.hive"}});
    CHECK(ids == " amazon apache.hive");
    CHECK_THAT(err, Catch::Contains("using amazon,apache.hive"));
  }
  SECTION("every ready provider when none is named") {
    CHECK(run_line({}).first == " amazon apache.hive celery cncf.kubernetes google");
  }
  SECTION("PACKAGE_FORMAT") {
    auto r =
        test::run_binary({"release-management", "prepare-provider-packages", "--dry-run", "amazon"},
                         c.env({{"PACKAGE_FORMAT", "sdist"}}), c.root);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("-e PACKAGE_FORMAT=sdist"));
  }
}

TEST_CASE("e2e: prepare-provider-packages refuses unknown providers and checks every package "
          "arrived",
          "[e2e][docker][packages]") {
  Checkout c;
  auto unknown = test::run_binary(
      {"release-management", "prepare-provider-packages", "amazon", "nope", "also.nope"}, c.env(),
      c.root);
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err,
             Catch::Contains("not a provider of this checkout (no "
                             "airflow/providers/<id>/provider.yaml): nope, also.nope"));
  CHECK(c.calls().empty());

  auto both = test::run_binary({"release-management", "prepare-provider-packages", "amazon",
                                "--package-list-file", "prod_image_installed_providers.txt"},
                               c.env(), c.root);
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("You cannot specify individual provider packages"));
  auto listed = test::run_binary({"release-management", "prepare-provider-packages",
                                  "--package-list-file", "prod_image_installed_providers.txt"},
                                 c.env({{"PACKAGE_LIST", "amazon"}}), c.root);
  CHECK(listed.exit_code == 2); // PACKAGE_LIST counts as ids, as in Breeze
  CHECK(c.calls().empty());

  auto missing =
      test::run_binary({"release-management", "prepare-provider-packages", "amazon", "celery"},
                       c.env({{"FAKE_DOCKER_SKIP_PROVIDER", "celery"}}), c.root);
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("No wheel package in") && Catch::Contains("for: celery"));
  CHECK_FALSE(c.containers_left());
}

TEST_CASE("e2e: prepare-provider-packages needs the checkout's Breeze provider functions",
          "[e2e][docker][packages]") {
  Checkout c;
  const auto module =
      c.root / "dev/breeze/src/airflow_breeze/prepare_providers/provider_packages.py";
  auto text = test::read_file(module);
  text = std::regex_replace(text, std::regex("def generate_build_files\\("), "def generate_files(");
  test::write_file(module, text);
  auto r = test::run_binary({"release-management", "prepare-provider-packages", "amazon"}, c.env(),
                            c.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("provider_packages.py lacks generate_build_files"));
  CHECK(c.calls().empty());
}
