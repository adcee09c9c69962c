#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/console.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace breeze;

namespace {
// A FILE* on a terminal, so colour_enabled has a reason to say yes.
struct TtyFile {
  test::PseudoTerminal tty;
  std::FILE* file = ::fdopen(::dup(tty.follower()), "w");
  ~TtyFile() { std::fclose(file); }
};
} // namespace

// An environment of exactly these variables.
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

TEST_CASE("colour only on a terminal, never with NO_COLOR or TERM=dumb", "[console]") {
  TtyFile tty;
  REQUIRE(tty.file != nullptr);
  REQUIRE(console::is_terminal(tty.file));
  const bool is_tty = console::is_terminal(tty.file);
  CHECK(console::colour_enabled(is_tty, env_of({{"TERM", "xterm-256color"}})));
  CHECK(console::paint("ok", console::Colour::green, console::colour_enabled(is_tty, env_of({}))) ==
        "\033[32mok\033[0m");
  CHECK_FALSE(
      console::colour_enabled(is_tty, env_of({{"TERM", "xterm-256color"}, {"NO_COLOR", "1"}})));
  CHECK(console::paint("ok", console::Colour::green,
                       console::colour_enabled(is_tty, env_of({{"NO_COLOR", "1"}}))) == "ok");
  CHECK_FALSE(console::colour_enabled(is_tty, env_of({{"TERM", "dumb"}})));
  std::FILE* not_a_tty = std::tmpfile();
  CHECK_FALSE(console::is_terminal(not_a_tty));
  CHECK_FALSE(console::colour_enabled(console::is_terminal(not_a_tty), env_of({})));
  std::fclose(not_a_tty);
}

TEST_CASE("colour and GitHub Actions come from the injected environment, not the real one",
          "[console]") {
  test::ScopedEnv no_color("NO_COLOR", "1");
  test::ScopedEnv gha("GITHUB_ACTIONS", "true");
  CHECK(console::colour_enabled(true, env_of({})));
  CHECK_FALSE(console::github_actions(env_of({})));
}

TEST_CASE("paint leaves text alone when colour is off or Colour::none", "[console]") {
  CHECK(console::paint("x", console::Colour::red, false) == "x");
  CHECK(console::paint("x", console::Colour::none, true) == "x");
  CHECK(console::paint("x", console::Colour::bold, true) == "\033[1mx\033[0m");
}

TEST_CASE("Group folds output only on GitHub Actions", "[console]") {
  std::ostringstream out;
  {
    const bool active = console::github_actions(env_of({{"GITHUB_ACTIONS", "true"}}));
    CHECK(active);
    console::Group group(out, "Build CI image 3.12", active);
    out << "step\n";
  }
  CHECK(out.str() == "::group::Build CI image 3.12\nstep\n::endgroup::\n");

  for (const auto& vars : {std::map<std::string, std::string>{},
                           std::map<std::string, std::string>{{"GITHUB_ACTIONS", "false"}}}) {
    std::ostringstream plain;
    const bool active = console::github_actions(env_of(vars));
    CHECK_FALSE(active);
    {
      console::Group group(plain, "Build", active);
      plain << "step\n";
    }
    CHECK(plain.str() == "step\n");
  }
}

TEST_CASE("the output mode: one decision from the terminal and the environment", "[console]") {
  const console::Terminal tty{true, true, 120};
  const console::Terminal piped{false, false, 0};
  struct Row {
    console::Terminal terminal;
    std::map<std::string, std::string> env;
    bool live;
    bool colour;
    std::size_t width;
  };
  const std::vector<Row> table{
      {tty, {{"TERM", "xterm-256color"}}, true, true, 120},
      {tty, {{"TERM", "dumb"}}, false, false, 120},          // dumb: plain, no colour
      {tty, {{"CI", "true"}}, false, true, 120},             // CI on a TTY: plain lines
      {tty, {{"CI", "false"}}, true, true, 120},             // CI=false is not CI
      {tty, {{"GITHUB_ACTIONS", "true"}}, false, true, 120}, // Actions: plain
      {tty, {{"NO_COLOR", "1"}}, true, false, 120},          // NO_COLOR: still live
      {tty, {{"NO_COLOR", "1"}, {"FORCE_COLOR", "1"}}, true, false, 120}, // NO_COLOR wins
      {tty, {{"COLUMNS", "60"}}, true, true, 60},                         // COLUMNS narrows
      {tty, {{"COLUMNS", "abc"}}, true, true, 120},                       // nonsense is ignored
      {piped, {}, false, false, 80},                    // a pipe: plain, 80 columns
      {piped, {{"FORCE_COLOR", "1"}}, false, true, 80}, // forced colour, never live
      {piped, {{"CLICOLOR_FORCE", "1"}}, false, true, 80},
      {piped, {{"FORCE_COLOR", "0"}}, false, false, 80}, // "0" forces nothing
      {piped, {{"COLUMNS", "100"}}, false, false, 100},
  };
  for (const auto& row : table) {
    std::string vars;
    for (const auto& [k, v] : row.env)
      vars += k + "=" + v + " ";
    INFO("tty=" << row.terminal.stderr_tty << " " << vars);
    const auto mode = console::output_mode(row.terminal, env_of(row.env));
    CHECK(mode.live == row.live);
    CHECK(mode.colour == row.colour);
    CHECK(mode.width == row.width);
    CHECK(mode.github_actions == (row.env.count("GITHUB_ACTIONS") > 0));
  }
}

TEST_CASE("a progress line fits the width: the bar shrinks, then goes, never wraps", "[console]") {
  CHECK(console::progress_line("Asking", 3, 10, 100) ==
        "Asking [#########.....................] 3/10");
  CHECK(console::progress_line("Asking the package index", 3, 10, 40) ==
        "Asking the package index [##.....] 3/10");
  for (std::size_t width = 1; width <= 80; ++width) {
    const auto line = console::progress_line("Asking the package index", 123, 456, width);
    INFO(width << ": " << line);
    CHECK(line.size() < std::max<std::size_t>(width, 2));
  }
  CHECK(console::progress_line("Asking the package index", 123, 456, 20) == "Asking the 123/456");
  CHECK(console::progress_line("x", 10, 10, 20) == "x [#########] 10/10");
}

TEST_CASE("diffs are coloured only when colour is on", "[console]") {
  const std::string diff = "--- a/c.txt\n+++ b/c.txt\n@@ -1,2 +1,2 @@\n a==1\n-pymssql==2.2.7\n"
                           "+pymssql==2.2.8\n";
  CHECK(console::colour_diff(diff, false) == diff);
  CHECK(console::colour_diff(diff, true) ==
        "\033[1m--- a/c.txt\033[0m\n\033[1m+++ b/c.txt\033[0m\n\033[34m@@ -1,2 +1,2 @@\033[0m\n"
        " a==1\n\033[31m-pymssql==2.2.7\033[0m\n\033[32m+pymssql==2.2.8\033[0m\n");
}

TEST_CASE("columns: COLUMNS, else the terminal's width, else 80, each only from the minimum up",
          "[console]") {
  CHECK(console::columns(env_of({{"COLUMNS", "60"}}), 120) == 60);
  CHECK(console::columns(env_of({}), 132) == 132);
  CHECK(console::columns(env_of({}), 0) == 80);
  CHECK(console::columns(env_of({{"COLUMNS", "0"}}), 100) == 100);
  CHECK(console::columns(env_of({{"COLUMNS", "123456"}}), 0) == 80); // not a terminal's width
  CHECK(console::columns(env_of({{"COLUMNS", "20"}}), 0) == 20);
  // Help's floor: a width too narrow to draw options in falls back like nonsense does.
  CHECK(console::columns(env_of({{"COLUMNS", "20"}}), 100, 30) == 100);
  CHECK(console::columns(env_of({{"COLUMNS", "20"}}), 25, 30) == 80);
  CHECK(console::columns(env_of({{"COLUMNS", "30"}}), 0, 30) == 30);
}

TEST_CASE(
    "the height comes from LINES, else the terminal, and only what is taller than a tty is paged",
    "[console]") {
  const console::Terminal tty{true, true, 80, 24};
  CHECK(console::output_mode(tty, env_of({})).height == 24);
  CHECK(console::output_mode(tty, env_of({{"LINES", "50"}})).height == 50);
  CHECK(console::output_mode(tty, env_of({{"LINES", "x"}})).height == 24);
  CHECK(console::output_mode({}, env_of({})).height == 0);

  CHECK(console::pager_wanted(tty, env_of({}), 25));
  CHECK_FALSE(console::pager_wanted(tty, env_of({}), 24)); // fits: no pager
  CHECK_FALSE(console::pager_wanted(tty, env_of({{"LINES", "100"}}), 25));
  CHECK_FALSE(console::pager_wanted(tty, env_of({{"CI", "true"}}), 500));
  CHECK_FALSE(console::pager_wanted(tty, env_of({{"GITHUB_ACTIONS", "true"}}), 500));
  CHECK_FALSE(console::pager_wanted(tty, env_of({{"TERM", "dumb"}}), 500));
  CHECK_FALSE(console::pager_wanted({false, true, 80, 24}, env_of({}), 500)); // stdout piped
  CHECK_FALSE(console::pager_wanted({true, true, 80, 0}, env_of({}), 500));   // height unknown
}

TEST_CASE("PAGER is split into words, unset or blank is less -FRX", "[console]") {
  using V = std::vector<std::string>;
  CHECK(console::pager_argv(env_of({})) == V{"less", "-FRX"});
  CHECK(console::pager_argv(env_of({{"PAGER", "  "}})) == V{"less", "-FRX"});
  CHECK(console::pager_argv(env_of({{"PAGER", "less -R"}})) == V{"less", "-R"});
  CHECK(console::pager_argv(env_of({{"PAGER", "most"}})) == V{"most"});
}

TEST_CASE("fit_line cuts a redrawn line to width - 1 and leaves it alone at unknown width",
          "[console]") {
  CHECK(console::fit_line("abcdef", 4) == "abc");
  CHECK(console::fit_line("abc", 4) == "abc");
  CHECK(console::fit_line("abcd", 4) == "abc");
  CHECK(console::fit_line("abcdef", 1).empty());
  CHECK(console::fit_line("abcdef", 0) == "abcdef");
}
