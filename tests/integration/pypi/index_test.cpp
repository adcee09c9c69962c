#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/http/curl_client.hpp>
#include <breeze/pypi/candidates.hpp>
#include <breeze/pypi/index.hpp>

using namespace breeze;
using namespace std::chrono_literals;

namespace {
http::BatchOptions quick() {
  http::BatchOptions o;
  o.backoff = 10ms;
  return o;
}
} // namespace

TEST_CASE("pypi index vs a real server: JSON API, retries, malformed and missing packages",
          "[integration][pypi]") {
  files::TempDir dir;
  test::write_project(
      dir.path(), "aiobotocore",
      {{"2.5.4", "2023-08-01T00:00:00Z", false}, {"2.6.0", "2023-08-11T20:43:19.1Z", false}});
  test::write_project(dir.path(), "asana", {{"4.0.5", "2023-08-11T18:56:04Z", false}});
  test::write_project(dir.path(), "broken", {{"1.0", "2023-08-11T18:56:04Z", false}});
  test::PypiServer server(
      {.root = dir.path(), .faults = {{"asana", {"429:0", "503"}}, {"broken", {"*malformed"}}}});
  http::CurlClient client;
  pypi::Index index(client, server.url());
  auto r = index.fetch({"aiobotocore", "asana", "broken", "missing"}, quick());
  REQUIRE(r.has_value());
  using S = pypi::Lookup::Status;
  REQUIRE((*r)[0].status == S::found);
  auto latest = pypi::choose_latest((*r)[0].project, *constraints::Version::parse("2.5.4"));
  REQUIRE(latest.has_value());
  CHECK(latest->version.str() == "2.6.0");
  CHECK((*r)[1].status == S::found); // after a 429 and a 503
  CHECK((*r)[2].status == S::failed);
  CHECK((*r)[3].status == S::not_found);
  CHECK(server.requests_for("/pypi/asana/json") == 3);
  CHECK(server.requests_for("/simple/missing/") == 1);
}

TEST_CASE("pypi index vs a server without a JSON API: PEP 691 simple API", "[integration][pypi]") {
  files::TempDir dir;
  test::write_project(dir.path(), "zope-event",
                      {{"5.0", "2023-06-23T06:00:00Z", false},
                       {"5.1", "2023-08-10T06:00:00Z", true},
                       {"6.0b1", "2023-08-11T06:00:00Z", false}});
  test::PypiServer server({.root = dir.path(), .simple_only = true});
  http::CurlClient client;
  pypi::Index index(client, server.url() + "/simple/"); // PIP_INDEX_URL style
  auto r = index.fetch({"zope.event", "nothere"}, quick());
  REQUIRE(r.has_value());
  REQUIRE((*r)[0].status == pypi::Lookup::Status::found);
  auto latest = pypi::choose_latest((*r)[0].project, *constraints::Version::parse("5.0"));
  REQUIRE(latest.has_value());
  CHECK(latest->version.str() == "5.0"); // 5.1 is yanked, 6.0b1 is a pre-release
  CHECK(time::format_iso_z(*latest->released) == "2023-06-23T06:00:00Z");
  CHECK((*r)[1].status == pypi::Lookup::Status::not_found);
}
