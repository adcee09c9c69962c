#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/github_actions.hpp>

#include <map>

using namespace breeze;

TEST_CASE("workflow commands escape what GitHub would read as their end", "[github]") {
  CHECK(github::escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext");
  CHECK(github::escape_property("a: b, c") == "a%3A b%2C c");
  CHECK(github::error_annotation("python3.11 failed", "[main 3/9] RUN pip (exit 1)") ==
        "::error title=python3.11 failed::[main 3/9] RUN pip (exit 1)\n");
  CHECK(github::error_annotation({}, "two\nlines") == "::error::two%0Alines\n");
  // A child's escape sequence never reaches the runner's log.
  CHECK(github::warning_annotation("Not on the index: \033[31mfoo") ==
        "::warning::Not on the index: [31mfoo\n");
}

TEST_CASE("the job summary is a Markdown table appended to $GITHUB_STEP_SUMMARY", "[github]") {
  CHECK(github::markdown_table({{"Job", "Result"}, {"a|b", "ok"}}) ==
        "| Job | Result |\n| --- | --- |\n| a\\|b | ok |\n");
  files::TempDir dir;
  const auto file = dir.path() / "summary.md";
  std::map<std::string, std::string> vars{{"GITHUB_STEP_SUMMARY", file.string()}};
  const EnvLookup env = [&vars](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
  CHECK_FALSE(github::step_summary_file(env)); // not on GitHub Actions
  vars["GITHUB_ACTIONS"] = "true";
  REQUIRE(github::step_summary_file(env) == file);
  test::write_file(file, "earlier step\n");
  REQUIRE(github::append_step_summary(file, "### mine"));
  CHECK(test::read_file(file) == "earlier step\n### mine\n");
  CHECK_FALSE(github::append_step_summary(dir.path() / "no" / "such" / "file.md", "x"));
}
