// ConstraintsRepo::push_object against a real `git daemon` (server hooks only run over a real
// transport): a remote's refusal is a PushOutcome, a remote nobody listens on is an Error.

#include <support/catch.hpp>
#include <support/git_daemon.hpp>
#include <support/git_fixture.hpp>

#include <breeze/git/constraints_repo.hpp>

using namespace breeze;
using namespace breeze::test;

TEST_CASE("git push_object: accepted, refused by a hook (an outcome) and unreachable (an Error)",
          "[integration][git][hooks]") {
  ConstraintsRepos r;
  GitDaemon daemon{r.tmp.path()};
  set_remote_url(r.clone, "apache", daemon.url("apache.git"));
  auto repo = git::ConstraintsRepo::open(git::libgit2_opener(), r.clone);
  REQUIRE(repo);
  const auto commit = commit_of(r.clone, "constraints-2.6.3");

  SECTION("accepted: the remote ref moves") {
    auto pushed = repo->push_object("apache", commit, "refs/heads/pushed", false);
    REQUIRE(pushed);
    CHECK(pushed->accepted);
    CHECK(pushed->message.empty());
    CHECK(ref_of(r.remote, "refs/heads/pushed") == commit);
  }
  SECTION("refused by a pre-receive hook: not accepted, the hook's reason in the outcome") {
    install_hook(r.remote, "pre-receive",
                 "#!/bin/sh\ncat >/dev/null\necho \"pushes are closed\" >&2\nexit 1\n");
    auto pushed = repo->push_object("apache", commit, "refs/heads/pushed", false);
    REQUIRE(pushed);
    CHECK_FALSE(pushed->accepted);
    CHECK_THAT(pushed->message, Catch::Contains("pushes are closed"));
    CHECK(ref_of(r.remote, "refs/heads/pushed").empty());
  }
  SECTION("nobody listens at the push URL: an Error, not a refusal") {
    set_remote_url(r.clone, "apache", daemon.url("apache.git"),
                   "git://127.0.0.1:" + std::to_string(closed_port()) + "/apache.git");
    auto reopened = git::ConstraintsRepo::open(git::libgit2_opener(), r.clone);
    REQUIRE(reopened);
    auto pushed = reopened->push_object("apache", commit, "refs/heads/pushed", false);
    REQUIRE_FALSE(pushed);
    CHECK(ref_of(r.remote, "refs/heads/pushed").empty());
  }
}

TEST_CASE("git push progress: objects and bytes reported while pushing and in the outcome",
          "[integration][git]") {
  ConstraintsRepos r;
  GitDaemon daemon{r.tmp.path()};
  for (const bool over_daemon : {false, true}) {
    INFO((over_daemon ? "git daemon" : "local path"));
    if (over_daemon) set_remote_url(r.clone, "apache", daemon.url("apache.git"));
    auto repo = git::ConstraintsRepo::open(git::libgit2_opener(), r.clone);
    REQUIRE(repo);
    const auto parent = commit_of(r.clone, "constraints-2.6.3");
    // A commit the remote does not have: a new blob, a new tree and the commit itself.
    auto commit = repo->commit_files(
        parent, {{"constraints-3.11.txt", over_daemon ? "new==2\n" : "new==1\n"}}, "progress");
    REQUIRE(commit);
    std::vector<git::PushProgress> seen;
    repo->set_push_progress([&](const git::PushProgress& p) { seen.push_back(p); });
    auto pushed = repo->push_object("apache", *commit,
                                    "refs/heads/progress-" + std::to_string(over_daemon), false);
    REQUIRE(pushed);
    CHECK(pushed->accepted);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().objects_total >= 3);
    CHECK(pushed->objects >= 3);
    CHECK(pushed->bytes > 0);
  }
}
