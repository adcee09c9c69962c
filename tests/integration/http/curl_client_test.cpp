#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/http/cache.hpp>
#include <breeze/http/curl_client.hpp>

#include <chrono>
#include <sys/stat.h>

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
  for (const auto& p : paths)
    r.push_back({base + p, {{"Accept", "application/json"}}});
  return r;
}

} // namespace

TEST_CASE("curl client: a batch returns one result per request in order, 404 is data",
          "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root});
  http::CurlClient client;
  auto results = client.get_all(
      get(server.url(), {"/pypi/beta/json", "/pypi/missing/json", "/pypi/alpha/json"}), quick());
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

TEST_CASE("curl client: 429 with Retry-After is retried after the server's delay",
          "[integration][http]") {
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

TEST_CASE("curl client: 5xx is retried 3 times, then the status is returned",
          "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*503"}}, {"beta", {"500", "502"}}}});
  http::CurlClient client;
  auto results =
      client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), quick());
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
  auto results =
      client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), quick());
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
    test::write_project(dir.path(), "p" + std::to_string(i),
                        {{"1.0", "2023-08-01T10:00:00Z", false}});
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
  for (auto& r : results)
    CHECK((r.has_value() && r->status == 200));
  REQUIRE(progress.size() == 16);
  CHECK(progress.back() == 16);
}

TEST_CASE("curl client: the disk cache revalidates with ETag and serves the 304 from disk",
          "[integration][http]") {
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
  auto third = client.get_all(req, [] {
    auto o = quick();
    o.use_cache = false;
    return o;
  }());
  REQUIRE(third[0].has_value());
  CHECK_FALSE(third[0]->from_cache);
  CHECK(server.stats()["conditional"] == 1);
}

TEST_CASE("curl client: a reply with neither validators nor max-age is not written to the cache",
          "[integration][http]") {
  Fixture f;
  const auto cache = f.dir.path() / "cache";
  PypiServer server({.root = f.root, .no_validators = true});
  const auto requests = get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"});
  for (int run = 0; run < 2; ++run) {
    http::CurlClient client({.cache_dir = cache});
    auto r = client.get_all(requests, quick());
    REQUIRE(r[0].has_value());
    REQUIRE(r[1].has_value());
    CHECK(r[0]->status == 200);
    CHECK_FALSE(r[1]->from_cache);
    CHECK_THAT(r[1]->body, Catch::Contains("beta-2.0.tar.gz"));
  }
  // Nothing stored: no entry could ever be used fresh or revalidated.
  REQUIRE(std::filesystem::is_directory(cache));
  CHECK(std::filesystem::is_empty(cache));
  CHECK(server.stats()["total"] == 4);
  CHECK(server.stats()["conditional"] == 0);
}

TEST_CASE("curl client: an unusable cache entry is dropped when the index stops sending validators",
          "[integration][http]") {
  Fixture f;
  const auto cache = f.dir.path() / "cache";
  http::CurlClient client({.cache_dir = cache});
  auto opened = http::DiskCache::open(cache);
  REQUIRE(opened.has_value());
  auto& disk = *opened;
  PypiServer server({.root = f.root, .no_validators = true});
  const auto req = get(server.url(), {"/pypi/alpha/json"});
  // As a run against the same URL left it when the index still sent an ETag.
  REQUIRE(disk.store(req[0], {200, {{"etag", "\"old\""}}, "{}", std::chrono::system_clock::now()}));
  REQUIRE(std::filesystem::exists(disk.path_for(req[0])));
  auto r = client.get_all(req, quick());
  REQUIRE(r[0].has_value());
  CHECK_FALSE(r[0]->from_cache);
  CHECK_THAT(r[0]->body, Catch::Contains("alpha-1.0.tar.gz"));
  CHECK_FALSE(std::filesystem::exists(disk.path_for(req[0])));
}

TEST_CASE("curl client: a fresh cached response (max-age) needs no request at all",
          "[integration][http]") {
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

TEST_CASE("curl client: an unreachable server is a network error naming the URL",
          "[integration][http]") {
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

TEST_CASE("curl client: an endless body fails with 'response too large' at the limit",
          "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*endless"}}}});
  http::CurlClient client;
  auto o = quick();
  o.max_response_size = std::size_t{2} << 20;
  auto results = client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), o);
  REQUIRE_FALSE(results[0].has_value());
  CHECK(results[0].error().kind == ErrorKind::failure);
  CHECK(results[0].error().message ==
        "response too large: body over 2 MiB (see --max-response-size)");
  CHECK(results[0].error().context == server.url() + "/pypi/alpha/json");
  CHECK(server.requests_for("/pypi/alpha/json") == 1); // not retried: it would be as large again
  REQUIRE(results[1].has_value());
  CHECK(results[1]->status == 200);
}

TEST_CASE("curl client: a gzip bomb is stopped at the limit after decompression",
          "[integration][http]") {
  Fixture f;
  // 256 MiB of zeros once decompressed, about 250 KiB on the wire.
  PypiServer server({.root = f.root, .faults = {{"alpha", {"gzip-bomb:256"}}}});
  http::CurlClient client;
  auto o = quick();
  o.max_response_size = std::size_t{4} << 20;
  auto r = client.get({server.url() + "/pypi/alpha/json", {}}, o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "response too large: body over 4 MiB (see --max-response-size)");
  // Under the limit, a gzip body is decoded as usual.
  PypiServer small({.root = f.root, .faults = {{"alpha", {"gzip-bomb:1"}}}});
  auto ok = client.get({small.url() + "/pypi/alpha/json", {}}, o);
  REQUIRE(ok.has_value());
  CHECK(ok->body.size() == std::size_t{1} << 20);
}

TEST_CASE("curl client: the timeout is a deadline for the whole request, retries included",
          "[integration][http]") {
  Fixture f;
  // One byte every 100 ms: no single read stalls, the transfer never ends.
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*drip:100"}}}});
  http::CurlClient client;
  auto o = quick();
  o.timeout = 1s;
  o.max_retries = 3; // per-attempt timeouts would take 4 s and more
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client.get({server.url() + "/pypi/alpha/json", {}}, o);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  CHECK(elapsed < 1800ms);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::network);
  CHECK_THAT(r.error().message, Catch::StartsWith("timed out after 1.0 s (the whole request"));
}

TEST_CASE("curl client: a Retry-After beyond the deadline is not waited for",
          "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*429:30"}}, {"beta", {"*503"}}}});
  http::CurlClient client;
  auto o = quick();
  o.timeout = 2s;
  o.backoff = 800ms; // 800 + 1600 ms: the second retry would start after the deadline
  const auto t0 = std::chrono::steady_clock::now();
  auto results = client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), o);
  CHECK(std::chrono::steady_clock::now() - t0 < 2500ms);
  REQUIRE(results[0].has_value());
  CHECK(results[0]->status == 429); // the last answer, as data
  CHECK(server.requests_for("/pypi/alpha/json") == 1);
  REQUIRE(results[1].has_value());
  CHECK(results[1]->status == 503);
  CHECK(server.requests_for("/pypi/beta/json") == 2);
}

TEST_CASE("curl client: redirects to ftp:// and file:// are refused", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root,
                     .faults = {{"alpha", {"*redirect:ftp://127.0.0.1:{port}/alpha"}},
                                {"beta", {"*redirect:file:///etc/passwd"}}}});
  http::CurlClient client;
  auto results =
      client.get_all(get(server.url(), {"/pypi/alpha/json", "/pypi/beta/json"}), quick());
  REQUIRE_FALSE(results[0].has_value());
  CHECK(results[0].error().kind == ErrorKind::failure);
  CHECK(results[0].error().message ==
        "refused a redirect to ftp://127.0.0.1:" + std::to_string(server.port()) +
            "/alpha (only http and https are followed)");
  REQUIRE_FALSE(results[1].has_value());
  CHECK(results[1].error().message ==
        "refused a redirect to file:///etc/passwd (only http and https are followed)");
  CHECK(server.stats()["total"] == 2); // one request each, not retried
  // Not even the first URL may be anything but http(s).
  auto direct = client.get({"file:///etc/passwd", {}}, quick());
  REQUIRE_FALSE(direct.has_value());
}

TEST_CASE(
    "curl client: a redirect to another host is refused unless it is an allowed file host, and URL "
    "credentials never follow it",
    "[integration][http]") {
  Fixture f;
  PypiServer other({.root = f.root});
  // "localhost" and "127.0.0.1" are different hosts to a client, though both are this machine.
  const auto elsewhere = "http://localhost:" + std::to_string(other.port()) + "/pypi/beta/json";
  PypiServer server({.root = f.root, .faults = {{"alpha", {"*redirect:" + elsewhere}}}});
  const auto with_credentials = "http://user:s3cretpw@127.0.0.1:" + std::to_string(server.port());
  http::CurlClient client;
  auto refused = client.get({with_credentials + "/pypi/alpha/json", {}}, quick());
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message ==
        "refused a redirect to another host " + elsewhere + " (allowed: the same host)");
  CHECK(refused.error().context == server.url() + "/pypi/alpha/json"); // no userinfo in the message
  CHECK(other.stats()["total"] == 0);

  auto o = quick();
  o.redirect_hosts = {"localhost"};
  auto allowed = client.get({with_credentials + "/pypi/alpha/json", {}}, o);
  REQUIRE(allowed.has_value());
  CHECK(allowed->status == 200);
  CHECK_THAT(allowed->body, Catch::Contains("beta-2.0.tar.gz"));
  CHECK(server.stats()["auth"]["/pypi/alpha/json"].size() == 1);  // the index got the credentials
  CHECK_FALSE(other.stats()["auth"].contains("/pypi/beta/json")); // the other host never did
  CHECK(other.requests_for("/pypi/beta/json") == 1);
}

TEST_CASE("curl client: same-host redirects keep working, with the URL's credentials, up to 5 hops",
          "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .faults = {{"beta", {"*redirect:/pypi/beta/json"}}}});
  const auto base = "http://user:s3cretpw@127.0.0.1:" + std::to_string(server.port());
  http::CurlClient client;
  auto normalised =
      client.get({base + "/pypi/Alpha/json", {}}, quick()); // PyPI's 301 to the normalised name
  REQUIRE(normalised.has_value());
  CHECK(normalised->status == 200);
  CHECK(server.stats()["auth"]["/pypi/alpha/json"].size() ==
        1); // credentials kept on the same origin

  auto loop = client.get({base + "/pypi/beta/json", {}}, quick());
  REQUIRE_FALSE(loop.has_value());
  CHECK(loop.error().message == "too many redirects (more than 5)");
  CHECK(server.requests_for("/pypi/beta/json") == 6); // the first request and 5 hops
}

TEST_CASE("curl client: a cache directory writable by others is not used", "[integration][http]") {
  Fixture f;
  PypiServer server({.root = f.root, .max_age = 900});
  const auto cache = f.dir.path() / "cache";
  std::filesystem::create_directory(cache);
  ::chmod(cache.c_str(), 0777);
  const auto req = get(server.url(), {"/pypi/alpha/json"});
  http::CurlClient client({.cache_dir = cache});
  auto first = client.get_all(req, quick());
  auto second = client.get_all(req, quick());
  REQUIRE(second[0].has_value());
  CHECK(second[0]->status == 200);
  CHECK_FALSE(second[0]->from_cache); // a fresh entry would have been served from disk
  CHECK(std::filesystem::is_empty(cache));
  CHECK(server.stats()["total"] == 2);
}
