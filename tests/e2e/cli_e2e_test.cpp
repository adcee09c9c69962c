#include <support/catch.hpp>
#include <support/helpers.hpp>

using namespace breeze;

// The exit-code contract, pinned against the built binary: 0 ok, 1 failure, 2 usage, 130 interrupted.

TEST_CASE("e2e: --help of every group and command exits 0 and shows examples", "[e2e]") {
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {}, {"version"}, {"ci-image"}, {"prod-image"}, {"ci"}, {"release-management"}, {"setup"}}) {
    auto args = cmd;
    args.push_back("--help");
    auto r = test::run_binary(args);
    INFO("breeze " << (cmd.empty() ? "" : cmd[0]) << " --help");
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Examples:"));
    CHECK_THAT(r.out, Catch::Contains("--dry-run"));
    CHECK_THAT(r.out, Catch::Contains("--answer"));
  }
}

TEST_CASE("e2e: unknown command suggests the closest one, exit 2", "[e2e]") {
  auto r = test::run_binary({"ci-imag", "build"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("Did you mean 'ci-image'?"));
  CHECK(r.out.empty());
  auto r2 = test::run_binary({"relase-management"});
  CHECK(r2.exit_code == 2);
  CHECK_THAT(r2.err, Catch::Contains("Did you mean 'release-management'?"));
}

TEST_CASE("e2e: unknown option is a one-line usage error, exit 2", "[e2e]") {
  auto r = test::run_binary({"version", "--frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--frobnicate"));
  CHECK_THAT(r.err, !Catch::Contains("terminate"));
}

TEST_CASE("e2e: version works and reads breeze.yaml, malformed yaml exits 2 with file:line", "[e2e]") {
  files::TempDir dir;
  test::write_file(dir.path() / "breeze.yaml", "python-versions: ['3.12']\n");
  auto ok = test::run_binary({"version"}, {}, dir.path());
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Python versions: 3.12\n"));

  test::write_file(dir.path() / "breeze.yaml", "python-versions: ['3.12']\nregistry: {a: [\n");
  auto bad = test::run_binary({"version"}, {}, dir.path());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("breeze.yaml:3: "));
  CHECK(bad.err.find('\n') == bad.err.size() - 1); // one line
}

TEST_CASE("e2e: global options come from Breeze's environment variables", "[e2e]") {
  auto r = test::run_binary({"version"}, {{"GITHUB_REPOSITORY", "fork/airflow"}, {"VERBOSE", "true"}});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("GitHub repository: fork/airflow"));
  auto bad = test::run_binary({"version"}, {{"ANSWER", "perhaps"}});
  CHECK(bad.exit_code == 2);
}
