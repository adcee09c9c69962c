#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/http/cache.hpp>

using namespace breeze;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

TEST_CASE("http: Retry-After as seconds or HTTP-date", "[unit][http]") {
  const auto now = Clock::from_time_t(1445412480); // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(http::parse_retry_after("3", now) == 3000ms);
  CHECK(http::parse_retry_after(" 0 ", now) == 0ms);
  CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now) == 10000ms);
  CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now) == 0ms); // in the past
  CHECK_FALSE(http::parse_retry_after("soon", now).has_value());
  CHECK_FALSE(http::parse_retry_after("", now).has_value());
}

TEST_CASE("http: retryable statuses are 429 and 5xx", "[unit][http]") {
  CHECK(http::is_retryable_status(429));
  CHECK(http::is_retryable_status(503));
  CHECK_FALSE(http::is_retryable_status(404));
  CHECK_FALSE(http::is_retryable_status(200));
}

TEST_CASE("http: freshness follows max-age, Age and no-cache", "[unit][http]") {
  const auto t0 = Clock::now();
  http::CachedResponse e{200, {{"cache-control", "max-age=900, public"}}, "{}", t0};
  CHECK(http::is_fresh(e, t0 + 899s));
  CHECK_FALSE(http::is_fresh(e, t0 + 900s));
  e.headers["age"] = "800"; // a CDN had it for 800 s already
  CHECK(http::is_fresh(e, t0 + 99s));
  CHECK_FALSE(http::is_fresh(e, t0 + 101s));
  e.headers["cache-control"] = "no-cache, max-age=900";
  CHECK_FALSE(http::is_fresh(e, t0));
  e.headers.erase("cache-control");
  CHECK_FALSE(http::is_fresh(e, t0)); // no max-age: always revalidate
}

TEST_CASE("http: revalidation headers and storability", "[unit][http]") {
  http::CachedResponse e{200, {{"etag", "\"abc\""}, {"last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}, "", {}};
  auto h = http::revalidation_headers(e);
  CHECK(h["If-None-Match"] == "\"abc\"");
  CHECK(h["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT");
  CHECK(http::revalidation_headers({}).empty());
  CHECK(http::is_storable(200, {}));
  CHECK_FALSE(http::is_storable(404, {}));
  CHECK_FALSE(http::is_storable(200, {{"cache-control", "no-store"}}));
}

TEST_CASE("http: disk cache round trip, keyed by URL and Accept, corrupt files are misses", "[unit][http]") {
  files::TempDir dir;
  http::DiskCache cache(dir.path());
  const http::Request json{"https://pypi.org/simple/a/", {{"Accept", "application/json"}}};
  const http::Request simple{"https://pypi.org/simple/a/", {{"Accept", "application/vnd.pypi.simple.v1+json"}}};
  const auto t = Clock::time_point(std::chrono::seconds(1700000000));
  REQUIRE(cache.store(json, {200, {{"etag", "\"x\""}}, "body\nwith newline", t}).has_value());
  auto back = cache.load(json);
  REQUIRE(back.has_value());
  CHECK(back->body == "body\nwith newline");
  CHECK(back->headers["etag"] == "\"x\"");
  CHECK(back->stored_at == t);
  CHECK_FALSE(cache.load(simple).has_value());
  test::write_file(cache.path_for(json), "{\"key\": 1}\nrest");
  CHECK_FALSE(cache.load(json).has_value());
}
