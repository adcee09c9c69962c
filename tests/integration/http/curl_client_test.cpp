#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/http/curl_client.hpp>

#include <chrono>

using namespace breeze;
using namespace std::chrono_literals;
using test::PypiServer;

namespace {

struct Fixture {
  files::TempDir dir{"breeze-http-test"};
  std::filesystem::path root = dir.path() / "index";
  Fixture() {
    test::write_project(root, "alpha", {{"1.0", "2023-08-01T10:00:00Z", false}});
    test::write_project(root, "beta", {{"2.0", "2023-08-02T10:00:00Z", false}});
  }
};

http::BatchOptions quick() {
  http::BatchOptions o;
  o.backoff = 10ms;
  o.timeout = 10s;
  return o;
}

std::vector<http::Request> get(const std::string& base, const std::vector<std::string>& paths) {
  std::vector<http::Request> r;
  for (const auto& p : paths) r.push_back({base + p, {{"Accept", "application/json"}}});
  return r;
}

} // namespace

TEST_CASE("curl client: a batch returns one result per request in order, 404 is data", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root});
  http::CurlClient client;
  auto results = client.get_all(get(server.url(), {"/pypi/beta/json", "/pypi/missing/json", "/pypi/alpha/json"}), quick());
  REQUIRE(results.size() == 3);
  REQUIRE(results[0].has_value());
  CHECK(results[0]->status == 200);
  CHECK_THAT(results[0]->body, Catch::Contains("beta-2.0.tar.gz"));
  CHECK(results[0]->header("content-type") == "application/json");
  CHECK(results[0]->attempts == 1);
  REQUIRE(results[1].has_value());
  CHECK(results[1]->status == 404);
  CHECK(results[1]->attempts == 1); // 404 is an answer, not retried
  REQUIRE(results[2].has_value());
  CHECK_THAT(results[2]->body, Catch::Contains("alpha-1.0.tar.gz"));
  CHECK(server.stats()["total"] == 3);
}

TEST_CASE("curl client: follows PyPI's redirect for a non-normalised name", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root});
  http::CurlClient client;
  auto r = client.get({server.url() + "/pypi/Alpha/json", {}}, quick());
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK_THAT(r->body, Catch::Contains("alpha-1.0.tar.gz"));
}

TEST_CASE("curl client: 429 with Retry-After is retried after the server's delay", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"429:1"}}}});
  http::CurlClient client;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client.get({server.url() + "/pypi/alpha/json", {}}, quick()); // backoff 10 ms
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->attempts == 2);
  CHECK(elapsed >= 1s); // only Retry-After: 1 explains waiting this long
  CHECK(server.requests_for("/pypi/alpha/json") == 2);
}

TEST_CASE("curl client: 5xx is retried 3 times, then the status is returned", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*503"}}, {"beta", {"500", "502"}}}});
  http::CurlClient client;
  auto results = client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), quick());
  REQUIRE(results[0].has_value());
  CHECK(results[0]->status == 503);
  CHECK(results[0]->attempts == 4);
  CHECK(server.requests_for("/pypi/alpha/json") == 4);
  REQUIRE(results[1].has_value());
  CHECK(results[1]->status == 200); // recovered on the third attempt
  CHECK(results[1]->attempts == 3);
}

TEST_CASE("curl client: a truncated body is a transport error, retried", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"truncate"}}, {"beta", {"*truncate"}}}});
  http::CurlClient client;
  auto results = client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), quick());
  REQUIRE(results[0].has_value());
  CHECK(results[0]->attempts == 2);
  CHECK_THAT(results[0]->body, Catch::EndsWith("}"));
  REQUIRE_FALSE(results[1].has_value());
  CHECK(results[1].error().kind == ErrorKind::network);
  CHECK(results[1].error().context == server.url() + "/pypi/beta/json");
  CHECK(server.requests_for("/pypi/beta/json") == 4);
}

TEST_CASE("curl client: a slow reply hits the per-request timeout", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*delay:5000"}}}});
  http::CurlClient client;
  auto o = quick();
  o.timeout = 300ms;
  o.max_retries = 1;
  const auto t0 = std::chrono::steady_clock::now();
  auto results = client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), o);
  CHECK(std::chrono::steady_clock::now() - t0 < 4s); // far less than the 5 s delay
  REQUIRE_FALSE(results[0].has_value());
  CHECK(results[0].error().kind == ErrorKind::network);
  CHECK_THAT(results[0].error().message, Catch::Contains("imeout") || Catch::Contains("timed out"));
  REQUIRE(results[1].has_value()); // the slow one does not hold up the others
  CHECK(results[1]->status == 200);
}

TEST_CASE("curl client: requests run concurrently up to the parallelism", "[integration][http]") {
  files::TempDir dir;
  std::vector<std::string> paths;
  for (int i = 0; i < 16; ++i) {
    test::write_project(dir.path(), "p" + std::to_string(i), {{"1.0", "2023-08-01T10:00:00Z", false}});
    paths.push_back("/pypi/p" + std::to_string(i) + "/json");
  }
  PypiServer server({.root = dir.path(), .delay_ms = 300});
  http::CurlClient client;
  auto o = quick();
  o.parallelism = 16;
  std::vector<std::size_t> progress;
  o.on_progress = [&](std::size_t done, std::size_t total) {
    CHECK(total == 16);
    progress.push_back(done);
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto results = client.get_all(get(server.url(), paths), o);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  CHECK(elapsed < 2400ms); // one after another would take 4.8 s
  for (auto& r : results) CHECK((r.has_value() && r->status == 200));
  REQUIRE(progress.size() == 16);
  CHECK(progress.back() == 16);
}

TEST_CASE("curl client: the disk cache revalidates with ETag and serves the 304 from disk", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root}); // no Cache-Control: every use revalidates
  const auto cache = f.dir.path() / "cache";
  const auto req = get(server.url(), {"/pypi/alpha/json"});
  {
    http::CurlClient client({.cache_dir = cache});
    auto first = client.get_all(req, quick());
    REQUIRE(first[0].has_value());
    CHECK_FALSE(first[0]->from_cache);
  }
  http::CurlClient client({.cache_dir = cache}); // a new run
  auto second = client.get_all(req, quick());
  REQUIRE(second[0].has_value());
  CHECK(second[0]->from_cache);
  CHECK(second[0]->status == 200);
  CHECK_THAT(second[0]->body, Catch::Contains("alpha-1.0.tar.gz"));
  auto s = server.stats();
  CHECK(s["total"] == 2);
  CHECK(s["conditional"] == 1);
  CHECK(s["by_status"]["304"] == 1);

  // --no-cache: neither reads nor trusts the cache.
  auto third = client.get_all(req, [] { auto o = quick(); o.use_cache = false; return o; }());
  REQUIRE(third[0].has_value());
  CHECK_FALSE(third[0]->from_cache);
  CHECK(server.stats()["conditional"] == 1);
}

TEST_CASE("curl client: a fresh cached response (max-age) needs no request at all", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .max_age = 900});
  const auto cache = f.dir.path() / "cache";
  http::CurlClient client({.cache_dir = cache});
  const auto req = get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json", "/pypi/nope/json"});
  auto first = client.get_all(req, quick());
  auto second = client.get_all(req, quick());
  REQUIRE(second[0].has_value());
  CHECK(second[0]->from_cache);
  CHECK(second[0]->attempts == 0);
  CHECK_THAT(second[1]->body, Catch::Contains("beta-2.0.tar.gz"));
  CHECK(second[2]->status == 404); // 404s are not cached
  CHECK(server.stats()["total"] == 4);
}

TEST_CASE("curl client: an unreachable server is a network error naming the URL", "[integration][http]") {
  std::string url;
  {
    files::TempDir dir;
    PypiServer server({.root = dir.path()});
    url = server.url() + "/pypi/alpha/json";
  } // the server is gone: nothing listens on that port now
  http::CurlClient client;
  auto o = quick();
  o.max_retries = 1;
  auto r = client.get({url, {}}, o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::network);
  CHECK(r.error().context == url);
}
