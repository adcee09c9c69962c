#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <regex>

using namespace breeze;

// The output modes as a user's terminal sees them: the built binary on a pseudo-terminal of a given
// width, running a parallel image build against the recording docker stand-in.

namespace {

struct Checkout {
  files::TempDir dir{"breeze-terminal-e2e"};
  std::filesystem::path root = dir.path() / "airflow";
  Checkout() {
    test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
    test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  }
  ~Checkout() {
    for (const auto& folder : log_folders)
      std::filesystem::remove_all(folder);
  }
  // A parallel build on a terminal `columns` wide and `rows` high, with `env` added.
  test::BinaryResult build(unsigned short columns, std::map<std::string, std::string> env,
                           unsigned short rows = 40) {
    env.emplace("BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker");
    env.emplace("-DOCKER_HOST", "");
    env.emplace("TERM", "xterm-256color");
    auto r = test::run_on_terminal({"ci-image", "build", "--run-in-parallel", "--python-versions",
                                    "3.10 3.11 3.12", "--platform", "linux/amd64"},
                                   env, root, columns, rows);
    std::smatch m;
    if (std::regex_search(r.out, m, std::regex("Logs: (/[^\\s\\x1b]+)")))
      log_folders.push_back(m[1].str());
    return r;
  }
  std::vector<std::string> log_folders;
};

} // namespace

TEST_CASE("e2e: on a 60-column terminal the live view redraws in place and never wraps",
          "[e2e][terminal]") {
  Checkout c;
  auto r = c.build(60, {});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\x1b[2K") != std::string::npos); // the live view: lines redrawn in place
  CHECK(r.out.find("\x1b[32mok\x1b[0m") != std::string::npos); // coloured states
  // The summary table after the view is a result (stdout, meant to be copied whole); the view and
  // the lines before it must fit.
  const auto table = r.out.find("Job  ");
  REQUIRE(table != std::string::npos);
  CHECK(test::longest_visible_line(r.out.substr(0, table)) <= 60);
}

TEST_CASE("e2e: TERM=dumb, CI and NO_COLOR on a terminal get plain lines without escape codes",
          "[e2e][terminal]") {
  Checkout c;
  for (const auto& env : std::vector<std::map<std::string, std::string>>{
           {{"TERM", "dumb"}}, {{"CI", "true"}, {"NO_COLOR", "1"}}}) {
    auto r = c.build(60, env);
    INFO(env.begin()->first << "\n" << r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("\x1b[") == std::string::npos);                // no cursor movement, no colour
    CHECK(r.out.find("[python3.11] started") != std::string::npos); // the plain CI lines
  }
}

TEST_CASE("e2e: on a terminal 3 rows high the live view keeps to 2 lines and sums up the rest",
          "[e2e][terminal]") {
  Checkout c;
  auto r = c.build(80, {}, 3);
  INFO(r.out);
  CHECK(r.exit_code == 0);
  // Three jobs, two rows for the view: one job line and "... and 2 more (...)", so each redraw
  // goes back up two lines, never three (which would scroll the terminal and leave a trail).
  CHECK(std::regex_search(r.out, std::regex("\\.\\.\\. and 2 more \\([0-9a-z, ]+\\)")));
  CHECK(r.out.find("\x1b[2A") != std::string::npos);
  CHECK(r.out.find("\x1b[3A") == std::string::npos);
}
