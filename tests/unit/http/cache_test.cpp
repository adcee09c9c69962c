#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/http/cache.hpp>
#include <breeze/http/curl_client.hpp>

#include <sys/stat.h>
#include <unistd.h>

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
  http::CachedResponse e{
      200, {{"etag", "\"abc\""}, {"last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}, "", {}};
  auto h = http::revalidation_headers(e);
  CHECK(h["If-None-Match"] == "\"abc\"");
  CHECK(h["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT");
  CHECK(http::revalidation_headers({}).empty());
  CHECK(http::is_storable(200, {{"etag", "\"abc\""}}));
  CHECK(http::is_storable(200, {{"last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}));
  CHECK(http::is_storable(200, {{"cache-control", "max-age=900, public"}}));
  CHECK_FALSE(http::is_storable(404, {{"etag", "\"abc\""}}));
  CHECK_FALSE(http::is_storable(200, {{"cache-control", "no-store"}, {"etag", "\"abc\""}}));
}

TEST_CASE("http: a response with neither validators nor freshness is not stored", "[unit][http]") {
  // It could never be used: not fresh, and nothing to revalidate it with.
  CHECK_FALSE(http::is_storable(200, {}));
  CHECK_FALSE(http::is_storable(200, {{"content-type", "application/json"}}));
  CHECK_FALSE(http::is_storable(200, {{"cache-control", "max-age=0"}}));
  CHECK_FALSE(http::is_storable(200, {{"cache-control", "no-cache, max-age=900"}}));
  CHECK(http::is_storable(200, {{"cache-control", "no-cache"}, {"etag", "\"abc\""}}));
  files::TempDir dir;
  http::DiskCache cache(dir.path());
  const http::Request req{"https://index.example/simple/a/", {}};
  REQUIRE(cache.store(req, {200, {{"content-type", "application/json"}}, "{}", Clock::now()}));
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("http: disk cache round trip, keyed by URL and Accept, corrupt files are misses",
          "[unit][http]") {
  files::TempDir dir;
  http::DiskCache cache(dir.path());
  const http::Request json{"https://pypi.org/simple/a/", {{"Accept", "application/json"}}};
  const http::Request simple{"https://pypi.org/simple/a/",
                             {{"Accept", "application/vnd.pypi.simple.v1+json"}}};
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

namespace {
mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
} // namespace

TEST_CASE("http cache: its directory is created 0700, parents included", "[unit][http]") {
  files::TempDir dir;
  const auto cache = dir.path() / "xdg" / "breeze" / "http";
  REQUIRE(http::DiskCache::open(cache).has_value());
  CHECK(mode_of(dir.path() / "xdg" / "breeze") == 0700);
  CHECK(mode_of(cache) == 0700);
  CHECK(http::DiskCache::open(cache).has_value()); // and reopened as it is
}

TEST_CASE("http cache: a directory writable by others, a symlink or a file is refused",
          "[unit][http]") {
  files::TempDir dir;
  const auto open_dir = dir.path() / "open";
  std::filesystem::create_directory(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  auto r = http::DiskCache::open(open_dir);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "the cache directory is writable by others (mode 777); chmod 700 it");
  CHECK(r.error().context == open_dir.string());
  ::chmod(open_dir.c_str(), 0770);
  CHECK_FALSE(http::DiskCache::open(open_dir).has_value()); // group-writable too

  std::filesystem::create_symlink(open_dir, dir.path() / "link");
  CHECK_FALSE(http::DiskCache::open(dir.path() / "link").has_value());
  test::write_file(dir.path() / "file", "x");
  CHECK_FALSE(http::DiskCache::open(dir.path() / "file").has_value());
}

TEST_CASE("http cache: a directory owned by another user is refused", "[unit][http]") {
  if (::geteuid() != 0) {
    WARN("needs root to chown a directory to another user; skipped");
    return;
  }
  files::TempDir dir;
  const auto theirs = dir.path() / "http";
  std::filesystem::create_directory(theirs);
  ::chmod(theirs.c_str(), 0700);
  REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
  auto r = http::DiskCache::open(theirs);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "the cache directory is owned by uid 65534, not by you (uid 0)");
}

namespace {
http::BatchOptions with_hosts(std::vector<std::string> hosts) {
  http::BatchOptions o;
  o.redirect_hosts = std::move(hosts);
  return o;
}
} // namespace

TEST_CASE("http redirects: only http(s), never https to http", "[unit][http]") {
  const http::BatchOptions o;
  auto msg = [&](const std::string& from, const std::string& to) {
    auto r = http::redirect_target(from, to, o);
    return r ? std::string("allowed") : r.error().message;
  };
  CHECK(msg("https://idx.example/a", "ftp://idx.example/a") ==
        "refused a redirect to ftp://idx.example/a (only http and https are followed)");
  CHECK(msg("http://idx.example/a", "file:///etc/passwd") ==
        "refused a redirect to file:///etc/passwd (only http and https are followed)");
  CHECK(msg("https://idx.example/a", "http://idx.example/a") ==
        "refused a redirect from https to plain http (http://idx.example/a)");
  CHECK(msg("http://idx.example/a", "https://idx.example/a") == "allowed"); // an upgrade is fine
  CHECK(msg("https://idx.example/pypi/Foo/json", "https://idx.example/pypi/foo/json") == "allowed");
}

TEST_CASE("http redirects: another host only when it matches the index's file-host patterns",
          "[unit][http]") {
  auto other = http::redirect_target("https://pypi.org/a", "https://evil.example/a", {});
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().message ==
        "refused a redirect to another host https://evil.example/a (allowed: the same host)");
  const auto pypi = with_hosts({"files.pythonhosted.org"});
  CHECK(http::redirect_target("https://pypi.org/a", "https://files.pythonhosted.org/x", pypi)
            .has_value());
  CHECK_FALSE(http::redirect_target("https://pypi.org/a",
                                    "https://files.pythonhosted.org.evil.example/x", pypi)
                  .has_value());
  const auto suffix = with_hosts({"*.cdn.example"});
  CHECK(http::redirect_target("https://idx.example/a", "https://eu.cdn.example/x", suffix)
            .has_value());
  CHECK_FALSE(
      http::redirect_target("https://idx.example/a", "https://cdn.example/x", suffix).has_value());
  CHECK_FALSE(http::redirect_target("https://idx.example/a", "https://evilcdn.example/x", suffix)
                  .has_value());
}

TEST_CASE("http redirects: URL credentials stay with their origin and are never shown",
          "[unit][http]") {
  const auto pypi = with_hosts({"files.pythonhosted.org"});
  auto same = http::redirect_target("https://u:s3cretpw@idx.example/pypi/A/json",
                                    "https://idx.example/pypi/a/json", {});
  REQUIRE(same.has_value());
  CHECK(*same == "https://u:s3cretpw@idx.example/pypi/a/json"); // still used for the same origin
  auto files = http::redirect_target("https://u:s3cretpw@pypi.org/a",
                                     "https://files.pythonhosted.org/x", pypi);
  REQUIRE(files.has_value());
  CHECK(*files == "https://files.pythonhosted.org/x");
  auto port = http::redirect_target("http://u:s3cretpw@idx.example:8080/a",
                                    "http://idx.example:9090/a", {});
  REQUIRE(port.has_value());
  CHECK(*port == "http://idx.example:9090/a");
  auto upgraded =
      http::redirect_target("http://u:s3cretpw@idx.example/a", "https://idx.example/a", {});
  REQUIRE(upgraded.has_value());
  CHECK(*upgraded == "https://idx.example/a");
  auto refused =
      http::redirect_target("https://idx.example/a", "ftp://u:s3cretpw@idx.example/a", {});
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message.find("s3cretpw") == std::string::npos);
}
