#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace breeze;

// The built binary bisecting with the fake-probe stand-in (tests/scripts/fake-probe): probes that
// resolve take 0.05 s, probes that backtrack hang until --probe-timeout kills them.

namespace {

// The seed's 20 candidates (13 August 2023), in the order find-backtracking-candidates printed them.
const std::vector<std::array<std::string, 3>> k_seed = {
    {"aiobotocore", "2.5.4", "2.6.0"}, {"asana", "3.2.1", "4.0.5"}, {"async-timeout", "4.0.2", "4.0.3"},
    {"aws-sam-translator", "1.72.0", "1.73.0"}, {"azure-core", "1.29.0", "1.29.1"}, {"azure-cosmos", "4.4.0", "4.5.0"},
    {"boto3", "1.28.17", "1.28.25"}, {"botocore", "1.31.17", "1.31.25"}, {"cfgv", "3.3.1", "3.4.0"},
    {"coverage", "7.2.7", "7.3.0"}, {"databricks-sql-connector", "2.8.0", "2.9.1"}, {"google-ads", "21.2.0", "21.3.0"},
    {"google-cloud-aiplatform", "1.29.0", "1.30.1"}, {"grpcio-status", "1.56.2", "1.57.0"}, {"grpcio", "1.56.2", "1.57.0"},
    {"mypy", "1.2.0", "1.5.0"}, {"pyzmq", "25.1.0", "25.1.1"}, {"tornado", "6.3.2", "6.3.3"},
    {"tqdm", "4.66.0", "4.66.1"}, {"virtualenv", "20.24.1", "20.24.3"}};

// find-backtracking-candidates --output json for the seed's candidates, `first` moved to the end so
// that bisection meets hanging probes.
std::string candidates_json(bool culprit_last) {
  auto list = k_seed;
  if (culprit_last) std::rotate(list.begin(), list.begin() + 1, list.end());
  nlohmann::json doc{{"candidates", nlohmann::json::array()}};
  for (const auto& [name, pinned, latest] : list)
    doc["candidates"].push_back({{"name", name}, {"pinned", pinned}, {"latest", latest}, {"released", "2023-08-11T00:00:00Z"}});
  return doc.dump();
}

struct Run {
  files::TempDir dir{"breeze-bisect-e2e"};
  std::filesystem::path log = dir.path() / "probes.log";

  test::BinaryResult bisect(const std::string& scenario, bool culprit_last, std::vector<std::string> extra) {
    test::write_file(dir.path() / "candidates.json", candidates_json(culprit_last));
    std::vector<std::string> args{"ci", "bisect-backtracking", "--candidates-file", "candidates.json", "--probe-command",
                                  fmt::format("'{}/fake-probe' {} 0.05 {{requirements}}", BREEZE_TEST_SCRIPTS, scenario),
                                  "--probe-timeout", "0.8"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_binary(args, {{"FAKE_PROBE_LOG", log.string()}, {"TMPDIR", dir.path().string()}}, dir.path());
  }
  // Lines of the stand-in's log starting with `word`.
  std::size_t count(const std::string& word) {
    if (!std::filesystem::exists(log)) return 0;
    auto lines = strings::split(test::read_file(log), '\n');
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.starts_with(word + " ");
    }));
  }
};

std::size_t results(const nlohmann::json& doc, const std::string& result) {
  return static_cast<std::size_t>(std::count_if(doc["probes"].begin(), doc["probes"].end(),
                                                [&](const nlohmann::json& p) { return p["result"] == result; }));
}

} // namespace

TEST_CASE("e2e: bisect-backtracking finds aiobotocore, kills hanging probes and edits Dockerfile.ci", "[e2e][bisect]") {
  Run run;
  test::write_file(run.dir.path() / "Dockerfile.ci",
                   "FROM python:3.8-slim-bookworm\nARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3\"\nRUN true\n");
  const auto today = time::format_iso_z(time::now()).substr(0, 10);
  auto r = run.bisect("seed", true, {"--output", "json", "--apply", "--dockerfile", "Dockerfile.ci"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
  CHECK(doc["probe_count"].get<int>() <= 7); // ceil(log2 20) + 2
  CHECK(doc["checks"][0]["verdict"] == "heuristics");
  CHECK(doc["checks"][0]["requirement"] == "aiobotocore==2.6.0");
  CHECK(doc["add"] == "aiobotocore<2.6.0");
  const auto timeouts = results(doc, "timeout");
  CHECK(timeouts >= 1);
  // Every probe that timed out was killed: it never wrote its "end" line; all others did.
  CHECK(run.count("start") == doc["probes"].size());
  CHECK(run.count("start") - run.count("end") == timeouts);
  CHECK(test::read_file(run.dir.path() / "Dockerfile.ci") ==
        "FROM python:3.8-slim-bookworm\n"
        "# aiobotocore<2.6.0: pip backtracked on aiobotocore 2.6.0 (found by breeze ci bisect-backtracking on " + today +
        "); remove this limit when an image build with --upgrade-to-newer-dependencies without it finishes in normal "
        "time - try that in a few days: aiobotocore==2.6.0 alone resolves\n"
        "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 aiobotocore<2.6.0\"\nRUN true\n");
}

TEST_CASE("e2e: bisect-backtracking on the seed's order needs the committer's six builds, in text", "[e2e][bisect]") {
  Run run;
  auto r = run.bisect("seed", false, {});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("6 probes for the search"));
  CHECK_THAT(r.out, Catch::Contains("Culprit: aiobotocore<=2.5.4\n"));
  CHECK_THAT(r.out, Catch::Contains("Check aiobotocore==2.6.0: passes - the resolver's heuristics, not a real conflict"));
  CHECK_THAT(r.out, Catch::Contains("Add to Dockerfile.ci: ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"aiobotocore<2.6.0\""));
  CHECK(run.count("start") == 7);
}

TEST_CASE("e2e: bisect-backtracking finds two interacting culprits, in parallel too", "[e2e][bisect]") {
  for (const char* parallelism : {"1", "3"}) {
    Run run;
    auto r = run.bisect("pair", true, {"--output", "json", "--parallelism", parallelism});
    INFO(parallelism << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["culprits"] == (nlohmann::json{"boto3<=1.28.17", "botocore<=1.31.17"}));
    CHECK(doc["used_ddmin"] == true);
    CHECK(run.count("start") - run.count("end") == results(doc, "timeout") + results(doc, "cancelled"));
  }
}

TEST_CASE("e2e: bisect-backtracking shows the resolver's conflict when ==latest fails", "[e2e][bisect]") {
  Run run;
  auto r = run.bisect("conflict", false, {});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Check aiobotocore==2.6.0: fails - a real conflict:\n"
                                    "    ERROR: Cannot install aiobotocore==2.6.0 and botocore==1.31.25"));
  CHECK_THAT(r.out, Catch::Contains("    aiobotocore 2.6.0 depends on botocore<1.31.18 and >=1.31.17\n"));
}

TEST_CASE("e2e: bisect-backtracking stops when the full list fails", "[e2e][bisect]") {
  Run run;
  test::write_file(run.dir.path() / "Dockerfile.ci", "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"\n");
  auto r = run.bisect("broken", false, {"--apply", "--dockerfile", "Dockerfile.ci"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("The full list of 20 limits did not pass (it exited 1)"));
  CHECK(run.count("start") == 1);
  CHECK(test::read_file(run.dir.path() / "Dockerfile.ci") == "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"\n");
}
