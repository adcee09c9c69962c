// The seed's update-constraints command lines, verbatim, through the built binary.

#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

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
                           "--updated-constraint", "pymssql==2.2.8",
                           "--commit-message", "Update pymssql constraint to 2.2.8"},
                          {{"ANSWER", "yes"}});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto after_first = commit_of(r.remote, "constraints-2.6.3");
  CHECK(parent_of(r.remote, after_first) == original);

  auto second = run_binary({"release-management", "update-constraints", "--constraints-repo", repo,
                            "--airflow-versions", "2.5.0,2.5.1,2.5.2,2.5.3,2.6.0,2.6.1,2.6.2,2.6.3",
                            "--updated-constraint", "pymssql==2.2.8",
                            "--updated-constraint", "Authlib==1.3.0",
                            "--commit-message", "Update pymssql constraint to 2.2.8 and Authlib to 1.3.0"},
                           {{"ANSWER", "yes"}});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  for (const std::string v : {"2.5.0", "2.5.1", "2.5.2", "2.5.3", "2.6.0", "2.6.1", "2.6.2", "2.6.3"}) {
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

TEST_CASE("update-constraints bad input: one line, exit code, nothing changed", "[e2e][update-constraints]") {
  ConstraintsRepos r;
  const auto refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  const std::string repo = r.clone.string();
  auto run = [&](std::vector<std::string> extra, const std::map<std::string, std::string>& env = {{"ANSWER", "yes"}}) {
    std::vector<std::string> args{"release-management", "update-constraints", "--commit-message", "msg"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_binary(args, env);
  };
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string says;
  };
  const std::vector<Case> cases{
      {{"--constraints-repo", repo, "--airflow-versions", "2.6.3", "--updated-constraint", "pymssql>=2.2.8"}, 2,
       "must be NAME==VERSION"},
      {{"--constraints-repo", repo, "--airflow-versions", "2.9.9", "--updated-constraint", "pymssql==2.2.8"}, 1,
       "no tag constraints-2.9.9"},
      {{"--constraints-repo", r.tmp.path().string(), "--airflow-versions", "2.6.3", "--updated-constraint",
        "pymssql==2.2.8"}, 1, "not a git repository"},
      {{"--constraints-repo", repo, "--remote-name", "upstream", "--airflow-versions", "2.6.3", "--updated-constraint",
        "pymssql==2.2.8"}, 1, "no remote named 'upstream'"},
  };
  for (const auto& c : cases) {
    auto res = run(c.args);
    INFO(strings::join(c.args, " ") << "\n" << res.err);
    CHECK(res.exit_code == c.code);
    CHECK(count_lines(res.err) == 1);
    CHECK(res.err.find(c.says) != std::string::npos);
  }
  auto no_answer = run({"--constraints-repo", repo, "--airflow-versions", "2.6.3", "--updated-constraint", "pymssql==2.2.8"},
                       {{"-ANSWER", ""}});
  CHECK(no_answer.exit_code == 2);
  CHECK(no_answer.err.find("--answer") != std::string::npos);
  CHECK(all_refs(r.remote) == refs);
  CHECK(all_refs(r.clone) == clone_refs);
}

TEST_CASE("release-management commands have help with examples", "[e2e][update-constraints]") {
  for (const char* cmd : {"update-constraints", "restore-constraints-tags", "publish-constraints"}) {
    auto res = run_binary({"release-management", cmd, "--help"});
    INFO(cmd);
    CHECK(res.exit_code == 0);
    CHECK(res.out.find("Examples:") != std::string::npos);
  }
}
