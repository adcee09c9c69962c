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
