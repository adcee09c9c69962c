#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <sys/stat.h>

using namespace breeze;
namespace fs = std::filesystem;

// The steps Python Breeze runs before a real image build — fix_group_permissions and the
// checkout's update_providers_dependencies.py — on a git copy of the v2-10-test checkout fixture,
// with the recording docker stand-in noting each watched file's mode and size when docker runs.

namespace {

const std::string k_providers_json = "generated/provider_dependencies.json";
const std::string k_install = "scripts/docker/install_airflow.sh";

struct GitCheckout {
  files::TempDir dir{"breeze-prebuild-e2e"};
  fs::path root = dir.path() / "airflow";
  fs::path log = dir.path() / "docker.log";
  std::uintmax_t json_size_before = 0;
  GitCheckout() {
    fs::copy(test::fixture("airflow-checkout/v2-10-test"), root, fs::copy_options::recursive);
    std::vector<std::string> tracked;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file()) tracked.push_back(fs::relative(e.path(), root).string());
    test::init_repo_tracking(root, tracked);
    // What a checkout under `umask 002` looks like, and a providers file not in canonical form.
    fs::permissions(root / k_install, fs::perms(0664));
    fs::permissions(root / "scripts/docker", fs::perms(0775));
    test::write_file(root / "untracked.txt", "mine\n");
    fs::permissions(root / "untracked.txt", fs::perms(0666));
    test::write_file(root / k_providers_json, R"({"amazon": {"deps": ["boto3>=1.33"]}})");
    json_size_before = fs::file_size(root / k_providers_json);
  }
  [[nodiscard]] std::map<std::string, std::string> env() const {
    return {{"BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker"},
            {"FAKE_DOCKER_LOG", log.string()},
            {"FAKE_DOCKER_WATCH",
             (root / k_install).string() + " " + (root / k_providers_json).string()},
            {"-DOCKER_HOST", ""},
            {"-BREEZE_FIXTURE_PROVIDER_DEPS_FAIL", ""}};
  }
  [[nodiscard]] std::string calls() const {
    return fs::exists(log) ? test::read_file(log) : std::string{};
  }
  [[nodiscard]] unsigned mode(const std::string& rel) const {
    return static_cast<unsigned>(fs::symlink_status(root / rel).permissions()) & 0777U;
  }
};

// The watch lines recorded right after the `buildx build` call.
std::string watched_at_build(const std::string& calls) {
  const auto build = calls.find("[buildx] [build]");
  REQUIRE(build != std::string::npos);
  const auto start = calls.find("\nwatch: ", build);
  REQUIRE(start != std::string::npos);
  const auto next = calls.find("\nargv:", start);
  return calls.substr(start + 1, next == std::string::npos ? std::string::npos : next - start - 1);
}

} // namespace

TEST_CASE("e2e: a real build first fixes the tracked files' modes and refreshes the providers' "
          "dependencies",
          "[e2e][docker][checkout]") {
  GitCheckout c;
  auto r = test::run_binary({"ci-image", "build"}, c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto json_size = fs::file_size(c.root / k_providers_json);
  CHECK(json_size != c.json_size_before); // the script rewrote it in canonical form
  // When docker ran, both steps were done already.
  const auto watched = watched_at_build(c.calls());
  CHECK_THAT(watched, Catch::Contains(k_install + " mode=644 "));
  CHECK_THAT(watched,
             Catch::Contains(k_providers_json + " mode=644 size=" + std::to_string(json_size)));
  CHECK(c.mode("scripts/docker") == 0755);
  CHECK(c.mode("scripts/docker/entrypoint_ci.sh") == 0755);
  CHECK(c.mode("untracked.txt") == 0666); // untracked: not ours to change
  CHECK_THAT(r.err, Catch::Contains("Refreshing generated/provider_dependencies.json"));
  CHECK_THAT(r.err, Catch::Contains("Written "));
}

TEST_CASE("e2e: a dry run names the pre-build steps and runs neither", "[e2e][docker][checkout]") {
  GitCheckout c;
  auto r = test::run_binary({"ci-image", "build", "--dry-run"}, c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(c.mode(k_install) == 0664);
  CHECK(c.mode("scripts/docker") == 0775);
  CHECK(fs::file_size(c.root / k_providers_json) == c.json_size_before);
  CHECK_THAT(r.out, Catch::Contains("# not run in a dry run: fix_group_permissions"));
  CHECK_THAT(r.out, Catch::Contains("# not run in a dry run: python3 "
                                    "scripts/ci/pre_commit/update_providers_dependencies.py"));
  CHECK(c.calls().find("[build]") == std::string::npos);
}

TEST_CASE("e2e: a failing providers-dependencies script stops the build with its output",
          "[e2e][docker][checkout]") {
  GitCheckout c;
  auto env = c.env();
  env.erase("-BREEZE_FIXTURE_PROVIDER_DEPS_FAIL");
  env["BREEZE_FIXTURE_PROVIDER_DEPS_FAIL"] = "1";
  auto r = test::run_binary({"ci-image", "build"}, env, c.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("provider.yaml of provider 'amazon' is not valid"));
  CHECK_THAT(r.err, Catch::Contains("update_providers_dependencies.py failed (exit 1"));
  CHECK(c.calls().find("[build]") == std::string::npos);
}

TEST_CASE("e2e: a PROD build fixes the modes but does not run the providers script",
          "[e2e][docker][checkout]") {
  GitCheckout c;
  test::write_file(c.root / "Dockerfile", "FROM scratch\n");
  auto r = test::run_binary({"prod-image", "build"}, c.env(), c.root);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(c.mode(k_install) == 0644);
  CHECK(fs::file_size(c.root / k_providers_json) == c.json_size_before);
  CHECK_THAT(r.err, !Catch::Contains("Refreshing generated/provider_dependencies.json"));
}
