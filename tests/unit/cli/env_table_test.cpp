#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/cli/app.hpp>

#include <sstream>
#include <string>

using namespace breeze;

namespace {
// docs/settings.md's "Options' environment variables" table, one line per row.
std::string doc_table() {
  const auto doc = test::read_file(test::fixture("../../docs/settings.md"));
  const auto start = doc.find("| command | option | variable |");
  REQUIRE(start != std::string::npos);
  auto end = doc.find("\n\n", start);
  return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}
} // namespace

TEST_CASE("docs/settings.md lists exactly the options that read an environment variable",
          "[unit][env]") {
  test::InProcess app;
  commands::Services services{app.runner, app.prompter, app.out, app.err,
                              [](const std::string&) { return std::optional<std::string>(); }};
  std::string expected = "| command | option | variable |\n|---|---|---|";
  for (const auto& row : cli::env_option_table(services)) {
    const auto command = row.command == "every command" ? row.command : "`" + row.command + "`";
    expected += "\n| " + command + " | `" + row.option + "` | `" + row.variable + "` |";
  }
  CHECK(doc_table() == expected);
}
