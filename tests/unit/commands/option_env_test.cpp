#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/commands/option_env.hpp>

#include <CLI/CLI.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace breeze;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
}
} // namespace

TEST_CASE("option variables come from the injected environment, never from the real one",
          "[unit][env]") {
  // The developer's shell exports Breeze's variables: in-process runs must not see them.
  test::ScopedEnv answer("ANSWER", "yes");
  test::ScopedEnv dry_run("DRY_RUN", "true");
  test::ScopedEnv repo("GITHUB_REPOSITORY", "real/shell");
  {
    test::InProcess app;
    REQUIRE(app.run({"version"}) == 0);
    CHECK_THAT(app.out.str(), Catch::Contains("GitHub repository: apache/airflow"));
  }
  {
    // No ANSWER in the injected environment: emulation asks (and the empty script is a usage
    // error).
    test::InProcess app;
    CHECK(app.run({"setup", "emulation"}) == 2);
    CHECK(app.prompter.questions.size() == 1);
    CHECK(app.runner.calls.empty());
  }
  {
    test::InProcess app;
    app.env["ANSWER"] = "yes";
    app.env["GITHUB_REPOSITORY"] = "injected/env";
    REQUIRE(app.run({"setup", "emulation"}) == 0);
    CHECK(app.prompter.questions.empty());
    CHECK_FALSE(app.runner.calls.empty()); // not a dry run: DRY_RUN is only in the real environment
    test::InProcess version;
    version.env["GITHUB_REPOSITORY"] = "injected/env";
    REQUIRE(version.run({"version"}) == 0);
    CHECK_THAT(version.out.str(), Catch::Contains("GitHub repository: injected/env"));
  }
}

TEST_CASE("a flag on the command line wins over the option's variable, on any level",
          "[unit][env]") {
  test::InProcess app;
  app.env["GITHUB_REPOSITORY"] = "from/env";
  REQUIRE(app.run({"version", "-g", "from/flag"}) == 0);
  CHECK_THAT(app.out.str(), Catch::Contains("GitHub repository: from/flag"));

  // The global --answer given on the group, not on the command, still beats ANSWER.
  test::InProcess group_level;
  group_level.env["ANSWER"] = "yes";
  REQUIRE(group_level.run({"setup", "--answer", "no", "emulation"}) == 0);
  CHECK_THAT(group_level.out.str(), Catch::Contains("Nothing changed."));
  CHECK(group_level.runner.calls.empty());

  test::InProcess command_level;
  command_level.env["ANSWER"] = "yes";
  REQUIRE(command_level.run({"setup", "emulation", "-a", "n"}) == 0);
  CHECK(command_level.runner.calls.empty());
}

TEST_CASE("boolean variables take Breeze's spellings", "[unit][env]") {
  for (const std::string yes : {"true", "1", "yes", "TRUE", "Yes"}) {
    test::InProcess app;
    app.env["DRY_RUN"] = yes;
    INFO("DRY_RUN=" << yes);
    REQUIRE(app.run({"setup", "emulation"}) == 0);
    CHECK(app.runner.calls.empty()); // dry run: printed, not run
    CHECK_THAT(app.out.str(), Catch::Contains("binfmt"));
  }
  for (const std::string no : {"false", "0", "no", "False"}) {
    test::InProcess app;
    app.env["DRY_RUN"] = no;
    app.env["ANSWER"] = "yes";
    INFO("DRY_RUN=" << no);
    REQUIRE(app.run({"setup", "emulation"}) == 0);
    CHECK_FALSE(app.runner.calls.empty());
  }
}

TEST_CASE("a bad value in an option's variable is a usage error naming the variable",
          "[unit][env]") {
  test::InProcess bad_bool;
  bad_bool.env["DRY_RUN"] = "maybe";
  CHECK(bad_bool.run({"version"}) == 2);
  test::InProcess bad_answer;
  bad_answer.env["ANSWER"] = "perhaps";
  CHECK(bad_answer.run({"version"}) == 2);
  test::InProcess bad_repo;
  bad_repo.env["GITHUB_REPOSITORY"] = "no-slash";
  CHECK(bad_repo.run({"version"}) == 2);

  CLI::App app("t");
  bool flag = false;
  std::string word;
  app.add_flag("--flag", flag)->envname("SOME_FLAG");
  app.add_option("--word", word)->envname("SOME_WORD")->check(CLI::IsMember({"a", "b"}));
  const auto bindings = commands::seal(app);
  CHECK(app.get_option("--flag")->get_envname().empty()); // CLI11 itself will not read getenv
  app.parse(std::vector<std::string>{});
  auto filled = commands::fill(bindings, env_of({{"SOME_FLAG", "sometimes"}}));
  REQUIRE_FALSE(filled.has_value());
  CHECK(filled.error().kind == ErrorKind::usage);
  CHECK_THAT(filled.error().message, Catch::Contains("SOME_FLAG=sometimes: not a boolean"));

  for (const auto& [value, ok] : {std::pair<std::string, bool>{"c", false}, {"b", true}}) {
    CLI::App app2("t");
    std::string chosen;
    app2.add_option("--word", chosen)->envname("SOME_WORD")->check(CLI::IsMember({"a", "b"}));
    const auto bindings2 = commands::seal(app2);
    app2.parse(std::vector<std::string>{});
    auto result = commands::fill(bindings2, env_of({{"SOME_WORD", value}}));
    CHECK(result.has_value() == ok);
    if (ok) {
      CHECK(chosen == "b");
    } else {
      CHECK_THAT(result.error().message, Catch::Contains("SOME_WORD=c"));
      CHECK_THAT(result.error().message, Catch::Contains("--word"));
    }
  }
}

TEST_CASE("help still names each option's variable", "[unit][env]") {
  test::InProcess app;
  REQUIRE(app.run({"version", "--help"}) == 0);
  CHECK_THAT(app.out.str(), Catch::Contains("DRY_RUN"));
  CHECK_THAT(app.out.str(), Catch::Contains("ANSWER"));
}

TEST_CASE("a required option is given by its variable too, and by neither is a usage error",
          "[unit][env]") {
  for (const auto& [vars, ok] :
       {std::pair<std::map<std::string, std::string>, bool>{{{"SOME_REPO", "/r"}}, true},
        {{}, false},
        {{{"SOME_REPO", ""}}, false}}) {
    CLI::App app("t");
    std::string repo;
    app.add_option("--repo", repo)->required()->envname("SOME_REPO");
    const auto bindings = commands::seal(app);
    REQUIRE_NOTHROW(app.parse(std::vector<std::string>{})); // CLI11 leaves the check to fill()
    auto filled = commands::fill(bindings, env_of(vars));
    CHECK(filled.has_value() == ok);
    if (ok) {
      CHECK(repo == "/r");
    } else {
      CHECK(filled.error().kind == ErrorKind::usage);
      CHECK(filled.error().message == "--repo is required (or environment variable SOME_REPO)");
    }
    commands::unseal(bindings);
    CHECK(app.get_option("--repo")->get_required()); // help still says [required]
  }
}

TEST_CASE("a repeatable option takes one value per word of its variable", "[unit][env]") {
  CLI::App app("t");
  std::vector<std::string> pins;
  app.add_option("--pin", pins)->take_all()->envname("SOME_PINS");
  const auto bindings = commands::seal(app);
  app.parse(std::vector<std::string>{});
  REQUIRE(commands::fill(bindings, env_of({{"SOME_PINS", " a==1  b==2\n"}})));
  CHECK(pins == std::vector<std::string>{"a==1", "b==2"});
}
