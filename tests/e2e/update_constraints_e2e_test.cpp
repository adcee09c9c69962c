// The seed's update-constraints command lines, verbatim, through the built binary.

#include <support/catch.hpp>
#include <support/git_daemon.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <nlohmann/json.hpp>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

using namespace breeze;
using namespace breeze::test;

namespace {

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (const auto& l : strings::split(s, '\n'))
    if (!strings::trim(l).empty()) ++n;
  return n;
}

} // namespace

TEST_CASE("the seed's update-constraints examples run verbatim", "[e2e][update-constraints]") {
  ConstraintsRepos r;
  // The seed names 2.5.0 too; the bundle starts at 2.5.1, so the remote gets a 2.5.0 tag.
  annotated_tag(r.remote, "constraints-2.5.0", "constraints-2.5.1");
  const auto original = commit_of(r.remote, "constraints-2.6.3");
  const std::string repo = r.clone.string();
  auto first = run_binary({"release-management", "update-constraints", "--constraints-repo", repo,
                           "--airflow-versions", "2.5.0,2.5.1,2.5.2,2.5.3,2.6.0,2.6.1,2.6.2,2.6.3",
                           "--updated-constraint", "pymssql==2.2.8", "--commit-message",
                           "Update pymssql constraint to 2.2.8"},
                          {{"ANSWER", "yes"}});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto after_first = commit_of(r.remote, "constraints-2.6.3");
  CHECK(parent_of(r.remote, after_first) == original);

  auto second = run_binary({"release-management", "update-constraints", "--constraints-repo", repo,
                            "--airflow-versions", "2.5.0,2.5.1,2.5.2,2.5.3,2.6.0,2.6.1,2.6.2,2.6.3",
                            "--updated-constraint", "pymssql==2.2.8", "--updated-constraint",
                            "Authlib==1.3.0", "--commit-message",
                            "Update pymssql constraint to 2.2.8 and Authlib to 1.3.0"},
                           {{"ANSWER", "yes"}});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  for (const std::string v :
       {"2.5.0", "2.5.1", "2.5.2", "2.5.3", "2.6.0", "2.6.1", "2.6.2", "2.6.3"}) {
    INFO(v);
    const auto tip = commit_of(r.remote, "constraints-" + v);
    CHECK(ref_of(r.remote, "refs/heads/constraints-" + v + "-fix") == tip);
    for (const auto& f : tree_files(r.remote, tip)) {
      INFO(f);
      const auto text = *blob_at(r.remote, tip, f);
      CHECK(text.find("\nAuthlib==1.3.0\n") != std::string::npos);
      CHECK(text.find("pymssql==2.2.7") == std::string::npos);
    }
  }
  CHECK(parent_of(r.remote, commit_of(r.remote, "constraints-2.6.3")) == after_first);
  CHECK(second.out.find("version") != std::string::npos); // the summary table
}

TEST_CASE("update-constraints: n changes nothing (exit 0), q says it stopped (exit 1)",
          "[e2e][update-constraints]") {
  ConstraintsRepos r;
  const auto original = commit_of(r.remote, "constraints-2.6.3");
  const std::vector<std::string> args{"release-management",   "update-constraints",
                                      "--constraints-repo",   r.clone.string(),
                                      "--airflow-versions",   "2.6.3",
                                      "--updated-constraint", "pymssql==2.2.8",
                                      "--commit-message",     "Update pymssql"};
  auto no = run_binary(args, {{"ANSWER", "no"}});
  CHECK(no.exit_code == 0);
  CHECK_THAT(no.out, Catch::Contains("Nothing was changed.\n"));
  auto quit = run_binary(args, {{"ANSWER", "quit"}});
  CHECK(quit.exit_code == 1);
  CHECK_THAT(quit.out, Catch::Contains("Stopped (q): nothing changed.\n"));
  CHECK(commit_of(r.remote, "constraints-2.6.3") == original);
}

TEST_CASE("update-constraints bad input: one line, exit code, nothing changed",
          "[e2e][update-constraints]") {
  ConstraintsRepos r;
  const auto refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  const std::string repo = r.clone.string();
  auto run = [&](std::vector<std::string> extra,
                 const std::map<std::string, std::string>& env = {{"ANSWER", "yes"}}) {
    std::vector<std::string> args{"release-management", "update-constraints", "--commit-message",
                                  "msg"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_binary(args, env);
  };
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string says;
  };
  const std::vector<Case> cases{
      {{"--constraints-repo", repo, "--airflow-versions", "2.6.3", "--updated-constraint",
        "pymssql>=2.2.8"},
       2,
       "must be NAME==VERSION"},
      {{"--constraints-repo", repo, "--airflow-versions", "2.9.9", "--updated-constraint",
        "pymssql==2.2.8"},
       1,
       "no tag constraints-2.9.9"},
      {{"--constraints-repo", r.tmp.path().string(), "--airflow-versions", "2.6.3",
        "--updated-constraint", "pymssql==2.2.8"},
       1,
       "not a git repository"},
      {{"--constraints-repo", repo, "--remote-name", "upstream", "--airflow-versions", "2.6.3",
        "--updated-constraint", "pymssql==2.2.8"},
       1,
       "no remote named 'upstream'"},
  };
  for (const auto& c : cases) {
    auto res = run(c.args);
    INFO(strings::join(c.args, " ") << "\n" << res.err);
    CHECK(res.exit_code == c.code);
    CHECK(count_lines(res.err) == 1);
    CHECK(res.err.find(c.says) != std::string::npos);
  }
  auto no_answer = run({"--constraints-repo", repo, "--airflow-versions", "2.6.3",
                        "--updated-constraint", "pymssql==2.2.8"},
                       {{"-ANSWER", ""}});
  CHECK(no_answer.exit_code == 2);
  CHECK(no_answer.err.find("--answer") != std::string::npos);
  CHECK(all_refs(r.remote) == refs);
  CHECK(all_refs(r.clone) == clone_refs);
}

TEST_CASE("release-management commands have help with examples", "[e2e][update-constraints]") {
  for (const char* cmd :
       {"update-constraints", "restore-constraints-tags", "publish-constraints"}) {
    auto res = run_binary({"release-management", cmd, "--help"});
    INFO(cmd);
    CHECK(res.exit_code == 0);
    CHECK(res.out.find("Examples:") != std::string::npos);
  }
}

namespace {

// A pre-receive hook that waits at `gate` (while it exists) before accepting: the run that got
// the repository lock is held inside its first push while the other run tries its luck.
std::string gated_hook(const std::filesystem::path& gate) {
  return "#!/bin/sh\ncat >/dev/null\nif [ -p '" + gate.string() + "' ]; then read x < '" +
         gate.string() + "' || true; fi\nexit 0\n";
}

std::vector<std::string> update_263(const std::filesystem::path& clone, const std::string& pin) {
  return {"release-management",   "update-constraints",
          "--constraints-repo",   clone.string(),
          "--airflow-versions",   "2.6.3",
          "--updated-constraint", pin,
          "--commit-message",     "Update constraint: " + pin};
}

// The tag on `repo` is an annotated tag constraints-2.6.3 on a child of `parent` whose files are
// the parent's with every pymssql pin at `version`.
void check_tag_holds(const std::filesystem::path& repo, const std::string& parent,
                     const std::string& version) {
  const auto commit = commit_of(repo, "constraints-2.6.3");
  CHECK(parent_of(repo, commit) == parent);
  CHECK(ref_of(repo, "refs/tags/constraints-2.6.3") != commit); // an annotated tag object
  for (const auto& f : tree_files(repo, parent)) {
    INFO(f);
    auto expected = *blob_at(repo, parent, f);
    for (std::size_t pos = expected.find("\npymssql=="); pos != std::string::npos;
         pos = expected.find("\npymssql==", pos + 1)) {
      const auto end = expected.find('\n', pos + 1);
      expected.replace(pos + 1, end - pos - 1, "pymssql==" + version);
    }
    CHECK(*blob_at(repo, commit, f) == expected);
  }
}

} // namespace

TEST_CASE(
    "two update-constraints runs racing on one clone: one proceeds, the other refuses at once",
    "[e2e][update-constraints][concurrency]") {
  ConstraintsRepos r;
  GitDaemon daemon(r.tmp.path());
  set_remote_url(r.clone, "apache", daemon.url("apache.git"));
  const auto gate_path = r.tmp.path() / "gate";
  install_hook(r.remote, "pre-receive", gated_hook(gate_path));
  const auto lock_file = r.clone / ".git" / "breeze-constraints.lock";
  std::string parent = commit_of(r.remote, "constraints-2.6.3");
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    HookGate gate(gate_path);
    const std::string va = "2.2." + std::to_string(10 + 2 * round);
    const std::string vb = "2.2." + std::to_string(11 + 2 * round);
    BackgroundBreeze a(update_263(r.clone, "pymssql==" + va), {{"ANSWER", "yes"}});
    BackgroundBreeze b(update_263(r.clone, "pymssql==" + vb), {{"ANSWER", "yes"}});
    // The winner cannot finish while its push waits at the gate, so the first to end is the loser.
    auto first = wait_any({&a, &b}, std::chrono::seconds(60));
    REQUIRE(first.has_value());
    BackgroundBreeze& loser = *first == 0 ? a : b;
    BackgroundBreeze& winner = *first == 0 ? b : a;
    INFO("loser stderr: " << loser.err());
    CHECK(loser.exit_code() == 1);
    CHECK(count_lines(loser.err()) == 1);
    CHECK(loser.err().find("another breeze run (pid " + std::to_string(winner.pid()) + ")") !=
          std::string::npos);
    CHECK(loser.err().find(lock_file.string()) != std::string::npos);
    gate.release();
    REQUIRE(winner.wait(std::chrono::seconds(120)));
    INFO("winner stderr: " << winner.err());
    CHECK(winner.exit_code() == 0);
    CHECK(winner.out().find("pushed") != std::string::npos);
    // The remote tag holds the winner's pin, on top of the previous round's commit.
    check_tag_holds(r.remote, parent, &winner == &a ? va : vb);
    CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") ==
          ref_of(r.remote, "refs/tags/constraints-2.6.3"));
    CHECK(!std::filesystem::exists(lock_file));
    for (const auto& [name, _] : all_refs(r.clone))
      CHECK(!name.starts_with("refs/breeze/"));
    parent = commit_of(r.remote, "constraints-2.6.3");
  }
}

TEST_CASE("a stale repository lock is reported with how to remove it, never taken over",
          "[e2e][update-constraints][concurrency]") {
  ConstraintsRepos r;
  const auto lock_file = r.clone / ".git" / "breeze-constraints.lock";
  // A pid that is certainly dead: a child we started and reaped.
  BackgroundBreeze dead({"version"});
  REQUIRE(dead.wait(std::chrono::seconds(60)));
  write_file(lock_file, std::to_string(dead.pid()) + "\n");
  const auto refs = all_refs(r.remote);
  write_file(r.tmp.path() / "files" / "constraints-3.8" / "constraints-3.8.txt", "a==1\n");
  for (const auto& args :
       {update_263(r.clone, "pymssql==2.2.8"),
        std::vector<std::string>{"release-management", "publish-constraints", "--constraints-repo",
                                 r.clone.string(), "--files-dir", (r.tmp.path() / "files").string(),
                                 "-m", "x"}}) {
    auto res = run_binary(args, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(count_lines(res.err) == 1);
    CHECK(res.err.find("stale lock file " + lock_file.string()) != std::string::npos);
    CHECK(res.err.find("pid " + std::to_string(dead.pid())) != std::string::npos);
    CHECK(res.err.find("rm " + lock_file.string()) != std::string::npos);
    CHECK(std::filesystem::exists(lock_file)); // not silently stolen
  }
  CHECK(all_refs(r.remote) == refs);
}

TEST_CASE("a token in the remote URL is printed nowhere: verbose output, JSON, journal, errors",
          "[e2e][update-constraints][redact]") {
  ConstraintsRepos r;
  GitDaemon daemon(r.tmp.path());
  const std::string token = "ghp_inTheRemoteUrl0123456789abcdef";
  const std::string url = "git://x-access-token:" + token +
                          "@127.0.0.1:" + std::to_string(daemon.port()) + "/apache.git";
  set_remote_url(r.clone, "apache", url);
  const std::map<std::string, std::string> env{{"ANSWER", "yes"}, {"-GITHUB_TOKEN", ""}};
  auto no_token = [&](const std::string& what, const std::string& text) {
    INFO(what << ":\n" << text);
    CHECK(text.find(token) == std::string::npos);
  };
  auto update =
      run_binary({"release-management", "update-constraints", "--constraints-repo",
                  r.clone.string(), "--airflow-versions", "2.6.2,2.6.3", "--updated-constraint",
                  "pymssql==2.2.8", "-m", "fix", "--output", "json", "--verbose"},
                 env);
  INFO(update.err);
  REQUIRE(update.exit_code == 0);
  CHECK(update.err.find("remote apache: git://127.0.0.1:") !=
        std::string::npos); // the URL, without userinfo
  no_token("stdout", update.out);
  no_token("stderr", update.err);
  const auto journal = nlohmann::json::parse(update.out)["journal"].get<std::string>();
  no_token("journal", read_file(journal));

  auto restore = run_binary(
      {"release-management", "restore-constraints-tags", "--journal", journal, "--verbose"}, env);
  CHECK(restore.exit_code == 0);
  no_token("restore stdout", restore.out);
  no_token("restore stderr", restore.err);

  // A push that fails (nobody listens at the push URL) prints its error without the token either.
  set_remote_url(r.clone, "apache", url,
                 "git://x-access-token:" + token + "@127.0.0.1:" + std::to_string(closed_port()) +
                     "/apache.git");
  auto failed = run_binary({"release-management", "update-constraints", "--constraints-repo",
                            r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                            "pymssql==2.2.9", "-m", "fix", "--output", "json", "--verbose"},
                           env);
  CHECK(failed.exit_code == 1);
  no_token("failed stdout", failed.out);
  no_token("failed stderr", failed.err);
  for (const auto& e : std::filesystem::directory_iterator(r.clone / ".git"))
    if (e.path().filename().string().starts_with("breeze-constraints-restore-"))
      no_token("journal", read_file(e.path()));
}

TEST_CASE("update-constraints killed with SIGKILL mid-push: the re-run reports the stale lock, "
          "then repairs",
          "[e2e][update-constraints][kill]") {
  ConstraintsRepos r;
  GitDaemon daemon(r.tmp.path());
  set_remote_url(r.clone, "apache", daemon.url("apache.git"));
  const auto gate_path = r.tmp.path() / "gate";
  const auto arrived_path = r.tmp.path() / "arrived";
  const auto reject = r.tmp.path() / "reject";
  // The hook says "arrived" (a FIFO the test waits on), waits at the gate, then refuses if told to.
  install_hook(r.remote, "pre-receive",
               "#!/bin/sh\ncat >/dev/null\nif [ -p '" + gate_path.string() +
                   "' ]; then echo here > '" + arrived_path.string() + "'; read x < '" +
                   gate_path.string() + "' || true; fi\nif [ -e '" + reject.string() +
                   "' ]; then exit 1; fi\nexit 0\n");
  REQUIRE(::mkfifo(arrived_path.c_str(), 0600) == 0);
  const int arrived = ::open(arrived_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(arrived >= 0);
  const auto tag = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  const auto old_commit = commit_of(r.remote, "constraints-2.6.3");
  const auto lock_file = r.clone / ".git" / "breeze-constraints.lock";
  {
    HookGate gate(gate_path);
    BackgroundBreeze run(update_263(r.clone, "pymssql==2.2.8"), {{"ANSWER", "yes"}});
    pollfd p{arrived, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 60'000) == 1); // the run is inside its branch push
    run.kill(SIGKILL);
    REQUIRE(run.wait(std::chrono::seconds(60)));
    CHECK(run.exit_code() == 128 + SIGKILL);
    write_file(reject, "");
    gate.release();

    auto refused = run_binary(update_263(r.clone, "pymssql==2.2.8"), {{"ANSWER", "yes"}});
    INFO(refused.err);
    CHECK(refused.exit_code == 1);
    CHECK(count_lines(refused.err) == 1);
    CHECK(refused.err.find("stale lock file " + lock_file.string() + ": pid " +
                           std::to_string(run.pid())) != std::string::npos);
    CHECK(refused.err.find("rm " + lock_file.string()) != std::string::npos);
  }
  ::close(arrived);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == tag);
  bool scratch_left = false; // the killed run's scratch ref
  for (const auto& [name, _] : all_refs(r.clone))
    scratch_left = scratch_left || name.starts_with("refs/breeze/");
  CHECK(scratch_left);

  std::filesystem::remove(lock_file);
  std::filesystem::remove(reject);
  auto again = run_binary(update_263(r.clone, "pymssql==2.2.8"), {{"ANSWER", "yes"}});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  check_tag_holds(r.remote, old_commit, "2.2.8");
  CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") ==
        ref_of(r.remote, "refs/tags/constraints-2.6.3"));
  for (const auto& [name, _] : all_refs(r.clone))
    CHECK(!name.starts_with("refs/breeze/"));
  CHECK(!std::filesystem::exists(lock_file));
}

namespace {

// update-constraints for 2.6.3 on a pseudo-terminal `rows` high, answering "n" at the prompt (when
// it asks) and with `env` added; PAGER is the recording stand-in writing to `record`.
BinaryResult update_on_terminal(const ConstraintsRepos& r, const std::filesystem::path& record,
                                unsigned short rows, std::map<std::string, std::string> env,
                                std::vector<std::string> extra = {}, bool job_control = false,
                                const std::string& pager_args = {}) {
  std::vector<std::string> args{"release-management",   "update-constraints", "--constraints-repo",
                                r.clone.string(),       "--airflow-versions", "2.6.3",
                                "--updated-constraint", "pymssql==2.2.8",     "--commit-message",
                                "Update pymssql"};
  args.insert(args.end(), extra.begin(), extra.end());
  env.emplace("PAGER", std::string(BREEZE_TEST_SCRIPTS) + "/recording-pager " + record.string() +
                           pager_args);
  env.emplace("TERM", "xterm-256color");
  if (job_control)
    return run_on_terminal_with_job_control(args, env, r.tmp.path(), 100, rows, "n\n");
  return run_on_terminal(args, env, r.tmp.path(), 100, rows, "n\n");
}

} // namespace

TEST_CASE("update-constraints pages a diff longer than the terminal through $PAGER",
          "[e2e][update-constraints][terminal]") {
  ConstraintsRepos r;
  const auto record = r.tmp.path() / "paged.txt";
  auto res = update_on_terminal(r, record, 10, {});
  INFO(res.out);
  CHECK(res.exit_code == 0);
  // The pager (PAGER split into words: the script and its argument) got the whole plan, coloured,
  // on its stdin, and ran in the terminal's foreground; breeze took the terminal back to ask.
  const auto paged = files::read(record);
  REQUIRE(paged);
  CHECK_THAT(*paged, Catch::Contains("tag constraints-2.6.3 points at commit"));
  CHECK_THAT(*paged, Catch::Contains("\x1b[32m+pymssql==2.2.8\x1b[0m"));
  CHECK(files::read(record.string() + ".tty").value_or("") == "tty=1 foreground=1\n");
  CHECK(res.out.find("+pymssql==2.2.8") == std::string::npos); // shown by the pager only
  CHECK_THAT(res.out, Catch::Contains("Nothing was changed."));
}

TEST_CASE("Ctrl-Z in the pager stops breeze with it, and fg continues both to the prompt",
          "[e2e][update-constraints][terminal]") {
  // The stand-in pager sends SIGTSTP to the terminal's foreground group, as Ctrl-Z does. Had it a
  // group of its own, only it would stop and breeze would wait for it forever (the run's bounded
  // wait fails the test); in breeze's group both stop, the shell sees breeze stopped and `fg`
  // continues both.
  ConstraintsRepos r;
  const auto record = r.tmp.path() / "paged.txt";
  auto res = update_on_terminal(r, record, 10, {}, {}, true, " --suspend");
  INFO(res.out);
  CHECK(res.exit_code == 0);
  const auto stopped = res.out.find(k_job_stopped_line);
  REQUIRE(stopped != std::string::npos);
  CHECK(res.out.find(k_job_stopped_line, stopped + 1) == std::string::npos); // once
  // The pager was continued: it got the whole plan and had the terminal's foreground after `fg`;
  // breeze asked after it and stopped on the typed "n".
  const auto paged = files::read(record);
  REQUIRE(paged);
  CHECK_THAT(*paged, Catch::Contains("\x1b[32m+pymssql==2.2.8\x1b[0m"));
  CHECK(files::read(record.string() + ".tty").value_or("") == "tty=1 foreground=1\n");
  const auto asked = res.out.find("constraints tag(s) and push them to");
  REQUIRE(asked != std::string::npos);
  CHECK(asked > stopped);
  CHECK(res.out.find("Nothing was changed.", asked) != std::string::npos);
}

TEST_CASE("Ctrl-C in the pager stops the run once the pager is quit, nothing changed",
          "[e2e][update-constraints][terminal]") {
  // The stand-in sends SIGINT to the terminal's foreground group, as Ctrl-C does, and ignores it
  // as less does: breeze, in that group, gets it too, waits for the pager, then stops.
  ConstraintsRepos r;
  const auto record = r.tmp.path() / "paged.txt";
  const auto tag = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  auto res = update_on_terminal(r, record, 10, {}, {}, false, " --interrupt");
  INFO(res.out);
  CHECK(res.exit_code == 130);
  const auto paged = files::read(record);
  REQUIRE(paged);
  CHECK_THAT(*paged, Catch::Contains("\x1b[32m+pymssql==2.2.8\x1b[0m"));
  // The question shows, but the typed "n" is never read: the run stops as interrupted.
  const auto asked = res.out.find("constraints tag(s) and push them to");
  REQUIRE(asked != std::string::npos);
  CHECK(res.out.find("Interrupted.", asked) != std::string::npos);
  CHECK(res.out.find("Nothing was changed.") == std::string::npos);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == tag);
}

TEST_CASE("update-constraints prints the diff without a pager in CI, with --answer, when it is "
          "short, or when the pager cannot start",
          "[e2e][update-constraints][terminal]") {
  ConstraintsRepos r;
  const auto record = r.tmp.path() / "paged.txt";
  struct Case {
    std::string what;
    std::map<std::string, std::string> env;
    std::vector<std::string> extra;
  };
  const std::vector<Case> cases{
      {"CI", {{"CI", "true"}}, {}},          {"GITHUB_ACTIONS", {{"GITHUB_ACTIONS", "true"}}, {}},
      {"--answer", {}, {"--answer", "no"}},  {"short (LINES)", {{"LINES", "500"}}, {}},
      {"TERM=dumb", {{"TERM", "dumb"}}, {}},
  };
  for (const auto& c : cases) {
    auto res = update_on_terminal(r, record, 10, c.env, c.extra);
    INFO(c.what << "\n" << res.out);
    CHECK(res.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists(record));
    CHECK_THAT(res.out, Catch::Contains("pymssql==2.2.8"));
    CHECK_THAT(res.out, Catch::Contains("Nothing was changed."));
  }
  // A pager that does not exist: the diff is printed directly, never lost.
  auto missing = update_on_terminal(r, record, 10, {{"PAGER", "/nonexistent/pager -R"}});
  INFO(missing.out);
  CHECK(missing.exit_code == 0);
  CHECK_THAT(missing.out, Catch::Contains("+pymssql==2.2.8"));
  CHECK_THAT(missing.out, Catch::Contains("Nothing was changed."));
}

TEST_CASE("pushes say what they sent: one line per push in plain mode, a live line on a terminal",
          "[e2e][update-constraints][terminal]") {
  ConstraintsRepos r;
  const std::vector<std::string> args{
      "release-management",   "update-constraints", "--constraints-repo",
      r.clone.string(),       "--airflow-versions", "2.6.3",
      "--updated-constraint", "pymssql==2.2.8",     "--commit-message",
      "Update pymssql",       "--output",           "json"};
  const std::regex branch_done(
      "Pushing constraints-2\\.6\\.3-fix to apache\\.\\.\\. done \\([1-9][0-9]* objects, "
      "[0-9.]+ (B|KiB)\\)\r?\n");
  const std::regex tag_done("Pushing tag constraints-2\\.6\\.3 to apache\\.\\.\\. done \\(1 "
                            "object, [0-9.]+ (B|KiB)\\)\r?\n");
  auto plain = run_binary(args, {{"ANSWER", "yes"}});
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  CHECK(std::regex_search(plain.err, branch_done));
  CHECK(std::regex_search(plain.err, tag_done));
  CHECK(plain.err.find('\r') == std::string::npos);
  const auto journal = nlohmann::json::parse(plain.out)["journal"].get<std::string>();

  // restore-constraints-tags pushes the old tag back, on a terminal: progress, then the done line.
  auto restore = run_on_terminal(
      {"release-management", "restore-constraints-tags", "--journal", journal, "--answer", "yes"},
      {{"TERM", "xterm-256color"}}, r.tmp.path(), 100);
  CAPTURE(restore.out);
  CHECK(restore.exit_code == 0);
  CHECK(std::regex_search(
      restore.out, std::regex("Pushing tag constraints-2\\.6\\.3 to "
                              "apache\\.\\.\\. done \\([0-9]+ objects?, [0-9.]+ (B|KiB)\\)")));

  std::vector<std::string> on_terminal{args.begin(), args.end() - 2};
  on_terminal.insert(on_terminal.end(), {"--answer", "yes"});
  auto live = run_on_terminal(on_terminal, {{"TERM", "xterm-256color"}}, r.tmp.path(), 100);
  INFO(live.out);
  CHECK(live.exit_code == 0);
  // While libgit2 packs and sends: the line redrawn in place, then the done line (the branch is
  // the commit the first run pushed: the remote may have every object).
  CHECK(std::regex_search(live.out, std::regex("\r\x1b\\[2KPushing constraints-2\\.6\\.3-fix to "
                                               "apache\\.\\.\\. [a-z ]*[0-9]+/[0-9]+ objects")));
  CHECK(
      std::regex_search(live.out, std::regex("Pushing constraints-2\\.6\\.3-fix to apache\\.\\.\\. "
                                             "done \\([0-9]+ objects?, [0-9.]+ (B|KiB)\\)\r\n")));
}
