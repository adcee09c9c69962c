// The commits and tags breeze writes carry the identity git would use: GIT_AUTHOR_* and
// GIT_COMMITTER_* from the injected environment over the repository's user.name/user.email.
// Real repositories: a bare "apache" remote and a clone, through update-constraints.

#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/git/handle.hpp>

#include <git2.h>

#include <fstream>

using namespace breeze;
using namespace breeze::test;

namespace {

struct Person {
  std::string name;
  std::string email;
  std::int64_t time = 0;
  int offset = 0;
};

Person person(const git_signature* s) {
  return {s->name, s->email, static_cast<std::int64_t>(s->when.time), s->when.offset};
}

// Author and committer of the commit `rev` peels to, and the tagger of tag object `tag_ref`.
struct Signatures {
  Person author, committer, tagger;
};

Signatures read_signatures(const std::filesystem::path& repo_path, const std::string& tag) {
  git::ensure_initialized();
  git_repository* raw = nullptr;
  REQUIRE(git_repository_open(&raw, repo_path.c_str()) == 0);
  git::RepositoryPtr repo(raw);
  Signatures out;
  git_object* tag_obj = nullptr;
  REQUIRE(git_revparse_single(&tag_obj, repo.get(), ("refs/tags/" + tag).c_str()) == 0);
  git::ObjectPtr owned_tag(tag_obj);
  REQUIRE(git_object_type(tag_obj) == GIT_OBJECT_TAG);
  out.tagger = person(git_tag_tagger(reinterpret_cast<git_tag*>(tag_obj)));
  git_object* commit_obj = nullptr;
  REQUIRE(git_object_peel(&commit_obj, tag_obj, GIT_OBJECT_COMMIT) == 0);
  git::ObjectPtr owned_commit(commit_obj);
  auto* commit = reinterpret_cast<git_commit*>(commit_obj);
  out.author = person(git_commit_author(commit));
  out.committer = person(git_commit_committer(commit));
  return out;
}

void set_user(const std::filesystem::path& clone) {
  std::ofstream(clone / ".git/config", std::ios::app)
      << "[user]\n\tname = Config User\n\temail = config@example.org\n";
}

std::vector<std::string> update_263(const ConstraintsRepos& r) {
  return {"release-management",
          "update-constraints",
          "--constraints-repo",
          r.clone.string(),
          "--airflow-versions",
          "2.6.3",
          "--updated-constraint",
          "pymssql==2.2.8",
          "--commit-message",
          "Update pymssql constraint to 2.2.8",
          "--answer",
          "yes"};
}

} // namespace

TEST_CASE("git identity: GIT_AUTHOR_* and GIT_COMMITTER_* name the commit's author, committer "
          "and the tagger",
          "[integration][git]") {
  ConstraintsRepos r;
  set_user(r.clone);
  InProcess p;
  p.env = {{"GIT_AUTHOR_NAME", "Jarek Author"},
           {"GIT_AUTHOR_EMAIL", "author@apache.org"},
           {"GIT_AUTHOR_DATE", "Thu, 07 Apr 2005 22:13:13 +0200"},
           {"GIT_COMMITTER_NAME", "Release Committer"},
           {"GIT_COMMITTER_EMAIL", "committer@apache.org"},
           {"GIT_COMMITTER_DATE", "2023-08-13T10:00:00Z"}};
  REQUIRE(p.run(update_263(r)) == 0);
  const auto s = read_signatures(r.remote, "constraints-2.6.3");
  CHECK(s.author.name == "Jarek Author");
  CHECK(s.author.email == "author@apache.org");
  CHECK(s.author.time == 1112904793);
  CHECK(s.author.offset == 120);
  CHECK(s.committer.name == "Release Committer");
  CHECK(s.committer.email == "committer@apache.org");
  CHECK(s.committer.time == 1691920800);
  CHECK(s.committer.offset == 0);
  // git tag takes the committer identity for the tagger
  CHECK(s.tagger.name == "Release Committer");
  CHECK(s.tagger.email == "committer@apache.org");
  CHECK(s.tagger.time == 1691920800);
}

TEST_CASE("git identity: without git's variables the repository's user.name/user.email are used",
          "[integration][git]") {
  ConstraintsRepos r;
  set_user(r.clone);
  InProcess p;
  p.env = {{"GIT_AUTHOR_NAME", "Only The Author"}};
  REQUIRE(p.run(update_263(r)) == 0);
  const auto s = read_signatures(r.remote, "constraints-2.6.3");
  CHECK(s.author.name == "Only The Author");
  CHECK(s.author.email == "config@example.org");
  CHECK(s.committer.name == "Config User");
  CHECK(s.committer.email == "config@example.org");
}

TEST_CASE("git identity: a bad GIT_COMMITTER_DATE stops before anything is written",
          "[integration][git]") {
  ConstraintsRepos r;
  const auto remote_refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  auto run = run_binary(update_263(r), {{"GIT_COMMITTER_DATE", "next tuesday"}});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("GIT_COMMITTER_DATE: invalid date format: 'next tuesday'"));
  CHECK(all_refs(r.remote) == remote_refs);
  CHECK(all_refs(r.clone) == clone_refs);
}
