#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/image.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <regex>

using namespace breeze;

// Settings from the checkout: the seed's `ci-image build` lines run in a copy of each Airflow
// checkout fixture (tests/fixtures/airflow-checkout/) build the image, Python, branch and
// constraints reference that checkout's dev/breeze files name, as Python Breeze does.

namespace {

struct Checkout {
  files::TempDir dir{"breeze-checkout-e2e"};
  std::filesystem::path root = dir.path() / "airflow";
  std::filesystem::path log = dir.path() / "docker.log";
  explicit Checkout(const std::string& name) {
    std::filesystem::copy(test::fixture("airflow-checkout/" + name), root,
                          std::filesystem::copy_options::recursive);
  }
  [[nodiscard]] std::map<std::string, std::string> env() const {
    return {{"BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker"},
            {"FAKE_DOCKER_LOG", log.string()},
            {"-DOCKER_HOST", ""}};
  }
  [[nodiscard]] std::string calls() const {
    return std::filesystem::exists(log) ? test::read_file(log) : std::string{};
  }
};

std::string normalise(std::string text, const std::filesystem::path& root) {
  auto replace_all = [&text](const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
      text.replace(pos, from.size(), to);
  };
  replace_all(root.string(), "<sources>");
  replace_all(std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker", "docker");
  replace_all("--platform] [" + docker::native_platform() + "]", "--platform] [<native>]");
  text = std::regex_replace(text, std::regex("AIRFLOW_IMAGE_DATE_CREATED=[0-9TZ:-]+"),
                            "AIRFLOW_IMAGE_DATE_CREATED=<date>");
  text = std::regex_replace(text, std::regex("UPGRADE_INVALIDATION_STRING=[0-9a-f]+"),
                            "UPGRADE_INVALIDATION_STRING=<random>");
  text = std::regex_replace(text, std::regex("breeze\\.build-time=[0-9TZ:-]+"),
                            "breeze.build-time=<date>");
  return text;
}

void check_golden(const std::string& name, const std::string& actual) {
  auto path = test::fixture("docker/" + name + ".log");
  if (std::getenv("BREEZE_UPDATE_GOLDEN") != nullptr) test::write_file(path, actual);
  INFO("golden file " << path.string());
  CHECK(test::read_file(path) == actual);
}

const std::vector<std::string> k_seed_eager{"ci-image", "build", "--upgrade-to-newer-dependencies",
                                            "--eager-upgrade-additional-requirements",
                                            "aiobotocore==2.6.0"};

} // namespace

TEST_CASE("e2e: on a v2-10-test checkout the seed build is python3.8 of v2-10-test against "
          "constraints-2-10",
          "[e2e][docker][checkout]") {
  Checkout c("v2-10-test");
  auto r = test::run_binary(k_seed_eager, c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto calls = c.calls();
  CHECK_THAT(calls, Catch::Contains("ghcr.io/apache/airflow/v2-10-test/ci/python3.8"));
  CHECK_THAT(calls, Catch::Contains("AIRFLOW_CONSTRAINTS_REFERENCE=constraints-2-10"));
  CHECK_THAT(calls, Catch::Contains("AIRFLOW_BRANCH=v2-10-test"));
  CHECK_THAT(calls, !Catch::Contains("python3.13"));
  check_golden("e2e_checkout_v2_10_seed_eager", normalise(calls, c.root));
}

TEST_CASE("e2e: on a main checkout (Airflow 3 layout) the seed build is main's default Python "
          "against constraints-main",
          "[e2e][docker][checkout]") {
  Checkout c("main");
  auto r = test::run_binary(k_seed_eager, c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto calls = c.calls();
  CHECK_THAT(calls, Catch::Contains("ghcr.io/apache/airflow/main/ci/python3.10"));
  CHECK_THAT(calls, Catch::Contains("AIRFLOW_CONSTRAINTS_REFERENCE=constraints-main"));
  CHECK_THAT(calls, Catch::Contains("AIRFLOW_BRANCH=main"));
  check_golden("e2e_checkout_main_seed_eager", normalise(calls, c.root));
}

namespace {

// The `--build-arg` values of the docker commands a dry run printed, in order.
std::vector<std::string> build_args_of(const std::string& out) {
  std::vector<std::string> args;
  static const std::regex re("--build-arg (\\S+)");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator();
       ++it)
    args.push_back(std::regex_replace((*it)[1].str(),
                                      std::regex("^AIRFLOW_IMAGE_DATE_CREATED=[0-9TZ:-]+$"),
                                      "AIRFLOW_IMAGE_DATE_CREATED=<date>"));
  return args;
}

} // namespace

TEST_CASE("e2e: ci-image build --dry-run with no options on a v2-10-test checkout is what Python "
          "Breeze builds there",
          "[e2e][docker][checkout]") {
  Checkout c("v2-10-test");
  auto r = test::run_binary({"ci-image", "build", "--dry-run"}, c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("-t ghcr.io/apache/airflow/v2-10-test/ci/python3.8:latest "));
  CHECK_THAT(r.out, Catch::Contains("-f Dockerfile.ci"));
  // Python Breeze's list (docs/breeze-reference-2024.md), one value a line.
  std::vector<std::string> breeze;
  for (const auto& line : strings::split(
           test::read_file(test::fixture("docker/breeze_2024_ci_build_args_v2_10.txt")), '\n'))
    if (!line.empty() && !line.starts_with("#")) breeze.push_back(line);
  REQUIRE(breeze.size() == 17);
  CHECK(build_args_of(r.out) == breeze);
  CHECK(c.calls().find("[build]") == std::string::npos);
}

TEST_CASE("e2e: prod-image build --dry-run with no options passes Python Breeze's 2024 PROD build "
          "args, on v2-10-test and main",
          "[e2e][docker][checkout]") {
  for (const auto* name : {"v2-10-test", "main"}) {
    INFO(name);
    Checkout c(name);
    auto r = test::run_binary({"prod-image", "build", "--dry-run"}, c.env(), c.root);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto args = build_args_of(r.out);
    const bool v2 = std::string(name) == "v2-10-test";
    CHECK(args.front() == std::string("AIRFLOW_BRANCH=") + name);
    CHECK(args[1] == "AIRFLOW_CONSTRAINTS_MODE=constraints");
    // Breeze's --airflow-extras default: ",".join(DEFAULT_EXTRAS) of the checkout.
    CHECK(args[2] == "AIRFLOW_EXTRAS=aiobotocore,amazon,celery,postgres");
    CHECK(std::find(args.begin(), args.end(), "AIRFLOW_USE_UV=false") != args.end());
    CHECK(std::find(args.begin(), args.end(), "VERSION_SUFFIX_FOR_PYPI=") != args.end());
    CHECK(args.back() == std::string("AIRFLOW_CONSTRAINTS_REFERENCE=") +
                             (v2 ? "constraints-2-10" : "constraints-main"));
    CHECK_THAT(r.out,
               Catch::Contains(v2 ? "-t ghcr.io/apache/airflow/v2-10-test/prod/python3.8:latest"
                                  : "-t ghcr.io/apache/airflow/main/prod/python3.10:latest"));
    check_golden(v2 ? "e2e_checkout_v2_10_prod_dry_run" : "e2e_checkout_main_prod_dry_run",
                 std::regex_replace(normalise(r.out, c.root),
                                    std::regex("--platform " + docker::native_platform()),
                                    "--platform <native>"));
  }
  // The flag wins over the checkout's list.
  Checkout c("v2-10-test");
  auto flag = test::run_binary({"prod-image", "build", "--dry-run", "--airflow-extras", "celery"},
                               c.env(), c.root);
  REQUIRE(flag.exit_code == 0);
  CHECK(build_args_of(flag.out)[2] == "AIRFLOW_EXTRAS=celery");
}

TEST_CASE("e2e: the parallel seed on a v2-10-test checkout builds the checkout's Pythons only",
          "[e2e][docker][checkout]") {
  Checkout c("v2-10-test");
  auto r = test::run_binary({"ci-image", "build", "--run-in-parallel",
                             "--upgrade-to-newer-dependencies", "--answer", "yes"},
                            c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto calls = c.calls();
  for (const auto* py : {"3.8", "3.9", "3.10", "3.11", "3.12"})
    CHECK_THAT(calls, Catch::Contains(std::string("v2-10-test/ci/python") + py));
  CHECK_THAT(calls, !Catch::Contains("python3.13"));
  std::smatch m;
  if (std::regex_search(r.err, m, std::regex("Logs: (/\\S+)")))
    std::filesystem::remove_all(m[1].str());
}

TEST_CASE("e2e: --python 3.13 on a 2.10 checkout is a usage error listing the allowed Pythons",
          "[e2e][docker][checkout]") {
  Checkout c("v2-10-test");
  auto r = test::run_binary({"ci-image", "build", "--python", "3.13"}, c.env(), c.root);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("3.8, 3.9, 3.10, 3.11, 3.12"));
  CHECK(r.err.find('\n') == r.err.size() - 1);
  CHECK(c.calls().find("[build]") == std::string::npos);
}

TEST_CASE("e2e: version shows where each value came from", "[e2e][checkout]") {
  Checkout c("v2-10-test");
  auto r = test::run_binary({"version"}, {}, c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto gc = std::string("\\(dev/breeze/src/airflow_breeze/global_constants\\.py:[0-9]+\\)\n");
  const auto bd = std::string("\\(dev/breeze/src/airflow_breeze/branch_defaults\\.py:[0-9]+\\)\n");
  CHECK(std::regex_search(r.out,
                          std::regex("Python versions: 3\\.8 3\\.9 3\\.10 3\\.11 3\\.12 " + gc)));
  CHECK(std::regex_search(r.out, std::regex("Default Python: 3\\.8 " + gc)));
  CHECK(std::regex_search(r.out, std::regex("Default branch: v2-10-test " + bd)));
  CHECK_THAT(r.out, Catch::Contains("Constraints branch: constraints-2-10 (dev/breeze/src/"));
  CHECK_THAT(r.out, Catch::Contains("Debian version: bookworm (dev/breeze/src/"));
  CHECK_THAT(r.out, Catch::Contains("Registry: ghcr.io (built-in)"));
  // The checkout's DEFAULT_EXTRAS (no `async`, unlike Breeze's 2024 list), in text and JSON.
  CHECK(std::regex_search(r.out,
                          std::regex("PROD extras: aiobotocore,amazon,celery,[a-z,-]+ " + gc)));
  auto json = test::run_binary({"version", "--output", "json"}, {}, c.root);
  REQUIRE(json.exit_code == 0);
  const auto extras = nlohmann::json::parse(json.out).at("settings").at("prod-extras");
  CHECK(extras.at("value").at(2) == "celery");
  CHECK(std::regex_match(extras.at("origin").get<std::string>(),
                         std::regex("dev/breeze/src/airflow_breeze/global_constants\\.py:[0-9]+")));
  // Without a checkout: Breeze's 2024 list, built in.
  auto none = test::run_binary({"version"}, {}, c.root.parent_path());
  REQUIRE(none.exit_code == 0);
  CHECK_THAT(none.out,
             Catch::Contains("PROD extras: " + std::string(docker::default_prod_extras()) +
                             " (built-in)\n"));

  // breeze.yaml and then the environment win over the checkout, and say so.
  test::write_file(c.root / "breeze.yaml", "python-versions: ['3.9', '3.11']\n");
  auto yaml = test::run_binary({"version"}, {{"BREEZE_DEFAULT_BRANCH", "v2-10-stable"}}, c.root);
  REQUIRE(yaml.exit_code == 0);
  CHECK_THAT(yaml.out, Catch::Contains("Python versions: 3.9 3.11 (" +
                                       (c.root / "breeze.yaml").string() + ":1)"));
  // The checkout's default (3.8) is not in the list any more: the newest is.
  CHECK_THAT(yaml.out, Catch::Contains("Default Python: 3.11 (newest of the list)"));
  CHECK_THAT(yaml.out, Catch::Contains("Default branch: v2-10-stable (BREEZE_DEFAULT_BRANCH)"));
}

TEST_CASE("e2e: a checkout value in a form breeze does not read falls back with one verbose line",
          "[e2e][checkout]") {
  Checkout c("v2-10-test");
  const auto constants = c.root / "dev/breeze/src/airflow_breeze/global_constants.py";
  auto text = test::read_file(constants);
  const std::string from = "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS = [\"3.8\", \"3.9\", \"3.10\", "
                           "\"3.11\", \"3.12\"]";
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS = sorted(PYTHONS)");
  test::write_file(constants, text);

  auto quiet = test::run_binary({"version"}, {}, c.root);
  REQUIRE(quiet.exit_code == 0);
  CHECK_THAT(quiet.out, Catch::Contains("Python versions: 3.10 3.11 3.12 3.13 (built-in)"));
  CHECK_THAT(quiet.err, !Catch::Contains("unsupported form"));

  auto verbose = test::run_binary({"version", "--verbose"}, {}, c.root);
  REQUIRE(verbose.exit_code == 0);
  std::size_t lines = 0;
  for (auto p = verbose.err.find("unsupported form"); p != std::string::npos;
       p = verbose.err.find("unsupported form", p + 1))
    ++lines;
  CHECK(lines >= 1);
  CHECK_THAT(verbose.err, Catch::Contains("global_constants.py:"));
  CHECK_THAT(verbose.err, Catch::Contains("ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS"));
  // One line for all of them.
  std::size_t notes = 0;
  for (const auto& line : strings::split(verbose.err, '\n'))
    if (line.find("Checkout values not understood") != std::string::npos) ++notes;
  CHECK(notes == 1);
}

namespace {

// The seed's `breeze ...` lines (/work/shared/seeds) whose result depends on the checkout, as the
// shell hands them over: a `"\<newline>` inside quotes joins the lines.
const std::vector<std::vector<std::string>> k_seed_lines{
    {"ci", "find-backtracking-candidates"},
    {"ci-image", "build", "--run-in-parallel", "--upgrade-to-newer-dependencies", "--answer",
     "yes"},
    {"ci-image", "build", "--upgrade-to-newer-dependencies",
     "--eager-upgrade-additional-requirements", "aiobotocore==2.6.0"},
    {"ci-image", "build", "--upgrade-to-newer-dependencies",
     "--eager-upgrade-additional-requirements",
     "aiobotocore<=2.5.4 asana<=3.2.1 async-timeout<=4.0.2 aws-sam-translator<=1.72.0 "
     "azure-core<=1.29.0 azure-cosmos<=4.4.0 boto3<=1.28.17 botocore<=1.31.17 cfgv<=3.3.1 "
     "coverage<=7.2.7 databricks-sql-connector<=2.8.0 google-ads<=21.2.0 "
     "google-cloud-aiplatform<=1.29.0 grpcio-status<=1.56.2 grpcio<=1.56.2 mypy<=1.2.0 "
     "pyzmq<=25.1.0 tornado<=6.3.2 tqdm<=4.66.0 virtualenv<=20.24.1"},
    {"ci-image", "build", "--upgrade-to-newer-dependencies",
     "--eager-upgrade-additional-requirements", "aiobotocore<=2.5.4 asana<=3.2.1"},
    {"release-management", "generate-constraints", "--airflow-constraints-mode", "constraints",
     "--run-in-parallel", "--answer", "yes"},
    {"release-management", "generate-constraints", "--airflow-constraints-mode",
     "constraints-no-providers", "--run-in-parallel", "--answer", "yes"},
    {"release-management", "generate-constraints", "--airflow-constraints-mode",
     "constraints-source-providers", "--run-in-parallel", "--answer", "yes"},
};

} // namespace

TEST_CASE("e2e: the seed's command lines run verbatim on a v2-10-test checkout, with its Pythons, "
          "branch and constraints",
          "[e2e][docker][checkout]") {
  Checkout c("v2-10-test");
  // The PyPI stand-in serves the index and, under /raw, the checkout's constraints branch.
  const auto index = c.dir.path() / "index";
  std::filesystem::copy(test::fixture("pypi/index"), index,
                        std::filesystem::copy_options::recursive);
  test::write_file(index /
                       "raw/apache/airflow/constraints-2-10/constraints-source-providers-3.8.txt",
                   test::read_file(test::fixture("pypi/constraints-source-providers-3.11.txt")));
  test::PypiServer server({.root = index});
  // generate-constraints: the freeze output of every mode, and images labelled as upgraded.
  const auto freeze = c.dir.path() / "freeze";
  for (const auto* mode :
       {"constraints", "constraints-no-providers", "constraints-source-providers"})
    test::write_file(freeze / (std::string(mode) + ".txt"), "requests==2.31.0\nFlask==2.2.5\n");
  auto env = c.env();
  env.insert({{"BREEZE_PYPI_URL", server.url()},
              {"XDG_CACHE_HOME", (c.dir.path() / "cache").string()},
              {"FAKE_DOCKER_FREEZE_DIR", freeze.string()},
              {"FAKE_DOCKER_LABELS",
               R"({"org.apache.airflow.breeze.build-time":"2099-01-01T00:00:00Z",)"
               R"("org.apache.airflow.breeze.upgrade-to-newer-dependencies":"true",)"
               R"("org.apache.airflow.breeze.eager-upgrade-additional-requirements":"",)"
               R"("org.apache.airflow.breeze.source-commit":""})"},
              {"-GITHUB_ACTIONS", ""}});
  for (const auto& args : k_seed_lines) {
    const auto line = strings::join(args, " ");
    INFO(line);
    auto run_env = env;
    // find-backtracking-candidates reads the checkout's constraints branch from the stand-in;
    // generate-constraints only compares with the current files, and a closed port skips that.
    run_env["BREEZE_CONSTRAINTS_URL"] =
        args[0] == "ci" ? server.url() + "/raw" : std::string("http://127.0.0.1:1");
    std::filesystem::remove(c.log);
    auto r = test::run_binary(args, run_env, c.root);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    const auto calls = c.calls();
    if (args[0] == "ci") {
      CHECK(server.requests_for(
                "/raw/apache/airflow/constraints-2-10/constraints-source-providers-3.8.txt") == 1);
      CHECK_THAT(r.out, Catch::Contains("breeze ci-image build"));
    } else if (args[0] == "ci-image") {
      CHECK_THAT(calls, Catch::Contains("ghcr.io/apache/airflow/v2-10-test/ci/python3.8:latest"));
      CHECK_THAT(calls, Catch::Contains("[AIRFLOW_CONSTRAINTS_REFERENCE=constraints-2-10]"));
      CHECK_THAT(calls, !Catch::Contains("python3.13"));
      if (args[2] == "--upgrade-to-newer-dependencies")
        CHECK_THAT(calls,
                   Catch::Contains("[EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=" + args[4] + "]"));
    } else {
      const auto& mode = args[3];
      for (const auto* py : {"3.8", "3.9", "3.10", "3.11", "3.12"})
        CHECK(std::filesystem::exists(c.root / "files" / (std::string("constraints-") + py) /
                                      (mode + "-" + py + ".txt")));
      CHECK_THAT(calls, Catch::Contains("v2-10-test/ci/python3.8"));
    }
    std::smatch m;
    if (std::regex_search(r.err, m, std::regex("Logs: (/\\S+)")))
      std::filesystem::remove_all(m[1].str());
  }
}
