#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>
#include <breeze/config/settings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

using namespace breeze;

// The built binary bisecting with the fake-probe stand-in (tests/scripts/fake-probe): probes that
// resolve take 0.05 s, probes that backtrack hang until --probe-timeout kills them.

namespace {

// The seed's 20 candidates (13 August 2023), in the order find-backtracking-candidates printed
// them.
const std::vector<std::array<std::string, 3>> k_seed = {
    {"aiobotocore", "2.5.4", "2.6.0"},
    {"asana", "3.2.1", "4.0.5"},
    {"async-timeout", "4.0.2", "4.0.3"},
    {"aws-sam-translator", "1.72.0", "1.73.0"},
    {"azure-core", "1.29.0", "1.29.1"},
    {"azure-cosmos", "4.4.0", "4.5.0"},
    {"boto3", "1.28.17", "1.28.25"},
    {"botocore", "1.31.17", "1.31.25"},
    {"cfgv", "3.3.1", "3.4.0"},
    {"coverage", "7.2.7", "7.3.0"},
    {"databricks-sql-connector", "2.8.0", "2.9.1"},
    {"google-ads", "21.2.0", "21.3.0"},
    {"google-cloud-aiplatform", "1.29.0", "1.30.1"},
    {"grpcio-status", "1.56.2", "1.57.0"},
    {"grpcio", "1.56.2", "1.57.0"},
    {"mypy", "1.2.0", "1.5.0"},
    {"pyzmq", "25.1.0", "25.1.1"},
    {"tornado", "6.3.2", "6.3.3"},
    {"tqdm", "4.66.0", "4.66.1"},
    {"virtualenv", "20.24.1", "20.24.3"}};

// find-backtracking-candidates --output json for the seed's candidates, `first` moved to the end so
// that bisection meets hanging probes.
std::string candidates_json(bool culprit_last) {
  auto list = k_seed;
  if (culprit_last) std::rotate(list.begin(), list.begin() + 1, list.end());
  nlohmann::json doc{{"candidates", nlohmann::json::array()}};
  for (const auto& [name, pinned, latest] : list)
    doc["candidates"].push_back({{"name", name},
                                 {"pinned", pinned},
                                 {"latest", latest},
                                 {"released", "2023-08-11T00:00:00Z"}});
  return doc.dump();
}

struct Run {
  files::TempDir dir{"breeze-bisect-e2e"};
  std::filesystem::path log = dir.path() / "probes.log";

  test::BinaryResult bisect(const std::string& scenario, bool culprit_last,
                            std::vector<std::string> extra,
                            std::map<std::string, std::string> env = {}) {
    test::write_file(dir.path() / "candidates.json", candidates_json(culprit_last));
    std::vector<std::string> args{
        "ci",
        "bisect-backtracking",
        "--candidates-file",
        "candidates.json",
        "--probe-command",
        fmt::format("'{}/fake-probe' {} 0.05 {{requirements}}", BREEZE_TEST_SCRIPTS, scenario),
        "--probe-timeout",
        "0.8"};
    args.insert(args.end(), extra.begin(), extra.end());
    env.emplace("FAKE_PROBE_LOG", log.string());
    env.emplace("TMPDIR", dir.path().string());
    return test::run_binary(args, env, dir.path());
  }
  // Lines of the stand-in's log starting with `word`.
  std::size_t count(const std::string& word) {
    if (!std::filesystem::exists(log)) return 0;
    auto lines = strings::split(test::read_file(log), '\n');
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(),
                      [&](const std::string& l) { return l.starts_with(word + " "); }));
  }
};

std::size_t results(const nlohmann::json& doc, const std::string& result) {
  return static_cast<std::size_t>(
      std::count_if(doc["probes"].begin(), doc["probes"].end(),
                    [&](const nlohmann::json& p) { return p["result"] == result; }));
}

} // namespace

TEST_CASE(
    "e2e: bisect-backtracking finds aiobotocore, kills hanging probes and edits Dockerfile.ci",
    "[e2e][bisect]") {
  Run run;
  test::write_file(run.dir.path() / "Dockerfile.ci",
                   "FROM python:3.8-slim-bookworm\nARG "
                   "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3\"\nRUN true\n");
  const auto today = time::format_iso_z(time::now()).substr(0, 10);
  // Detection off: this is about probes that hang until the timeout kills them.
  auto r = run.bisect("seed", true,
                      {"--output", "json", "--apply", "--dockerfile", "Dockerfile.ci",
                       "--backtracking-pattern", ""});
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
        "# aiobotocore<2.6.0: pip backtracked on aiobotocore 2.6.0 (found by breeze ci "
        "bisect-backtracking on " +
            today +
            "); remove this limit when an image build with --upgrade-to-newer-dependencies without "
            "it finishes in normal "
            "time - try that in a few days: aiobotocore==2.6.0 alone resolves\n"
            "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 aiobotocore<2.6.0\"\nRUN true\n");
}

TEST_CASE("e2e: bisect-backtracking on the seed's order needs the committer's six builds, in text",
          "[e2e][bisect]") {
  Run run;
  auto r = run.bisect("seed", false, {});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("6 probes for the search"));
  CHECK_THAT(r.out, Catch::Contains("Culprit: aiobotocore<=2.5.4\n"));
  CHECK_THAT(
      r.out,
      Catch::Contains(
          "Check aiobotocore==2.6.0: passes - the resolver's heuristics, not a real conflict"));
  CHECK_THAT(
      r.out,
      Catch::Contains(
          "Add to Dockerfile.ci: ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"aiobotocore<2.6.0\""));
  CHECK(run.count("start") == 7);
}

TEST_CASE("e2e: bisect-backtracking finds two interacting culprits, in parallel too",
          "[e2e][bisect]") {
  for (const char* parallelism : {"1", "3"}) {
    Run run;
    auto r = run.bisect("pair", true, {"--output", "json", "--parallelism", parallelism});
    INFO(parallelism << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["culprits"] == (nlohmann::json{"boto3<=1.28.17", "botocore<=1.31.17"}));
    CHECK(doc["used_ddmin"] == true);
    CHECK(run.count("start") - run.count("end") ==
          results(doc, "timeout") + results(doc, "cancelled") + results(doc, "backtracking"));
  }
}

TEST_CASE("e2e: bisect-backtracking shows the resolver's conflict when ==latest fails",
          "[e2e][bisect]") {
  Run run;
  auto r = run.bisect("conflict", false, {});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out,
             Catch::Contains("Check aiobotocore==2.6.0: fails - a real conflict:\n"
                             "    ERROR: Cannot install aiobotocore==2.6.0 and botocore==1.31.25"));
  CHECK_THAT(r.out,
             Catch::Contains("    aiobotocore 2.6.0 depends on botocore<1.31.18 and >=1.31.17\n"));
}

TEST_CASE("e2e: bisect-backtracking stops when the full list fails", "[e2e][bisect]") {
  Run run;
  test::write_file(run.dir.path() / "Dockerfile.ci",
                   "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"\n");
  auto r = run.bisect("broken", false, {"--apply", "--dockerfile", "Dockerfile.ci"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("The full list of 20 limits did not pass (it exited 1)"));
  CHECK(run.count("start") == 1);
  CHECK(test::read_file(run.dir.path() / "Dockerfile.ci") ==
        "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"\n");
}

namespace {

// The seed's candidates with the conflict analysis' suspects, aiobotocore last.
std::string candidates_with_suspects(const std::vector<std::string>& suspects) {
  auto doc = nlohmann::json::parse(candidates_json(true));
  doc["suspects"] = suspects;
  return doc.dump();
}

test::BinaryResult bisect_with(Run& run, const std::string& candidates,
                               std::vector<std::string> extra) {
  test::write_file(run.dir.path() / "candidates.json", candidates);
  std::vector<std::string> args{
      "ci",
      "bisect-backtracking",
      "--candidates-file",
      "candidates.json",
      "--probe-command",
      fmt::format("'{}/fake-probe' seed 0.05 {{requirements}}", BREEZE_TEST_SCRIPTS)};
  args.insert(args.end(), extra.begin(), extra.end());
  return test::run_binary(
      args, {{"FAKE_PROBE_LOG", run.log.string()}, {"TMPDIR", run.dir.path().string()}},
      run.dir.path());
}

// The stand-in's log lines, in order.
std::vector<std::string> log_lines(const Run& run) {
  auto lines = strings::split(test::read_file(run.log), '\n');
  std::erase(lines, std::string());
  return lines;
}

} // namespace

TEST_CASE("e2e: bisect-backtracking tries the top suspect after the full list: 2 search probes",
          "[e2e][bisect][suspects]") {
  Run run;
  auto r = bisect_with(run, candidates_with_suspects({"aiobotocore", "boto3"}),
                       {"--probe-timeout", "30"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("2 probes for the search"));
  CHECK_THAT(r.out, Catch::Contains(
                        "Suspects (from the packages' own requirements): aiobotocore, boto3\n"));
  CHECK_THAT(r.out, Catch::Contains(
                        "Culprit: aiobotocore<=2.5.4 (the top suspect: its limit alone passes)\n"));
  CHECK_THAT(r.out, Catch::Contains("  suspect    pass"));
  CHECK(run.count("start") == 3); // full list, suspect, ==latest check
}

TEST_CASE(
    "e2e: bisect-backtracking with --parallelism speculates the top suspect beside the full list",
    "[e2e][bisect][suspects]") {
  Run run;
  auto r = bisect_with(run, candidates_with_suspects({"aiobotocore"}),
                       {"--parallelism", "4", "--probe-timeout", "30", "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["probe_count"] == 2);
  CHECK(doc["found_by_suspect"] == true);
  CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
  REQUIRE(doc["probes"].size() == 3);
  CHECK(doc["probes"][0]["purpose"] == "full list");
  CHECK(doc["probes"][1]["purpose"] == "suspect");
  // Both started before either ended: one round, not two.
  const auto lines = log_lines(run);
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0].starts_with("start "));
  CHECK(lines[1].starts_with("start "));
}

TEST_CASE(
    "e2e: bisect-backtracking cuts a probe when pip starts backtracking and says on which line",
    "[e2e][bisect][backtracking]") {
  Run run;
  // A wrong top suspect: its probe backtracks at once, is cut, and bisection takes over.
  auto r = bisect_with(run, candidates_with_suspects({"asana"}),
                       {"--probe-timeout", "60", "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
  CHECK(doc["found_by_suspect"] == false);
  CHECK(doc["backtracking_pattern"] == "INFO: pip is (still )?looking at multiple versions of");
  const auto& suspect = doc["probes"][1];
  CHECK(suspect["purpose"] == "suspect");
  CHECK(suspect["limits"] == nlohmann::json{"asana<=3.2.1"});
  CHECK(suspect["result"] == "backtracking");
  CHECK(suspect["cut"]["line_number"] == 1);
  CHECK(suspect["cut"]["line"] ==
        "INFO: pip is looking at multiple versions of botocore to determine which version "
        "is compatible with other requirements. This could take a while.");
  // Every backtracking probe ended long before the 60 s timeout, killed (no "end" line).
  const auto cut = results(doc, "backtracking");
  CHECK(cut >= 2);
  CHECK(results(doc, "timeout") == 0);
  for (const auto& p : doc["probes"])
    if (p["result"] == "backtracking") CHECK(p["seconds"].get<double>() < 10);
  CHECK(run.count("start") - run.count("end") == cut);

  // The text report names the cut probes and the line.
  Run text;
  auto t = bisect_with(text, candidates_with_suspects({"asana"}), {"--probe-timeout", "60"});
  REQUIRE(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("  suspect    BACKTRACKED (cut)"));
  CHECK_THAT(t.out,
             Catch::Matches(
                 "(.|\n)*Probe 2 cut after [0-9.]+s: the resolver started backtracking at output "
                 "line 1: INFO: pip is looking at multiple versions of botocore(.|\n)*"));
}

TEST_CASE("e2e: bisect-backtracking with an empty --backtracking-pattern waits for the timeout",
          "[e2e][bisect][backtracking]") {
  Run run;
  auto r =
      bisect_with(run, candidates_with_suspects({"asana"}),
                  {"--probe-timeout", "0.8", "--backtracking-pattern", "", "--output", "json"});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["backtracking_pattern"].is_null());
  CHECK(doc["probes"][1]["result"] == "timeout");
  CHECK(doc["probes"][1]["seconds"].get<double>() >= 0.8);
  CHECK(results(doc, "backtracking") == 0);
}

namespace {

// Airflow sources with the recording docker stand-in, which "backtracks" unless a probe carries
// aiobotocore's limit (or aiobotocore==2.6.0: the seed's heuristics case).
struct DockerRun {
  Run run;
  std::filesystem::path root = run.dir.path() / "airflow";
  std::filesystem::path docker_log = run.dir.path() / "docker.log";
  DockerRun() {
    test::write_file(root / "Dockerfile.ci",
                     "FROM scratch\nARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"\n");
    test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
    nlohmann::json doc{{"candidates",
                        {{{"name", "boto3"}, {"pinned", "1.28.17"}, {"latest", "1.28.25"}},
                         {{"name", "botocore"}, {"pinned", "1.31.17"}, {"latest", "1.31.25"}},
                         {{"name", "aiobotocore"}, {"pinned", "2.5.4"}, {"latest", "2.6.0"}}}}};
    test::write_file(run.dir.path() / "candidates.json", doc.dump());
  }
  test::BinaryResult bisect(std::vector<std::string> extra,
                            std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args{"ci",
                                  "bisect-backtracking",
                                  "--candidates-file",
                                  "candidates.json",
                                  "--airflow-sources",
                                  root.string(),
                                  "--python",
                                  "3.11",
                                  "--output",
                                  "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    env.emplace("BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker");
    env.emplace("FAKE_DOCKER_LOG", docker_log.string());
    env.emplace("FAKE_DOCKER_RESOLVES", "aiobotocore<=2.5.4 aiobotocore==2.6.0");
    env.emplace("TMPDIR", run.dir.path().string());
    env.emplace("-DOCKER_HOST", "");
    return test::run_binary(args, env, run.dir.path());
  }
  [[nodiscard]] std::vector<std::string> docker_calls(const std::string& first_word) const {
    std::vector<std::string> out;
    for (const auto& l : strings::split(test::read_file(docker_log), '\n'))
      if (l.starts_with("argv: [" + first_word + "]")) out.push_back(l);
    return out;
  }
};

} // namespace

TEST_CASE("e2e: bisect-backtracking's default ci-image build probe is cut on pip's line in the "
          "build output",
          "[e2e][bisect][backtracking][docker]") {
  DockerRun d;
  auto r = d.bisect({});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
  // boto3 + botocore without aiobotocore's limit backtracked: cut on the docker build's line, long
  // before the default timeout (at least 120 s after a full list of a second).
  REQUIRE(doc["probes"][1]["limits"] == (nlohmann::json{"boto3<=1.28.17", "botocore<=1.31.17"}));
  CHECK(doc["probes"][1]["result"] == "backtracking");
  CHECK_THAT(
      doc["probes"][1]["cut"]["line"].get<std::string>(),
      Catch::EndsWith(
          "#12 41.27 INFO: pip is looking at multiple versions of aiobotocore to determine which "
          "version is compatible with other requirements. This could take a while."));
  CHECK(doc["probes"][1]["seconds"].get<double>() < 30);
  CHECK(doc["checks"][0]["verdict"] == "heuristics");
  // The probes were image builds carrying the limits as the eager-upgrade build arg.
  const auto builds = d.docker_calls("buildx");
  CHECK_FALSE(builds.empty());
  CHECK_THAT(
      test::read_file(d.docker_log),
      Catch::Contains("[EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=boto3<=1.28.17 botocore<=1.31.17]"));
}

TEST_CASE("e2e: bisect-backtracking --probe resolve runs the resolution in the local CI image",
          "[e2e][bisect][docker]") {
  DockerRun d;
  auto r = d.bisect({"--probe", "resolve", "--platform", "linux/amd64"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
  CHECK(doc["probes"][1]["result"] == "backtracking");
  const auto runs = d.docker_calls("run");
  REQUIRE(runs.size() == doc["probes"].size());
  const config::Settings defaults;
  CHECK(runs.front() ==
        "argv: [run] [--rm] [--pull] [never] [--platform] [linux/amd64] [-v] [" + d.root.string() +
            ":/opt/airflow] [-e] [EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=boto3<=1.28.17 "
            "botocore<=1.31.17 "
            "aiobotocore<=2.5.4] [-e] [PYTHON_MAJOR_MINOR_VERSION=3.11] [--entrypoint] [/bin/sh] "
            "[ghcr.io/apache/airflow/main/ci/python3.11:latest] [-c] [" +
            defaults.resolve_command + "]");
  CHECK(d.docker_calls("buildx").empty());    // no image build at all
  CHECK(d.docker_calls("image").size() == 1); // the image is checked once, before the probes

  // No such image: one line before any probe, exit 1.
  DockerRun missing;
  auto m = missing.bisect({"--probe", "resolve"}, {{"FAKE_DOCKER_NO_IMAGE", "1"}});
  CHECK(m.exit_code == 1);
  CHECK(m.out.empty());
  CHECK_THAT(m.err, Catch::Contains(
                        "--probe resolve runs in the local CI image "
                        "ghcr.io/apache/airflow/main/ci/python3.11:latest, which is not there"));
  CHECK(missing.docker_calls("run").empty());
}

TEST_CASE("e2e: bisect-backtracking on GitHub Actions writes its probes and culprit to the summary",
          "[e2e][bisect][github]") {
  Run run;
  const auto summary = run.dir.path() / "summary.md";
  auto r = run.bisect("seed", false, {},
                      {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", summary.string()}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto markdown = test::read_file(summary);
  CHECK_THAT(markdown, Catch::StartsWith("### bisect-backtracking\n\n| # | probe | result | time | "
                                         "limits |\n"));
  CHECK_THAT(markdown, Catch::Contains("Culprit: `aiobotocore<=2.5.4`. Add to Dockerfile.ci: "));
}

namespace {

// A bisection of two candidates whose resolving probes take 1.5 s (the culprit first), so that a
// running probe is seen: on a terminal `columns` wide, or piped when `columns` is 0.
test::BinaryResult slow_bisect(Run& run, unsigned short columns,
                               std::map<std::string, std::string> env) {
  nlohmann::json doc{{"candidates", nlohmann::json::array()}};
  for (const auto& [name, pinned, latest] : {k_seed[0], k_seed[1]})
    doc["candidates"].push_back({{"name", name},
                                 {"pinned", pinned},
                                 {"latest", latest},
                                 {"released", "2023-08-11T00:00:00Z"}});
  test::write_file(run.dir.path() / "candidates.json", doc.dump());
  const std::vector<std::string> args{
      "ci",
      "bisect-backtracking",
      "--candidates-file",
      "candidates.json",
      "--probe-command",
      fmt::format("'{}/fake-probe' seed 1.5 {{requirements}}", BREEZE_TEST_SCRIPTS),
      "--probe-timeout",
      "30"};
  env.emplace("TMPDIR", run.dir.path().string());
  if (columns == 0) return test::run_binary(args, env, run.dir.path());
  env.emplace("TERM", "xterm-256color");
  return test::run_on_terminal(args, env, run.dir.path(), columns);
}

} // namespace

TEST_CASE("e2e: bisect-backtracking shows the running probe on one line redrawn in place",
          "[e2e][bisect][terminal]") {
  Run run;
  auto r = slow_bisect(run, 60, {});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  // The probe's name, what it limits, elapsed time, timeout and last output line, in place.
  const std::regex live(
      "\r\x1b\\[2K(probe-01 \\(full list, 2 limits\\) [0-9.]+s, timeout 30s[^\r\n]*)");
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, live));
  std::size_t drawn = 0;
  const std::regex redraw("\x1b\\[2K(probe-[^\r\n\x1b]*)");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), redraw);
       it != std::sregex_iterator(); ++it, ++drawn)
    CHECK((*it)[1].length() <= 59); // never wraps
  CHECK(drawn >= 2);
  CHECK_THAT(r.out, Catch::Contains("aiobotocore"));
}

TEST_CASE("e2e: bisect-backtracking in CI prints a running probe's status periodically",
          "[e2e][bisect]") {
  Run run;
  // The status interval is an internal knob: a second here instead of a minute.
  auto r = slow_bisect(run, 0, {{"CI", "true"}, {"BREEZE_PROBE_STATUS_SECONDS", "1"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(std::regex_search(
      r.err, std::regex("\nprobe-01 \\(full list, 2 limits\\) [0-9.]+s, timeout 30s\n")));
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK(r.err.find("\x1b[") == std::string::npos);
}
