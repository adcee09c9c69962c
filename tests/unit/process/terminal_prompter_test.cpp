#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/interrupt.hpp>
#include <breeze/process/terminal_prompter.hpp>

#include <sstream>
#include <thread>
#include <unistd.h>

using namespace breeze;
using prompt::Answer;

TEST_CASE("without a TTY the prompter refuses at once and tells the user to pass --answer",
          "[prompt]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0); // a pipe is not a terminal, like stdin under CI
  std::ostringstream err;
  process::TerminalPrompter prompter(fds[0], err);
  auto a = prompter.confirm("Push the constraints?", Answer::no);
  ::close(fds[0]);
  ::close(fds[1]);
  REQUIRE_FALSE(a.has_value());
  CHECK(a.error().kind == ErrorKind::usage);
  CHECK_THAT(a.error().message,
             Catch::Contains("--answer") && Catch::Contains("Push the constraints?"));
  CHECK(err.str().empty()); // it did not even ask
}

TEST_CASE("on a TTY the prompter shows the default in capitals and reads the answer", "[prompt]") {
  test::PseudoTerminal tty;
  std::ostringstream err;
  process::TerminalPrompter prompter(tty.follower(), err);

  tty.type("y\n");
  CHECK(prompter.confirm("Build?", Answer::no).value() == Answer::yes);
  CHECK(err.str() == "Build? [y/N/q] ");

  err.str("");
  tty.type("\n");
  CHECK(prompter.confirm("Build?", Answer::yes).value() == Answer::yes); // Enter takes the default
  CHECK(err.str() == "Build? [Y/n/q] ");

  err.str("");
  tty.type("maybe\nQuit\n");
  CHECK(prompter.confirm("Build?", Answer::quit).value() == Answer::quit);
  CHECK(err.str() == "Build? [y/n/Q] Please answer y (yes), n (no) or q (quit).\nBuild? [y/n/Q] ");
}

TEST_CASE("end of input at a prompt is quit and never consent", "[prompt]") {
  test::PseudoTerminal tty;
  std::ostringstream err;
  process::TerminalPrompter prompter(tty.follower(), err);
  tty.type("\x04"); // Ctrl-D at the start of a line
  CHECK(prompter.confirm("Delete the cache?", Answer::yes).value() == Answer::quit);
}

TEST_CASE("Ctrl-C while the prompter waits ends the wait as an interruption", "[prompt]") {
  interrupt::reset();
  test::PseudoTerminal tty;
  std::ostringstream err;
  process::TerminalPrompter prompter(tty.follower(), err);
  // Whether the request lands before or during the wait, the answer must be "interrupted"; a
  // prompter that does not watch the interrupt would wait for input forever.
  std::thread ctrl_c([] { interrupt::request(); });
  auto a = prompter.confirm("Build?", Answer::no);
  ctrl_c.join();
  interrupt::reset();
  REQUIRE_FALSE(a.has_value());
  CHECK(a.error().kind == ErrorKind::interrupted);
}
