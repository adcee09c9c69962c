#include <support/catch.hpp>
#include <support/fake_http.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace breeze;

// Python Breeze's per-option variables (issue 13 item 2) reach each of the seven commands: for a
// representative option of each, the variable set in the injected environment changes what the
// command does, and the same run without it does not. docs/settings.md's table, kept equal to the
// registrations by env_table_test.cpp, covers the bindings themselves.

namespace {

const std::string k_index = "https://pypi.example";

struct Row {
  std::string name;
  std::vector<std::string> args;
  std::map<std::string, std::string> env; ///< the variable(s) under test
  std::string expect;                     ///< in stdout, stderr or a recorded argv ("": none)
  int exit_with = -1;                     ///< the exit code with the variables (-1: any)
  int exit_without = -1;                  ///< the exit code without them (-1: any)
};

// Everything the run shows: stdout, stderr and every command line the runner was asked to run.
std::string transcript(test::InProcess& app) {
  std::string all = app.out.str() + "\n" + app.err.str() + "\n";
  for (const auto& call : app.runner.calls)
    all += strings::join(call.argv, " ") + "\n";
  return all;
}

struct Checkout {
  files::TempDir dir;
  test::FakeHttp http;
  Checkout() {
    std::filesystem::copy(test::fixture("airflow-checkout/main"), dir.path(),
                          std::filesystem::copy_options::recursive);
    test::write_file(dir.path() / "constraints.txt",
                     "# This constraints file was automatically generated on 2023-08-09T21:48:23Z\n"
                     "requests==2.29.0\n");
    test::write_file(dir.path() / "c.json",
                     R"({"candidates":[{"name":"a","pinned":"1","latest":"2"}]})");
    http.on(k_index + "/pypi/requests/json", 200,
            R"({"info":{"name":"requests","version":"2.29.0","requires_dist":null},)"
            R"("releases":{"2.29.0":[{"filename":"requests-2.29.0.tar.gz",)"
            R"("upload_time_iso_8601":"2023-04-26T00:00:00Z","yanked":false}]}})");
    // pypi.org (the default index) knows a newer release: a run that ignored BREEZE_PYPI_URL
    // would find a candidate.
    http.on("https://pypi.org/pypi/requests/json", 200,
            R"({"info":{"name":"requests","version":"2.31.0","requires_dist":null},)"
            R"("releases":{"2.29.0":[{"filename":"requests-2.29.0.tar.gz",)"
            R"("upload_time_iso_8601":"2023-04-26T00:00:00Z","yanked":false}],)"
            R"("2.31.0":[{"filename":"requests-2.31.0.tar.gz",)"
            R"("upload_time_iso_8601":"2023-08-20T00:00:00Z","yanked":false}]}})");
  }
  std::string run(const Row& row, bool with_env, int* exit_code = nullptr) {
    test::InProcess app;
    app.cwd = dir.path();
    app.http = &http;
    app.env["TMPDIR"] = dir.path().string();
    if (with_env)
      for (const auto& [k, v] : row.env)
        app.env[k] = v;
    const int rc = app.run(row.args);
    if (exit_code != nullptr) *exit_code = rc;
    return transcript(app);
  }
};

const std::vector<Row> k_rows{
    {"ci-image build: IMAGE_TAG",
     {"ci-image", "build", "--dry-run", "-p", "3.11"},
     {{"IMAGE_TAG", "from-env-tag"}},
     "ci/python3.11:from-env-tag"},
    {"ci-image build: ADDITIONAL_PYTHON_DEPS",
     {"ci-image", "build", "--dry-run", "-p", "3.11"},
     {{"ADDITIONAL_PYTHON_DEPS", "extra-dep==1.0"}},
     "ADDITIONAL_PYTHON_DEPS=extra-dep==1.0"},
    {"ci-image build: UPGRADE_TO_NEWER_DEPENDENCIES and EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS",
     {"ci-image", "build", "--dry-run", "-p", "3.11"},
     {{"UPGRADE_TO_NEWER_DEPENDENCIES", "true"},
      {"EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS", "aiobotocore<=2.5.4"}},
     "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=aiobotocore<=2.5.4"},
    {"ci-image build: USE_UV takes Breeze's booleans",
     {"ci-image", "build", "--dry-run", "-p", "3.11"},
     {{"USE_UV", "false"}},
     "AIRFLOW_USE_UV=false"},
    {"prod-image build: ADDITIONAL_RUNTIME_APT_DEPS",
     {"prod-image", "build", "--dry-run", "-p", "3.11"},
     {{"ADDITIONAL_RUNTIME_APT_DEPS", "libfoo-from-env"}},
     "ADDITIONAL_RUNTIME_APT_DEPS=libfoo-from-env"},
    {"release-management generate-constraints: IMAGE_TAG",
     {"release-management", "generate-constraints", "--dry-run", "--answer", "yes", "-p", "3.11",
      "--skip-image-check"},
     {{"IMAGE_TAG", "from-env-tag"}},
     "ci/python3.11:from-env-tag"},
    {"ci find-backtracking-candidates: BREEZE_PYPI_URL",
     {"ci", "find-backtracking-candidates", "--constraints-file", "constraints.txt"},
     {{"BREEZE_PYPI_URL", k_index}},
     "Found 0 candidates"},
    {"ci bisect-backtracking: PLATFORM",
     {"ci", "bisect-backtracking", "--dry-run", "--candidates-file", "c.json", "--probe-timeout",
      "5"},
     {{"PLATFORM", "linux/arm64"}},
     "--platform linux/arm64"},
    {"release-management update-constraints: CONSTRAINTS_REPO, AIRFLOW_VERSIONS, COMMIT_MESSAGE, "
     "UPDATED_CONSTRAINT",
     {"release-management", "update-constraints", "--dry-run"},
     {{"CONSTRAINTS_REPO", "/nonexistent/constraints-from-env"},
      {"AIRFLOW_VERSIONS", "2.9.0"},
      {"COMMIT_MESSAGE", "from env"},
      {"UPDATED_CONSTRAINT", "a==1 b==2"}},
     // The required options are given by their variables: past parsing, the command itself
     // fails on the missing clone (1); without them it is a usage error (2).
     "",
     1,
     2},
    {"ci refresh-images: BUILDER",
     {"ci", "refresh-images", "--dry-run", "--python-versions", "3.11"},
     {{"BUILDER", "builder-from-env"}},
     "builder-from-env"},
};

} // namespace

TEST_CASE("Breeze's option variables reach each of the seven commands", "[unit][env]") {
  Checkout checkout;
  for (const auto& row : k_rows) {
    INFO(row.name);
    int rc_without = 0;
    int rc_with = 0;
    const auto without = checkout.run(row, false, &rc_without);
    const auto with = checkout.run(row, true, &rc_with);
    INFO("with the variable:\n" << with);
    if (!row.expect.empty()) {
      CHECK_THAT(with, Catch::Contains(row.expect));
      CHECK_THAT(without, !Catch::Contains(row.expect));
    }
    if (row.exit_with >= 0) CHECK(rc_with == row.exit_with);
    if (row.exit_without >= 0) CHECK(rc_without == row.exit_without);
  }
}

TEST_CASE("a flag wins over Breeze's option variable", "[unit][env]") {
  Checkout checkout;
  struct Case {
    Row row;
    std::string lost; ///< what the variable alone would have given
  };
  const std::vector<Case> cases{
      {{"ci-image build: -t over IMAGE_TAG",
        {"ci-image", "build", "--dry-run", "-p", "3.11", "-t", "flag-tag"},
        {{"IMAGE_TAG", "env-tag"}},
        "ci/python3.11:flag-tag"},
       "env-tag"},
      {{"ci-image build: --no-use-uv over USE_UV=true",
        {"ci-image", "build", "--dry-run", "-p", "3.11", "--no-use-uv"},
        {{"USE_UV", "true"}},
        "AIRFLOW_USE_UV=false"},
       "AIRFLOW_USE_UV=true"},
      {{"ci refresh-images: --builder over BUILDER",
        {"ci", "refresh-images", "--dry-run", "--python-versions", "3.11", "--builder",
         "flag-builder"},
        {{"BUILDER", "env-builder"}},
        "flag-builder"},
       "env-builder"},
      // FakeHttp fails the test on a request to any other index than the flag's.
      {{"ci find-backtracking-candidates: --pypi-url over BREEZE_PYPI_URL",
        {"ci", "find-backtracking-candidates", "--constraints-file", "constraints.txt",
         "--pypi-url", k_index},
        {{"BREEZE_PYPI_URL", "https://env.example"}},
        "Found 0 candidates"},
       "env.example"},
  };
  for (const auto& c : cases) {
    INFO(c.row.name);
    const auto with = checkout.run(c.row, true);
    INFO("with the variable:\n" << with);
    CHECK_THAT(with, Catch::Contains(c.row.expect));
    CHECK_THAT(with, !Catch::Contains(c.lost));
  }
}
