// The commands open repositories only through Services::git: with an opener that refuses, every
// command that reads or changes a repository stops with one line and writes nothing, although the
// repositories it names are real.

#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/git/opener.hpp>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace breeze;
using namespace breeze::test;

namespace {

// Refuses every repository and notes which it was asked for.
class RefusingOpener final : public git::Opener {
public:
  std::vector<std::filesystem::path> asked;
  Expected<git::RepositoryPtr> open(const std::filesystem::path& path) override {
    asked.push_back(path);
    return Error{ErrorKind::git, "refused by the test's opener", path.string()};
  }
};

// Runs `p` with `args`, returning its exit code and what it logged: breeze logs to the process's
// stderr (fd 2), so fd 2 goes to a file for the run (ctest runs each test case in its own process).
std::pair<int, std::string> run_logged(InProcess& p, const std::vector<std::string>& args) {
  files::TempDir dir{"breeze-opener-log"};
  const auto log = dir.path() / "stderr";
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(saved >= 0);
  REQUIRE(fd >= 0);
  ::dup2(fd, 2);
  ::close(fd);
  const int code = p.run(args);
  spdlog::default_logger()->flush();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  return {code, read_file(log)};
}

// Non-empty lines of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

} // namespace

TEST_CASE("commands open repositories only through the injected git opener",
          "[integration][git-opener]") {
  ConstraintsRepos r;
  const auto remote_refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  const auto clone_files = snapshot_tree(r.clone);
  const auto files = r.tmp.path() / "files";
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", "pymssql==2.2.8\n");

  const std::vector<std::vector<std::string>> commands{
      {"release-management", "update-constraints", "--constraints-repo", r.clone.string(),
       "--airflow-versions", "2.6.3", "--updated-constraint", "pymssql==2.2.8", "--commit-message",
       "Update", "--answer", "yes"},
      {"release-management", "publish-constraints", "--constraints-repo", r.clone.string(),
       "--files-dir", files.string(), "--commit-message", "Update", "--answer", "yes"},
      {"release-management", "restore-constraints-tags", "--journal",
       (r.tmp.path() / "journal.json").string(), "--constraints-repo", r.clone.string(), "--answer",
       "yes"},
  };
  for (const auto& args : commands) {
    INFO(args[1]);
    RefusingOpener opener;
    InProcess p;
    p.git = &opener;
    if (args[1] == "restore-constraints-tags")
      write_file(
          r.tmp.path() / "journal.json",
          R"({"repo":")" + r.clone.string() +
              R"(","remote":"apache","entries":[{"version":"2.6.3","tag":"constraints-2.6.3",)"
              R"("old_target":"0000000000000000000000000000000000000000",)"
              R"("new_target":"1111111111111111111111111111111111111111"}]})");
    const auto [code, logged] = run_logged(p, args);
    CHECK(code == 1);
    REQUIRE(!opener.asked.empty());
    CHECK(opener.asked.front() == r.clone);
    const auto err = lines_of(logged);
    REQUIRE(err.size() == 1);
    CHECK(err.front().find("not a git repository") != std::string::npos);
    CHECK(err.front().find(r.clone.string()) != std::string::npos);
    CHECK(all_refs(r.remote) == remote_refs);
    CHECK(all_refs(r.clone) == clone_refs);
    CHECK(snapshot_tree(r.clone) == clone_files);
  }
}

TEST_CASE("find-backtracking-candidates reads --constraints-repo through the injected opener",
          "[integration][git-opener]") {
  ConstraintsRepos r;
  RefusingOpener opener;
  InProcess p;
  p.git = &opener;
  const auto [code, logged] =
      run_logged(p, {"ci", "find-backtracking-candidates", "--constraints-repo", r.clone.string()});
  CHECK(code == 1);
  REQUIRE(opener.asked.size() == 1);
  CHECK(opener.asked.front() == r.clone);
  const auto err = lines_of(logged);
  REQUIRE(err.size() == 1);
  CHECK(err.front().find("refused by the test's opener") != std::string::npos);
  CHECK(p.out.str().empty());
}
