// Where a release's requirements come from: info.requires_dist, the per-version JSON document, and
// PEP 658 core metadata on a simple index (with relative file URLs resolved per RFC 3986).
#include <support/catch.hpp>
#include <support/fake_http.hpp>

#include <breeze/pypi/index.hpp>
#include <breeze/pypi/metadata.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;

TEST_CASE("pypi metadata: Requires-Dist from the header block, folded, case-insensitive",
          "[unit][pypi][metadata]") {
  const std::string metadata = "Metadata-Version: 2.1\r\n"
                               "Name: aiobotocore\r\n"
                               "Version: 2.6.0\r\n"
                               "Requires-Dist: botocore (<1.31.18,>=1.31.17)\r\n"
                               "requires-dist: aiohttp<4.0.0,>=3.7.4.post0\r\n"
                               "Requires-Dist: awscli<1.29.18,>=1.29.17\r\n"
                               "  ; extra == \"awscli\"\r\n"
                               "Provides-Extra: awscli\r\n"
                               "\r\n"
                               "Requires-Dist: not-a-field (the long description)\r\n";
  CHECK(pypi::parse_metadata_requires_dist(metadata) ==
        std::vector<std::string>{"botocore (<1.31.18,>=1.31.17)", "aiohttp<4.0.0,>=3.7.4.post0",
                                 "awscli<1.29.18,>=1.29.17 ; extra == \"awscli\""});
  CHECK(pypi::parse_metadata_requires_dist("Name: six\nVersion: 1.16.0\n").empty());
  CHECK(pypi::parse_metadata_requires_dist("").empty());
}

TEST_CASE("pypi metadata: info.version and info.requires_dist of a JSON API document",
          "[unit][pypi][metadata]") {
  auto doc = pypi::parse_json_requirements(
      R"({"info": {"version": "1.28.25", "requires_dist": ["botocore<1.32.0,>=1.31.25", 7]}})");
  REQUIRE(doc);
  CHECK(doc->version == "1.28.25");
  CHECK(doc->requires_dist == std::vector<std::string>{"botocore<1.32.0,>=1.31.25"});
  auto none =
      pypi::parse_json_requirements(R"({"info": {"version": "1.0", "requires_dist": null}})");
  REQUIRE(none);
  CHECK_FALSE(none->requires_dist.has_value());
  CHECK_FALSE(pypi::parse_json_requirements("{\"info\": ").has_value());
}

TEST_CASE("pypi metadata: RFC 3986 reference resolution and PEP 658 URLs",
          "[unit][pypi][metadata]") {
  // RFC 3986 section 5.4's base and a selection of its normal and abnormal examples.
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> examples = {{"g:h", "g:h"},
                                                                     {"g", "http://a/b/c/g"},
                                                                     {"./g", "http://a/b/c/g"},
                                                                     {"g/", "http://a/b/c/g/"},
                                                                     {"/g", "http://a/g"},
                                                                     {"//g", "http://g"},
                                                                     {"?y", "http://a/b/c/d;p?y"},
                                                                     {"g?y", "http://a/b/c/g?y"},
                                                                     {"#s", "http://a/b/c/d;p?q#s"},
                                                                     {"", "http://a/b/c/d;p?q"},
                                                                     {".", "http://a/b/c/"},
                                                                     {"..", "http://a/b/"},
                                                                     {"../g", "http://a/b/g"},
                                                                     {"../..", "http://a/"},
                                                                     {"../../g", "http://a/g"},
                                                                     {"../../../g", "http://a/g"},
                                                                     {"/./g", "http://a/g"},
                                                                     {"g.", "http://a/b/c/g."},
                                                                     {"..g", "http://a/b/c/..g"},
                                                                     {"./../g", "http://a/b/g"},
                                                                     {"g/./h", "http://a/b/c/g/h"},
                                                                     {"g/../h", "http://a/b/c/h"}};
  for (const auto& [ref, want] : examples) {
    INFO(ref);
    CHECK(pypi::resolve_url(base, ref) == want);
  }
  // A simple index page and its files.
  const std::string page = "https://user:pw@nexus.example/repository/pypi/simple/aiobotocore/";
  CHECK(pypi::resolve_url(page, "../../packages/aiobotocore-2.6.0-py3-none-any.whl#sha256=ab") ==
        "https://user:pw@nexus.example/repository/pypi/packages/aiobotocore-2.6.0-py3-none-any.whl"
        "#sha256=ab");
  CHECK(pypi::resolve_url(page, "https://files.pythonhosted.org/packages/x.whl") ==
        "https://files.pythonhosted.org/packages/x.whl");
  CHECK(pypi::metadata_url("https://h/x-1.0-py3-none-any.whl#sha256=ab") ==
        "https://h/x-1.0-py3-none-any.whl.metadata");
}

namespace {

const std::string k_base = "https://pypi.example";

// A JSON API project document with one wheel per version; info describes `info_version`.
std::string json_project(const std::string& name, const std::vector<std::string>& versions,
                         const std::string& info_version, const nlohmann::json& requires_dist) {
  nlohmann::json doc{
      {"info", {{"name", name}, {"version", info_version}, {"requires_dist", requires_dist}}},
      {"releases", nlohmann::json::object()}};
  for (const auto& v : versions)
    doc["releases"][v] = {
        {{"filename", name + "-" + v + "-py3-none-any.whl"},
         {"upload_time_iso_8601", "2023-08-11T00:00:00Z"},
         {"yanked", false},
         {"url", "https://files.example/" + name + "-" + v + "-py3-none-any.whl"}}};
  return doc.dump();
}

// A PEP 691 page whose files announce metadata as given: (filename, core-metadata JSON, yanked).
std::string
simple_project(const std::string& name,
               const std::vector<std::tuple<std::string, nlohmann::json, bool>>& files) {
  nlohmann::json doc{
      {"meta", {{"api-version", "1.1"}}}, {"name", name}, {"files", nlohmann::json::array()}};
  for (const auto& [filename, metadata, yanked] : files) {
    nlohmann::json f{{"filename", filename},
                     {"url", "../../files/" + filename},
                     {"hashes", nlohmann::json::object()},
                     {"yanked", yanked}};
    if (!metadata.is_null()) f["core-metadata"] = metadata;
    doc["files"].push_back(f);
  }
  return doc.dump();
}

struct Fixture {
  test::FakeHttp http;
  pypi::Index index{http, k_base};

  std::vector<pypi::Lookup> fetch(const std::vector<std::string>& names) {
    auto l = index.fetch(names, {});
    REQUIRE(l);
    return *l;
  }
};

} // namespace

TEST_CASE("pypi requirements: info.requires_dist of the latest release costs no request",
          "[unit][pypi][metadata]") {
  Fixture f;
  f.http.on(
      k_base + "/pypi/boto3/json", 200,
      json_project("boto3", {"1.28.17", "1.28.25"}, "1.28.25", {"botocore<1.32.0,>=1.31.25"}));
  auto lookups = f.fetch({"boto3"});
  const auto before = f.http.requests.size();
  auto r = f.index.requirements({{"boto3", &lookups[0], "1.28.25"}}, {});
  REQUIRE(r);
  CHECK(f.http.requests.size() == before);
  CHECK((*r)[0].requires_dist == std::vector<std::string>{"botocore<1.32.0,>=1.31.25"});
}

TEST_CASE("pypi requirements: another release than info.version is one per-version request",
          "[unit][pypi][metadata]") {
  Fixture f;
  // info describes 2.5.4 (a stale index, or the latest chosen differs): 2.6.0 needs its own
  // document.
  f.http.on(
      k_base + "/pypi/aiobotocore/json", 200,
      json_project("aiobotocore", {"2.5.4", "2.6.0"}, "2.5.4", {"botocore<1.32.0,>=1.31.17"}));
  f.http.on(k_base + "/pypi/aiobotocore/2.6.0/json", 200,
            R"({"info": {"version": "2.6.0", "requires_dist": ["botocore<1.31.18,>=1.31.17"]}})");
  // A release whose document has no requirements, and one the index no longer has.
  f.http.on(k_base + "/pypi/bare/json", 200, json_project("bare", {"1.0"}, "0.9", nullptr));
  f.http.on(k_base + "/pypi/bare/1.0/json", 200,
            R"({"info": {"version": "1.0", "requires_dist": null}})");
  f.http.on(k_base + "/pypi/gone/json", 200, json_project("gone", {"1.0"}, "0.9", nullptr));
  f.http.on(k_base + "/pypi/gone/1.0/json", 404, "{}");
  auto lookups = f.fetch({"aiobotocore", "bare", "gone"});
  f.http.requests.clear();
  auto r = f.index.requirements({{"aiobotocore", &lookups[0], "2.6.0"},
                                 {"bare", &lookups[1], "1.0"},
                                 {"gone", &lookups[2], "1.0"}},
                                {});
  REQUIRE(r);
  REQUIRE(f.http.requests.size() == 3); // one each, in one batch
  CHECK(f.http.requests[0].url == k_base + "/pypi/aiobotocore/2.6.0/json");
  CHECK((*r)[0].requires_dist == std::vector<std::string>{"botocore<1.31.18,>=1.31.17"});
  CHECK_FALSE((*r)[1].requires_dist.has_value());
  CHECK_FALSE((*r)[2].requires_dist.has_value()); // unknown, not an error
  CHECK((*r)[2].source == "HTTP 404 from " + k_base + "/pypi/gone/1.0/json");
}

TEST_CASE("pypi requirements: on a simple index, the PEP 658 metadata of a wheel, relative URLs "
          "resolved",
          "[unit][pypi][metadata]") {
  Fixture f;
  for (const auto* name : {"aiobotocore", "nometa", "yanked"})
    f.http.on(k_base + "/pypi/" + std::string(name) + "/json", 404, "{}");
  f.http.on(k_base + "/simple/aiobotocore/", 200,
            simple_project("aiobotocore",
                           {{"aiobotocore-2.6.0.tar.gz", true, false},
                            {"aiobotocore-2.6.0-py3-none-any.whl", {{"sha256", "ab"}}, false},
                            {"aiobotocore-2.5.4-py3-none-any.whl", true, false}}),
            {{"content-type", "application/vnd.pypi.simple.v1+json"}});
  f.http.on(k_base + "/files/aiobotocore-2.6.0-py3-none-any.whl.metadata", 200,
            "Metadata-Version: 2.1\nName: aiobotocore\nVersion: 2.6.0\n"
            "Requires-Dist: botocore<1.31.18,>=1.31.17\n\nbody\n");
  f.http.on(k_base + "/simple/nometa/", 200,
            simple_project("nometa", {{"nometa-1.0-py3-none-any.whl", false, false}}),
            {{"content-type", "application/vnd.pypi.simple.v1+json"}});
  f.http.on(k_base + "/simple/yanked/", 200,
            simple_project("yanked", {{"yanked-1.0-py3-none-any.whl", true, true},
                                      {"yanked-1.0.tar.gz", true, false}}),
            {{"content-type", "application/vnd.pypi.simple.v1+json"}});
  f.http.on(k_base + "/files/yanked-1.0.tar.gz.metadata", 200,
            "Name: yanked\nRequires-Dist: six\n");
  auto lookups = f.fetch({"aiobotocore", "nometa", "yanked"});
  REQUIRE(lookups[0].simple);
  f.http.requests.clear();
  auto r = f.index.requirements({{"aiobotocore", &lookups[0], "2.6.0"},
                                 {"nometa", &lookups[1], "1.0"},
                                 {"yanked", &lookups[2], "1.0"}},
                                {});
  REQUIRE(r);
  REQUIRE(f.http.requests.size() == 2); // nothing to ask for nometa
  CHECK(f.http.requests[0].url == k_base + "/files/aiobotocore-2.6.0-py3-none-any.whl.metadata");
  CHECK((*r)[0].requires_dist == std::vector<std::string>{"botocore<1.31.18,>=1.31.17"});
  CHECK_FALSE((*r)[1].requires_dist.has_value());
  CHECK((*r)[2].requires_dist == std::vector<std::string>{"six"}); // the yanked wheel is skipped
}

TEST_CASE("pypi requirements: metadata over plain http from an https index is not fetched",
          "[unit][pypi][metadata]") {
  Fixture f;
  f.http.on(k_base + "/pypi/a/json", 404, "{}");
  nlohmann::json page{{"name", "a"},
                      {"files",
                       {{{"filename", "a-1.0-py3-none-any.whl"},
                         {"url", "http://files.example/a-1.0-py3-none-any.whl"},
                         {"data-dist-info-metadata", true}}}}};
  f.http.on(k_base + "/simple/a/", 200, page.dump(),
            {{"content-type", "application/vnd.pypi.simple.v1+json"}});
  auto lookups = f.fetch({"a"});
  f.http.requests.clear();
  auto r = f.index.requirements({{"a", &lookups[0], "1.0"}}, {});
  REQUIRE(r);
  CHECK(f.http.requests.empty());
  CHECK_FALSE((*r)[0].requires_dist.has_value());
  CHECK_THAT((*r)[0].source, Catch::Contains("not https from an https index"));
}
