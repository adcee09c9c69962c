#include <support/catch.hpp>
#include <support/fake_http.hpp>
#include <support/helpers.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;

namespace {

const std::string k_index = "https://pypi.example";

// As PyPI serves it: `info` describes the newest release (here: the last one given).
std::string project_json(const std::string& name,
                         const std::vector<std::pair<std::string, std::string>>& releases,
                         const nlohmann::json& requires_dist = nullptr) {
  nlohmann::json doc{
      {"info",
       {{"name", name}, {"version", releases.back().first}, {"requires_dist", requires_dist}}},
      {"releases", nlohmann::json::object()}};
  for (const auto& [version, uploaded] : releases)
    doc["releases"][version] = {{{"filename", name + "-" + version + ".tar.gz"},
                                 {"upload_time_iso_8601", uploaded},
                                 {"yanked", false}}};
  return doc.dump();
}

const char* k_constraints =
    "#\n# This constraints file was automatically generated on 2023-08-09T21:48:23Z\n"
    "# via \"eager-upgrade\" mechanism of PIP.\n#\n"
    "aiobotocore==2.5.4\nPyYAML==6.0.1\nrequests==2.29.0\n";

struct Fixture {
  files::TempDir dir;
  test::FakeHttp http;
  test::InProcess breeze;
  Fixture() {
    breeze.cwd = dir.path();
    breeze.http = &http;
    test::write_file(dir.path() / "constraints.txt", k_constraints);
    http.on(k_index + "/pypi/aiobotocore/json", 200,
            project_json("aiobotocore", {{"2.5.4", "2023-08-01T00:00:00Z"},
                                         {"2.6.0", "2023-08-11T20:43:19.77Z"}}));
    http.on(k_index + "/pypi/pyyaml/json", 200,
            project_json("PyYAML", {{"6.0.1", "2023-07-18T00:00:46Z"}}));
    http.on(k_index + "/pypi/requests/json", 200,
            project_json("requests",
                         {{"2.29.0", "2023-04-26T00:00:00Z"}, {"2.31.0", "2023-05-22T15:12:42Z"}}));
  }
  int run(std::vector<std::string> extra) {
    std::vector<std::string> args{"ci", "find-backtracking-candidates", "--pypi-url", k_index};
    args.insert(args.end(), extra.begin(), extra.end());
    return breeze.run(args);
  }
};

} // namespace

TEST_CASE("find-backtracking-candidates: reports candidates from a constraints file",
          "[unit][commands]") {
  Fixture f;
  CHECK(f.run({"--constraints-file", "constraints.txt"}) == 0);
  CHECK(f.breeze.out.str() == "Last constraint date: 2023-08-09 21:48:23\n"
                              "Latest version aiobotocore==2.6.0 release date: 2023-08-11 20:43:19 "
                              "(in current constraints: 2.5.4)\n"
                              "Found 1 candidates for backtracking\n"
                              "breeze ci-image build --upgrade-to-newer-dependencies "
                              "--eager-upgrade-additional-requirements "
                              "\"aiobotocore<=2.5.4\"\n");
  CHECK(f.http.requests.size() == 3); // one request per package, names normalised
  CHECK(f.http.last_options.parallelism == 32);
  CHECK(f.http.last_options.use_cache);
}

TEST_CASE("find-backtracking-candidates: --since, --parallelism, --no-cache, --output json",
          "[unit][commands]") {
  Fixture f;
  CHECK(f.run({"--constraints-file", "constraints.txt", "--since", "2023-05-01", "--parallelism",
               "4", "--no-cache", "--timeout", "2.5", "--output", "json"}) == 0);
  auto doc = nlohmann::json::parse(f.breeze.out.str());
  CHECK(doc["last_constraint_date"] == "2023-05-01T00:00:00Z");
  REQUIRE(doc["candidates"].size() == 2); // requests 2.31.0 (2023-05-22) now counts
  CHECK(doc["candidates"][1]["name"] == "requests");
  CHECK(doc["candidates"][1]["latest"] == "2.31.0");
  CHECK(f.http.last_options.parallelism == 4);
  CHECK_FALSE(f.http.last_options.use_cache);
  CHECK(f.http.last_options.timeout == std::chrono::milliseconds(2500));
}

TEST_CASE("find-backtracking-candidates: downloads constraints from --constraints-url",
          "[unit][commands]") {
  Fixture f;
  f.http.on("https://raw.example/fork/airflow/constraints-2-7/constraints-3.11.txt", 200,
            k_constraints);
  CHECK(f.run({"--constraints-url", "https://raw.example/", "-g", "fork/airflow",
               "--constraints-branch", "constraints-2-7", "--python", "3.11",
               "--airflow-constraints-mode", "constraints"}) == 0);
  CHECK_THAT(f.breeze.out.str(), Catch::Contains("Found 1 candidates"));
  CHECK(f.http.requests.front().url ==
        "https://raw.example/fork/airflow/constraints-2-7/constraints-3.11.txt");
}

TEST_CASE("find-backtracking-candidates: default source is constraints-main of the repository",
          "[unit][commands]") {
  Fixture f;
  f.http.on("https://raw.githubusercontent.com/apache/airflow/constraints-main/"
            "constraints-source-providers-3.13.txt",
            404, "404: Not Found");
  CHECK(f.run({}) == 1);
  CHECK(f.breeze.out.str().empty());
}

TEST_CASE("find-backtracking-candidates: bad --python or mode is a usage error",
          "[unit][commands]") {
  Fixture f;
  CHECK(f.run({"--python", "2.7"}) == 2);
  CHECK(f.run({"--airflow-constraints-mode", "nope"}) == 2);
  CHECK(f.run({"--constraints-file", "constraints.txt", "--since", "yesterday"}) == 2);
  CHECK(f.run({"--constraints-file", "constraints.txt", "--parallelism", "0"}) == 2);
  CHECK(f.http.requests.empty());
}

TEST_CASE("find-backtracking-candidates: a header without a date is a clear error unless --since",
          "[unit][commands]") {
  Fixture f;
  test::write_file(f.dir.path() / "nodate.txt", "# no date here\naiobotocore==2.5.4\n");
  CHECK(f.run({"--constraints-file", "nodate.txt"}) == 1);
  CHECK(f.breeze.out.str().empty());
  CHECK(f.http.requests.empty()); // fails before asking the index
  CHECK(f.run({"--constraints-file", "nodate.txt", "--since", "2023-08-09T21:48:23Z"}) == 0);
  CHECK_THAT(f.breeze.out.str(), Catch::Contains("aiobotocore==2.6.0"));
}

TEST_CASE("find-backtracking-candidates: failures are listed, the report printed, exit 1",
          "[unit][commands]") {
  Fixture f;
  f.http.on(k_index + "/pypi/pyyaml/json", 500, "boom");
  f.http.on(k_index + "/pypi/requests/json", 200, "{\"releases\": [");
  CHECK(f.run({"--constraints-file", "constraints.txt"}) == 1);
  const auto out = f.breeze.out.str();
  CHECK_THAT(out, Catch::Contains("aiobotocore==2.6.0"));
  CHECK_THAT(out, Catch::Contains("Could not check 2 of 3 packages"));
  CHECK_THAT(out, Catch::Contains("PyYAML: HTTP 500 from https://pypi.example/pypi/pyyaml/json"));
  CHECK_THAT(out, Catch::Contains(
                      "requests: https://pypi.example/pypi/requests/json: malformed index JSON"));
}

TEST_CASE("find-backtracking-candidates: on GitHub Actions the candidates go to the job summary",
          "[unit][commands][github]") {
  Fixture f;
  const auto summary = f.dir.path() / "summary.md";
  f.breeze.env = {{"GITHUB_STEP_SUMMARY", summary.string()}};
  REQUIRE(f.run({"--constraints-file", "constraints.txt"}) == 0);
  CHECK_FALSE(std::filesystem::exists(summary)); // not on GitHub Actions: no summary
  f.breeze.env["GITHUB_ACTIONS"] = "true";
  f.http.on(k_index + "/pypi/requests/json", 404, "");
  f.http.on(k_index + "/simple/requests/", 404, "");
  REQUIRE(f.run({"--constraints-file", "constraints.txt"}) == 0);
  CHECK(test::read_file(summary) ==
        "### find-backtracking-candidates\n\n"
        "3 packages checked against constraints.txt (generated 2023-08-09T21:48:23Z): 1 "
        "candidate(s), 1 not on the index.\n\n"
        "| Package | Pinned | Latest | Released |\n| --- | --- | --- | --- |\n"
        "| aiobotocore | 2.5.4 | 2.6.0 | 2023-08-11T20:43:19Z |\n\n"
        "```\nbreeze ci-image build --upgrade-to-newer-dependencies "
        "--eager-upgrade-additional-requirements \"aiobotocore<=2.5.4\"\n```\n\n");
}

TEST_CASE("find-backtracking-candidates: packages missing from the index are warnings only",
          "[unit][commands]") {
  Fixture f;
  f.http.on(k_index + "/pypi/requests/json", 404, "");
  f.http.on(k_index + "/simple/requests/", 404, "");
  CHECK(f.run({"--constraints-file", "constraints.txt", "--output", "json"}) == 0);
  auto doc = nlohmann::json::parse(f.breeze.out.str());
  CHECK(doc["not_found"] == nlohmann::json{"requests"});
  CHECK(doc["complete"] == true);
}

TEST_CASE("find-backtracking-candidates: an unreachable index is one error and no report",
          "[unit][commands]") {
  Fixture f;
  for (auto n : {"aiobotocore", "pyyaml", "requests"})
    f.http.fail(k_index + "/pypi/" + n + "/json", "Couldn't connect to server");
  CHECK(f.run({"--constraints-file", "constraints.txt"}) == 1);
  CHECK(f.breeze.out.str().empty());
}

TEST_CASE("find-backtracking-candidates: numbers are numbers (nan, inf, negative, absurd are usage "
          "errors)",
          "[unit][commands]") {
  Fixture f;
  for (std::vector<std::string> bad : {std::vector<std::string>{"--timeout", "nan"},
                                       {"--timeout", "NaN"},
                                       {"--timeout", "inf"},
                                       {"--timeout", "-1"},
                                       {"--timeout", "0"},
                                       {"--timeout", "1e12"},
                                       {"--timeout", "ten"},
                                       {"--parallelism", "0"},
                                       {"--parallelism", "-4"},
                                       {"--parallelism", "1e9"},
                                       {"--max-response-size", "0"},
                                       {"--max-response-size", "-1"},
                                       {"--max-response-size", "nan"},
                                       {"--max-response-size", "99999999999"}}) {
    INFO(bad[0] << " " << bad[1]);
    bad.insert(bad.begin(), {"--constraints-file", "constraints.txt"});
    CHECK(f.run(bad) == 2);
  }
  CHECK(f.http.requests.empty());
}

TEST_CASE("find-backtracking-candidates: --max-response-size bounds every body (default 64 MiB)",
          "[unit][commands]") {
  Fixture f;
  CHECK(f.run({"--constraints-file", "constraints.txt"}) == 0);
  CHECK(f.http.last_options.max_response_size == std::size_t{64} << 20);
  CHECK(f.run({"--constraints-file", "constraints.txt", "--max-response-size", "8"}) == 0);
  CHECK(f.http.last_options.max_response_size == std::size_t{8} << 20);
}

TEST_CASE("find-backtracking-candidates: a newer release without upload time is a candidate, date "
          "unknown",
          "[unit][commands]") {
  Fixture f;
  nlohmann::json doc{
      {"info", {{"name", "requests"}, {"version", "2.32.0"}}},
      {"releases",
       {{"2.29.0", {{{"filename", "requests-2.29.0.tar.gz"}}}},
        {"2.32.0", {{{"filename", "requests-2.32.0.tar.gz"}}}}}}}; // no upload time at all
  f.http.on(k_index + "/pypi/requests/json", 200, doc.dump());
  CHECK(f.run({"--constraints-file", "constraints.txt", "--output", "json"}) == 0);
  auto out = nlohmann::json::parse(f.breeze.out.str());
  CHECK(out["complete"] == true);
  REQUIRE(out["candidates"].size() == 2); // before: requests was silently dropped
  CHECK(out["candidates"][1]["name"] == "requests");
  CHECK(out["candidates"][1]["latest"] == "2.32.0");
  CHECK(out["candidates"][1]["released"].is_null());
  CHECK(out["eager_upgrade_additional_requirements"] == "aiobotocore<=2.5.4 requests<=2.29.0");
}

TEST_CASE("find-backtracking-candidates: a constraints source without pins is an error, exit 1",
          "[unit][commands]") {
  Fixture f;
  test::write_file(f.dir.path() / "error.html",
                   "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body>Not "
                   "Found</body></html>\n");
  test::write_file(f.dir.path() / "empty.txt", "");
  std::filesystem::create_directory(f.dir.path() / "a-directory");
  for (const char* source : {"error.html", "empty.txt", "a-directory"}) {
    INFO(source);
    CHECK(f.run({"--constraints-file", source, "--since", "2023-08-01"}) == 1);
  }
  // The same for a download that answered 200 with an HTML page.
  f.http.on("https://raw.example/apache/airflow/constraints-main/constraints-3.11.txt", 200,
            "<html><body>Sign in to continue</body></html>");
  CHECK(f.run({"--constraints-url", "https://raw.example", "--python", "3.11",
               "--airflow-constraints-mode", "constraints", "--since", "2023-08-01"}) == 1);
  CHECK(f.breeze.out.str().empty());
  CHECK(f.http.requests.size() == 1); // the index was never asked
}

namespace {

// The seed session's three packages with their newest releases' real requirements.
struct SeedFixture : Fixture {
  SeedFixture() {
    test::write_file(dir.path() / "seed.txt",
                     "# This constraints file was automatically generated on 2023-08-09T21:48:23Z\n"
                     "aiobotocore==2.5.4\nboto3==1.28.17\nbotocore==1.31.17\njmespath==1.0.1\n");
    http.on(k_index + "/pypi/aiobotocore/json", 200,
            project_json("aiobotocore",
                         {{"2.5.4", "2023-08-01T00:00:00Z"}, {"2.6.0", "2023-08-11T20:43:19Z"}},
                         {"botocore<1.31.18,>=1.31.17", "aiohttp<4.0.0,>=3.7.4.post0",
                          "boto3<1.28.18,>=1.28.17 ; extra == \"boto3\""}));
    http.on(k_index + "/pypi/boto3/json", 200,
            project_json("boto3",
                         {{"1.28.17", "2023-08-01T00:00:00Z"}, {"1.28.25", "2023-08-11T19:23:52Z"}},
                         {"botocore<1.32.0,>=1.31.25", "jmespath<2.0.0,>=0.7.1"}));
    http.on(k_index + "/pypi/botocore/json", 200,
            project_json(
                "botocore",
                {{"1.31.17", "2023-08-01T00:00:00Z"}, {"1.31.25", "2023-08-11T19:23:34Z"}},
                {"jmespath<2.0.0,>=0.7.1", "urllib3<1.27,>=1.25.4 ; python_version < \"3.10\""}));
    http.on(k_index + "/pypi/jmespath/json", 200,
            project_json("jmespath", {{"1.0.1", "2022-06-17T18:00:00Z"}}));
  }
};

} // namespace

TEST_CASE("find-backtracking-candidates: likely culprits from the candidates' own requirements, "
          "no extra request",
          "[unit][commands][conflicts]") {
  SeedFixture f;
  CHECK(f.run({"--constraints-file", "seed.txt", "--python", "3.11"}) == 0);
  CHECK(f.breeze.out.str() == "Last constraint date: 2023-08-09 21:48:23\n"
                              "Latest version aiobotocore==2.6.0 release date: 2023-08-11 20:43:19 "
                              "(in current constraints: 2.5.4)\n"
                              "Latest version boto3==1.28.25 release date: 2023-08-11 19:23:52 (in "
                              "current constraints: 1.28.17)\n"
                              "Latest version botocore==1.31.25 release date: 2023-08-11 19:23:34 "
                              "(in current constraints: 1.31.17)\n"
                              "Likely culprits (from the packages' own requirements):\n"
                              "aiobotocore 2.6.0 requires botocore<1.31.18,>=1.31.17, which "
                              "excludes botocore 1.31.25 (also new)\n"
                              "Found 3 candidates for backtracking\n"
                              "breeze ci-image build --upgrade-to-newer-dependencies "
                              "--eager-upgrade-additional-requirements "
                              "\"aiobotocore<=2.5.4 boto3<=1.28.17 botocore<=1.31.17\"\n");
  CHECK(f.http.requests.size() == 4); // info.requires_dist describes each newest release

  f.breeze.out.str("");
  CHECK(f.run({"--constraints-file", "seed.txt", "--python", "3.11", "--output", "json"}) == 0);
  auto doc = nlohmann::json::parse(f.breeze.out.str());
  CHECK(doc["suspects"] == nlohmann::json{"aiobotocore"});
  CHECK(
      doc["candidates"][0]["conflicts"] ==
      nlohmann::json::parse(R"([{"package": "botocore", "requirement": "botocore<1.31.18,>=1.31.17",
                                   "excludes": "1.31.25", "kind": "excludes_new"}])"));
  CHECK(doc["candidates"][1]["conflicts"].empty());
  CHECK(doc["candidates"][1]["requirements_known"] == true);
}

TEST_CASE("find-backtracking-candidates: markers follow --python, --no-conflict-analysis skips it",
          "[unit][commands][conflicts]") {
  SeedFixture f;
  // Before 3.10 botocore's urllib3<1.27 applies; urllib3 is not pinned, so still one suspect.
  CHECK(f.run({"--constraints-file", "seed.txt", "--python", "3.10", "--output", "json"}) == 0);
  CHECK(nlohmann::json::parse(f.breeze.out.str())["suspects"] == nlohmann::json{"aiobotocore"});
  f.breeze.out.str("");
  CHECK(f.run({"--constraints-file", "seed.txt", "--no-conflict-analysis"}) == 0);
  CHECK_THAT(f.breeze.out.str(), !Catch::Contains("Likely culprits"));
  f.breeze.out.str("");
  CHECK(f.run({"--constraints-file", "seed.txt", "--no-conflict-analysis", "--output", "json"}) ==
        0);
  CHECK_FALSE(nlohmann::json::parse(f.breeze.out.str()).contains("suspects"));
  CHECK(f.run({"--constraints-file", "seed.txt", "--platform", "linux/s390x"}) == 2);
}

TEST_CASE("find-backtracking-candidates: a release info does not describe costs one per-version "
          "request, missing metadata is unranked and no error",
          "[unit][commands][conflicts]") {
  SeedFixture f;
  // The project document describes 2.5.4 (info.version lags): 2.6.0's own document is asked for.
  nlohmann::json stale = nlohmann::json::parse(project_json(
      "aiobotocore", {{"2.5.4", "2023-08-01T00:00:00Z"}, {"2.6.0", "2023-08-11T20:43:19Z"}}));
  stale["info"]["version"] = "2.5.4";
  stale["info"]["requires_dist"] = {"botocore<1.32.0,>=1.31.17"};
  f.http.on(k_index + "/pypi/aiobotocore/json", 200, stale.dump());
  f.http.on(k_index + "/pypi/aiobotocore/2.6.0/json", 200,
            R"({"info": {"version": "2.6.0", "requires_dist": ["botocore<1.31.18,>=1.31.17"]}})");
  // boto3's document says nothing about its requirements and its own version document fails.
  f.http.on(k_index + "/pypi/boto3/json", 200,
            project_json("boto3", {{"1.28.17", "2023-08-01T00:00:00Z"},
                                   {"1.28.25", "2023-08-11T19:23:52Z"}}));
  CHECK(f.run({"--constraints-file", "seed.txt", "--output", "json"}) == 0);
  auto doc = nlohmann::json::parse(f.breeze.out.str());
  CHECK(doc["suspects"] == nlohmann::json{"aiobotocore"});
  CHECK(doc["complete"] == true);
  CHECK(doc["candidates"][1]["requirements_known"] == false);
  REQUIRE(f.http.requests.size() == 5);
  CHECK(f.http.requests.back().url == k_index + "/pypi/aiobotocore/2.6.0/json");

  f.http.requests.clear();
  f.http.on(k_index + "/pypi/aiobotocore/2.6.0/json", 503, "busy");
  f.breeze.out.str("");
  CHECK(f.run({"--constraints-file", "seed.txt"}) == 0);
  CHECK_THAT(f.breeze.out.str(), !Catch::Contains("Likely culprits"));
  CHECK_THAT(f.breeze.out.str(), Catch::Contains("Found 3 candidates for backtracking"));
}

TEST_CASE("find-backtracking-candidates: --constraints-file resolves against the injected cwd at "
          "parse time and is reported as typed",
          "[unit][commands]") {
  Fixture f;
  std::filesystem::create_directories(f.dir.path() / "sub");
  f.breeze.cwd = f.dir.path() / "sub"; // not the process's working directory
  f.http.on(k_index + "/pypi/requests/json", 404, "");
  f.http.on(k_index + "/simple/requests/", 404, "");
  REQUIRE(f.run({"--constraints-file", "../constraints.txt", "--output", "json"}) == 0);
  const auto doc = nlohmann::json::parse(f.breeze.out.str());
  CHECK(doc.dump().find("../constraints.txt") != std::string::npos);
  CHECK(doc.dump().find(f.dir.path().string()) == std::string::npos);
}
