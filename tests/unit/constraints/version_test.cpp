#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

using namespace breeze;
using constraints::Specifier;
using constraints::SpecifierSet;
using constraints::Version;

namespace {

// One JSON value per line (tests/fixtures/pep440/README.md).
std::vector<nlohmann::json> load_jsonl(const std::string& name) {
  std::istringstream in(test::read_file(test::fixture("pep440/" + name)));
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  REQUIRE_FALSE(out.empty());
  return out;
}

Version v(std::string_view text) {
  auto parsed = Version::parse(text);
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}

// For a component file: every pair [version, expected], checked by `check`.
template <typename Check> void each_pair(const std::string& file, Check check) {
  for (const auto& pair : load_jsonl(file)) {
    const auto text = pair.at(0).get<std::string>();
    INFO(file << ": " << text);
    check(v(text), pair.at(1));
  }
}

} // namespace

TEST_CASE("every pair of the 92 sorted versions is ordered", "[constraints][pep440]") {
  std::vector<Version> sorted;
  for (const auto& j : load_jsonl("versions_sorted.jsonl"))
    sorted.push_back(v(j.get<std::string>()));
  REQUIRE(sorted.size() == 92);
  for (std::size_t i = 0; i < sorted.size(); ++i)
    for (std::size_t k = 0; k < sorted.size(); ++k) {
      const auto& a = sorted[i];
      const auto& b = sorted[k];
      INFO(a.str() << " vs " << b.str());
      CHECK((a < b) == (i < k));
      CHECK((a <= b) == (i <= k));
      CHECK((a == b) == (i == k));
      CHECK((a != b) == (i != k));
      CHECK((a >= b) == (i >= k));
      CHECK((a > b) == (i > k));
    }
}

TEST_CASE("invalid version strings are rejected", "[constraints][pep440]") {
  const auto invalid = load_jsonl("versions_invalid.jsonl");
  CHECK(invalid.size() == 20);
  for (const auto& j : invalid) {
    const auto text = j.get<std::string>();
    INFO(text);
    auto parsed = Version::parse(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == ErrorKind::usage);
    CHECK(parsed.error().message.find("invalid PEP 440 version") != std::string::npos);
  }
  for (auto text : {"", " ", "1.0+", "1.0+.a", "1!", "!1.0", "v", "1.0-", "1.0.dev1.dev2",
                    "1.0a1a2", "99999999999999999999999.0", "1.0post1post2"}) {
    INFO(text);
    CHECK_FALSE(Version::parse(text));
  }
}

TEST_CASE("versions normalise like packaging", "[constraints][pep440]") {
  const auto pairs = load_jsonl("versions_normalized.jsonl");
  CHECK(pairs.size() == 102);
  for (const auto& pair : pairs) {
    const auto input = pair.at(0).get<std::string>();
    INFO(input);
    CHECK(v(input).str() == pair.at(1).get<std::string>());
  }
  for (const auto& pair : load_jsonl("versions_str.jsonl")) {
    const auto input = pair.at(0).get<std::string>();
    INFO(input);
    CHECK(v(input).str() == pair.at(1).get<std::string>());
  }
}

TEST_CASE("version components match packaging", "[constraints][pep440]") {
  each_pair("version_public.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.public_version() == e.get<std::string>());
  });
  each_pair("version_base_version.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.base_version() == e.get<std::string>());
  });
  each_pair("version_epoch.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.epoch() == e.get<std::uint64_t>());
  });
  each_pair("version_release.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.release() == e.get<std::vector<std::uint64_t>>());
  });
  each_pair("version_local.jsonl", [](const Version& x, const nlohmann::json& e) {
    if (e.is_null())
      CHECK_FALSE(x.local().has_value());
    else
      CHECK(x.local() == e.get<std::string>());
  });
  each_pair("version_pre.jsonl", [](const Version& x, const nlohmann::json& e) {
    if (e.is_null()) {
      CHECK_FALSE(x.pre().has_value());
    } else {
      REQUIRE(x.pre().has_value());
      CHECK(x.pre()->first == e.at(0).get<std::string>());
      CHECK(x.pre()->second == e.at(1).get<std::uint64_t>());
    }
  });
  for (const auto* file : {"version_dev.jsonl", "version_post.jsonl"}) {
    const bool dev = std::string(file) == "version_dev.jsonl";
    each_pair(file, [dev](const Version& x, const nlohmann::json& e) {
      const auto& got = dev ? x.dev() : x.post();
      if (e.is_null())
        CHECK_FALSE(got.has_value());
      else
        CHECK(got == e.get<std::uint64_t>());
    });
  }
  each_pair("version_is_prerelease.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.is_prerelease() == e.get<bool>());
  });
  each_pair("version_is_devrelease.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.is_devrelease() == e.get<bool>());
  });
  each_pair("version_is_postrelease.jsonl", [](const Version& x, const nlohmann::json& e) {
    CHECK(x.is_postrelease() == e.get<bool>());
  });
}

TEST_CASE("implicit post releases, epochs and local labels order and print",
          "[constraints][pep440]") {
  CHECK(v("1.0-1") == v("1.0.post1"));
  CHECK(v("1.0-1").str() == "1.0.post1");
  CHECK(v("1.0") < v("1.0-1"));
  CHECK(v("1.0.0") == v("1.0"));
  CHECK(v("1.0.0").str() == "1.0.0"); // equal, but str() keeps the release as written
  CHECK(v("1!0.1") > v("2023.9"));
  CHECK(v("1.0+ubuntu-1").str() == "1.0+ubuntu.1");
  CHECK(v("1.0+ubuntu.01") == v("1.0+ubuntu.1"));
  CHECK(v("1.0+ubuntu.01").str() == "1.0+ubuntu.1");
  // packaging's local ordering: numbers sort after letters, longer after its prefix.
  CHECK(v("1.0+abc") < v("1.0+1"));
  CHECK(v("1.0+2") < v("1.0+10"));
  CHECK(v("1.0+abc") < v("1.0+abc.1"));
  CHECK(v("1.0+abc.z") < v("1.0+abc.0"));
  CHECK(v("1.0") < v("1.0+abc"));
  CHECK(v("1.0rc1") < v("1.0"));
  CHECK(v("1.0.dev1") < v("1.0a1"));
  CHECK(v("1.0a1.dev1") < v("1.0a1"));
  CHECK(v("1.0.post1.dev1") < v("1.0.post1"));
  CHECK(v("1.0.post1.dev1") > v("1.0"));
  CHECK(v("18446744073709551615").release() == std::vector<std::uint64_t>{18446744073709551615ULL});
  // Pinned pre/post releases seen in Airflow constraints.
  CHECK(v("2023.3.post1").is_postrelease());
  CHECK(v("0.41b0").is_prerelease());
  CHECK(v("3.0.0rc3").pre() == std::pair<std::string, std::uint64_t>{"rc", 3});
}

TEST_CASE("PEP 503 names canonicalise", "[constraints][pep503]") {
  for (const auto& pair : load_jsonl("names_canonicalize.jsonl")) {
    const auto name = pair.at(0).get<std::string>();
    INFO(name);
    CHECK(constraints::canonicalize_name(name) == pair.at(1).get<std::string>());
    CHECK(constraints::is_valid_name(name));
  }
  for (const auto& pair : load_jsonl("names_invalid_but_normalizable.jsonl")) {
    const auto name = pair.at(0).get<std::string>();
    INFO(name);
    CHECK_FALSE(constraints::is_valid_name(name));
    CHECK(constraints::canonicalize_name(name) == pair.at(1).get<std::string>());
  }
  CHECK(constraints::canonicalize_name("Flask_AppBuilder") == "flask-appbuilder");
  CHECK(constraints::canonicalize_name("backports.zoneinfo") == "backports-zoneinfo");
  CHECK(constraints::canonicalize_name("PyYAML") == "pyyaml");
  CHECK(constraints::is_valid_name("a"));
  CHECK(constraints::is_valid_name("zope.event"));
  CHECK_FALSE(constraints::is_valid_name(""));
  CHECK_FALSE(constraints::is_valid_name("foo-"));
  CHECK_FALSE(constraints::is_valid_name("foo bar"));
}

namespace {
Specifier spec(std::string_view text) {
  auto parsed = Specifier::parse(text);
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}
} // namespace

TEST_CASE("specifier syntax follows packaging", "[constraints][specifier]") {
  for (auto text : {"==1.0", "!=1.0", "<=1.0", ">=1.0", "<1.0", ">1.0", "~=1.0", "===foo",
                    "==1.2.*", "!=1.2.*", "== 1.0", "  >=1.0 ", "==1.0+local", "!=1.0+local",
                    "~=1.0a1", "==v1.0", "==1!1.0.*", ">=1.0.post1.dev3"}) {
    INFO(text);
    CHECK(Specifier::parse(text));
  }
  for (auto text : {"", "1.0", "=1.0", "=>1.0", "~=1", "~=1.0+local", "<=1.0+local", ">1.0.*",
                    "==1.0a1.*", "==1.0.*.*", "==1.*.0", "==1.0 .*", "==1. 0", "=== a b", "===a;b",
                    ">=french toast", "==1.0.dev1.*", "==1.0+abc.*"}) {
    INFO(text);
    auto parsed = Specifier::parse(text);
    CHECK_FALSE(parsed);
    if (!parsed) CHECK(parsed.error().kind == ErrorKind::usage);
  }
  const auto s = spec(" == 1.2.* ");
  CHECK(s.op() == "==");
  CHECK(s.version() == "1.2.*");
  CHECK(s.str() == "==1.2.*");
}

TEST_CASE("specifiers match versions like packaging", "[constraints][specifier]") {
  struct Case {
    const char* spec;
    const char* version;
    bool expected;
  };
  // Each row was checked against python3-packaging 23.0 (Specifier(s).contains(v)).
  const Case cases[] = {
      {"==2.0", "2.0", true},
      {"==2.0", "2.0.0", true},
      {"==2.0", "2.0+deadbeef", true},
      {"==2.0+abc", "2.0+abc", true},
      {"==2.0+abc", "2.0", false},
      {"==2.0+abc", "2.0+abd", false},
      {"==2.0", "2.1", false},
      {"==2.*", "2.0", true},
      {"==2.*", "2.9.1", true},
      {"==2.*", "3.0", false},
      {"==2.0.*", "2.0.0.1", true},
      {"==2.0.*", "2", true},
      {"==2.0.*", "2.0.post1", true},
      {"==2.0.*", "2.0+local", true},
      {"==2.0.*", "2.1", false},
      {"==1!2.*", "2.0", false},
      {"==1!2.*", "1!2.3", true},
      {"!=2.0", "2.0", false},
      {"!=2.0", "2.0.1", true},
      {"!=2.0.*", "2.0.5", false},
      {"!=2.0.*", "2.1", true},
      {"<=2.0", "2.0", true},
      {"<=2.0", "2.0+local", true},
      {"<=2.0", "2.0.1", false},
      {">=2.0", "2.0", true},
      {">=2.0", "1.9", false},
      {"<2.0", "1.9", true},
      {"<2.0", "2.0", false},
      {"<2.0", "2.0rc1", false},
      {"<2.0rc2", "2.0rc1", false},
      {"<2.0", "1.9.post1", true},
      {">2.0", "2.1", true},
      {">2.0", "2.0", false},
      {">2.0", "2.0.post1", false},
      {">2.0.post1", "2.0.post2", true},
      {">2.0", "2.0+local", false},
      {">2.0", "2.0.1+local", true},
      {"~=2.2", "2.3", true},
      {"~=2.2", "2.2", true},
      {"~=2.2", "2.1", false},
      {"~=2.2", "3.0", false},
      {"~=2.2.0", "2.2.9", true},
      {"~=2.2.0", "2.3", false},
      {"~=2.2.post3", "2.2.post4", true},
      {"~=2.2.post3", "2.2", false},
      {"~=1!2.2", "1!2.5", true},
      {"~=1!2.2", "2.5", false},
      {"===2.0", "2.0", true},
      {"===2.0", "2.0.0", false},
      {"===2.0+ABC", "2.0+abc", true},
      {"==2.0", "2.0rc1", false},
      {">=1.0", "2.0rc1", false},
      {">=1.0rc1", "2.0rc1", true},
      {"==2.0rc1", "2.0rc1", true},
      {"~=2.0rc1", "2.0rc2", true},
      {"<=2.0rc1", "2.0.dev1", true},
      {">1.0rc1", "2.0rc1", false},
      {"<3.0rc1", "2.0rc1", false},
      {"!=2.0rc1", "2.0rc2", false},
      {"==2.0.*", "2.0rc1", false},
  };
  for (const auto& c : cases) {
    INFO(c.spec << " contains " << c.version);
    CHECK(spec(c.spec).contains(v(c.version)) == c.expected);
    CHECK(spec(c.spec).contains(std::string_view(c.version)) == c.expected);
  }
  // prereleases=true admits pre-releases wherever the operator does.
  CHECK(spec(">=1.0").contains(v("2.0rc1"), true));
  CHECK(spec("<2.0").contains(v("1.0rc1"), true));
  CHECK_FALSE(spec("<2.0").contains(v("2.0rc1"), true));
  CHECK(spec("==2.0.*").contains(v("2.0rc1"), true));
  CHECK(spec(">=1.0").prereleases() == false);
  CHECK(spec(">=1.0.dev1").prereleases() == true);
  CHECK(spec("<1.0.dev1").prereleases() == false);
  // Raw strings: === compares text, other operators need a valid version.
  CHECK(spec("===foobar").contains(std::string_view("FooBar")));
  CHECK_FALSE(spec("==1.0").contains(std::string_view("french toast")));
}

TEST_CASE("specifier sets intersect their specifiers", "[constraints][specifier]") {
  auto set = SpecifierSet::parse(">=1.0, <2.0,, !=1.5.*");
  REQUIRE(set);
  CHECK(set->specifiers().size() == 3);
  CHECK(set->contains(v("1.0")));
  CHECK(set->contains(v("1.4.9")));
  CHECK_FALSE(set->contains(v("1.5.1")));
  CHECK_FALSE(set->contains(v("2.0")));
  CHECK_FALSE(set->contains(v("1.6rc1")));
  CHECK(set->contains(v("1.6rc1"), true));

  auto empty = SpecifierSet::parse("  ");
  REQUIRE(empty);
  CHECK(empty->specifiers().empty());
  CHECK(empty->contains(v("99.0")));
  CHECK_FALSE(empty->contains(v("1.0a1")));
  CHECK(empty->contains(v("1.0a1"), true));

  // One specifier naming a pre-release opens the whole set to pre-releases (packaging).
  auto pre = SpecifierSet::parse(">=1.0rc1,<3");
  REQUIRE(pre);
  CHECK(pre->contains(v("2.0b1")));

  auto bad = SpecifierSet::parse(">=1.0,foo");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("'foo'") != std::string::npos);
}
