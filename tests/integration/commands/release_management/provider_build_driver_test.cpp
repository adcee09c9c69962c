// The Python driver prepare-provider-packages feeds to `python -` in the build image, run here by
// the host's python3 against the v2-10-test fixture's stand-in of Breeze's provider functions
// (same names and keyword arguments as Breeze's late-2024 provider_packages.py).

#include <breeze/base/files.hpp>
#include <breeze/commands/release_management/prepare_packages.hpp>
#include <breeze/process/posix_runner.hpp>

#include "support/catch.hpp"
#include "support/helpers.hpp"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

using namespace breeze;
namespace fs = std::filesystem;

namespace {

struct DriverRun {
  process::ProcessResult result;
  std::vector<std::string> dist;
};

DriverRun run_driver(const std::vector<std::string>& ids,
                     std::map<std::string, std::string> env = {}) {
  files::TempDir dir("breeze-driver");
  const auto root = dir.path() / "airflow";
  fs::copy(test::fixture("airflow-checkout/v2-10-test"), root, fs::copy_options::recursive);
  process::ProcessSpec spec;
  spec.argv = {
      "python3",
      "-",
  };
  spec.argv.insert(spec.argv.end(), ids.begin(), ids.end());
  spec.cwd = root;
  env["PYTHONPATH"] = (root / "dev/breeze/src").string();
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  spec.env = std::move(env);
  spec.input = commands::release_management::provider_build_driver();
  spec.merge_stderr = true;
  spec.timeout = std::chrono::minutes(1);
  process::PosixRunner runner;
  auto r = runner.run(spec);
  REQUIRE(r.has_value());
  DriverRun out{*r, {}};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root / "dist", ec))
    out.dist.push_back(e.path().filename().string());
  std::sort(out.dist.begin(), out.dist.end());
  return out;
}

} // namespace

TEST_CASE("the provider build driver calls Breeze's provider functions for each id",
          "[integration][packages]") {
  auto run = run_driver({"amazon", "apache.hive"},
                        {{"PACKAGE_FORMAT", "both"}, {"VERSION_SUFFIX_FOR_PYPI", "dev0"}});
  INFO(run.result.out);
  CHECK(run.result.ok());
  CHECK(run.dist ==
        std::vector<std::string>{"apache_airflow_providers_amazon-1.0.0.dev0-py3-none-any.whl",
                                 "apache_airflow_providers_amazon-1.0.0.dev0.tar.gz",
                                 "apache_airflow_providers_apache_hive-1.0.0.dev0-py3-none-any.whl",
                                 "apache_airflow_providers_apache_hive-1.0.0.dev0.tar.gz"});
  CHECK_THAT(run.result.out, Catch::Contains("breeze: preparing provider package apache.hive"));
}

TEST_CASE("the provider build driver goes on after a failing provider and exits 1 naming it",
          "[integration][packages]") {
  auto run = run_driver({"amazon", "celery", "google"},
                        {{"PACKAGE_FORMAT", "wheel"}, {"BREEZE_FIXTURE_PROVIDER_FAIL", "celery"}});
  INFO(run.result.out);
  CHECK(run.result.exit_code == 1);
  CHECK_THAT(run.result.out, Catch::Contains("breeze: failed providers: celery"));
  CHECK(run.dist ==
        std::vector<std::string>{"apache_airflow_providers_amazon-1.0.0-py3-none-any.whl",
                                 "apache_airflow_providers_google-1.0.0-py3-none-any.whl"});
}
