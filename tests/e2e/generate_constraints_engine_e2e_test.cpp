// generate-constraints on the real local engine: a sample CI image (FROM scratch + busybox) whose
// `pip` stand-in prints a known freeze list per mode, built and labelled by `breeze ci-image build
// --upgrade-to-newer-dependencies` (classic engine), then every mode for two Pythons in one run.

#include <support/catch.hpp>
#include <support/docker_engine.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/constraints_file.hpp>
#include <breeze/constraints/generate.hpp>
#include <breeze/docker/image.hpp>

#include <regex>
#include <set>

using namespace breeze;
namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::string> k_freeze{
    {"constraints-source-providers",
     "apache-airflow==2.10.0.dev0\nrequests==2.31.0\n-e /opt/airflow\n"
     "apache-airflow-providers-amazon==8.0.0\nFlask==2.2.5\n"},
    {"constraints", "requests==2.31.0\napache-airflow-providers-amazon==8.1.0\nFlask==2.2.5\n"
                    "sample @ file:///dist/sample.whl\n"},
    {"constraints-no-providers", "requests==2.31.0\nFlask==2.2.5\n"},
};

// The pins each mode must produce (the stand-in adds a per-Python marker pin).
std::string expected_pins(const std::string& mode, const std::string& py) {
  if (mode == "constraints-source-providers")
    return "apache-airflow-providers-amazon==8.0.0\nFlask==2.2.5\nrequests==2.31.0\nsample-python-"
           "marker==" +
           py + "\n";
  if (mode == "constraints")
    return "apache-airflow-providers-amazon==8.1.0\nFlask==2.2.5\nrequests==2.31.0\nsample-python-"
           "marker==" +
           py + "\n";
  return "Flask==2.2.5\nrequests==2.31.0\nsample-python-marker==" + py + "\n";
}

// The sample sources: Dockerfile.ci from scratch + busybox with a `pip` stand-in and the freeze
// lists.
void write_sample_sources(const fs::path& root) {
  test::write_file(root / "Dockerfile.ci",
                   "FROM scratch AS main\n"
                   "COPY busybox /bin/busybox\n"
                   "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox --install -s /bin\"]\n"
                   "ENV PATH=/usr/local/bin:/bin\n"
                   "COPY pip /usr/local/bin/pip\n"
                   "COPY freeze /freeze\n");
  test::write_file(
      root / "pip",
      "#!/bin/sh\n"
      "# pip stand-in: `freeze` prints the list of $AIRFLOW_CONSTRAINTS_MODE; the rest is a "
      "no-op.\n"
      "if [ -e \"/files/fail-$AIRFLOW_CONSTRAINTS_MODE-$PYTHON_MAJOR_MINOR_VERSION\" ]; then\n"
      "  echo \"simulated pip failure\" >&2; exit 1\n"
      "fi\n"
      "case \"$1\" in\n"
      "  freeze) cat \"/freeze/$AIRFLOW_CONSTRAINTS_MODE.txt\";"
      " echo \"sample-python-marker==$PYTHON_MAJOR_MINOR_VERSION\" ;;\n"
      "  *) echo \"pip $*: nothing to do in the sample image\" >&2 ;;\n"
      "esac\n");
  fs::permissions(root / "pip", fs::perms::owner_all | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read |
                                    fs::perms::others_exec);
  for (const auto& [mode, list] : k_freeze)
    test::write_file(root / "freeze" / (mode + ".txt"), list);
  test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  fs::copy_file("/bin/busybox", root / "busybox");
}

void remove_logs(const std::string& err) {
  std::smatch m;
  if (std::regex_search(err, m, std::regex("Logs: (/\\S+)"))) fs::remove_all(m[1].str());
}

} // namespace

TEST_CASE("e2e: real engine: labelled upgraded images give exact constraints for 2 Pythons x 3 "
          "modes, a failing job leaves the others complete",
          "[e2e][docker][engine][generate-constraints]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  write_sample_sources(root);
  // The sources are a git repository committed an hour ago: the image built now is newer.
  const auto commit =
      test::init_repo_with_commit(root, std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                                .count() -
                                            3600);
  test::ConstraintsRepos repos; // constraints-main with Airflow's real files for 3.10 / 3.11

  auto build =
      test::run_binary({"ci-image", "build", "--run-in-parallel", "--python-versions", "3.10 3.11",
                        "--upgrade-to-newer-dependencies", "--platform", docker::native_platform(),
                        "--docker-cache", "local", "--build-network", "host", "--parallelism", "2"},
                       engine.breeze_env(), root);
  INFO(build.out << build.err);
  REQUIRE(build.exit_code == 0);
  remove_logs(build.err);
  const auto image = engine.registry() + "/apache/airflow/main/ci/python3.10:latest";
  auto labels = engine.docker({"image", "inspect", "--format", "{{json .Config.Labels}}", image});
  CHECK_THAT(
      labels.out,
      Catch::Contains("\"org.apache.airflow.breeze.upgrade-to-newer-dependencies\":\"true\""));
  CHECK_THAT(labels.out,
             Catch::Contains("\"org.apache.airflow.breeze.source-commit\":\"" + commit + "\""));

  const std::vector<std::string> generate{"release-management",
                                          "generate-constraints",
                                          "--airflow-constraints-mode",
                                          "all",
                                          "--run-in-parallel",
                                          "--python-versions",
                                          "3.10 3.11",
                                          "--parallelism",
                                          "3",
                                          "--docker-network",
                                          "host",
                                          "--constraints-repo",
                                          repos.remote.string(),
                                          "--answer",
                                          "yes"};
  auto r = test::run_binary(generate, engine.breeze_env(), root);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  remove_logs(r.err);
  for (const auto* py : {"3.10", "3.11"}) {
    for (const auto& [mode, _] : k_freeze) {
      const auto name = mode + "-" + py + ".txt";
      const auto text = test::read_file(root / "files" / ("constraints-" + std::string(py)) / name);
      const auto file = constraints::ConstraintsFile::parse(text);
      REQUIRE(file.generated_at().has_value());
      CHECK(text == constraints::render_header(mode, "main", *file.generated_at()) +
                        expected_pins(mode, py));
      // Each current file on constraints-main was kept beside it, with the diff of pins.
      CHECK(test::read_file(root / "files" / ("constraints-" + std::string(py)) /
                            ("original-" + name)) ==
            *test::blob_at(repos.remote, "constraints-main", name));
      CHECK(fs::exists(root / "files" / ("constraints-" + std::string(py)) /
                       ("diff-" + mode + "-" + py + ".md")));
      CHECK_THAT(r.out,
                 Catch::Contains("files/constraints-" + std::string(py) + "/" + name + ": "));
    }
  }

  // One job fails (the stand-in fails for no-providers on 3.11): the others are complete, exit 1.
  fs::remove_all(root / "files" / "constraints-3.11");
  test::write_file(root / "files" / "fail-constraints-no-providers-3.11", "");
  auto failed = test::run_binary(generate, engine.breeze_env(), root);
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 1);
  remove_logs(failed.err);
  CHECK_THAT(failed.out, Catch::Matches("(.|\\n)*constraints-no-providers-3\\.11 +FAILED(.|\\n)*"));
  CHECK(!fs::exists(root / "files" / "constraints-3.11" / "constraints-no-providers-3.11.txt"));
  for (const auto* mode : {"constraints-source-providers", "constraints"})
    CHECK_THAT(
        test::read_file(root / "files" / "constraints-3.11" / (std::string(mode) + "-3.11.txt")),
        Catch::EndsWith(expected_pins(mode, "3.11")));
}

TEST_CASE("e2e: real engine: an unlabelled image is refused before anything runs",
          "[e2e][docker][engine][generate-constraints]") {
  REQUIRE_ENGINE(engine);
  const auto root = engine.dir() / "airflow";
  write_sample_sources(root);
  // Built by hand, not by breeze: no labels (the legacy builder; COPY needs no network).
  test::write_file(engine.dir() / "plain" / "Dockerfile",
                   "FROM scratch\nCOPY busybox /bin/busybox\n");
  fs::copy_file("/bin/busybox", engine.dir() / "plain" / "busybox");
  const auto image = engine.registry() + "/apache/airflow/main/ci/python3.12:latest";
  auto built = engine.docker({"build", "-t", image, (engine.dir() / "plain").string()});
  INFO(built.out << built.err);
  REQUIRE(built.exit_code == 0);

  auto r = test::run_binary({"release-management", "generate-constraints", "--python", "3.12",
                             "--docker-network", "host", "--constraints-url", "http://127.0.0.1:1",
                             "--answer", "yes"},
                            engine.breeze_env(), root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err,
             Catch::Contains("Refusing CI image for Python 3.12 (without breeze build labels"));
  CHECK_THAT(
      r.err,
      Catch::Contains("run `breeze ci-image build --python 3.12 --upgrade-to-newer-dependencies`"));
  CHECK(!fs::exists(root / "files"));
  auto missing = test::run_binary({"release-management", "generate-constraints", "--python", "3.13",
                                   "--constraints-url", "http://127.0.0.1:1", "--answer", "yes"},
                                  engine.breeze_env(), root);
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("Python 3.13 (missing from the local docker engine)"));
}
