#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

using namespace breeze;

// The built binary against the PyPI-shaped server on 127.0.0.1, as a user (or the demo) runs it.

namespace {

std::vector<std::string> args(const test::PypiServer& server, const std::string& constraints) {
  return {"ci", "find-backtracking-candidates", "--pypi-url", server.url(), "--constraints-file", constraints};
}

} // namespace

TEST_CASE("e2e: find-backtracking-candidates reproduces the seed's session on the shipped data", "[e2e]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index")});
  const auto constraints = test::fixture("pypi/constraints-source-providers-3.11.txt").string();
  const std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path().string()}};
  auto r = test::run_binary(args(server, constraints), env);
  CHECK(r.exit_code == 0);
  CHECK(r.out == test::read_file(test::fixture("pypi/expected-output.txt")));
  CHECK_THAT(r.err, Catch::Contains("Not on the index, skipped (1): apache-airflow-providers-internal-only"));
  auto first = server.stats();
  CHECK(first["by_status"]["200"] == 26);

  // A second run revalidates from the cache (304s, no bodies) and prints the same answer.
  auto again = test::run_binary(args(server, constraints), env);
  CHECK(again.exit_code == 0);
  CHECK(again.out == r.out);
  auto second = server.stats();
  CHECK(second["by_status"]["304"] == 26);
  CHECK(second["by_status"]["200"] == 26);
}

TEST_CASE("e2e: find-backtracking-candidates --output json", "[e2e]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index")});
  auto a = args(server, test::fixture("pypi/constraints-source-providers-3.11.txt").string());
  a.insert(a.end(), {"--output", "json", "--no-cache"});
  auto r = test::run_binary(a, {{"XDG_CACHE_HOME", cache.path().string()}});
  CHECK(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["last_constraint_date"] == "2023-08-09T21:48:23Z");
  CHECK(doc["candidates"].size() == 20);
  CHECK(doc["candidates"][0]["name"] == "aiobotocore");
  CHECK(doc["not_found"] == nlohmann::json{"apache-airflow-providers-internal-only"});
  CHECK(std::filesystem::is_empty(cache.path())); // --no-cache wrote nothing
}

TEST_CASE("e2e: find-backtracking-candidates with a failing package prints the rest and exits 1", "[e2e]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index"), .faults = {{"boto3", {"*503"}}, {"cfgv", {"*truncate"}}}});
  auto a = args(server, test::fixture("pypi/constraints-source-providers-3.11.txt").string());
  a.insert(a.end(), {"--no-cache"});
  auto r = test::run_binary(a, {{"XDG_CACHE_HOME", cache.path().string()}});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("Latest version aiobotocore==2.6.0"));
  CHECK_THAT(r.out, !Catch::Contains("boto3==1.28.25"));
  CHECK_THAT(r.out, Catch::Contains("Could not check 2 of 27 packages"));
  CHECK_THAT(r.out, Catch::Contains("Found 18 candidates for backtracking"));
  CHECK_THAT(r.err, Catch::Contains("HTTP 503 from " + server.url() + "/pypi/boto3/json"));
  CHECK(server.requests_for("/pypi/boto3/json") == 4); // 1 + 3 retries
}

TEST_CASE("e2e: find-backtracking-candidates with the index down: one clear error naming the URL", "[e2e]") {
  files::TempDir cache;
  std::string url;
  {
    test::PypiServer gone({.root = cache.path()});
    url = gone.url();
  }
  auto r = test::run_binary({"ci", "find-backtracking-candidates", "--pypi-url", url, "--constraints-file",
                             test::fixture("pypi/constraints-source-providers-3.11.txt").string(), "--timeout", "2"},
                            {{"XDG_CACHE_HOME", cache.path().string()}});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("error: cannot reach the package index " + url));
}

TEST_CASE("e2e: find-backtracking-candidates on a real Airflow constraints file (641 pins)", "[e2e]") {
  files::TempDir dir;
  const auto constraints = test::fixture("real-constraints/constraints-main-2023-09-13-constraints-3.11.txt");
  // An index with every pinned project; every 10th has a newer release after the file's date.
  std::set<std::string> seen;
  std::size_t expected = 0;
  for (const auto& line : strings::split(test::read_file(constraints), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find("==");
    REQUIRE(eq != std::string::npos);
    const auto name = constraints::canonicalize_name(line.substr(0, eq));
    const auto version = std::string(strings::trim(strings::split(line.substr(eq + 2), ';')[0]));
    if (!seen.insert(name).second) continue;
    std::vector<std::tuple<std::string, std::string, bool>> releases{{version, "2023-09-01T00:00:00Z", false}};
    if (seen.size() % 10 == 0) {
      releases.emplace_back(version + ".post99", "2023-09-14T08:00:00Z", false);
      ++expected;
    }
    test::write_project(dir.path() / "index", name, releases);
  }
  test::PypiServer server({.root = dir.path() / "index"});
  auto a = args(server, constraints.string());
  a.insert(a.end(), {"--no-cache"});
  auto r = test::run_binary(a, {{"XDG_CACHE_HOME", dir.path().string()}});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("Last constraint date: 2023-09-13 23:59:08\n"));
  CHECK_THAT(r.out, Catch::Contains(fmt::format("Found {} candidates for backtracking\n", expected)));
  CHECK(server.stats()["total"] == static_cast<int>(seen.size())); // one request each, no redirects
}

TEST_CASE("e2e: find-backtracking-candidates --help shows its options and examples", "[e2e]") {
  auto r = test::run_binary({"ci", "find-backtracking-candidates", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* s : {"Examples:", "--constraints-repo", "--pypi-url", "--parallelism", "--no-cache", "--since",
                        "--output", "--dry-run"})
    CHECK_THAT(r.out, Catch::Contains(s));
}
