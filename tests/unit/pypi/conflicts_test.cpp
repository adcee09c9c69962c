// Conflict analysis on the seed session's real requirements (aiobotocore 2.6.0, botocore 1.31.25
// and boto3 1.28.25, as their setup.py/setup.cfg give them at those tags) plus decoys.
#include <support/catch.hpp>

#include <breeze/constraints/names.hpp>
#include <breeze/pypi/conflicts.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace breeze;
using pypi::ConflictCandidate;
using pypi::ConflictKind;

namespace {

ConflictCandidate candidate(std::string name, std::string pinned, std::string latest,
                            std::optional<std::vector<std::string>> requires_dist) {
  auto normalized = constraints::canonicalize_name(name);
  return {std::move(name), std::move(normalized), std::move(pinned), std::move(latest),
          std::move(requires_dist)};
}

ConflictCandidate aiobotocore() {
  return candidate("aiobotocore", "2.5.4", "2.6.0",
                   std::vector<std::string>{"botocore<1.31.18,>=1.31.17",
                                            "aiohttp<4.0.0,>=3.7.4.post0", "wrapt<2.0.0,>=1.10.10",
                                            "aioitertools<1.0.0,>=0.5.1",
                                            "awscli<1.29.18,>=1.29.17 ; extra == \"awscli\"",
                                            "boto3<1.28.18,>=1.28.17 ; extra == \"boto3\""});
}

ConflictCandidate botocore() {
  return candidate("botocore", "1.31.0", "1.31.25",
                   std::vector<std::string>{"jmespath<2.0.0,>=0.7.1", "python-dateutil<3.0.0,>=2.1",
                                            "urllib3<1.27,>=1.25.4 ; python_version < \"3.10\"",
                                            "urllib3<2.1,>=1.25.4 ; python_version >= \"3.10\""});
}

ConflictCandidate boto3() {
  return candidate("boto3", "1.28.0", "1.28.25",
                   std::vector<std::string>{"botocore<1.32.0,>=1.31.25", "jmespath<2.0.0,>=0.7.1",
                                            "s3transfer<0.7.0,>=0.6.0"});
}

// The constraints file's pins (PEP 503 names), candidates included.
std::map<std::string, std::string> pins() {
  return {{"aiobotocore", "2.5.4"},     {"aiohttp", "3.8.5"},    {"aioitertools", "0.11.0"},
          {"boto3", "1.28.0"},          {"botocore", "1.31.0"},  {"jmespath", "1.0.1"},
          {"python-dateutil", "2.8.2"}, {"s3transfer", "0.6.1"}, {"urllib3", "2.0.4"},
          {"wrapt", "1.15.0"},          {"awscli", "1.29.0"}};
}

// The session's candidates with decoys around them, in a file order that puts aiobotocore last
// among the ones that matter, so its rank cannot come from the order.
std::vector<ConflictCandidate> seed_candidates() {
  return {
      // a bound excluding botocore 1.31.25, but only on Python 2
      candidate("Decoy_Python2", "1.0", "1.1",
                std::vector<std::string>{"botocore<1.20 ; python_version < \"3\""}),
      // a bound that the newest botocore satisfies
      candidate("decoy-satisfied", "1.0", "1.1", std::vector<std::string>{"botocore<2.0,>=1.31.0"}),
      // an upper bound under an extra that nobody requests
      candidate("decoy.extra", "1.0", "1.1",
                std::vector<std::string>{"botocore<1.30 ; extra == \"aws\""}),
      boto3(),
      botocore(),
      aiobotocore(),
  };
}

const pypi::CandidateConflicts& entry(const pypi::ConflictReport& r, const std::string& name) {
  auto it = std::find_if(r.candidates.begin(), r.candidates.end(),
                         [&](const pypi::CandidateConflicts& c) { return c.name == name; });
  REQUIRE(it != r.candidates.end());
  return *it;
}

constraints::MarkerEnvironment py311() { return constraints::MarkerEnvironment::for_linux("3.11"); }

} // namespace

TEST_CASE("conflicts: aiobotocore pegging botocore is the first suspect of the seed session",
          "[unit][pypi][conflicts]") {
  auto r = pypi::find_conflicts(seed_candidates(), pins(), py311());
  REQUIRE(r.candidates.size() == 6);
  REQUIRE_FALSE(r.suspects.empty());
  CHECK(r.suspects.front() == "aiobotocore");
  CHECK(r.suspects == std::vector<std::string>{"aiobotocore"});

  const auto& a = entry(r, "aiobotocore");
  CHECK(a.known);
  CHECK(a.unparsable == 0);
  REQUIRE(a.conflicts.size() == 1); // the extras' awscli/boto3 pins are not installed
  CHECK(a.conflicts[0].package == "botocore");
  CHECK(a.conflicts[0].requirement == "botocore<1.31.18,>=1.31.17");
  CHECK(a.conflicts[0].excludes == "1.31.25");
  CHECK(a.conflicts[0].kind == ConflictKind::excludes_new);
  CHECK(a.conflicts[0].upper_bound);
}

TEST_CASE("conflicts: boto3's satisfied lower bound and the decoys are no suspects",
          "[unit][pypi][conflicts]") {
  auto r = pypi::find_conflicts(seed_candidates(), pins(), py311());
  for (const auto* name :
       {"boto3", "botocore", "Decoy_Python2", "decoy-satisfied", "decoy.extra"}) {
    INFO(name);
    CHECK(entry(r, name).conflicts.empty());
    CHECK(std::find(r.suspects.begin(), r.suspects.end(), name) == r.suspects.end());
  }
  // boto3 1.28.25 needs botocore>=1.31.25: the pin 1.31.0 is excluded, but botocore is a candidate
  // too and the upgrade moves it to 1.31.25, which fits.
  CHECK(entry(r, "boto3").known);
}

TEST_CASE("conflicts: markers are evaluated for the target Python", "[unit][pypi][conflicts]") {
  // On 3.8 botocore's urllib3<1.27 applies and excludes the pinned urllib3 2.0.4.
  auto r = pypi::find_conflicts(seed_candidates(), pins(),
                                constraints::MarkerEnvironment::for_linux("3.8"));
  CHECK(r.suspects == std::vector<std::string>{"aiobotocore", "botocore"});
  const auto& b = entry(r, "botocore");
  REQUIRE(b.conflicts.size() == 1);
  CHECK(b.conflicts[0].package == "urllib3");
  CHECK(b.conflicts[0].requirement == "urllib3<1.27,>=1.25.4");
  CHECK(b.conflicts[0].excludes == "2.0.4");
  CHECK(b.conflicts[0].kind == ConflictKind::excludes_pin);
  CHECK_FALSE(b.conflicts[0].upper_bound);
}

TEST_CASE("conflicts: an upper bound on a new release outranks a lower bound, which outranks a pin",
          "[unit][pypi][conflicts]") {
  auto candidates = std::vector<ConflictCandidate>{
      // excludes the pinned jmespath 1.0.1 (jmespath is no candidate)
      candidate("needs-new-jmespath", "1.0", "2.0", std::vector<std::string>{"jmespath>=2.0"}),
      // excludes the newest botocore, but from below: not the typical culprit
      candidate("needs-future-botocore", "1.0", "2.0", std::vector<std::string>{"botocore>=1.32"}),
      botocore(),
      aiobotocore(),
  };
  auto r = pypi::find_conflicts(candidates, pins(), py311());
  CHECK(r.suspects ==
        std::vector<std::string>{"aiobotocore", "needs-future-botocore", "needs-new-jmespath"});
  const auto& lower = entry(r, "needs-future-botocore").conflicts;
  REQUIRE(lower.size() == 1);
  CHECK(lower[0].kind == ConflictKind::excludes_new);
  CHECK_FALSE(lower[0].upper_bound);
  const auto& pin = entry(r, "needs-new-jmespath").conflicts;
  REQUIRE(pin.size() == 1);
  CHECK(pin[0].kind == ConflictKind::excludes_pin);
  CHECK(pin[0].excludes == "1.0.1");
}

TEST_CASE("conflicts: equal weights keep the file order", "[unit][pypi][conflicts]") {
  auto candidates = std::vector<ConflictCandidate>{
      candidate("zeta", "1.0", "2.0", std::vector<std::string>{"botocore==1.31.0"}),
      botocore(),
      candidate("alpha", "1.0", "2.0", std::vector<std::string>{"botocore~=1.30.0"}),
  };
  auto r = pypi::find_conflicts(candidates, pins(), py311());
  CHECK(r.suspects == std::vector<std::string>{"zeta", "alpha"});
}

TEST_CASE(
    "conflicts: missing metadata leaves a candidate unranked, bad lines are skipped and counted",
    "[unit][pypi][conflicts]") {
  auto candidates = std::vector<ConflictCandidate>{
      candidate("unknown", "1.0", "2.0", std::nullopt),
      candidate("sloppy", "1.0", "2.0",
                std::vector<std::string>{"botocore<<1", "not a requirement ;;", "botocore<1.31"}),
      botocore(),
  };
  auto r = pypi::find_conflicts(candidates, pins(), py311());
  CHECK_FALSE(entry(r, "unknown").known);
  CHECK(entry(r, "unknown").conflicts.empty());
  CHECK(entry(r, "sloppy").unparsable == 2);
  CHECK(entry(r, "sloppy").conflicts.size() == 1);
  CHECK(r.suspects == std::vector<std::string>{"sloppy"});
}

TEST_CASE(
    "conflicts: names match PEP 503-normalised and a package's requirement on itself is ignored",
    "[unit][pypi][conflicts]") {
  auto candidates = std::vector<ConflictCandidate>{
      candidate("Flask_AppBuilder", "4.3.3", "4.3.5",
                std::vector<std::string>{"flask-appbuilder[oauth]>=5 ; extra == \"all\"",
                                         "Flask-AppBuilder<4"}),
      candidate("Some.Lib", "1.0", "1.1",
                std::vector<std::string>{"flask_appbuilder<4.3.4", "JMESPath>=2"}),
  };
  auto r = pypi::find_conflicts(candidates, pins(), py311());
  CHECK(entry(r, "Flask_AppBuilder").conflicts.empty());
  const auto& lib = entry(r, "Some.Lib").conflicts;
  REQUIRE(lib.size() == 2);
  CHECK(lib[0].package == "flask-appbuilder");
  CHECK(lib[0].requirement == "flask_appbuilder<4.3.4"); // as the metadata spells it
  CHECK(lib[0].excludes == "4.3.5");
  CHECK(lib[1].package == "jmespath");
  CHECK(lib[1].excludes == "1.0.1");
}

TEST_CASE("conflicts: the text block names each culprit's requirement and what it excludes",
          "[unit][pypi][conflicts]") {
  auto candidates = seed_candidates();
  candidates.push_back(
      candidate("needs-new-jmespath", "1.0", "2.0", std::vector<std::string>{"jmespath>=2.0"}));
  auto r = pypi::find_conflicts(candidates, pins(), py311());
  CHECK(pypi::render_conflicts_text(r) ==
        "Likely culprits (from the packages' own requirements):\n"
        "aiobotocore 2.6.0 requires botocore<1.31.18,>=1.31.17, which excludes botocore 1.31.25 "
        "(also new)\n"
        "needs-new-jmespath 2.0 requires jmespath>=2.0, which excludes jmespath 1.0.1 (pinned)\n");
  CHECK(pypi::render_conflicts_text(pypi::find_conflicts({boto3(), botocore()}, pins(), py311()))
            .empty());
  // Without botocore among the candidates boto3's botocore>=1.31.25 does exclude the pin 1.31.0.
  CHECK(pypi::render_conflicts_text(pypi::find_conflicts({boto3()}, pins(), py311())) ==
        "Likely culprits (from the packages' own requirements):\n"
        "boto3 1.28.25 requires botocore<1.32.0,>=1.31.25, which excludes botocore 1.31.0 "
        "(pinned)\n");
}

TEST_CASE("conflicts: the text block strips control characters from the metadata",
          "[unit][pypi][conflicts]") {
  auto evil = candidate("evil", "1.0", "2.0\x1b[2J", std::vector<std::string>{"jmespath>=2.0"});
  auto text = pypi::render_conflicts_text(pypi::find_conflicts({evil}, pins(), py311()));
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("evil 2.0[2J requires jmespath>=2.0"));
}

TEST_CASE("conflicts: JSON gets ranked suspects and per-candidate conflicts",
          "[unit][pypi][conflicts]") {
  auto r = pypi::find_conflicts(seed_candidates(), pins(), py311());
  nlohmann::json doc{{"checked", 6}, {"candidates", nlohmann::json::array()}};
  for (const auto* name : {"Decoy_Python2", "boto3", "aiobotocore", "not-analysed"})
    doc["candidates"].push_back({{"name", name}});
  pypi::add_conflicts_json(doc, r);
  CHECK(doc["suspects"] == nlohmann::json::array({"aiobotocore"}));
  CHECK(doc["candidates"][2]["conflicts"] == nlohmann::json::parse(R"([{"package": "botocore",
      "requirement": "botocore<1.31.18,>=1.31.17", "excludes": "1.31.25", "kind": "excludes_new"}])"));
  CHECK(doc["candidates"][2]["requirements_known"] == true);
  CHECK(doc["candidates"][1]["conflicts"] == nlohmann::json::array());
  CHECK(doc["candidates"][0]["conflicts"] == nlohmann::json::array());
  CHECK_FALSE(doc["candidates"][3].contains("conflicts"));
  CHECK(doc["checked"] == 6);

  auto unknown =
      pypi::find_conflicts({candidate("unknown", "1.0", "2.0", std::nullopt)}, pins(), py311());
  nlohmann::json small{{"candidates", {{{"name", "unknown"}}}}};
  pypi::add_conflicts_json(small, unknown);
  CHECK(small["suspects"] == nlohmann::json::array());
  CHECK(small["candidates"][0]["requirements_known"] == false);
}
