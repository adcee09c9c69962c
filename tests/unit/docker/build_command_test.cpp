#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/build_command.hpp>
#include <breeze/docker/image.hpp>

#include <algorithm>
#include <cstdlib>

using namespace breeze;
using docker::Engine;
using docker::ImageParams;

namespace {

// Fixed values for everything the command computes at run time, so the argv is reproducible.
ImageParams base_params() {
  ImageParams p;
  p.python = "3.10";
  p.airflow_version = "2.10.0.dev0";
  p.image_date_created = "2024-08-13T10:00:00Z";
  p.upgrade_invalidation_string = "1a2b3c4d";
  return p;
}

std::string render_plan(const ImageParams& p, Engine engine) {
  auto plan = docker::plan_build(p, engine);
  REQUIRE(plan.has_value());
  std::string out;
  for (const auto& step : *plan)
    out += "# " + step.description + (step.may_fail ? " [may fail]" : "") + "\n" +
           docker::render(step) + "\n";
  return out;
}

// Compares with tests/fixtures/docker/<name>.txt; BREEZE_UPDATE_GOLDEN=1 rewrites the file instead.
void check_golden(const std::string& name, const std::string& actual) {
  auto path = test::fixture("docker/" + name + ".txt");
  if (std::getenv("BREEZE_UPDATE_GOLDEN") != nullptr) test::write_file(path, actual);
  INFO("golden file " << path.string());
  CHECK(test::read_file(path) == actual);
}

std::size_t count(const std::vector<std::string>& argv, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& a : argv)
    n += a.starts_with(prefix) ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("docker: image names and cache refs follow ghcr.io/<repo>/<branch>/<type>/python<X.Y>",
          "[docker]") {
  auto p = base_params();
  p.github_repository = "Fork/Airflow";
  p.branch = "v2-10-test";
  CHECK(docker::image_name(p) == "ghcr.io/fork/airflow/v2-10-test/ci/python3.10");
  CHECK(docker::image_name_with_tag(p) == "ghcr.io/fork/airflow/v2-10-test/ci/python3.10:latest");
  CHECK(docker::cache_ref(p, "linux/arm64") ==
        "ghcr.io/fork/airflow/v2-10-test/ci/python3.10:cache-linux-arm64");
  p.type = docker::ImageType::prod;
  p.image_tag = "abc";
  CHECK(docker::image_name_with_tag(p) == "ghcr.io/fork/airflow/v2-10-test/prod/python3.10:abc");
}

TEST_CASE("docker: platforms are normalised and unknown ones are usage errors", "[docker]") {
  CHECK(*docker::normalize_platforms("both") ==
        std::vector<std::string>{"linux/amd64", "linux/arm64"});
  CHECK(*docker::normalize_platforms("linux/x86_64,aarch64") ==
        std::vector<std::string>{"linux/amd64", "linux/arm64"});
  CHECK(*docker::normalize_platforms("linux/amd64,linux/amd64") ==
        std::vector<std::string>{"linux/amd64"});
  auto bad = docker::normalize_platforms("linux/s390x");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().kind == ErrorKind::usage);
}

TEST_CASE("docker: golden buildx command lines for every option that changes them",
          "[docker][golden]") {
  auto p = base_params();
  check_golden("ci_default", render_plan(p, Engine::buildx));

  auto push = base_params();
  push.push = true;
  push.platforms = {"linux/arm64"};
  push.builder = "airflow_cache";
  check_golden("ci_push_arm64_builder", render_plan(push, Engine::buildx));

  auto multi = base_params();
  multi.push = true;
  multi.platforms = {"linux/amd64", "linux/arm64"};
  check_golden("ci_multi_platform_push", render_plan(multi, Engine::buildx));

  auto cache = base_params();
  cache.prepare_buildx_cache = true;
  cache.platforms = {"linux/amd64", "linux/arm64"};
  cache.builder = "airflow_cache";
  check_golden("ci_prepare_cache_both", render_plan(cache, Engine::buildx));

  auto upgrade = base_params();
  upgrade.python = "3.12";
  upgrade.upgrade_to_newer_dependencies = true;
  upgrade.eager_upgrade_additional_requirements = "aiobotocore<=2.5.4\n asana<=3.2.1";
  upgrade.source_commit = "0123456789abcdef0123456789abcdef01234567";
  check_golden("ci_upgrade_eager", render_plan(upgrade, Engine::buildx));

  auto custom = base_params();
  custom.docker_cache = docker::DockerCache::disabled;
  custom.image_tag = "my-tag";
  custom.build_progress = "plain";
  custom.python_image = "python:3.10-slim-bullseye";
  custom.airflow_constraints_mode = "constraints";
  custom.airflow_constraints_reference = "constraints-2-10";
  custom.additional_airflow_extras = "amazon";
  custom.additional_dev_apt_deps = "vim";
  custom.additional_python_deps = "pandas<2";
  custom.additional_pip_install_flags = "--no-deps";
  custom.commit_sha = "deadbeef";
  custom.use_uv = false;
  check_golden("ci_custom_no_cache", render_plan(custom, Engine::buildx));

  auto local = base_params();
  local.docker_cache = docker::DockerCache::local;
  local.debian_version = "bullseye";
  check_golden("ci_local_cache_bullseye", render_plan(local, Engine::buildx));

  auto prod = base_params();
  prod.type = docker::ImageType::prod;
  docker::apply_prod_defaults(prod);
  prod.install_packages_from_context = true;
  prod.push = true;
  check_golden("prod_from_context_push", render_plan(prod, Engine::buildx));

  // --docker-host puts DOCKER_HOST in every step's environment (and the build arg); with
  // --tag-as-latest the build also tags (and pushes) :latest.
  auto remote = base_params();
  remote.docker_host = "tcp://127.0.0.1:2375";
  remote.image_tag = "my-tag";
  remote.tag_as_latest = true;
  remote.push = true;
  check_golden("ci_docker_host_tag_as_latest", render_plan(remote, Engine::buildx));
  check_golden("ci_classic_docker_host_tag_as_latest", render_plan(remote, Engine::classic));
  // Already :latest: no second tag.
  auto latest = base_params();
  latest.tag_as_latest = true;
  CHECK(render_plan(latest, Engine::buildx) == render_plan(base_params(), Engine::buildx));
}

TEST_CASE("docker: golden classic-engine command lines (pull, DOCKER_BUILDKIT=1 build with inline "
          "cache, push)",
          "[docker][golden]") {
  auto p = base_params();
  check_golden("ci_classic", render_plan(p, Engine::classic));
  auto push = base_params();
  push.push = true;
  push.network = "host";
  check_golden("ci_classic_push_network", render_plan(push, Engine::classic));
  auto nocache = base_params();
  nocache.docker_cache = docker::DockerCache::disabled;
  auto plan = docker::plan_build(nocache, Engine::classic);
  REQUIRE(plan.has_value());
  REQUIRE(plan->size() == 1); // nothing to pull when the cache is disabled
  CHECK(count(plan->front().argv, "--no-cache") == 1);
  CHECK(plan->front().env.at("DOCKER_BUILDKIT") == "1");
}

TEST_CASE("docker: Breeze's bugs stay fixed in every combination", "[docker]") {
  for (bool push : {false, true})
    for (bool prepare : {false, true})
      for (int platforms : {1, 2})
        for (auto cache : {docker::DockerCache::registry, docker::DockerCache::local,
                           docker::DockerCache::disabled})
          for (const std::string builder : {"", "airflow_cache"}) {
            auto p = base_params();
            p.push = push;
            p.prepare_buildx_cache = prepare;
            p.docker_cache = cache;
            p.builder = builder;
            p.platforms = platforms == 1 ? std::vector<std::string>{"linux/amd64"}
                                         : std::vector<std::string>{"linux/amd64", "linux/arm64"};
            auto plan = docker::plan_build(p, Engine::buildx);
            INFO("push=" << push << " prepare=" << prepare << " platforms=" << platforms
                         << " builder=" << builder);
            if (prepare && push) {
              REQUIRE_FALSE(plan.has_value());
              continue;
            }
            if (platforms == 2 && !push && !prepare) {
              REQUIRE_FALSE(plan.has_value());
              CHECK(plan.error().kind == ErrorKind::usage);
              continue;
            }
            REQUIRE(plan.has_value());
            for (const auto& step : *plan) {
              CHECK(count(step.argv, "--progress") == 1);
              CHECK_FALSE((count(step.argv, "--load") == 1 && count(step.argv, "--push") == 1));
              CHECK(std::find(step.argv.begin(), step.argv.end(), "context") == step.argv.end());
              CHECK(count(step.argv, "--builder") == (builder.empty() ? 0U : 1U));
              if (cache == docker::DockerCache::registry && !prepare)
                CHECK(count(step.argv, "--cache-from=") == static_cast<std::size_t>(platforms));
            }
            if (prepare) CHECK(plan->size() == static_cast<std::size_t>(platforms));
          }
}

TEST_CASE("docker: the classic engine refuses what needs buildx and says how to install it",
          "[docker]") {
  auto multi = base_params();
  multi.push = true;
  multi.platforms = {"linux/amd64", "linux/arm64"};
  auto cache = base_params();
  cache.prepare_buildx_cache = true;
  auto builder = base_params();
  builder.builder = "airflow_cache";
  for (const auto& p : {multi, cache, builder}) {
    auto plan = docker::plan_build(p, Engine::classic);
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().kind == ErrorKind::usage);
    CHECK_THAT(plan.error().message, Catch::Contains("buildx"));
    CHECK_THAT(plan.error().message, Catch::Contains("install"));
  }
}

TEST_CASE("CI build args are Python Breeze's 2024 list in its order, VERSION_SUFFIX_FOR_PYPI "
          "always",
          "[docker][build-args]") {
  auto p = base_params();
  p.branch = "v2-10-test";
  p.airflow_constraints_reference = "constraints-2-10";
  const auto args = docker::build_arg_values(p);
  const std::vector<std::string> expected{
      "AIRFLOW_BRANCH=v2-10-test",
      "AIRFLOW_REPO=apache/airflow",
      "AIRFLOW_CONSTRAINTS_MODE=constraints-source-providers",
      "AIRFLOW_CONSTRAINTS_REFERENCE=constraints-2-10",
      "AIRFLOW_EXTRAS=devel-ci",
      "AIRFLOW_IMAGE_DATE_CREATED=2024-08-13T10:00:00Z",
      "AIRFLOW_IMAGE_REPOSITORY=https://github.com/apache/airflow",
      "AIRFLOW_PRE_CACHED_PIP_PACKAGES=true",
      "AIRFLOW_USE_UV=true",
      "UV_HTTP_TIMEOUT=300",
      "AIRFLOW_VERSION=2.10.0.dev0",
      "BUILD_ID=0",
      "CONSTRAINTS_GITHUB_REPOSITORY=apache/airflow",
      "PYTHON_BASE_IMAGE=python:3.10-slim-bookworm",
      "BUILD_PROGRESS=auto",
      "INSTALL_MYSQL_CLIENT_TYPE=mariadb",
      "VERSION_SUFFIX_FOR_PYPI=dev0",
  };
  CHECK(args == expected);
}

TEST_CASE("the version suffix for PyPI goes into AIRFLOW_VERSION unless already there",
          "[docker][build-args]") {
  auto p = base_params();
  p.version_suffix_for_pypi = "rc1";
  p.airflow_version = "2.10.0.dev0";
  auto args = docker::build_arg_values(p);
  CHECK(std::find(args.begin(), args.end(), "AIRFLOW_VERSION=2.10.0.rc1") != args.end());
  CHECK(args.back() == "VERSION_SUFFIX_FOR_PYPI=rc1");
  p.version_suffix_for_pypi = "dev0";
  args = docker::build_arg_values(p);
  CHECK(std::find(args.begin(), args.end(), "AIRFLOW_VERSION=2.10.0.dev0") != args.end());
}

TEST_CASE("PROD build args are Python Breeze's 2024 list in its order, then the sources args",
          "[docker][build-args]") {
  auto p = base_params();
  p.type = docker::ImageType::prod;
  docker::apply_prod_defaults(p);
  p.branch = "v2-10-test";
  p.python = "3.8";
  p.airflow_constraints_reference = "constraints-2-10";
  p.airflow_extras = "amazon,celery";
  const std::vector<std::string> expected{
      "AIRFLOW_BRANCH=v2-10-test",
      "AIRFLOW_CONSTRAINTS_MODE=constraints",
      "AIRFLOW_EXTRAS=amazon,celery",
      "AIRFLOW_IMAGE_DATE_CREATED=2024-08-13T10:00:00Z",
      "AIRFLOW_IMAGE_README_URL=https://raw.githubusercontent.com/apache/airflow/main/docs/"
      "docker-stack/README.md",
      "AIRFLOW_IMAGE_REPOSITORY=https://github.com/apache/airflow",
      "AIRFLOW_PRE_CACHED_PIP_PACKAGES=true",
      "AIRFLOW_USE_UV=false",
      "AIRFLOW_VERSION=2.10.0.dev0",
      "BUILD_ID=0",
      "CONSTRAINTS_GITHUB_REPOSITORY=apache/airflow",
      "DOCKER_CONTEXT_FILES=./docker-context-files",
      "INSTALL_PACKAGES_FROM_CONTEXT=false",
      "INSTALL_POSTGRES_CLIENT=true",
      "PYTHON_BASE_IMAGE=python:3.8-slim-bookworm",
      "BUILD_PROGRESS=auto",
      "INSTALL_MSSQL_CLIENT=true",
      "INSTALL_MYSQL_CLIENT=true",
      "INSTALL_MYSQL_CLIENT_TYPE=mariadb",
      "USE_CONSTRAINTS_FOR_CONTEXT_PACKAGES=false",
      "VERSION_SUFFIX_FOR_PYPI=",
      "AIRFLOW_SOURCES_FROM=.",
      "AIRFLOW_SOURCES_TO=/opt/airflow",
      "AIRFLOW_INSTALLATION_METHOD=.",
      "AIRFLOW_CONSTRAINTS_REFERENCE=constraints-2-10",
  };
  CHECK(docker::build_arg_values(p) == expected);
  // No AIRFLOW_CONSTRAINTS: the PROD Dockerfile has no such ARG (breeze's earlier name).
  CHECK(count(docker::build_arg_values(p), "AIRFLOW_CONSTRAINTS=") == 0);

  SECTION("uv, the runtime apt args and a suffix go where Breeze puts them") {
    p.use_uv = true;
    p.additional_python_deps = "pandas";
    p.additional_runtime_apt_deps = "vim";
    p.commit_sha = "abc";
    p.version_suffix_for_pypi = "rc1";
    const auto args = docker::build_arg_values(p);
    auto at = [&args](const std::string& arg) {
      return std::find(args.begin(), args.end(), arg) - args.begin();
    };
    CHECK(at("UV_HTTP_TIMEOUT=300") == at("AIRFLOW_USE_UV=true") + 1);
    CHECK(at("AIRFLOW_VERSION=2.10.0.rc1") == at("UV_HTTP_TIMEOUT=300") + 1);
    CHECK(at("ADDITIONAL_RUNTIME_APT_DEPS=vim") == at("ADDITIONAL_PYTHON_DEPS=pandas") + 1);
    CHECK(at("BUILD_PROGRESS=auto") == at("ADDITIONAL_RUNTIME_APT_DEPS=vim") + 1);
    CHECK(at("COMMIT_SHA=abc") == at("BUILD_PROGRESS=auto") + 1);
    CHECK(at("VERSION_SUFFIX_FOR_PYPI=rc1") == at("AIRFLOW_SOURCES_FROM=.") - 1);
  }
  SECTION("from docker-context-files the sources args are /empty") {
    p.install_packages_from_context = true;
    const auto args = docker::build_arg_values(p);
    const std::vector<std::string> tail(args.end() - 4, args.end());
    CHECK(tail == std::vector<std::string>{"AIRFLOW_SOURCES_FROM=/empty",
                                           "AIRFLOW_SOURCES_TO=/empty",
                                           "AIRFLOW_INSTALLATION_METHOD=.",
                                           "AIRFLOW_CONSTRAINTS_REFERENCE=constraints-2-10"});
    CHECK(count(args, "INSTALL_PACKAGES_FROM_CONTEXT=true") == 1);
  }
}
