#include <support/catch.hpp>
#include <support/fake_http.hpp>

#include <breeze/pypi/candidates.hpp>
#include <breeze/pypi/index.hpp>
#include <breeze/pypi/project.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;
using constraints::Version;

namespace {

time::Instant at(const char* iso) { return *time::parse_iso8601(iso); }
Version v(const char* s) { return *Version::parse(s); }

pypi::Project project(std::vector<pypi::Release> releases) { return {"demo", std::move(releases)}; }
pypi::File file(const char* uploaded, bool yanked = false) {
  return {"demo-x.tar.gz", at(uploaded), yanked};
}

} // namespace

TEST_CASE("pypi: JSON API document -> releases with upload times and yanked flags",
          "[unit][pypi]") {
  const char* body = R"({"info": {"name": "aiobotocore", "version": "2.6.0"},
    "releases": {
      "2.5.4": [{"filename": "aiobotocore-2.5.4.tar.gz", "upload_time": "2023-08-07T10:00:00",
                 "upload_time_iso_8601": "2023-08-07T10:00:00.123456Z", "yanked": false}],
      "2.6.0": [{"filename": "aiobotocore-2.6.0-py3-none-any.whl", "upload_time": "2023-08-11T20:43:19",
                 "yanked": true, "yanked_reason": "oops"}],
      "0.0.1": []
    }})";
  auto p = pypi::parse_json_api(body);
  REQUIRE(p.has_value());
  CHECK(p->name == "aiobotocore");
  REQUIRE(p->releases.size() == 3);
  const auto& r254 = *std::find_if(p->releases.begin(), p->releases.end(),
                                   [](auto& r) { return r.version == "2.5.4"; });
  REQUIRE(r254.files.size() == 1);
  CHECK(r254.files[0].uploaded == at("2023-08-07T10:00:00.123456Z"));
  CHECK_FALSE(r254.files[0].yanked);
  const auto& r260 = *std::find_if(p->releases.begin(), p->releases.end(),
                                   [](auto& r) { return r.version == "2.6.0"; });
  CHECK(r260.files[0].yanked);
  CHECK(r260.files[0].uploaded == at("2023-08-11T20:43:19Z")); // upload_time without zone is UTC
}

TEST_CASE("pypi: malformed JSON API documents are errors, not crashes", "[unit][pypi]") {
  CHECK_FALSE(pypi::parse_json_api("{\"releases\": {").has_value());
  CHECK_FALSE(pypi::parse_json_api("[]").has_value());
  CHECK_FALSE(pypi::parse_json_api("{\"info\": {}}").has_value());
  CHECK_FALSE(pypi::parse_json_api(R"({"releases": {"1.0": 5}})").has_value());
  auto e = pypi::parse_json_api("<html>");
  REQUIRE_FALSE(e.has_value());
  CHECK_THAT(e.error().message, Catch::StartsWith("malformed index JSON"));
}

TEST_CASE("pypi: PEP 691 simple JSON -> releases from filenames, PEP 700 times, yanked reasons",
          "[unit][pypi]") {
  const char* body = R"({"meta": {"api-version": "1.1"}, "name": "zope-event",
    "versions": ["4.6", "5.0", "6.0"],
    "files": [
      {"filename": "zope.event-5.0-py3-none-any.whl", "url": "u", "hashes": {}, "upload-time": "2023-06-23T06:00:00.000000Z"},
      {"filename": "zope.event-5.0.tar.gz", "url": "u", "hashes": {}, "upload-time": "2023-06-23T06:00:07Z", "yanked": false},
      {"filename": "zope.event-4.6.tar.gz", "url": "u", "hashes": {}, "yanked": "broken"},
      {"filename": "unrelated-1.0.tar.gz", "url": "u", "hashes": {}}
    ]})";
  auto p = pypi::parse_simple_json(body);
  REQUIRE(p.has_value());
  REQUIRE(p->releases.size() == 3); // 6.0 is listed in `versions` but has no files
  CHECK(p->releases[0].version == "4.6");
  CHECK(p->releases[0].files.at(0).yanked);
  CHECK_FALSE(p->releases[0].files.at(0).uploaded.has_value());
  CHECK(p->releases[1].version == "5.0");
  CHECK(p->releases[1].files.size() == 2);
  CHECK(p->releases[2].files.empty());
  CHECK_FALSE(pypi::parse_simple_json(R"({"meta": {}})").has_value());
}

TEST_CASE("pypi: versions from distribution filenames", "[unit][pypi]") {
  CHECK(pypi::version_from_filename("aiobotocore-2.6.0-py3-none-any.whl", "aiobotocore") ==
        "2.6.0");
  CHECK(pypi::version_from_filename("google_cloud_aiplatform-1.30.1-py2.py3-none-any.whl",
                                    "google-cloud-aiplatform") == "1.30.1");
  CHECK(pypi::version_from_filename("google-cloud-aiplatform-1.30.1.tar.gz",
                                    "google-cloud-aiplatform") == "1.30.1");
  CHECK(pypi::version_from_filename("Flask-AppBuilder-4.3.4.zip", "flask-appbuilder") == "4.3.4");
  CHECK(pypi::version_from_filename("zope.event-5.0.tar.gz", "zope-event") == "5.0");
  CHECK(pypi::version_from_filename("pendulum-3.0.0a1.tar.gz", "pendulum") == "3.0.0a1");
  CHECK_FALSE(pypi::version_from_filename("other-1.0.tar.gz", "pendulum").has_value());
  CHECK_FALSE(pypi::version_from_filename("pendulum-1.0.exe", "pendulum").has_value());
}

TEST_CASE("pypi: latest is the highest PEP 440 non-yanked final release", "[unit][pypi]") {
  auto p = project({{"2.9.0", {file("2023-01-01T00:00:00Z")}},
                    {"2.31.0", {file("2023-05-22T15:12:42Z")}}, // string order would pick 2.9.0
                    {"2.32.0", {file("2023-08-10T00:00:00Z", true)}},
                    {"3.0.0rc1", {file("2023-08-11T00:00:00Z")}},
                    {"not-a-version", {file("2023-08-12T00:00:00Z")}},
                    {"4.0", {}}});
  auto latest = pypi::choose_latest(p, v("2.9.0"));
  REQUIRE(latest.has_value());
  CHECK(latest->version.str() == "2.31.0");
  CHECK(latest->released == at("2023-05-22T15:12:42Z"));
  // A pinned pre-release lets pre-releases count.
  auto pre = pypi::choose_latest(p, v("3.0.0b1"));
  REQUIRE(pre.has_value());
  CHECK(pre->version.str() == "3.0.0rc1");
  CHECK_FALSE(
      pypi::choose_latest(project({{"1.0", {file("2023-01-01T00:00:00Z", true)}}}), v("1.0"))
          .has_value());
}

TEST_CASE(
    "pypi: a release is partly yanked only when all its files are, its date is the earliest upload",
    "[unit][pypi]") {
  auto p = project({{"1.1", {file("2023-08-11T20:43:26Z"), file("2023-08-11T20:43:19Z", true)}}});
  auto latest = pypi::choose_latest(p, v("1.0"));
  REQUIRE(latest.has_value());
  CHECK(latest->version.str() == "1.1");
  CHECK(latest->released == at("2023-08-11T20:43:19Z"));
}

TEST_CASE("pypi: candidate rule: newer than pinned and released after the constraints date",
          "[unit][pypi]") {
  const auto since = at("2023-08-09T21:48:23Z");
  CHECK(pypi::is_candidate(v("2.5.4"), {v("2.6.0"), at("2023-08-11T20:43:19Z")}, since));
  CHECK_FALSE(
      pypi::is_candidate(v("2.6.0"), {v("2.6.0"), at("2023-08-11T20:43:19Z")}, since)); // not newer
  CHECK_FALSE(
      pypi::is_candidate(v("2.5.4"), {v("2.6.0"), at("2023-08-09T21:48:23Z")}, since)); // not after
  CHECK_FALSE(
      pypi::is_candidate(v("2.6.0"), {v("2.6.0"), std::nullopt}, since)); // not newer, date unknown
  CHECK(pypi::is_candidate(v("1.0"), {v("1.0.post1"), at("2023-08-10T00:00:00Z")}, since));
}

namespace {
pypi::Report demo_report() {
  pypi::Report r;
  r.since = at("2023-08-09T21:48:23Z");
  r.source = "constraints-3.11.txt";
  r.checked = 3;
  r.candidates = {{"aiobotocore", "2.5.4", "2.6.0", at("2023-08-11T20:43:19.5Z")},
                  {"asana", "3.2.1", "4.0.5", at("2023-08-11T18:56:04Z")}};
  return r;
}
} // namespace

TEST_CASE("pypi: text report matches Breeze's lines and ends with the exact next command",
          "[unit][pypi]") {
  CHECK(pypi::render_text(demo_report()) == "Last constraint date: 2023-08-09 21:48:23\n"
                                            "Latest version aiobotocore==2.6.0 release date: "
                                            "2023-08-11 20:43:19 (in current constraints: 2.5.4)\n"
                                            "Latest version asana==4.0.5 release date: 2023-08-11 "
                                            "18:56:04 (in current constraints: 3.2.1)\n"
                                            "Found 2 candidates for backtracking\n"
                                            "breeze ci-image build --upgrade-to-newer-dependencies "
                                            "--eager-upgrade-additional-requirements "
                                            "\"aiobotocore<=2.5.4 asana<=3.2.1\"\n");
  pypi::Report none;
  none.since = at("2023-08-09T21:48:23Z");
  CHECK(pypi::render_text(none) ==
        "Last constraint date: 2023-08-09 21:48:23\nFound 0 candidates for backtracking\n");
}

TEST_CASE("pypi: a partial report says so, and network text loses control characters",
          "[unit][pypi]") {
  auto r = demo_report();
  r.candidates[1].latest = "4.0.5\x1b[2J";
  r.failed = {{"boto3", "HTTP 503 from https://pypi.org/pypi/boto3/json"}};
  const auto text = pypi::render_text(r);
  CHECK_THAT(text,
             Catch::Contains("Could not check 1 of 3 packages, so this list may be incomplete:\n"
                             "  boto3: HTTP 503 from https://pypi.org/pypi/boto3/json\n"));
  CHECK(text.find('\x1b') == std::string::npos);
  auto doc = nlohmann::json::parse(pypi::render_json(r));
  CHECK(doc["complete"] == false);
  CHECK(doc["failed"][0]["name"] == "boto3");
}

TEST_CASE("pypi: JSON report holds date, candidates, not-found and failed", "[unit][pypi]") {
  auto r = demo_report();
  r.not_found = {"internal-pkg"};
  auto doc = nlohmann::json::parse(pypi::render_json(r));
  CHECK(doc["last_constraint_date"] == "2023-08-09T21:48:23Z");
  CHECK(doc["candidates"].size() == 2);
  CHECK(doc["candidates"][0] == nlohmann::json{{"name", "aiobotocore"},
                                               {"pinned", "2.5.4"},
                                               {"latest", "2.6.0"},
                                               {"released", "2023-08-11T20:43:19Z"}});
  CHECK(doc["not_found"] == nlohmann::json{"internal-pkg"});
  CHECK(doc["failed"].empty());
  CHECK(doc["complete"] == true);
  CHECK(doc["eager_upgrade_additional_requirements"] == "aiobotocore<=2.5.4 asana<=3.2.1");
}

TEST_CASE("pypi index: URLs for pypi.org and for a PIP_INDEX_URL-style .../simple",
          "[unit][pypi]") {
  test::FakeHttp http;
  pypi::Index plain(http, "https://pypi.org/");
  CHECK(plain.json_url("Flask_AppBuilder") == "https://pypi.org/pypi/flask-appbuilder/json");
  CHECK(plain.simple_url("zope.event") == "https://pypi.org/simple/zope-event/");
  pypi::Index simple(http, "https://nexus.example/repository/pypi/simple");
  CHECK(simple.json_url("PyYAML") == "https://nexus.example/repository/pypi/pypi/pyyaml/json");
  CHECK(simple.simple_url("PyYAML") == "https://nexus.example/repository/pypi/simple/pyyaml/");
}

TEST_CASE("pypi index: JSON API, simple-API fallback on 404, not-found, failures per package",
          "[unit][pypi]") {
  test::FakeHttp http;
  const std::string base = "https://idx.example";
  http.on(base + "/pypi/good/json", 200, R"({"info": {"name": "good"}, "releases": {"1.0": []}})");
  http.on(base + "/pypi/broken/json", 200, R"({"releases": )");
  http.on(base + "/pypi/busy/json", 503, "unavailable");
  http.on(base + "/pypi/simple-only/json", 404, "");
  http.on(
      base + "/simple/simple-only/", 200,
      R"({"meta": {"api-version": "1.0"}, "name": "simple-only", "files": [{"filename": "simple_only-2.0.tar.gz", "url": "u", "hashes": {}}]})",
      {{"content-type", "application/vnd.pypi.simple.v1+json"}});
  http.on(base + "/pypi/gone/json", 404, "");
  http.on(base + "/simple/gone/", 404, "");
  http.on(base + "/pypi/html/json", 404, "");
  http.on(base + "/simple/html/", 200, "<html></html>", {{"content-type", "text/html"}});
  http.fail(base + "/pypi/flaky/json", "Connection reset by peer");
  pypi::Index index(http, base);
  auto r = index.fetch({"good", "broken", "busy", "Simple_Only", "gone", "html", "flaky"}, {});
  REQUIRE(r.has_value());
  using S = pypi::Lookup::Status;
  CHECK((*r)[0].status == S::found);
  CHECK((*r)[1].status == S::failed);
  CHECK_THAT((*r)[1].error, Catch::Contains("/pypi/broken/json") && Catch::Contains("malformed"));
  CHECK((*r)[2].status == S::failed);
  CHECK((*r)[2].error == "HTTP 503 from https://idx.example/pypi/busy/json");
  CHECK((*r)[3].status == S::found);
  CHECK((*r)[3].project.releases.at(0).version == "2.0");
  CHECK((*r)[4].status == S::not_found);
  CHECK((*r)[5].status == S::failed);
  CHECK_THAT((*r)[5].error, Catch::Contains("PEP 691"));
  CHECK((*r)[6].status == S::failed);
  CHECK_THAT((*r)[6].error, Catch::Contains("Connection reset"));
  CHECK(http.requests.at(0).headers.at("Accept") == "application/json");
  CHECK(http.requests.at(7).headers.at("Accept") == "application/vnd.pypi.simple.v1+json");
}

TEST_CASE("pypi index: an index that cannot be reached at all is one error naming it",
          "[unit][pypi]") {
  test::FakeHttp http;
  http.fail("https://down.example/pypi/a/json", "Could not resolve host: down.example");
  http.fail("https://down.example/pypi/b/json", "Could not resolve host: down.example");
  pypi::Index index(http, "https://down.example");
  auto r = index.fetch({"a", "b"}, {});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::network);
  CHECK(
      r.error().what() ==
      "cannot reach the package index https://down.example (Could not resolve host: down.example)");
}

TEST_CASE("pypi: a newer release without an upload time is a candidate with an unknown date, never "
          "dropped",
          "[unit][pypi]") {
  const auto since = at("2023-08-09T21:48:23Z");
  // PEP 700's upload-time is optional: many private indexes have none.
  CHECK(pypi::is_candidate(v("2.5.4"), {v("2.6.0"), std::nullopt}, since));
  auto r = demo_report();
  r.candidates.push_back({"internal-lib", "1.0", "1.1", std::nullopt});
  const auto text = pypi::render_text(r);
  CHECK_THAT(text, Catch::Contains(
                       "Latest version internal-lib==1.1 release date: unknown (the index gives no "
                       "upload time) (in current constraints: 1.0)\n"));
  CHECK_THAT(text, Catch::Contains("\"aiobotocore<=2.5.4 asana<=3.2.1 internal-lib<=1.0\""));
  auto doc = nlohmann::json::parse(pypi::render_json(r));
  REQUIRE(doc["candidates"].size() == 3);
  CHECK(doc["candidates"][2]["name"] == "internal-lib");
  CHECK(doc["candidates"][2]["released"].is_null());
}

TEST_CASE("pypi: the JSON report never holds the userinfo of its constraints URL", "[unit][pypi]") {
  auto r = demo_report();
  r.source =
      "https://user:s3cretpw@raw.example/apache/airflow/constraints-main/constraints-3.11.txt";
  const auto json = pypi::render_json(r);
  CHECK(json.find("s3cretpw") == std::string::npos);
  CHECK(nlohmann::json::parse(json)["constraints"] ==
        "https://raw.example/apache/airflow/constraints-main/constraints-3.11.txt");
}

TEST_CASE("pypi index: only pypi.org may redirect to another host, its file host", "[unit][pypi]") {
  CHECK(pypi::file_hosts("https://pypi.org") == std::vector<std::string>{"files.pythonhosted.org"});
  CHECK(pypi::file_hosts("https://user:pw@PyPI.org:443/simple/") ==
        std::vector<std::string>{"files.pythonhosted.org"});
  CHECK(pypi::file_hosts("https://test.pypi.org/simple") ==
        std::vector<std::string>{"test-files.pythonhosted.org"});
  CHECK(pypi::file_hosts("https://nexus.example/repository/pypi/simple").empty());
  CHECK(pypi::file_hosts("https://pypi.org.evil.example/simple").empty());
  test::FakeHttp http;
  http.on("https://pypi.org/pypi/a/json", 200, R"({"info": {"name": "a"}, "releases": {}})");
  pypi::Index index(http, "https://pypi.org");
  REQUIRE(index.fetch({"a"}, {}).has_value());
  CHECK(http.last_options.redirect_hosts == std::vector<std::string>{"files.pythonhosted.org"});
}

TEST_CASE(
    "pypi index: a body too large or a refused redirect fails that package, not the index, and "
    "no message holds URL credentials",
    "[unit][pypi]") {
  test::FakeHttp http;
  const std::string base = "https://user:s3cretpw@idx.example";
  http.routes.insert_or_assign(base + "/pypi/big/json",
                               Error{ErrorKind::failure, "response too large: body over 64 MiB",
                                     "https://idx.example/pypi/big/json"});
  http.on(base + "/pypi/busy/json", 503, "unavailable");
  pypi::Index index(http, base);
  auto r = index.fetch({"big", "busy"}, {});
  REQUIRE(r.has_value()); // before: every package failing read as "cannot reach the package index"
  CHECK((*r)[0].status == pypi::Lookup::Status::failed);
  CHECK_THAT((*r)[0].error, Catch::Contains("response too large"));
  CHECK((*r)[1].error == "HTTP 503 from https://idx.example/pypi/busy/json");
  for (const auto& l : *r)
    CHECK(l.error.find("s3cretpw") == std::string::npos);
}
