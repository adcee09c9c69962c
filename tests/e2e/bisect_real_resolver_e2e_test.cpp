// bisect-backtracking with a real resolver: Debian's pip (python3-pip, installed by
// scripts/bootstrap.sh) resolving `--dry-run` against the local --find-links folder of
// tests/scripts/make_backtracking_index.py, whose aiobotocore / boto3 / botocore peg each other as
// the real ones do, so pip really backtracks without aiobotocore's limit. Nothing leaves the
// machine (`--no-index`), and no pip setting of the developer's is inherited.
#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/process/posix_runner.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

extern char** environ;

using namespace breeze;

namespace {

// Debian's interpreter (its pip is python3-pip); `python3` on PATH may be another one.
constexpr const char* k_python = "/usr/bin/python3";

// The fixture's constraints (pins) and newest releases, in a file order that puts the culprit last.
struct Package {
  std::string name, pinned, latest;
};
const std::vector<Package> k_packages = {{"boto3", "1.28.22", "1.28.25"},
                                         {"botocore", "1.31.22", "1.31.25"},
                                         {"aiobotocore", "2.5.4", "2.6.4"}};

// Environment for the breeze binary, inherited by its probes: every PIP_* of the developer's shell
// (this machine exports PIP_FIND_LINKS) removed, pip's own network and cache habits off.
std::map<std::string, std::string> sealed_env(const files::TempDir& dir) {
  std::map<std::string, std::string> env{
      {"PIP_DISABLE_PIP_VERSION_CHECK", "1"}, {"PIP_NO_CACHE_DIR", "1"},
      {"PIP_CONFIG_FILE", "/dev/null"},       {"PYTHONDONTWRITEBYTECODE", "1"},
      {"TMPDIR", dir.path().string()},        {"XDG_CACHE_HOME", (dir.path() / "cache").string()}};
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const auto name = entry.substr(0, entry.find('='));
    if (name.rfind("PIP_", 0) == 0 && !env.count(name)) env["-" + name] = "";
  }
  return env;
}

struct RealResolver {
  files::TempDir dir{"breeze-bisect-pip"};
  std::filesystem::path links = dir.path() / "wheels";

  RealResolver() {
    // A missing pip is a broken machine, not a reason to skip: bootstrap installs it.
    process::PosixRunner runner;
    auto r = runner.run(
        {.argv = {k_python, std::string(BREEZE_TEST_SCRIPTS) + "/make_backtracking_index.py",
                  links.string()},
         .merge_stderr = true});
    REQUIRE(r.has_value());
    INFO(r->out);
    REQUIRE(r->exit_code == 0);
    auto version = runner.run({.argv = {k_python, "-m", "pip", "--version"}, .merge_stderr = true});
    REQUIRE(version.has_value());
    INFO("Debian's pip is missing (" << k_python << " -m pip): run scripts/bootstrap.sh\n"
                                     << version->out);
    REQUIRE(version->exit_code == 0);
  }

  // What a user would pass: pip's dry run of the three projects, the limits as separate words.
  [[nodiscard]] std::string probe_command() const {
    return fmt::format(
        "{} -m pip install --dry-run --report /dev/null --no-index --find-links '{}' "
        "--ignore-installed aiobotocore boto3 botocore {{requirements...}}",
        k_python, links.string());
  }

  test::BinaryResult bisect(std::vector<std::string> extra) {
    std::vector<std::string> args{
        "ci", "bisect-backtracking", "--probe-command", probe_command(), "--probe-timeout", "120"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_binary(args, sealed_env(dir), dir.path());
  }
};

std::string candidates_json() {
  nlohmann::json doc{{"candidates", nlohmann::json::array()}};
  for (const auto& p : k_packages)
    doc["candidates"].push_back({{"name", p.name}, {"pinned", p.pinned}, {"latest", p.latest}});
  return doc.dump();
}

} // namespace

TEST_CASE(
    "e2e: bisect-backtracking with real pip finds aiobotocore<=2.5.4, cutting backtracking probes",
    "[e2e][bisect][resolver]") {
  RealResolver pip;
  test::write_file(pip.dir.path() / "candidates.json", candidates_json());
  auto r = pip.bisect({"--candidates-file", "candidates.json", "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
  CHECK(doc["found_by_suspect"] == false); // no suspects in this file: bisection
  // The full list resolves; boto3 + botocore limited without aiobotocore's still backtracks, and
  // that probe was cut at pip's own line.
  REQUIRE(doc["probes"].size() >= 3);
  CHECK(doc["probes"][0]["result"] == "pass");
  const auto& half = doc["probes"][1];
  CHECK(half["limits"] == (nlohmann::json{"boto3<=1.28.22", "botocore<=1.31.22"}));
  CHECK(half["result"] == "backtracking");
  REQUIRE(half["cut"].is_object());
  CHECK(half["cut"]["line_number"].get<int>() > 1);
  CHECK_THAT(half["cut"]["line"].get<std::string>(),
             Catch::StartsWith("INFO: pip is looking at multiple versions of "));
  CHECK(half["seconds"].get<double>() < 20);
  // The ==latest check runs to its end and shows pip's own explanation.
  REQUIRE(doc["checks"].size() == 1);
  CHECK(doc["checks"][0]["requirement"] == "aiobotocore==2.6.4");
  CHECK(doc["checks"][0]["verdict"] == "conflict");
  const auto conflicts = doc["checks"][0]["conflicts"].get<std::vector<std::string>>();
  CHECK(std::find(conflicts.begin(), conflicts.end(), "The conflict is caused by:") !=
        conflicts.end());
  CHECK(std::find(conflicts.begin(), conflicts.end(),
                  "aiobotocore 2.6.4 depends on botocore<1.31.22 and >=1.31.21") !=
        conflicts.end());
  CHECK(doc["add"] == "aiobotocore<2.6.4");

  // The same session in text: the cut line and pip's conflict lines in the report.
  auto t = pip.bisect({"--candidates-file", "candidates.json"});
  INFO(t.err);
  REQUIRE(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("the resolver started backtracking at output line"));
  CHECK_THAT(t.out, Catch::Contains(": INFO: pip is looking at multiple versions of "));
  CHECK_THAT(t.out, Catch::Contains("Check aiobotocore==2.6.4: fails - a real conflict:\n"));
  CHECK_THAT(t.out, Catch::Contains("    The conflict is caused by:\n"));
  CHECK_THAT(t.out,
             Catch::Contains("    boto3 1.28.25 depends on botocore<1.32.0 and >=1.31.25\n"));
}

TEST_CASE("e2e: bisect-backtracking with real pip and the in-process scan's suspects takes 2 "
          "search probes",
          "[e2e][bisect][resolver][suspects]") {
  RealResolver pip;
  // The same packages on a PyPI-shaped index, each newest release's requirements as in the wheels.
  const auto index = pip.dir.path() / "index";
  const std::map<std::string, std::vector<std::string>> requires_dist = {
      {"boto3", {"botocore<1.32.0,>=1.31.25"}},
      {"botocore", {}},
      {"aiobotocore", {"botocore<1.31.22,>=1.31.21"}}};
  for (const auto& p : k_packages) {
    nlohmann::json doc{
        {"info",
         {{"name", p.name}, {"version", p.latest}, {"requires_dist", requires_dist.at(p.name)}}},
        {"releases", nlohmann::json::object()}};
    for (const auto& [v, t] :
         {std::pair{p.pinned, "2023-08-01T00:00:00Z"}, std::pair{p.latest, "2023-08-11T20:00:00Z"}})
      doc["releases"][v] = {
          {{"filename", p.name + "-" + v + "-py3-none-any.whl"}, {"upload_time_iso_8601", t}}};
    test::write_file(index / (p.name + ".json"), doc.dump());
  }
  test::write_file(pip.dir.path() / "constraints.txt",
                   "# This constraints file was automatically generated on 2023-08-09T21:48:23Z\n"
                   "boto3==1.28.22\nbotocore==1.31.22\naiobotocore==2.5.4\n");
  test::PypiServer server({.root = index});
  for (const char* parallelism : {"1", "2"}) {
    auto r =
        pip.bisect({"--constraints-file", "constraints.txt", "--pypi-url", server.url(), "--python",
                    "3.11", "--parallelism", parallelism, "--no-cache", "--output", "json"});
    INFO(parallelism << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["suspects"] == nlohmann::json{"aiobotocore"});
    CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
    CHECK(doc["found_by_suspect"] == true);
    CHECK(doc["probe_count"] == 2);
    REQUIRE(doc["probes"].size() == 3);
    CHECK(doc["probes"][1]["purpose"] == "suspect");
    CHECK(doc["probes"][1]["result"] == "pass");
    CHECK(doc["checks"][0]["verdict"] == "conflict");
  }
}
