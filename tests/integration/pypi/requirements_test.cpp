// Index::requirements against the PyPI-shaped server on 127.0.0.1: the per-version JSON document
// and PEP 658 metadata files, through the real curl client (relative URLs, redirects, the cache).
#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/http/curl_client.hpp>
#include <breeze/pypi/index.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;
using namespace std::chrono_literals;

namespace {

http::BatchOptions quick() {
  http::BatchOptions o;
  o.backoff = 10ms;
  return o;
}

// A project with one wheel per version; `info` describes `info_version`, and the server's
// "x-requires-dist" extension knows the requirements of the versions in `requirements`.
void write_wheels(const std::filesystem::path& dir, const std::string& name,
                  const std::vector<std::string>& versions, const std::string& info_version,
                  const nlohmann::json& requirements) {
  nlohmann::json doc{{"info", {{"name", name}, {"version", info_version}}},
                     {"releases", nlohmann::json::object()},
                     {"x-requires-dist", requirements}};
  for (const auto& v : versions)
    doc["releases"][v] = {{{"filename", name + "-" + v + "-py3-none-any.whl"},
                           {"upload_time_iso_8601", "2023-08-11T00:00:00Z"},
                           {"yanked", false}}};
  test::write_file(dir / (name + ".json"), doc.dump(1));
}

} // namespace

TEST_CASE("pypi requirements vs a real server: the per-version JSON document, once",
          "[integration][pypi][metadata]") {
  files::TempDir dir;
  // info.version lags behind: 2.6.0's requirements are in its own document only.
  write_wheels(
      dir.path(), "aiobotocore", {"2.5.4", "2.6.0"}, "2.5.4",
      {{"2.5.4", {"botocore<1.32.0,>=1.31.17"}}, {"2.6.0", {"botocore<1.31.18,>=1.31.17"}}});
  write_wheels(dir.path(), "boto3", {"1.28.25"}, "1.28.25",
               {{"1.28.25", {"botocore<1.32.0,>=1.31.25"}}});
  test::PypiServer server({.root = dir.path()});
  http::CurlClient client;
  pypi::Index index(client, server.url());
  auto lookups = index.fetch({"aiobotocore", "Boto3"}, quick());
  REQUIRE(lookups);
  auto r = index.requirements(
      {{"aiobotocore", &(*lookups)[0], "2.6.0"}, {"Boto3", &(*lookups)[1], "1.28.25"}}, quick());
  REQUIRE(r);
  CHECK((*r)[0].requires_dist == std::vector<std::string>{"botocore<1.31.18,>=1.31.17"});
  CHECK((*r)[1].requires_dist == std::vector<std::string>{"botocore<1.32.0,>=1.31.25"});
  CHECK(server.requests_for("/pypi/aiobotocore/2.6.0/json") == 1);
  CHECK(server.stats()["total"] == 3); // two project documents, one per-version document
}

TEST_CASE("pypi requirements vs a real server: PEP 691 with PEP 658 metadata at relative URLs",
          "[integration][pypi][metadata]") {
  files::TempDir dir;
  write_wheels(dir.path(), "aiobotocore", {"2.5.4", "2.6.0"}, "2.6.0",
               {{"2.6.0", {"botocore<1.31.18,>=1.31.17", "awscli<1.29.18 ; extra == \"awscli\""}}});
  write_wheels(dir.path(), "nometa", {"1.0"}, "1.0", nlohmann::json::object());
  test::PypiServer server({.root = dir.path(), .simple_only = true});
  http::CurlClient client;
  pypi::Index index(client, server.url() + "/simple");
  auto lookups = index.fetch({"aiobotocore", "nometa"}, quick());
  REQUIRE(lookups);
  REQUIRE((*lookups)[0].simple);
  auto r = index.requirements(
      {{"aiobotocore", &(*lookups)[0], "2.6.0"}, {"nometa", &(*lookups)[1], "1.0"}}, quick());
  REQUIRE(r);
  CHECK((*r)[0].requires_dist == std::vector<std::string>{"botocore<1.31.18,>=1.31.17",
                                                          "awscli<1.29.18 ; extra == \"awscli\""});
  CHECK((*r)[0].source == server.url() + "/files/aiobotocore-2.6.0-py3-none-any.whl.metadata");
  CHECK_FALSE((*r)[1].requires_dist.has_value()); // announces no metadata: not asked
  CHECK(server.requests_for("/files/aiobotocore-2.6.0-py3-none-any.whl.metadata") == 1);
  CHECK(server.stats()["total"] == 5); // 2 JSON API 404s, 2 simple pages, 1 metadata file
}

TEST_CASE("pypi requirements vs a real server: a failing metadata request is unknown, not an error",
          "[integration][pypi][metadata]") {
  files::TempDir dir;
  write_wheels(dir.path(), "aiobotocore", {"2.6.0"}, "2.6.0", {{"2.6.0", {"botocore<1.31.18"}}});
  test::PypiServer server(
      {.root = dir.path(),
       .simple_only = true,
       .faults = {{"/files/aiobotocore-2.6.0-py3-none-any.whl.metadata", {"*500"}}}});
  http::CurlClient client;
  pypi::Index index(client, server.url());
  auto lookups = index.fetch({"aiobotocore"}, quick());
  REQUIRE(lookups);
  auto r = index.requirements({{"aiobotocore", &(*lookups)[0], "2.6.0"}}, quick());
  REQUIRE(r);
  CHECK_FALSE((*r)[0].requires_dist.has_value());
  CHECK_THAT((*r)[0].source, Catch::Contains("HTTP 500"));
  CHECK(server.requests_for("/files/aiobotocore-2.6.0-py3-none-any.whl.metadata") == 4); // retried
}
