#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/commands/numeric_options.hpp>

#include <fmt/format.h>

using namespace breeze;
using namespace breeze::commands;

TEST_CASE("numeric options: only plain finite numbers inside the range pass",
          "[unit][safety][numbers]") {
  CHECK(numeric::real_problem("0.8", 0.01, 86400).empty());
  CHECK(numeric::real_problem("86400", 0.01, 86400).empty());
  CHECK(numeric::real_problem("nan", 0.01, 86400) == "'nan' is not a finite number");
  CHECK(numeric::real_problem("NaN", 0.01, 86400) == "'NaN' is not a finite number");
  CHECK(numeric::real_problem("inf", 0.01, 86400) == "'inf' is not a finite number");
  CHECK(numeric::real_problem("-infinity", 0.01, 86400) == "'-infinity' is not a finite number");
  CHECK(numeric::real_problem("-1", 0.01, 86400) ==
        "'-1' is out of range: give a number from 0.01 to 86400");
  CHECK_FALSE(numeric::real_problem("1e12", 0.01, 86400).empty());
  CHECK_FALSE(numeric::real_problem("1e400", 0.01, 86400).empty());
  CHECK_FALSE(numeric::real_problem(" 5", 0.01, 86400).empty());
  CHECK_FALSE(numeric::real_problem("5s", 0.01, 86400).empty());
  CHECK_FALSE(numeric::real_problem("", 0.01, 86400).empty());

  CHECK(numeric::integer_problem("4", 1, 64).empty());
  CHECK(numeric::integer_problem("0", 1, 64) ==
        "'0' is out of range: give a whole number from 1 to 64");
  CHECK(numeric::integer_problem("100000", 1, 64) ==
        "'100000' is out of range: give a whole number from 1 to 64");
  CHECK(numeric::integer_problem("99999999999999999999999", 1, 64) ==
        "'99999999999999999999999' is out of range: give a whole number from 1 to 64");
  for (const auto* bad : {"nan", "inf", "1e3", "2.5", "0x10", "", "4 "})
    CHECK(numeric::integer_problem(bad, 1, 64) == fmt::format("'{}' is not a whole number", bad));
}

TEST_CASE("numeric options: every numeric option of the image, bisect, refresh and generate "
          "commands is checked",
          "[unit][safety][numbers]") {
  files::TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::string>> options = {
      {{"ci", "bisect-backtracking", "--probe-command", "x {requirements}"}, "--probe-timeout"},
      {{"ci", "bisect-backtracking", "--probe-command", "x {requirements}"}, "--parallelism"},
      {{"ci-image", "build"}, "--parallelism"},
      {{"ci-image", "build"}, "--build-timeout-minutes"},
      {{"ci-image", "build"}, "--uv-http-timeout"},
      {{"prod-image", "build"}, "--parallelism"},
      {{"prod-image", "build"}, "--build-timeout-minutes"},
      {{"prod-image", "build"}, "--uv-http-timeout"},
      {{"release-management", "generate-constraints"}, "--parallelism"},
      {{"ci", "refresh-images"}, "--parallelism"},
  };
  for (const auto& [command, option] : options) {
    for (const auto* value : {"nan", "inf", "-1", "0", "1e12", "100000", "1e400"}) {
      test::InProcess p;
      p.cwd = dir.path();
      auto args = command;
      args.insert(args.end(), {option + "=" + value});
      INFO(strings::join(args, " "));
      CHECK(p.run(args) == 2);
      CHECK(p.runner.calls.empty());
    }
  }
}
