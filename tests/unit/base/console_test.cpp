#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/console.hpp>

#include <cstdio>
#include <sstream>

using namespace breeze;

namespace {
// A FILE* on a terminal, so colour_enabled has a reason to say yes.
struct TtyFile {
  test::PseudoTerminal tty;
  std::FILE* file = ::fdopen(::dup(tty.follower()), "w");
  ~TtyFile() { std::fclose(file); }
};
} // namespace

TEST_CASE("colour only on a terminal, never with NO_COLOR or TERM=dumb", "[console]") {
  TtyFile tty;
  REQUIRE(tty.file != nullptr);
  test::ScopedEnv term("TERM", "xterm-256color");
  {
    test::ScopedEnv no_color("NO_COLOR", std::nullopt);
    CHECK(console::colour_enabled(tty.file));
    CHECK(console::paint("ok", console::Colour::green, console::colour_enabled(tty.file)) ==
          "\033[32mok\033[0m");
  }
  {
    test::ScopedEnv no_color("NO_COLOR", "1");
    CHECK_FALSE(console::colour_enabled(tty.file));
    CHECK(console::paint("ok", console::Colour::green, console::colour_enabled(tty.file)) == "ok");
  }
  {
    test::ScopedEnv no_color("NO_COLOR", std::nullopt);
    test::ScopedEnv dumb("TERM", "dumb");
    CHECK_FALSE(console::colour_enabled(tty.file));
  }
  std::FILE* not_a_tty = std::tmpfile();
  CHECK_FALSE(console::colour_enabled(not_a_tty));
  std::fclose(not_a_tty);
}

TEST_CASE("paint leaves text alone when colour is off or Colour::none", "[console]") {
  CHECK(console::paint("x", console::Colour::red, false) == "x");
  CHECK(console::paint("x", console::Colour::none, true) == "x");
  CHECK(console::paint("x", console::Colour::bold, true) == "\033[1mx\033[0m");
}

TEST_CASE("Group folds output only on GitHub Actions", "[console]") {
  std::ostringstream out;
  {
    test::ScopedEnv gha("GITHUB_ACTIONS", "true");
    CHECK(console::github_actions());
    console::Group group(out, "Build CI image 3.12");
    out << "step\n";
  }
  CHECK(out.str() == "::group::Build CI image 3.12\nstep\n::endgroup::\n");

  for (const std::optional<std::string>& value :
       {std::optional<std::string>{}, std::optional<std::string>{"false"}}) {
    std::ostringstream plain;
    test::ScopedEnv gha("GITHUB_ACTIONS", value);
    CHECK_FALSE(console::github_actions());
    {
      console::Group group(plain, "Build");
      plain << "step\n";
    }
    CHECK(plain.str() == "step\n");
  }
}
