#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/cli/app.hpp>

#include <algorithm>
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
  commands::Services services = app.services(); // an empty environment, the test cwd
  const auto rows = cli::env_option_table(services);
  const auto table = cli::env_option_markdown(services);
  // A header, its rule and one line per row; the first row is the first global option.
  CHECK(static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n')) == rows.size() + 2);
  CHECK_THAT(table, Catch::StartsWith("| command | option | variable |\n|---|---|---|\n"
                                      "| every command | `-v/--verbose` | `VERBOSE` |\n"));
  // The doc's table is what `breeze setup config-reference` generates (paste its output).
  CHECK(doc_table() + "\n" == table);
}

TEST_CASE("setup config-reference prints the table and is listed nowhere", "[unit][env]") {
  test::InProcess app;
  REQUIRE(app.run({"setup", "config-reference"}) == 0);
  CHECK(app.out.str() == doc_table() + "\n");
  test::InProcess help;
  REQUIRE(help.run({"setup", "--help"}) == 0);
  CHECK_THAT(help.out.str(), Catch::Contains("\n  man-page"));
  CHECK_THAT(help.out.str(), !Catch::Contains("config-reference"));
}
