#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/commands/option_table.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace breeze;
namespace fs = std::filesystem;

TEST_CASE("option rows are registered in order with their variable, checks, default and panel",
          "[unit][options]") {
  CLI::App app;
  bool flag = false;
  std::string text = "start";
  int number = 0;
  const auto added = commands::add_option_rows(
      app,
      {
          {"-f,--flag,!--no-flag", &flag, "A flag.", "FLAG"},
          {"--text", &text, "A text.", "", {CLI::IsMember({"start", "stop"})}, true, true},
          {"--number", &number, "A number.", "NUMBER", {CLI::Range(1, 5)}},
      },
      "Panel");
  REQUIRE(added.size() == 3);
  CHECK(added[0]->get_name() == "--flag");
  CHECK(added[0]->get_expected_max() == 0); // a bool target is a flag
  CHECK(added[0]->get_envname() == "FLAG");
  CHECK(added[1]->get_envname().empty());
  CHECK(added[1]->get_required());
  CHECK(added[1]->get_default_str() == "start");
  CHECK(added[2]->get_group() == "Panel");
  std::vector<std::string> order;
  for (const auto* opt : app.get_options())
    if (opt->get_group() == "Panel") order.push_back(opt->get_name());
  CHECK(order == std::vector<std::string>{"--flag", "--text", "--number"});
  CHECK_THROWS_AS(app.parse("--number 3 --text go", false), CLI::ValidationError);
  app.parse("--number 3 --text stop --no-flag", false);
  CHECK(number == 3);
  CHECK(text == "stop");
  CHECK_FALSE(flag);
}

TEST_CASE("paths::absolute resolves against the given folder, never the process's",
          "[unit][options]") {
  CHECK(paths::absolute("files/x.txt", "/base") == fs::path("/base/files/x.txt"));
  CHECK(paths::absolute("./a/../b/", "/base") == fs::path("/base/b"));
  CHECK(paths::absolute("/abs/dir/", "/base") == fs::path("/abs/dir"));
  CHECK(paths::absolute("", "/base").empty());
  CHECK(paths::absolute("/", "/base") == fs::path("/"));
}

TEST_CASE("a path option is made absolute against the injected cwd, from the flag and the variable",
          "[unit][options]") {
  const fs::path cwd = "/injected/work";
  for (const bool from_variable : {false, true}) {
    CLI::App app;
    std::string file;
    fs::path dir;
    commands::OptionRow file_row{"--file", &file, "A file.", "SOME_FILE"};
    file_row.cwd = &cwd;
    commands::OptionRow dir_row{"--dir", &dir, "A folder.", ""};
    dir_row.cwd = &cwd;
    (void)commands::add_option_rows(app, {file_row, dir_row}, "");
    const auto bindings = commands::seal(app);
    if (from_variable) {
      app.parse("--dir /abs/", false);
      REQUIRE(commands::fill(bindings, [](const std::string& name) -> std::optional<std::string> {
        if (name == "SOME_FILE") return std::string("sub/f.txt");
        return std::nullopt;
      }));
      CHECK(dir == fs::path("/abs"));
    } else {
      app.parse("--file sub/f.txt --dir ../other/", false);
      CHECK(dir == fs::path("/injected/other"));
    }
    CHECK(file == "/injected/work/sub/f.txt");
  }
}

TEST_CASE("a relative --airflow-sources resolves against the injected working directory",
          "[unit][options]") {
  files::TempDir dir{"breeze-cwd"};
  const auto sources = dir.path() / "checkout" / "airflow";
  test::write_file(sources / "breeze.yaml", "default-branch: v3-1-test\n");
  REQUIRE(fs::current_path() != dir.path());
  REQUIRE_FALSE(fs::exists(fs::current_path() / "checkout" / "airflow"));
  for (const std::string spelling : {"checkout/airflow", "./checkout/airflow/"}) {
    test::InProcess app;
    app.cwd = dir.path();
    REQUIRE(app.run({"version", "--airflow-sources", spelling}) == 0);
    CHECK_THAT(app.out.str(), Catch::Contains("Sources root: " + sources.string() + "\n"));
    CHECK_THAT(app.out.str(), Catch::Contains("Default branch: v3-1-test"));
  }
}
