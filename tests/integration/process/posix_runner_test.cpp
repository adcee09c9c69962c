// The real posix runner against tiny helper scripts (tests/scripts). The scripts are children; the
// runner itself never uses a shell.
#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/interrupt.hpp>
#include <breeze/cli/app.hpp>
#include <breeze/process/posix_runner.hpp>

#include <cerrno>
#include <csignal>
#include <future>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace breeze;
using namespace std::chrono_literals;

namespace {

std::string script(const std::string& name) {
  return std::string(BREEZE_TEST_SCRIPTS) + "/" + name;
}

// Orphaned grandchildren are re-parented to this test process, so we can reap them and prove they
// were killed (pid 1 in a container may never reap them, leaving zombies that kill(pid, 0) still
// sees).
void become_subreaper() { REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); }

pid_t read_pid(const std::filesystem::path& file) {
  REQUIRE(std::filesystem::exists(file)); // the script got as far as starting its grandchild
  return static_cast<pid_t>(std::stol(test::read_file(file)));
}

// Waits (bounded) for the grandchild to be dead and reaps it; returns how it ended. The runner has
// already signalled it when run() returns; death itself is asynchronous in the kernel.
std::optional<int> reap(pid_t pid) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) return status;
    if (w < 0) return std::nullopt; // not our child: cannot tell
    std::this_thread::sleep_for(1ms);
  }
  return std::nullopt;
}

void release(std::promise<void>& p) {
  try {
    p.set_value();
  } catch (const std::future_error&) { // already set: the normal case
  }
}

void require_killed(pid_t grandchild) {
  auto status = reap(grandchild);
  REQUIRE(status.has_value());
  CHECK(WIFSIGNALED(*status));
  CHECK(::kill(grandchild, 0) == -1);
  CHECK(errno == ESRCH);
}

// Restores SIGINT's disposition and the interrupt flag whatever the test did.
struct InterruptGuard {
  struct sigaction saved {};
  InterruptGuard() {
    ::sigaction(SIGINT, nullptr, &saved);
    interrupt::reset();
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &saved, nullptr);
    interrupt::reset();
  }
};

} // namespace

TEST_CASE("a non-zero exit is data, not an error", "[process]") {
  process::PosixRunner runner;
  auto r = runner.run({.argv = {"sh", "-c", "exit 3"}});
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 3);
  CHECK_FALSE(r->signal.has_value());
  CHECK_FALSE(r->ok());
  auto killed = runner.run({.argv = {"sh", "-c", "kill -TERM $$"}});
  REQUIRE(killed.has_value());
  CHECK(killed->signal == SIGTERM);
  CHECK(killed->exit_code == 128 + SIGTERM);
}

TEST_CASE("a program that cannot be started is an Error", "[process]") {
  files::TempDir dir;
  process::PosixRunner runner;
  auto missing = runner.run({.argv = {"breeze-no-such-program-xyz"}});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == ErrorKind::process);
  CHECK_THAT(missing.error().what(),
             Catch::Contains("breeze-no-such-program-xyz") && Catch::Contains("PATH"));

  test::write_file(dir.path() / "not-executable", "#!/bin/sh\n");
  auto denied = runner.run({.argv = {(dir.path() / "not-executable").string()}});
  REQUIRE_FALSE(denied.has_value());
  CHECK_THAT(denied.error().what(), Catch::Contains("Permission denied"));

  auto bad_cwd = runner.run({.argv = {"true"}, .cwd = dir.path() / "missing"});
  REQUIRE_FALSE(bad_cwd.has_value());
  CHECK_THAT(bad_cwd.error().what(),
             Catch::Contains("working directory") && Catch::Contains("missing"));
}

TEST_CASE("env, unset_env and cwd reach the child", "[process]") {
  files::TempDir dir;
  process::PosixRunner runner;
  ::setenv("HOME", "/home/somebody", 1); // the test process's own env is inherited unless unset
  auto r = runner.run({.argv = {script("print_env.sh")},
                       .cwd = dir.path(),
                       .env = {{"FOO", "bar baz"}},
                       .unset_env = {"HOME"}});
  REQUIRE(r.has_value());
  CHECK(r->out ==
        "cwd=" + std::filesystem::canonical(dir.path()).string() + "\nFOO=bar baz\nHOME=unset\n");
  auto inherited = runner.run({.argv = {script("print_env.sh")}});
  REQUIRE(inherited.has_value());
  CHECK_THAT(inherited->out,
             Catch::Contains("HOME=/home/somebody\n") && Catch::Contains("FOO=unset\n"));
}

TEST_CASE("a PATH given in env is the one argv[0] is looked up on", "[process]") {
  files::TempDir dir;
  test::write_file(dir.path() / "only-here", "#!/bin/sh\necho found me\n");
  std::filesystem::permissions(dir.path() / "only-here", std::filesystem::perms::owner_all);
  process::PosixRunner runner;
  auto r = runner.run(
      {.argv = {"only-here"}, .env = {{"PATH", dir.path().string() + ":/usr/bin:/bin"}}});
  REQUIRE(r.has_value());
  CHECK(r->out == "found me\n");
  CHECK_FALSE(runner.run({.argv = {"only-here"}}).has_value());
}

TEST_CASE(
    "on_line gets every line in order, the partial last line too, and the log file all of them",
    "[process]") {
  files::TempDir dir;
  process::PosixRunner runner;
  std::vector<std::string> lines;
  process::ProcessSpec spec{.argv = {script("print_lines.sh"), "s3cr3t"}};
  spec.on_line = [&](const std::string& line) { lines.push_back(line); };
  spec.log_file = dir.path() / "run.log";
  spec.merge_stderr = true;
  spec.secrets = {"s3cr3t"};
  auto r = runner.run(spec);
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 0);
  const std::vector<std::string> expected{"out 1", "err 1",     "out 2",
                                          "err 2", "token=***", "partial"};
  CHECK(lines == expected);
  CHECK(test::read_file(dir.path() / "run.log") ==
        "out 1\nerr 1\nout 2\nerr 2\ntoken=***\npartial\n");
  // Captured output is data: exact bytes, secrets included (callers may need them).
  CHECK(r->out == "out 1\nerr 1\nout 2\nerr 2\ntoken=s3cr3t\r\npartial");
  CHECK(r->err.empty());
}

TEST_CASE("without merge_stderr the streams are captured apart, each in order", "[process]") {
  process::PosixRunner runner;
  std::vector<std::string> lines;
  auto r = runner.run({.argv = {script("print_lines.sh"), "x"},
                       .on_line = [&](const std::string& line) { lines.push_back(line); }});
  REQUIRE(r.has_value());
  CHECK(r->out == "out 1\nout 2\ntoken=x\r\npartial");
  CHECK(r->err == "err 1\nerr 2\n");
  std::vector<std::string> outs;
  std::copy_if(lines.begin(), lines.end(), std::back_inserter(outs),
               [](auto& l) { return l.rfind("err", 0) != 0; });
  CHECK(outs == std::vector<std::string>{"out 1", "out 2", "token=x", "partial"});
  CHECK(lines.size() == 6);
}

TEST_CASE("a child flooding both pipes never blocks", "[process]") {
  process::PosixRunner runner;
  std::size_t count = 0;
  auto r =
      runner.run({.argv = {script("flood.sh")}, .on_line = [&](const std::string&) { ++count; }});
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 0);
  CHECK(count == 40000);
  CHECK_THAT(r->out, Catch::EndsWith("out line 19999\n"));
  CHECK_THAT(r->err, Catch::EndsWith("err line 19999\n"));
}

TEST_CASE("a timeout kills the whole process group", "[process]") {
  become_subreaper();
  files::TempDir dir;
  process::PosixRunner runner;
  auto r = runner.run({.argv = {script("group_with_grandchild.sh"), (dir.path() / "pid").string()},
                       .timeout = 1500ms});
  REQUIRE(r.has_value());
  CHECK(r->timed_out);
  CHECK(r->signal == SIGTERM);
  CHECK_FALSE(r->ok());
  CHECK(r->out == "ready\n");
  require_killed(read_pid(dir.path() / "pid"));
}

TEST_CASE("a group that ignores SIGTERM is killed after the grace period", "[process]") {
  become_subreaper();
  files::TempDir dir;
  process::PosixRunner runner(200ms);
  auto r = runner.run(
      {.argv = {script("group_with_grandchild.sh"), (dir.path() / "pid").string(), "stubborn"},
       .timeout = 1000ms});
  REQUIRE(r.has_value());
  CHECK(r->timed_out);
  CHECK(r->signal == SIGKILL);
  CHECK(r->exit_code == 128 + SIGKILL);
  CHECK(r->elapsed >= 1200ms);
  require_killed(read_pid(dir.path() / "pid"));
}

TEST_CASE("a grandchild left holding the pipes does not keep the run going", "[process]") {
  become_subreaper();
  files::TempDir dir;
  process::PosixRunner runner(std::chrono::minutes(5)); // a grace this long would show as a hang
  auto r = runner.run(
      {.argv = {script("group_with_grandchild.sh"), (dir.path() / "pid").string(), "leave"}});
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 0);
  CHECK(r->ok());
  CHECK(r->out == "ready\n");
  CHECK(r->elapsed < std::chrono::minutes(5));
  require_killed(read_pid(dir.path() / "pid"));
}

TEST_CASE("a leftover that ignores SIGTERM and holds no pipes is killed too", "[process]") {
  become_subreaper();
  files::TempDir dir;
  process::PosixRunner runner(std::chrono::minutes(5));
  auto r = runner.run({.argv = {script("group_with_grandchild.sh"), (dir.path() / "pid").string(),
                                "stubborn-quiet-leave"}});
  REQUIRE(r.has_value());
  CHECK(r->exit_code == 0);
  CHECK(r->elapsed < std::chrono::minutes(5));
  require_killed(read_pid(dir.path() / "pid"));
}

// Runs the group script; once it printed "ready", `ctrl_c` runs on another thread.
Expected<process::ProcessResult> run_and_interrupt(const std::filesystem::path& pid_file,
                                                   const std::function<void()>& ctrl_c) {
  process::PosixRunner runner;
  std::promise<void> ready;
  std::thread other([f = ready.get_future(), &ctrl_c]() mutable {
    f.wait();
    ctrl_c();
  });
  auto r = runner.run({.argv = {script("group_with_grandchild.sh"), pid_file.string()},
                       .on_line = [&](const std::string& line) {
                         if (line == "ready") release(ready);
                       }});
  release(ready); // so a failing script cannot leave the thread waiting
  other.join();
  return r;
}

TEST_CASE("interrupt::request from another thread stops the group and marks the result",
          "[process]") {
  become_subreaper();
  InterruptGuard guard;
  files::TempDir dir;
  auto r = run_and_interrupt(dir.path() / "pid", [] { interrupt::request(); });
  REQUIRE(r.has_value());
  CHECK(r->interrupted);
  CHECK(r->signal == SIGINT); // forwarded as the terminal would have
  CHECK(r->exit_code == 130);
  CHECK_FALSE(r->ok());
  require_killed(read_pid(dir.path() / "pid"));
  CHECK(cli::exit_code(ExitCode::failure, interrupt::requested()) == 130);
}

TEST_CASE("a real SIGINT reaches the handler, stops the children, and maps to exit 130",
          "[process]") {
  become_subreaper();
  InterruptGuard guard;
  interrupt::install_handlers();
  files::TempDir dir;
  // What the terminal sends breeze on Ctrl-C.
  auto r = run_and_interrupt(dir.path() / "pid", [] { ::kill(::getpid(), SIGINT); });
  REQUIRE(r.has_value());
  CHECK(interrupt::requested());
  CHECK(r->interrupted);
  CHECK(r->exit_code == 130);
  require_killed(read_pid(dir.path() / "pid"));
  CHECK(cli::exit_code(ExitCode::ok, interrupt::requested()) == 130);
}

TEST_CASE("nothing starts once Ctrl-C was requested", "[process]") {
  InterruptGuard guard;
  files::TempDir dir;
  interrupt::request();
  process::PosixRunner runner;
  auto r = runner.run({.argv = {"touch", (dir.path() / "made").string()}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::interrupted);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "made"));
}

TEST_CASE("a cleanup still runs to its end after Ctrl-C was requested", "[process]") {
  InterruptGuard guard;
  files::TempDir dir;
  interrupt::request();
  process::PosixRunner runner;
  process::ProcessSpec spec;
  // Long enough that a runner watching the interrupt flag would stop it before it wrote.
  spec.argv = {"sh", "-c", "sleep 0.3; touch \"$0\"", (dir.path() / "cleaned").string()};
  spec.cleanup = true;
  spec.timeout = std::chrono::seconds(30);
  auto r = runner.run(spec);
  REQUIRE(r.has_value());
  CHECK(r->ok());
  CHECK_FALSE(r->interrupted);
  CHECK(std::filesystem::exists(dir.path() / "cleaned"));
}

TEST_CASE("input is fed on the child's stdin and a reader that quits early is no error",
          "[process]") {
  process::PosixRunner runner;
  process::ProcessSpec spec;
  spec.argv = {"cat"};
  spec.input = "one\ntwo\n";
  auto r = runner.run(spec);
  REQUIRE(r);
  CHECK(r->out == "one\ntwo\n");

  // Far more than a pipe holds, to a reader that stops after 10 bytes (as a pager the user quits
  // with q): the write fails with EPIPE, which must neither end this process nor hang the run.
  spec.argv = {"head", "-c", "10"};
  spec.input = std::string(4 << 20, 'x');
  r = runner.run(spec);
  REQUIRE(r);
  CHECK(r->exit_code == 0);
  CHECK(r->out == std::string(10, 'x'));
}

TEST_CASE("an interactive child inherits the output and gets stdin from input", "[process]") {
  // Without a terminal nothing changes foreground; the child's stdout is ours (not captured).
  process::PosixRunner runner;
  process::ProcessSpec spec;
  spec.argv = {"sh", "-c", "read line; test \"$line\" = hello"};
  spec.interactive = true;
  spec.input = "hello\n";
  auto r = runner.run(spec);
  REQUIRE(r);
  CHECK(r->exit_code == 0);
  CHECK(r->out.empty());
}
