#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/cli/help.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace breeze;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// Words of `text` joined by single spaces: what a reader sees, whatever the line breaks.
std::string collapsed(const std::string& text) {
  return strings::join(strings::split_whitespace(text), " ");
}

// The help of `command` (words before --help) at `columns`, in process.
std::string help_at(const std::vector<std::string>& command, const std::string& columns,
                    int* exit_code = nullptr) {
  test::InProcess app;
  app.env["COLUMNS"] = columns;
  auto args = command;
  args.emplace_back("--help");
  const int rc = app.run(args);
  if (exit_code != nullptr) *exit_code = rc;
  return app.out.str();
}

// Command names listed under "Commands:" (lines indented by exactly two spaces).
std::vector<std::string> listed_commands(const std::string& help) {
  std::vector<std::string> names;
  const auto at = help.find("\nCommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream in(help.substr(at + 11));
  for (std::string line; std::getline(in, line) && !line.empty();)
    if (line.starts_with("  ") && !line.starts_with("   "))
      names.push_back(strings::split_whitespace(line).front());
  return names;
}

} // namespace

TEST_CASE("wrap_words keeps lines within the width and never breaks a word that fits", "[cli]") {
  const std::string text = "Stop a build that runs longer than this, then run "
                           "find-backtracking-candidates with the constraints of the image.";
  for (std::size_t width : {28U, 33U, 50U, 80U}) { // 28: the longest word
    INFO("width " << width);
    const auto lines = cli::wrap_words(text, width);
    CHECK(lines.size() > 1);
    for (const auto& line : lines)
      CHECK(line.size() <= width);
    CHECK(strings::join(lines, " ") == text); // no word split, none lost
  }
  // A word longer than the whole width is the one thing ever broken.
  const auto url = cli::wrap_words("see https://example.invalid/a/very/long/path here", 12);
  CHECK(url == std::vector<std::string>{"see", "https://exam", "ple.invalid/", "a/very/long/",
                                        "path here"});
  // Line breaks in the text stay; UTF-8 characters take one column.
  CHECK(cli::wrap_words("one\ntwo three", 20) == std::vector<std::string>{"one", "two three"});
  CHECK(cli::wrap_words("\xc3\xa9t\xc3\xa9 \xc3\xa9t\xc3\xa9", 9).size() == 1);
}

TEST_CASE("help_width: COLUMNS, else the terminal's width, else 80", "[cli]") {
  auto env_with = [](std::optional<std::string> columns) -> EnvLookup {
    return [columns](const std::string& name) -> std::optional<std::string> {
      return name == "COLUMNS" ? columns : std::nullopt;
    };
  };
  CHECK(cli::help_width(env_with("60"), 120) == 60);
  CHECK(cli::help_width(env_with(std::nullopt), 132) == 132);
  CHECK(cli::help_width(env_with(std::nullopt), 0) == 80);
  CHECK(cli::help_width(env_with("wide"), 0) == 80);
  CHECK(cli::help_width(env_with("5"), 0) == 80); // too narrow to mean anything
}

TEST_CASE("every command's help fits 60, 80 and 120 columns and lists its commands", "[cli]") {
  for (const auto* columns : {"60", "80", "120"}) {
    const std::size_t width = std::stoul(columns);
    std::vector<std::vector<std::string>> pending{{}};
    std::set<std::string> seen;
    while (!pending.empty()) {
      const auto command = pending.back();
      pending.pop_back();
      seen.insert(strings::join(command, " "));
      int rc = -1;
      const auto help = help_at(command, columns, &rc);
      INFO("breeze " << strings::join(command, " ") << " --help at " << columns);
      CHECK(rc == 0);
      CHECK(help.starts_with("Usage: breeze"));
      for (const auto& line : lines_of(help)) {
        INFO(line);
        CHECK(line.size() <= width);
      }
      REQUIRE(command.size() <= 3);
      for (const auto& name : listed_commands(help)) {
        auto child = command;
        child.push_back(name);
        pending.push_back(child);
      }
    }
    CHECK(seen.count("ci-image build") == 1);
    CHECK(seen.count("release-management update-constraints") == 1);
    CHECK(seen.size() >= 19);
  }
}

TEST_CASE("ci-image build --help shows Python Breeze's panels in its order", "[cli]") {
  const auto help = help_at({"ci-image", "build"}, "80");
  std::size_t last = 0;
  for (const auto* panel :
       {"\nBasic usage:\n", "\nBuilding images in parallel:\n",
        "\nAdvanced build options (for power users):\n",
        "\nSelecting constraint location (for power users):\n",
        "\nChoosing dependencies and extras (for power users):\n", "\nBacktracking options:\n",
        "\nPreparing cache and push (for maintainers and CI):\n", "\nGithub authentication:\n",
        "\nCommon options:\n"}) {
    INFO(panel);
    const auto at = help.find(panel);
    REQUIRE(at != std::string::npos);
    CHECK(at > last);
    last = at;
  }
  // --python is in the first panel, --push in the cache panel, --dry-run in the common one.
  const auto basic = help.find("\nBasic usage:\n");
  const auto parallel = help.find("\nBuilding images in parallel:\n");
  const auto python = help.find("-p, --python");
  CHECK((python > basic && python < parallel));
  CHECK(help.find("\n  --push ") > help.find("\nPreparing cache and push"));
  CHECK(help.find("-D, --dry-run") > help.find("\nCommon options:\n"));
}

TEST_CASE("help shows allowed values, defaults and variables one way", "[cli]") {
  const auto help = collapsed(help_at({"ci-image", "build"}, "120"));
  CHECK_THAT(help, Catch::Contains("(3.10 | 3.11 | 3.12 | 3.13)")); // --python, from settings
  CHECK_THAT(help, Catch::Contains("(registry | local | disabled)"));
  CHECK_THAT(help, Catch::Contains("[env: DRY_RUN]"));
  const auto candidates = collapsed(help_at({"ci", "find-backtracking-candidates"}, "120"));
  CHECK_THAT(candidates, Catch::Contains("[default: constraints-main]"));
  CHECK_THAT(candidates, !Catch::Contains("(default:"));
}

TEST_CASE("the allowed values of --python come from the checkout", "[cli]") {
  files::TempDir dir;
  std::filesystem::copy(test::fixture("airflow-checkout/v2-10-test"), dir.path(),
                        std::filesystem::copy_options::recursive);
  test::InProcess app;
  app.env["COLUMNS"] = "120";
  REQUIRE(app.run({"ci-image", "build", "--airflow-sources", dir.path().string(), "--help"}) == 0);
  CHECK_THAT(collapsed(app.out.str()), Catch::Contains("(3.8 | 3.9 | 3.10 | 3.11 | 3.12)"));
}

TEST_CASE("narrow help keeps every word and continues example commands with a backslash", "[cli]") {
  const auto help = help_at({"ci-image", "build"}, "60");
  CHECK_THAT(collapsed(help),
             Catch::Contains("Push the registry cache (mode=max) of each platform instead of "
                             "building an image."));
  // The quoted value stays on one line, so the continued example pastes into a shell unchanged.
  CHECK_THAT(help, Catch::Contains("\"aiobotocore<=2.5.4 asana<=3.2.1\""));
  CHECK_THAT(help, Catch::Contains(" \\\n      --eager-upgrade-additional-requirements"));
}

TEST_CASE("breeze help COMMAND is COMMAND --help, and a group alone shows its help", "[cli]") {
  test::InProcess a;
  REQUIRE(a.run({"help", "ci-image", "build"}) == 0);
  test::InProcess b;
  REQUIRE(b.run({"ci-image", "build", "--help"}) == 0);
  CHECK(a.out.str() == b.out.str());
  CHECK_THAT(a.out.str(), Catch::StartsWith("Usage: breeze ci-image build [OPTIONS]"));
  test::InProcess group;
  REQUIRE(group.run({"ci"}) == 0);
  CHECK_THAT(group.out.str(), Catch::StartsWith("Usage: breeze ci [OPTIONS] COMMAND [ARGS]..."));
  CHECK_THAT(group.out.str(), Catch::Contains("\n  find-backtracking-candidates"));
  test::InProcess bad;
  CHECK(bad.run({"help", "ci", "no-such"}) == 2);
  CHECK(bad.out.str().empty());
}

TEST_CASE("help is coloured on a terminal unless NO_COLOR, plain when piped", "[cli]") {
  test::InProcess tty;
  tty.terminal.stdout_tty = true;
  REQUIRE(tty.run({"ci", "--help"}) == 0);
  CHECK_THAT(tty.out.str(), Catch::Contains("\x1b[1mCommands\x1b[0m:"));
  test::InProcess no_colour;
  no_colour.terminal.stdout_tty = true;
  no_colour.env["NO_COLOR"] = "1";
  REQUIRE(no_colour.run({"ci", "--help"}) == 0);
  CHECK_THAT(no_colour.out.str(), !Catch::Contains("\x1b["));
  test::InProcess piped;
  REQUIRE(piped.run({"ci", "--help"}) == 0);
  CHECK_THAT(piped.out.str(), !Catch::Contains("\x1b["));
}

TEST_CASE("an example too long for the width still pastes into bash as the same command", "[cli]") {
  const auto help = help_at({"ci", "bisect-backtracking"}, "60");
  const auto value = help.find("\"python3 -m pip install --dry-run --report /dev/null");
  REQUIRE(value != std::string::npos);
  const auto at = help.rfind("  breeze ci bisect-backtracking --probe-command", value);
  REQUIRE(at != std::string::npos);
  auto end = help.find("}\"\n", value);
  REQUIRE(end != std::string::npos);
  // The example as printed, with `breeze` replaced by a printf of each argument, run by bash.
  files::TempDir dir;
  const auto script = dir.path() / "example.sh";
  test::write_file(script, "printf '[%s]' " + help.substr(at + 9, end + 2 - at - 9) + "\n");
  std::string out;
  {
    const auto command = "bash " + script.string();
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr)
      out += buffer;
    REQUIRE(pclose(pipe) == 0);
  }
  CHECK(out == "[ci][bisect-backtracking][--probe-command][python3 -m pip install --dry-run "
               "--report /dev/null apache-airflow {requirements...}]");
}
