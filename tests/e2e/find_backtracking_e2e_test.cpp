#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace breeze;

// The built binary against the PyPI-shaped server on 127.0.0.1, as a user (or the demo) runs it.

namespace {

std::vector<std::string> args(const test::PypiServer& server, const std::string& constraints) {
  return {"ci",         "find-backtracking-candidates", "--pypi-url",
          server.url(), "--constraints-file",           constraints};
}

} // namespace

TEST_CASE("e2e: find-backtracking-candidates reproduces the seed's session on the shipped data",
          "[e2e]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index")});
  const auto constraints = test::fixture("pypi/constraints-source-providers-3.11.txt").string();
  const std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path().string()}};
  auto r = test::run_binary(args(server, constraints), env);
  CHECK(r.exit_code == 0);
  CHECK(r.out == test::read_file(test::fixture("pypi/expected-output.txt")));
  CHECK_THAT(r.err, Catch::Contains(
                        "Not on the index, skipped (1): apache-airflow-providers-internal-only"));
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

namespace {

// The seed session's decoys (tests/fixtures/pypi/make_index.py): requirements that must not make
// their package a suspect.
const std::vector<std::string> k_decoys = {"boto3", "botocore", "grpcio-status", "asana",
                                           "google-ads"};

void check_seed_suspects(const nlohmann::json& doc) {
  REQUIRE(doc["suspects"].is_array());
  REQUIRE_FALSE(doc["suspects"].empty());
  CHECK(doc["suspects"][0] == "aiobotocore");
  for (const auto& decoy : k_decoys) {
    INFO(decoy);
    CHECK(std::find(doc["suspects"].begin(), doc["suspects"].end(), decoy) ==
          doc["suspects"].end());
  }
  REQUIRE(doc["candidates"][0]["name"] == "aiobotocore");
  CHECK(
      doc["candidates"][0]["conflicts"] ==
      nlohmann::json::parse(R"([{"package": "botocore", "requirement": "botocore<1.31.18,>=1.31.17",
                                   "excludes": "1.31.25", "kind": "excludes_new"}])"));
}

} // namespace

TEST_CASE(
    "e2e: find-backtracking-candidates names aiobotocore the first suspect over the JSON API, "
    "decoys not",
    "[e2e][conflicts]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index")});
  auto a = args(server, test::fixture("pypi/constraints-source-providers-3.11.txt").string());
  a.insert(a.end(), {"--python", "3.11", "--output", "json", "--no-cache"});
  auto r = test::run_binary(a, {{"XDG_CACHE_HOME", cache.path().string()}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  check_seed_suspects(doc);
  CHECK(doc["suspects"] == nlohmann::json{"aiobotocore"});
  // info.requires_dist describes every newest release: not one request more than the scan (27
  // project documents and the simple-API fallback for the one PyPI does not have).
  CHECK(server.stats()["total"] == 28);
  CHECK(doc["candidates"][7]["name"] == "botocore");
  CHECK(doc["candidates"][7]["requirements_known"] == true);
  CHECK(doc["candidates"][2]["requirements_known"] == false); // async-timeout: requires_dist null
}

TEST_CASE("e2e: find-backtracking-candidates reads PEP 658 metadata on a PEP 691 index",
          "[e2e][conflicts]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index"), .simple_only = true});
  auto a =
      std::vector<std::string>{"ci",
                               "find-backtracking-candidates",
                               "--pypi-url",
                               server.url() + "/simple",
                               "--constraints-file",
                               test::fixture("pypi/constraints-source-providers-3.11.txt").string(),
                               "--python",
                               "3.11",
                               "--no-cache"};
  auto text = test::run_binary(a, {{"XDG_CACHE_HOME", cache.path().string()}});
  INFO(text.err);
  CHECK(text.exit_code == 0);
  CHECK(text.out == test::read_file(test::fixture("pypi/expected-output.txt")));
  // One metadata file per candidate whose newest wheel announces one, none for the others.
  const auto stats = server.stats();
  int metadata = 0;
  for (const auto& [path, n] : stats["by_path"].items())
    if (path.ends_with(".metadata")) metadata += n.get<int>();
  CHECK(metadata == 6);
  CHECK(server.requests_for("/files/aiobotocore-2.6.0-py3-none-any.whl.metadata") == 1);
  CHECK(server.requests_for("/files/tqdm-4.66.1-py3-none-any.whl.metadata") == 0);

  a.insert(a.end(), {"--output", "json"});
  auto json = test::run_binary(a, {{"XDG_CACHE_HOME", cache.path().string()}});
  CHECK(json.exit_code == 0);
  check_seed_suspects(nlohmann::json::parse(json.out));
}

TEST_CASE("e2e: find-backtracking-candidates on Python 2 markers and extras: the decoys stay "
          "decoys on linux/arm64 too",
          "[e2e][conflicts]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index")});
  auto a = args(server, test::fixture("pypi/constraints-source-providers-3.11.txt").string());
  a.insert(a.end(),
           {"--python", "3.10", "--platform", "linux/arm64", "--output", "json", "--no-cache"});
  auto r = test::run_binary(a, {{"XDG_CACHE_HOME", cache.path().string()}});
  CHECK(r.exit_code == 0);
  check_seed_suspects(nlohmann::json::parse(r.out));
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

TEST_CASE("e2e: find-backtracking-candidates with a failing package prints the rest and exits 1",
          "[e2e]") {
  files::TempDir cache;
  test::PypiServer server({.root = test::fixture("pypi/index"),
                           .faults = {{"boto3", {"*503"}}, {"cfgv", {"*truncate"}}}});
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

TEST_CASE("e2e: find-backtracking-candidates with the index down: one clear error naming the URL",
          "[e2e]") {
  files::TempDir cache;
  std::string url;
  {
    test::PypiServer gone({.root = cache.path()});
    url = gone.url();
  }
  auto r = test::run_binary(
      {"ci", "find-backtracking-candidates", "--pypi-url", url, "--constraints-file",
       test::fixture("pypi/constraints-source-providers-3.11.txt").string(), "--timeout", "2"},
      {{"XDG_CACHE_HOME", cache.path().string()}});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("error: cannot reach the package index " + url));
}

TEST_CASE("e2e: find-backtracking-candidates on a real Airflow constraints file (641 pins)",
          "[e2e]") {
  files::TempDir dir;
  const auto constraints =
      test::fixture("real-constraints/constraints-main-2023-09-13-constraints-3.11.txt");
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
    std::vector<std::tuple<std::string, std::string, bool>> releases{
        {version, "2023-09-01T00:00:00Z", false}};
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
  CHECK_THAT(r.out,
             Catch::Contains(fmt::format("Found {} candidates for backtracking\n", expected)));
  CHECK(server.stats()["total"] == static_cast<int>(seen.size())); // one request each, no redirects
}

TEST_CASE("e2e: find-backtracking-candidates --help shows its options and examples", "[e2e]") {
  auto r = test::run_binary({"ci", "find-backtracking-candidates", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* s : {"Examples:", "--constraints-repo", "--pypi-url", "--parallelism",
                        "--no-cache", "--since", "--output", "--dry-run"})
    CHECK_THAT(r.out, Catch::Contains(s));
}

// ---- issue 11: hostile servers, secrets, bad inputs ------------------------------------------

namespace {

const char* k_header =
    "# This constraints file was automatically generated on 2023-08-09T21:48:23Z\n";

// The built binary run directly (fork/exec/wait4), so that its own peak RSS is measured: wait4's
// rusage is that child's alone, unlike RUSAGE_CHILDREN which also counts the test servers.
struct Measured {
  int exit_code = -1;
  std::string out;
  std::string err;
  long max_rss_kib = 0;
  std::chrono::milliseconds elapsed{0};
};

Measured run_measured(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env) {
  files::TempDir io;
  const auto out_path = io.path() / "out";
  const auto err_path = io.path() / "err";
  std::vector<std::string> argv{BREEZE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (const auto& [k, v] : env)
      ::setenv(k.c_str(), v.c_str(), 1);
    for (const char* name : test::isolated_variables())
      if (!env.count(name)) ::unsetenv(name);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0)
    REQUIRE(errno == EINTR);
  Measured m;
  m.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.out = test::read_file(out_path);
  m.err = test::read_file(err_path);
  m.max_rss_kib = usage.ru_maxrss; // KiB on Linux
  return m;
}

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

} // namespace

TEST_CASE("e2e: find-backtracking-candidates: an endless body and a gzip bomb fail their "
          "package, peak RSS stays under 512 MiB",
          "[e2e]") {
  files::TempDir dir;
  const auto root = dir.path() / "index";
  for (const char* name : {"alpha", "beta", "gamma"})
    test::write_project(
        root, name,
        {{"1.0", "2023-08-01T00:00:00Z", false}, {"2.0", "2023-08-11T00:00:00Z", false}});
  // beta: 4 GiB of zeros once decompressed (the server compresses only as far as it is read).
  test::PypiServer server(
      {.root = root, .faults = {{"alpha", {"*endless"}}, {"beta", {"*gzip-bomb:4096"}}}});
  test::write_file(dir.path() / "c.txt",
                   std::string(k_header) + "alpha==1.0\nbeta==1.0\ngamma==1.0\n");
  auto r = run_measured({"ci", "find-backtracking-candidates", "--pypi-url", server.url(),
                         "--constraints-file", (dir.path() / "c.txt").string(), "--no-cache"},
                        {{"XDG_CACHE_HOME", dir.path().string()}});
  CHECK(r.exit_code == 1);
  const auto too_large = ": response too large: body over 64 MiB (see --max-response-size)";
  CHECK_THAT(r.out, Catch::Contains("  alpha: " + server.url() + "/pypi/alpha/json" + too_large));
  CHECK_THAT(r.out, Catch::Contains("  beta: " + server.url() + "/pypi/beta/json" + too_large));
  CHECK_THAT(r.out, Catch::Contains("Latest version gamma==2.0"));
  CHECK_THAT(r.out, Catch::Contains("Could not check 2 of 3 packages"));
  INFO("peak RSS " << r.max_rss_kib << " KiB");
  CHECK(r.max_rss_kib > 0);
  CHECK(r.max_rss_kib < 512 * 1024);

  // A smaller --max-response-size is honoured too (and is still per package).
  auto small = run_measured({"ci", "find-backtracking-candidates", "--pypi-url", server.url(),
                             "--constraints-file", (dir.path() / "c.txt").string(), "--no-cache",
                             "--max-response-size", "1", "--output", "json"},
                            {{"XDG_CACHE_HOME", dir.path().string()}});
  CHECK(small.exit_code == 1);
  auto doc = nlohmann::json::parse(small.out);
  CHECK(doc["complete"] == false);
  REQUIRE(doc["failed"].size() == 2);
  CHECK_THAT(doc["failed"][0]["error"].get<std::string>(),
             Catch::EndsWith("response too large: body over 1 MiB (see --max-response-size)"));
  CHECK(small.max_rss_kib < 128 * 1024);
}

TEST_CASE(
    "e2e: find-backtracking-candidates --timeout 2 bounds a slow-drip reply, retries included",
    "[e2e]") {
  files::TempDir dir;
  const auto root = dir.path() / "index";
  test::write_project(
      root, "alpha",
      {{"1.0", "2023-08-01T00:00:00Z", false}, {"2.0", "2023-08-11T00:00:00Z", false}});
  test::write_project(root, "gamma", {{"1.0", "2023-08-01T00:00:00Z", false}});
  test::PypiServer server({.root = root, .faults = {{"alpha", {"*drip:200"}}}});
  test::write_file(dir.path() / "c.txt", std::string(k_header) + "alpha==1.0\ngamma==1.0\n");
  auto r = run_measured({"ci", "find-backtracking-candidates", "--pypi-url", server.url(),
                         "--constraints-file", (dir.path() / "c.txt").string(), "--no-cache",
                         "--timeout", "2"},
                        {{"XDG_CACHE_HOME", dir.path().string()}});
  // Per-attempt timeouts took 4 x 2 s plus 3.5 s of backoff.
  CHECK(r.elapsed < std::chrono::milliseconds(4000));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(
                        "  alpha: " + server.url() +
                        "/pypi/alpha/json: timed out after 2.0 s (the whole request: 1 attempt"));
}

TEST_CASE("e2e: find-backtracking-candidates uses URL credentials but never prints them, at "
          "--verbose, in text and JSON",
          "[e2e]") {
  files::TempDir dir;
  const auto root = dir.path() / "index";
  test::write_project(
      root, "alpha",
      {{"1.0", "2023-08-01T00:00:00Z", false}, {"2.0", "2023-08-11T00:00:00Z", false}});
  test::write_project(root, "beta", {{"1.0", "2023-08-01T00:00:00Z", false}});
  test::write_file(
      root / "raw/apache/airflow/constraints-main/constraints-source-providers-3.11.txt",
      std::string(k_header) + "alpha==1.0\nbeta==1.0\nGamma==1.0\nmissing==1.0\ndelta==1.0\n");
  // beta fails (its URL is in the failure list), gamma redirects on the same host (a debug line),
  // delta redirects to another host ("localhost" is not "127.0.0.1"), which must never be asked.
  test::write_project(root, "gamma", {{"1.0", "2023-08-01T00:00:00Z", false}});
  test::PypiServer other({.root = root});
  const auto elsewhere = "http://localhost:" + std::to_string(other.port()) + "/pypi/alpha/json";
  test::PypiServer server({.root = root,
                           .faults = {{"beta", {"*503"}},
                                      {"gamma", {"redirect:/pypi/gamma/json?again"}},
                                      {"delta", {"*redirect:" + elsewhere}}}});
  const auto base = "http://user:s3cretpw@127.0.0.1:" + std::to_string(server.port());
  for (const char* output : {"json", "text"}) {
    INFO(output);
    auto r = test::run_binary({"ci", "find-backtracking-candidates", "--pypi-url", base,
                               "--constraints-url", base + "/raw", "--python", "3.11", "--verbose",
                               "--output", output},
                              {{"XDG_CACHE_HOME", dir.path().string()}});
    CHECK(r.exit_code == 1); // beta could not be checked
    CHECK_THAT(r.out, Catch::Contains("alpha"));
    CHECK_THAT(r.err, Catch::Contains("debug:"));
    CHECK_THAT(r.err, Catch::Contains(server.url() + "/pypi/beta/json"));
    CHECK_THAT(r.err, Catch::Contains(server.url() +
                                      "/pypi/delta/json: refused a redirect to another host " +
                                      elsewhere));
    CHECK(r.out.find("s3cretpw") == std::string::npos);
    CHECK(r.err.find("s3cretpw") == std::string::npos);
    CHECK(r.out.find("user:") == std::string::npos);
    CHECK(r.err.find("user:") == std::string::npos);
  }
  // The credentials were sent: to the index and to the constraints host.
  auto auth = server.stats()["auth"];
  const nlohmann::json basic =
      nlohmann::json::array({"Basic dXNlcjpzM2NyZXRwdw=="}); // user:s3cretpw
  CHECK(auth["/pypi/alpha/json"] == basic);
  CHECK(auth["/pypi/gamma/json"] == basic); // kept across the same-origin redirect
  CHECK(auth["/raw/apache/airflow/constraints-main/constraints-source-providers-3.11.txt"] ==
        basic);
  CHECK(other.stats()["total"] == 0); // neither the credentials nor the request went elsewhere
}

TEST_CASE(
    "e2e: find-backtracking-candidates lists a newer release without upload time, date unknown",
    "[e2e]") {
  files::TempDir dir;
  const auto root = dir.path() / "index";
  test::write_project(root, "alpha", {{"1.0", "2023-08-01T00:00:00Z", false}});
  // A private index without PEP 700 upload-time (and without the JSON API).
  test::write_file(root / "simple/internal-lib.json",
                   R"({"meta": {"api-version": "1.0"}, "name": "internal-lib", "files": [
                        {"filename": "internal_lib-1.0.tar.gz", "url": "u", "hashes": {}},
                        {"filename": "internal_lib-1.1.tar.gz", "url": "u", "hashes": {}}]})");
  test::PypiServer server({.root = root, .simple_only = true});
  test::write_file(dir.path() / "c.txt", std::string(k_header) + "alpha==1.0\ninternal-lib==1.0\n");
  auto r = test::run_binary({"ci", "find-backtracking-candidates", "--pypi-url",
                             server.url() + "/simple", "--constraints-file",
                             (dir.path() / "c.txt").string(), "--no-cache", "--output", "json"},
                            {{"XDG_CACHE_HOME", dir.path().string()}});
  CHECK(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["candidates"].size() == 1); // before: dropped, with "complete": true
  CHECK(doc["candidates"][0]["name"] == "internal-lib");
  CHECK(doc["candidates"][0]["latest"] == "1.1");
  CHECK(doc["candidates"][0]["released"].is_null());
  CHECK(doc["eager_upgrade_additional_requirements"] == "internal-lib<=1.0");
  CHECK_THAT(r.err, Catch::Contains("no upload time for the newest release of 1 package(s)"));
}

TEST_CASE("e2e: find-backtracking-candidates: a non-regular or pin-less constraints source is one "
          "line, exit 1",
          "[e2e]") {
  files::TempDir dir;
  const auto fifo = dir.path() / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  test::write_file(dir.path() / "error.html",
                   "<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n");
  test::write_file(dir.path() / "empty.txt", "");
  const std::vector<std::pair<std::string, std::string>> cases{
      {fifo.string(), "is a FIFO, not a regular file"},
      {dir.path().string(), "is a directory, not a regular file"},
      {"/dev/zero", "is a character device, not a regular file"},
      {(dir.path() / "error.html").string(), "no pins (name==version lines) in the constraints"},
      {(dir.path() / "empty.txt").string(), "no pins (name==version lines) in the constraints"}};
  for (const auto& [path, why] : cases) {
    INFO(path);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = test::run_binary({"ci", "find-backtracking-candidates", "--constraints-file", path,
                               "--since", "2023-08-01", "--pypi-url", "http://127.0.0.1:9"},
                              {{"XDG_CACHE_HOME", dir.path().string()}});
    CHECK(std::chrono::steady_clock::now() - t0 <
          std::chrono::seconds(10)); // the FIFO is never opened
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::StartsWith("error: " + path + ": " + why));
  }
}

TEST_CASE("e2e: find-backtracking-candidates: --timeout nan and friends are usage errors",
          "[e2e]") {
  for (std::vector<std::string> bad : {std::vector<std::string>{"--timeout", "nan"},
                                       {"--timeout", "inf"},
                                       {"--timeout", "-1"},
                                       {"--parallelism", "0"},
                                       {"--max-response-size", "1e12"}}) {
    INFO(bad[0] << " " << bad[1]);
    std::vector<std::string> a{"ci", "find-backtracking-candidates", "--constraints-file",
                               "/nonexistent"};
    a.insert(a.end(), bad.begin(), bad.end());
    auto r = test::run_binary(a);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("error: " + bad[0] + ": "));
    CHECK(r.out.empty());
  }
}

TEST_CASE("e2e: the HTTP cache is created 0700, another user's or a world-writable one is "
          "refused with one warning",
          "[e2e]") {
  files::TempDir dir;
  const auto root = dir.path() / "index";
  test::write_project(
      root, "alpha",
      {{"1.0", "2023-08-01T00:00:00Z", false}, {"2.0", "2023-08-11T00:00:00Z", false}});
  test::PypiServer server({.root = root});
  test::write_file(dir.path() / "c.txt", std::string(k_header) + "alpha==1.0\n");
  auto run = [&](const std::filesystem::path& xdg) {
    return test::run_binary({"ci", "find-backtracking-candidates", "--pypi-url", server.url(),
                             "--constraints-file", (dir.path() / "c.txt").string()},
                            {{"XDG_CACHE_HOME", xdg.string()}});
  };
  auto mode_of = [](const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
  };

  const auto fresh = dir.path() / "fresh";
  auto ok = run(fresh);
  CHECK(ok.exit_code == 0);
  CHECK(mode_of(fresh / "breeze") == 0700);
  CHECK(mode_of(fresh / "breeze" / "http") == 0700);
  CHECK_FALSE(std::filesystem::is_empty(fresh / "breeze" / "http"));
  CHECK_THAT(ok.err, !Catch::Contains("cache"));

  const auto open = dir.path() / "open" / "breeze" / "http";
  std::filesystem::create_directories(open);
  ::chmod(open.c_str(), 0777);
  auto r = run(dir.path() / "open");
  CHECK(r.exit_code == 0); // caching only costs speed
  CHECK_THAT(r.out, Catch::Contains("Latest version alpha==2.0"));
  CHECK_THAT(r.err, Catch::Contains(
                        "warning: HTTP cache disabled, running without it: " + open.string() +
                        ": the cache directory is writable by others (mode 777); chmod 700 it\n"));
  CHECK(r.err.find("HTTP cache disabled") ==
        r.err.rfind("HTTP cache disabled")); // one warning, not one per batch
  CHECK(std::filesystem::is_empty(open));

  if (::geteuid() != 0) {
    WARN("needs root to chown the cache directory to another user; that part is skipped");
    return;
  }
  const auto theirs = dir.path() / "theirs" / "breeze" / "http";
  std::filesystem::create_directories(theirs);
  ::chmod(theirs.c_str(), 0700);
  REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
  auto t = run(dir.path() / "theirs");
  CHECK(t.exit_code == 0);
  CHECK_THAT(t.err, Catch::Contains(
                        "warning: HTTP cache disabled, running without it: " + theirs.string() +
                        ": the cache directory is owned by uid 65534, not by you (uid 0)\n"));
  CHECK(std::filesystem::is_empty(theirs));
}
