#include <support/catch.hpp>

#include <breeze/cli/app.hpp>

using namespace breeze;

// The exit-code contract as a pure function. The real-signal path (SIGINT -> handler -> children
// stopped -> 130) is covered by tests/integration/process; an e2e test against the built binary
// comes with the first command that runs children.
TEST_CASE("Ctrl-C makes the exit code 130 whatever the command returned", "[cli]") {
  CHECK(cli::exit_code(ExitCode::ok, true) == 130);
  CHECK(cli::exit_code(ExitCode::failure, true) == 130);
  CHECK(cli::exit_code(Error{ErrorKind::process, "child killed", {}}, true) == 130);
  CHECK(cli::exit_code(usage_error("bad"), true) == 130);
}

TEST_CASE("without Ctrl-C the error kind or the command's code decides", "[cli]") {
  CHECK(cli::exit_code(ExitCode::ok, false) == 0);
  CHECK(cli::exit_code(ExitCode::failure, false) == 1);
  CHECK(cli::exit_code(usage_error("bad"), false) == 2);
  CHECK(cli::exit_code(Error{ErrorKind::network, "down", {}}, false) == 1);
  CHECK(cli::exit_code(Error{ErrorKind::interrupted, "stopped", {}}, false) == 130);
}
