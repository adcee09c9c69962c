// generate-constraints as a user runs it, against the recording docker stand-in
// (tests/scripts/fake-docker prints a freeze list per mode and answers `image inspect` with labels)
// and a real constraints repository for the current files.

#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <set>

using namespace breeze;
using namespace breeze::test;
namespace fs = std::filesystem;

namespace {

const char* const k_labels =
    R"({"org.apache.airflow.breeze.build-time":"2099-01-01T00:00:00Z",)"
    R"("org.apache.airflow.breeze.upgrade-to-newer-dependencies":"true",)"
    R"("org.apache.airflow.breeze.eager-upgrade-additional-requirements":"",)"
    R"("org.apache.airflow.breeze.source-commit":""})";

struct Sources {
  ConstraintsRepos repos; // constraints-main on the remote holds the "current" files
  fs::path root = repos.tmp.path() / "airflow";
  fs::path freeze = repos.tmp.path() / "freeze";
  fs::path log = repos.tmp.path() / "docker.log";
  Sources() {
    write_file(root / "Dockerfile.ci", "FROM scratch\n");
    write_file(
        freeze / "constraints-source-providers.txt",
        "requests==2.31.0\napache-airflow==2.10.0.dev0\napache-airflow-providers-amazon==8.0.0\n"
        "-e git+https://github.com/apache/airflow@abc#egg=apache_airflow\nFlask==2.2.5\n");
    write_file(freeze / "constraints-source-providers-3.13.txt",
               "requests==2.32.0\nFlask==3.0.0\n");
    write_file(
        freeze / "constraints.txt",
        "requests==2.31.0\napache_airflow_core==1.0\napache-airflow-providers-amazon==8.1.0\n"
        "mypkg @ file:///dist/mypkg.whl\nFlask==2.2.5\n");
    write_file(freeze / "constraints-no-providers.txt", "requests==2.31.0\nFlask==2.2.5\n");
    // The branch's current 3.12 source-providers file: requests is older there, boto3 is gone now.
    const auto tip = commit_of(repos.remote, "constraints-main");
    commit_on(
        repos.remote, tip, "constraints-source-providers-3.12.txt",
        "#\n# This constraints file was automatically generated on 2024-01-01T00:00:00Z\n#\n"
        "apache-airflow-providers-amazon==8.0.0\nboto3==1.28.0\nFlask==2.2.5\nrequests==2.30.0\n",
        "refs/heads/constraints-main");
    const auto tip2 = commit_of(repos.remote, "constraints-main");
    commit_on(repos.remote, tip2, "constraints-no-providers-3.12.txt",
              "#\n# generated on 2024-01-01T00:00:00Z\n#\nFlask==2.2.5\nrequests==2.31.0\n",
              "refs/heads/constraints-main");
  }
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    extra.emplace("BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker");
    extra.emplace("FAKE_DOCKER_LOG", log.string());
    extra.emplace("FAKE_DOCKER_FREEZE_DIR", freeze.string());
    extra.emplace("FAKE_DOCKER_LABELS", k_labels);
    return extra;
  }
  std::vector<std::string> args(std::vector<std::string> more) const {
    std::vector<std::string> a{"release-management", "generate-constraints", "--constraints-repo",
                               repos.remote.string()};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  [[nodiscard]] fs::path out(const std::string& py, const std::string& name) const {
    return root / "files" / ("constraints-" + py) / name;
  }
};

// The file without its date line (the only line that differs per run).
std::string undated(const std::string& text) {
  return std::regex_replace(text, std::regex("generated on [0-9TZ:-]+\\n"),
                            "generated on <date>\n");
}

std::string header(const std::string& mode_lines) {
  return "#\n# This constraints file was automatically generated on <date>\n"
         "# via \"eager-upgrade\" mechanism of PIP. For the \"main\" branch of Airflow.\n" +
         mode_lines + "#\n";
}

const std::string k_source_providers_header =
    header("# This variant of constraints install uses the HEAD of the branch version of both\n"
           "# 'apache-airflow' package and all available community provider packages.\n#\n"
           "# Those constraints represent the dependencies that are used by all pull requests when "
           "they are build in CI.\n"
           "# They represent \"latest\" and greatest set of constraints that HEAD of the "
           "\"apache-airflow\" package should\n"
           "# Install with \"HEAD\" of providers. Those are the only constraints that are used by "
           "our CI builds.\n");

} // namespace

TEST_CASE("generate-constraints: 2 Pythons x 3 modes in one parallel run write the exact files",
          "[integration][generate-constraints]") {
  Sources s;
  auto r = run_binary(
      s.args({"--airflow-constraints-mode", "all", "--run-in-parallel", "--python-versions",
              "3.12 3.13", "--parallelism", "3", "--answer", "yes"}),
      s.env(), s.root);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);

  // source-providers 3.12: filtered, sorted case-insensitively, standard header; compared with the
  // branch.
  CHECK(undated(read_file(s.out("3.12", "constraints-source-providers-3.12.txt"))) ==
        k_source_providers_header +
            "apache-airflow-providers-amazon==8.0.0\nFlask==2.2.5\nrequests==2.31.0\n");
  CHECK(read_file(s.out("3.12", "original-constraints-source-providers-3.12.txt")) ==
        *blob_at(s.repos.remote, "constraints-main", "constraints-source-providers-3.12.txt"));
  CHECK(read_file(s.out("3.12", "diff-constraints-source-providers-3.12.md")) ==
        "Dependencies constraints-source-providers updated for Python 3.12\n\n```diff\n"
        "-boto3==1.28.0\n-requests==2.30.0\n+requests==2.31.0\n```\n");
  // A Python-specific freeze list reaches its own file only.
  CHECK_THAT(read_file(s.out("3.13", "constraints-source-providers-3.13.txt")),
             Catch::EndsWith("#\nFlask==3.0.0\nrequests==2.32.0\n"));
  // `constraints` (PyPI providers): airflow core and direct references dropped.
  const auto pypi = read_file(s.out("3.13", "constraints-3.13.txt"));
  CHECK_THAT(pypi,
             Catch::EndsWith(
                 "#\napache-airflow-providers-amazon==8.1.0\nFlask==2.2.5\nrequests==2.31.0\n"));
  CHECK_THAT(pypi, Catch::Contains("PIP-released packages"));
  // Unchanged against the branch: original written, no diff.
  CHECK(fs::exists(s.out("3.12", "original-constraints-no-providers-3.12.txt")));
  CHECK(!fs::exists(s.out("3.12", "diff-constraints-no-providers-3.12.md")));
  // New on the branch: nothing to compare with.
  CHECK(!fs::exists(s.out("3.13", "original-constraints-3.13.txt")));

  // Exactly the expected files, no temp files left behind.
  std::set<std::string> all;
  for (const auto& e : fs::recursive_directory_iterator(s.root / "files"))
    if (e.is_regular_file()) all.insert(fs::relative(e.path(), s.root / "files").string());
  CHECK(all ==
        std::set<std::string>{"constraints-3.12/constraints-3.12.txt",
                              "constraints-3.12/constraints-no-providers-3.12.txt",
                              "constraints-3.12/constraints-source-providers-3.12.txt",
                              "constraints-3.12/diff-constraints-source-providers-3.12.md",
                              "constraints-3.12/original-constraints-no-providers-3.12.txt",
                              "constraints-3.12/original-constraints-source-providers-3.12.txt",
                              "constraints-3.13/constraints-3.13.txt",
                              "constraints-3.13/constraints-no-providers-3.13.txt",
                              "constraints-3.13/constraints-source-providers-3.13.txt"});
  // One header date for the whole run, readable back.
  CHECK_THAT(
      r.out,
      Catch::Contains(
          "files/constraints-3.12/constraints-source-providers-3.12.txt: 3 pins, 2 changed"));
  CHECK_THAT(r.out,
             Catch::Contains(
                 "files/constraints-3.12/constraints-no-providers-3.12.txt: 2 pins, unchanged"));
  CHECK_THAT(r.out,
             Catch::Contains("files/constraints-3.13/constraints-3.13.txt: 3 pins, new file"));
  // The summary table of the pool lists every job.
  for (const auto* job :
       {"constraints-source-providers-3.12", "constraints-3.13", "constraints-no-providers-3.13"})
    CHECK_THAT(r.out, Catch::Matches("(.|\\n)*" + std::string(job) + " +ok(.|\\n)*"));
  // Every docker run used the local image only, with files/ mounted.
  const auto calls = read_file(s.log);
  CHECK(std::count(calls.begin(), calls.end(), '\n') ==
        2 * (2 + 6)); // 2 inspects + 6 runs, 2 lines each
  CHECK_THAT(calls, Catch::Contains("[run] [--rm] [--pull] [never] [-v] [" +
                                    (s.root / "files").string() + ":/files]"));
  std::smatch m;
  if (std::regex_search(r.err, m, std::regex("Logs: (/\\S+)"))) fs::remove_all(m[1].str());

  // What publish-constraints consumes: files/constraints-*/constraints*.txt (a dry run reads them
  // all).
  InProcess publish;
  CHECK(publish.run({"release-management", "publish-constraints", "--constraints-repo",
                     s.repos.clone.string(), "--files-dir", (s.root / "files").string(), "-m",
                     "Update constraints", "--dry-run"}) == 0);
  CHECK_THAT(publish.out.str(), Catch::Contains("6 file(s) change."));
}

TEST_CASE("generate-constraints: an unlabelled, missing, not upgraded or outdated image is refused",
          "[integration][generate-constraints]") {
  Sources s;
  const auto refused = [&](const std::map<std::string, std::string>& extra,
                           const std::string& why) {
    auto r = run_binary(s.args({"--python", "3.12", "--answer", "yes"}), s.env(extra), s.root);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(why));
    CHECK_THAT(r.err,
               Catch::Contains(
                   "run `breeze ci-image build --python 3.12 --upgrade-to-newer-dependencies`"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1); // one line
    CHECK(!fs::exists(s.root / "files"));
  };
  refused({{"FAKE_DOCKER_LABELS", "null"}},
          "Refusing CI image for Python 3.12 (without breeze build labels");
  refused({{"FAKE_DOCKER_NO_IMAGE", "1"}}, "missing from the local docker engine");
  refused({{"FAKE_DOCKER_LABELS",
            R"({"org.apache.airflow.breeze.build-time":"2099-01-01T00:00:00Z",)"
            R"("org.apache.airflow.breeze.upgrade-to-newer-dependencies":"false"})"}},
          "not built with --upgrade-to-newer-dependencies");
  CHECK_THAT(read_file(s.log), !Catch::Contains("[run]"));

  // Sources committed after the image was built.
  Sources newer;
  init_repo_with_commit(newer.root, 4102444800 + 60); // 2100-01-01T00:01:00Z, the image says 2099
  auto r = run_binary(newer.args({"--python", "3.12", "--answer", "yes"}), newer.env(), newer.root);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("before the sources' last commit"));

  // A constraints branch that does not exist is a mistake to fix, before anything is written.
  auto no_branch =
      run_binary(s.args({"--python", "3.12", "--answer", "yes", "--constraints-branch", "nope"}),
                 s.env(), s.root);
  CHECK(no_branch.exit_code == 2);
  CHECK_THAT(no_branch.err, Catch::Contains("no branch 'nope'"));
  CHECK(!fs::exists(s.root / "files"));

  // Unless the user says so twice.
  auto skipped = run_binary(s.args({"--python", "3.12", "--answer", "yes", "--skip-image-check"}),
                            s.env({{"FAKE_DOCKER_LABELS", "null"}}), s.root);
  CHECK(skipped.exit_code == 0);
  CHECK(fs::exists(s.out("3.12", "constraints-source-providers-3.12.txt")));
}

TEST_CASE("generate-constraints: a failing job leaves the other files complete and exits 1",
          "[integration][generate-constraints]") {
  Sources s;
  auto r = run_binary(
      s.args({"--airflow-constraints-mode", "all", "--run-in-parallel", "--python-versions",
              "3.12 3.13", "--answer", "yes"}),
      s.env({{"FAKE_DOCKER_FAIL",
              "AIRFLOW_CONSTRAINTS_MODE=constraints -e PYTHON_MAJOR_MINOR_VERSION=3.13"}}),
      s.root);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Matches("(.|\\n)*constraints-3\\.13 +FAILED(.|\\n)*"));
  CHECK_THAT(r.err, Catch::Contains("Not generated: constraints-3.13"));
  CHECK(!fs::exists(s.out("3.13", "constraints-3.13.txt")));
  for (const auto& [py, name] : std::vector<std::pair<std::string, std::string>>{
           {"3.12", "constraints-3.12.txt"},
           {"3.13", "constraints-source-providers-3.13.txt"},
           {"3.13", "constraints-no-providers-3.13.txt"}})
    CHECK_THAT(read_file(s.out(py, name)),
               Catch::EndsWith("requests==2.31.0\n") || Catch::EndsWith("requests==2.32.0\n"));
  std::smatch m;
  if (std::regex_search(r.err, m, std::regex("Logs: (/\\S+)"))) fs::remove_all(m[1].str());
}

TEST_CASE("generate-constraints: existing files are overwritten only after a yes",
          "[integration][generate-constraints]") {
  Sources s;
  write_file(s.out("3.12", "constraints-source-providers-3.12.txt"), "keep me\n");
  auto r = run_binary(s.args({"--python", "3.12"}), s.env(), s.root); // no terminal, no --answer
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--answer"));
  auto no = run_binary(s.args({"--python", "3.12", "--answer", "no"}), s.env(), s.root);
  CHECK(no.exit_code == 0);
  CHECK_THAT(no.out, Catch::Contains("Nothing was changed."));
  CHECK(read_file(s.out("3.12", "constraints-source-providers-3.12.txt")) == "keep me\n");
  auto yes = run_binary(s.args({"--python", "3.12", "--answer", "yes"}), s.env(), s.root);
  CHECK(yes.exit_code == 0);
  CHECK_THAT(read_file(s.out("3.12", "constraints-source-providers-3.12.txt")),
             Catch::EndsWith("requests==2.31.0\n"));
}

TEST_CASE("generate-constraints: the seed's three lines run verbatim",
          "[integration][generate-constraints]") {
  Sources s;
  // Only the current files' location is redirected (nothing may leave 127.0.0.1); a closed port
  // means "not compared", which the run survives.
  const auto env = s.env({{"BREEZE_CONSTRAINTS_URL", "http://127.0.0.1:1"}});
  for (const auto* mode :
       {"constraints", "constraints-source-providers", "constraints-no-providers"}) {
    auto r = run_binary({"release-management", "generate-constraints", "--airflow-constraints-mode",
                         mode, "--run-in-parallel", "--answer", "yes"},
                        env, s.root);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    for (const auto* py : {"3.10", "3.11", "3.12", "3.13"})
      CHECK(fs::exists(s.out(py, std::string(mode) + "-" + py + ".txt")));
    std::smatch m;
    if (std::regex_search(r.err, m, std::regex("Logs: (/\\S+)"))) fs::remove_all(m[1].str());
  }
}

TEST_CASE("generate-constraints --output json: one document on stdout, one entry per file",
          "[integration][generate-constraints][json]") {
  Sources s;
  auto r = run_binary(s.args({"--airflow-constraints-mode", "all", "--python", "3.12", "--answer",
                              "yes", "--output", "json"}),
                      s.env(), s.root);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.at("dry_run") == false);
  CHECK(doc.at("interrupted") == false);
  const auto& files = doc.at("files");
  REQUIRE(files.size() == 3);
  std::map<std::string, nlohmann::json> by_mode;
  for (const auto& f : files) {
    CHECK(f.at("python") == "3.12");
    CHECK(f.at("status") == "generated");
    CHECK(f.at("error").is_null());
    by_mode[f.at("mode").get<std::string>()] = f;
  }
  const auto& sp = by_mode.at("constraints-source-providers");
  CHECK(sp.at("path") == "files/constraints-3.12/constraints-source-providers-3.12.txt");
  CHECK(sp.at("pins") == 3);
  CHECK(sp.at("pins_changed") == 2); // boto3 gone, requests 2.30.0 -> 2.31.0
  CHECK(sp.at("new_file") == false);
  CHECK(sp.at("also_written") ==
        nlohmann::json({"files/constraints-3.12/original-constraints-source-providers-3.12.txt",
                        "files/constraints-3.12/diff-constraints-source-providers-3.12.md"}));
  const auto& np = by_mode.at("constraints-no-providers");
  CHECK(np.at("pins") == 2);
  CHECK(np.at("pins_changed") == 0);
  // The human lines went to stderr.
  CHECK_THAT(r.err, Catch::Contains("constraints-source-providers-3.12.txt: 3 pins, 2 changed"));

  auto dry =
      run_binary(s.args({"--python", "3.12", "--answer", "yes", "--output", "json", "--dry-run"}),
                 s.env(), s.root);
  INFO(dry.out << dry.err);
  REQUIRE(dry.exit_code == 0);
  const auto planned = nlohmann::json::parse(dry.out); // the docker runs went to stderr
  CHECK(planned.at("dry_run") == true);
  REQUIRE(planned.at("files").size() == 1);
  CHECK(planned.at("files")[0].at("status") == "dry_run");
  CHECK(planned.at("files")[0].at("pins").is_null());
  CHECK_THAT(dry.err, Catch::Contains("docker run"));
}
