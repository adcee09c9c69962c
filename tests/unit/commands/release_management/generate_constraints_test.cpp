#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/commands/release_management/generate_constraints.hpp>
#include <breeze/docker/labels.hpp>

using namespace breeze;
using namespace breeze::commands::release_management;

namespace {
config::Settings settings_at(const std::filesystem::path& root) {
  config::Settings s;
  s.sources_root = root;
  return s;
}

std::map<std::string, std::string> labels(const std::string& time, const std::string& upgraded) {
  return {{docker::k_label_build_time, time},
          {docker::k_label_upgraded, upgraded},
          {docker::k_label_eager, ""},
          {docker::k_label_source_commit, ""}};
}
} // namespace

TEST_CASE("generate-constraints: one docker run per Python x mode, never pulling, files/ mounted",
          "[unit][generate-constraints]") {
  GenerateConstraintsOptions o;
  o.mode = "all";
  o.run_in_parallel = true;
  o.python_versions = "3.10 3.11";
  o.image_tag = "abc";
  auto jobs = plan_constraints_jobs(o, settings_at("/src/airflow"), "docker");
  REQUIRE(jobs);
  REQUIRE(jobs->size() == 6);
  const auto& j = jobs->front();
  CHECK(j.name == "constraints-source-providers-3.10");
  CHECK(j.image == "ghcr.io/apache/airflow/main/ci/python3.10:abc");
  CHECK(j.output == "/src/airflow/files/constraints-3.10/constraints-source-providers-3.10.txt");
  CHECK(j.argv == std::vector<std::string>{
                      "docker", "run", "--rm", "--pull", "never", "-v", "/src/airflow/files:/files",
                      "-e", "AIRFLOW_CONSTRAINTS_MODE=constraints-source-providers", "-e",
                      "PYTHON_MAJOR_MINOR_VERSION=3.10", "-e", "DEFAULT_BRANCH=main",
                      "--entrypoint", "/bin/sh", "ghcr.io/apache/airflow/main/ci/python3.10:abc",
                      "-c", "pip freeze"});
  CHECK((*jobs)[4].output.filename() == "constraints-3.11.txt");
  CHECK((*jobs)[5].output.filename() == "constraints-no-providers-3.11.txt");
  CHECK((*jobs)[5].argv.back() ==
        config::Settings{}.constraints_generation_commands.at("constraints-no-providers"));

  GenerateConstraintsOptions single;
  single.mode = "constraints";
  single.network = "host";
  auto one = plan_constraints_jobs(single, settings_at("/s"), "/usr/bin/docker");
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK(one->front().python == "3.13"); // newest by default
  CHECK_THAT(strings::join(one->front().argv, " "),
             Catch::Contains("--network host --entrypoint /bin/sh"));
}

TEST_CASE("generate-constraints: bad Pythons, modes and modes without a command are usage errors",
          "[unit][generate-constraints]") {
  GenerateConstraintsOptions o;
  o.python = "3.9";
  auto bad_python = plan_constraints_jobs(o, settings_at("/s"), "docker");
  REQUIRE(!bad_python);
  CHECK(bad_python.error().kind == ErrorKind::usage);
  o.python = "3.10";
  o.mode = "constraints-everything";
  CHECK(plan_constraints_jobs(o, settings_at("/s"), "docker").error().kind == ErrorKind::usage);
  auto s = settings_at("/s");
  s.constraints_generation_commands.erase("constraints");
  o.mode = "all";
  auto missing = plan_constraints_jobs(o, s, "docker");
  REQUIRE(!missing);
  CHECK_THAT(missing.error().message,
             Catch::Contains("no generation command for mode 'constraints'"));
}

TEST_CASE("generate-constraints: an image must exist, carry breeze labels, be upgraded and newer "
          "than HEAD",
          "[unit][generate-constraints]") {
  const git::HeadCommit head{"0123456789abcdef0123456789abcdef01234567",
                             *time::parse_iso8601("2024-08-13T10:00:00Z")};
  CHECK(image_problem(std::nullopt, head) == "missing from the local docker engine");
  CHECK_THAT(*image_problem(std::map<std::string, std::string>{}, head),
             Catch::Contains("without breeze build labels"));
  CHECK_THAT(*image_problem(labels("2024-08-13T11:00:00Z", "false"), head),
             Catch::Contains("not built with --upgrade-to-newer-dependencies"));
  CHECK_THAT(*image_problem(labels("garbage", "true"), head),
             Catch::Contains("without breeze build labels"));
  auto old = image_problem(labels("2024-08-13T09:59:59Z", "true"), head);
  REQUIRE(old);
  CHECK(*old == "built at 2024-08-13 09:59:59, before the sources' last commit 0123456789 "
                "(2024-08-13 10:00:00)");
  CHECK(!image_problem(labels("2024-08-13T10:00:00Z", "true"), head));
  auto same_commit = labels("2024-08-13T09:00:00Z", "true");
  same_commit[docker::k_label_source_commit] =
      head.id; // built from HEAD itself: clocks do not matter
  CHECK(!image_problem(same_commit, head));
  CHECK(
      !image_problem(labels("2020-01-01T00:00:00Z", "true"), std::nullopt)); // no git: age unknown
}

TEST_CASE("generate-constraints: the refusal names the build command to run",
          "[unit][generate-constraints]") {
  GenerateConstraintsOptions o;
  auto s = settings_at("/s");
  CHECK(rebuild_command({"3.10"}, o, s) ==
        "breeze ci-image build --python 3.10 --upgrade-to-newer-dependencies");
  o.image_tag = "v1";
  s.github_repository = "fork/airflow";
  CHECK(rebuild_command({"3.10", "3.12"}, o, s) ==
        "breeze ci-image build --run-in-parallel --python-versions \"3.10 3.12\" "
        "--upgrade-to-newer-dependencies "
        "--image-tag v1 --github-repository fork/airflow");
}

TEST_CASE("generate-constraints: labels written by the build are read back",
          "[unit][generate-constraints]") {
  docker::ImageParams p;
  p.image_date_created = "2024-08-13T10:00:00Z";
  p.upgrade_to_newer_dependencies = true;
  p.eager_upgrade_additional_requirements = "aiobotocore<=2.5.4";
  p.source_commit = "abc";
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : docker::build_labels(p))
    m[k] = v;
  auto parsed = docker::parse_build_labels(m);
  REQUIRE(parsed);
  CHECK(parsed->upgraded);
  CHECK(parsed->build_time == *time::parse_iso8601("2024-08-13T10:00:00Z"));
  CHECK(parsed->eager_requirements == "aiobotocore<=2.5.4");
  CHECK(parsed->source_commit == "abc");
}

TEST_CASE("generate-constraints: --dry-run checks the image read-only, prints the docker runs and "
          "writes nothing",
          "[unit][generate-constraints]") {
  files::TempDir dir;
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  test::InProcess p;
  p.cwd = dir.path();
  p.env["BREEZE_DOCKER"] = "docker";
  p.runner.respond = [](const process::ProcessSpec& spec) {
    process::ProcessResult r;
    if (spec.argv.size() > 2 && spec.argv[1] == "image")
      r.out = R"({"org.apache.airflow.breeze.build-time":"2099-01-01T00:00:00Z",)"
              R"("org.apache.airflow.breeze.upgrade-to-newer-dependencies":"true"})";
    return r;
  };
  auto rc = p.run({"release-management", "generate-constraints", "--airflow-constraints-mode",
                   "all", "--python", "3.11", "--dry-run"});
  CHECK(rc == 0);
  REQUIRE(p.runner.calls.size() == 1); // only the inspect ran
  CHECK(p.runner.calls[0].argv[1] == "image");
  CHECK_THAT(p.out.str(), Catch::Contains("docker run --rm --pull never"));
  CHECK_THAT(p.out.str(), Catch::Contains("AIRFLOW_CONSTRAINTS_MODE=constraints-no-providers"));
  CHECK(!std::filesystem::exists(dir.path() / "files"));
}

TEST_CASE("generate-constraints: --skip-image-check needs --answer yes",
          "[unit][generate-constraints]") {
  files::TempDir dir;
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  test::InProcess p;
  p.cwd = dir.path();
  CHECK(p.run({"release-management", "generate-constraints", "--skip-image-check"}) == 2);
  CHECK(p.runner.calls.empty());
}

TEST_CASE("generate-constraints: an unwritable files/ stops the run before any docker run",
          "[unit][generate-constraints][safety]") {
  files::TempDir dir;
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  // A regular file where the files/ folder should be: creating files/constraints-3.11/ fails for
  // root too.
  test::write_file(dir.path() / "files", "not a folder\n");
  test::InProcess p;
  p.cwd = dir.path();
  p.env["BREEZE_DOCKER"] = "docker";
  p.runner.respond = [](const process::ProcessSpec&) {
    process::ProcessResult r;
    r.out = "apache-airflow==2.10.0\nrequests==2.31.0\n";
    return r;
  };
  CHECK(p.run({"release-management", "generate-constraints", "--python", "3.11",
               "--skip-image-check", "--answer", "yes"}) == 1);
  CHECK(p.runner.calls.empty()); // no job ran only to fail at the end
  CHECK(test::read_file(dir.path() / "files") == "not a folder\n");
}
