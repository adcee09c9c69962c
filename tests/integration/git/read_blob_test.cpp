#include <support/catch.hpp>
#include <support/fake_http.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>
#include <support/pypi_server.hpp>

#include <breeze/git/read_blob.hpp>

#include <git2.h>

using namespace breeze;

namespace {

// Builds commits straight in the object database (no work tree), like a constraints branch.
class Repo {
public:
  explicit Repo(const std::filesystem::path& path, bool bare) {
    git_libgit2_init();
    REQUIRE(git_repository_init(&m_repo, path.c_str(), bare ? 1 : 0) == 0);
  }
  ~Repo() {
    git_repository_free(m_repo);
    git_libgit2_shutdown();
  }
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;

  // Commits `files` (path -> content, replacing the whole tree) on `branch` at `when` (unix time).
  void commit(const std::string& branch, const std::map<std::string, std::string>& files,
              git_time_t when) {
    git_treebuilder* tb = nullptr;
    REQUIRE(git_treebuilder_new(&tb, m_repo, nullptr) == 0);
    for (const auto& [path, content] : files) {
      git_oid blob;
      REQUIRE(git_blob_create_from_buffer(&blob, m_repo, content.data(), content.size()) == 0);
      REQUIRE(git_treebuilder_insert(nullptr, tb, path.c_str(), &blob, GIT_FILEMODE_BLOB) == 0);
    }
    git_oid tree_id;
    REQUIRE(git_treebuilder_write(&tree_id, tb) == 0);
    git_treebuilder_free(tb);
    git_tree* tree = nullptr;
    REQUIRE(git_tree_lookup(&tree, m_repo, &tree_id) == 0);
    git_signature* sig = nullptr;
    REQUIRE(git_signature_new(&sig, "CI", "ci@example.org", when, 0) == 0);
    const std::string ref = "refs/heads/" + branch;
    git_commit* parent = nullptr;
    git_oid parent_id;
    if (git_reference_name_to_id(&parent_id, m_repo, ref.c_str()) == 0)
      REQUIRE(git_commit_lookup(&parent, m_repo, &parent_id) == 0);
    const git_commit* parents[] = {parent};
    git_oid id;
    REQUIRE(git_commit_create(&id, m_repo, ref.c_str(), sig, sig, nullptr, "Updating constraints",
                              tree, parent ? 1 : 0, parents) == 0);
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
  }

private:
  git_repository* m_repo = nullptr;
};

const std::string k_file = "constraints-source-providers-3.11.txt";
constexpr git_time_t k_first = 1691617703;  // 2023-08-09T21:48:23Z
constexpr git_time_t k_second = 1691700000; // a later commit that touches another file only

} // namespace

TEST_CASE("git read_blob: reads a file at a branch tip from a bare repository",
          "[integration][git]") {
  files::TempDir dir;
  Repo repo(dir.path(), true);
  repo.commit("constraints-main", {{k_file, "a==1\n"}, {"other.txt", "x"}}, k_first);
  repo.commit("constraints-main", {{k_file, "a==2\n"}, {"other.txt", "x"}}, k_first + 60);
  auto blob = git::read_blob(git::libgit2_opener(), dir.path(), "constraints-main", k_file);
  REQUIRE(blob.has_value());
  CHECK(blob->content == "a==2\n");
  CHECK(blob->commit.size() == 40);

  auto no_branch = git::read_blob(git::libgit2_opener(), dir.path(), "constraints-2-7", k_file);
  REQUIRE_FALSE(no_branch.has_value());
  CHECK(no_branch.error().kind == ErrorKind::not_found);
  CHECK_THAT(no_branch.error().message, Catch::Contains("constraints-2-7"));
  auto no_file =
      git::read_blob(git::libgit2_opener(), dir.path(), "constraints-main", "constraints-3.8.txt");
  REQUIRE_FALSE(no_file.has_value());
  CHECK_THAT(no_file.error().message, Catch::Contains("constraints-3.8.txt"));
  auto not_repo =
      git::read_blob(git::libgit2_opener(), dir.path() / "nope", "constraints-main", k_file);
  REQUIRE_FALSE(not_repo.has_value());
}

TEST_CASE("git read_blob_if_present: a missing file is data, a missing branch or repository an "
          "error of kind not_found",
          "[integration][git]") {
  files::TempDir dir;
  Repo repo(dir.path(), true);
  repo.commit("constraints-main", {{k_file, "a==1\n"}}, k_first);
  auto found =
      git::read_blob_if_present(git::libgit2_opener(), dir.path(), "constraints-main", k_file);
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->content == "a==1\n");
  CHECK((*found)->ref == "local branch constraints-main");

  auto absent = git::read_blob_if_present(git::libgit2_opener(), dir.path(), "constraints-main",
                                          "constraints-3.8.txt");
  REQUIRE(absent);
  CHECK_FALSE(absent->has_value());

  auto no_branch =
      git::read_blob_if_present(git::libgit2_opener(), dir.path(), "constraints-2-7", k_file);
  REQUIRE_FALSE(no_branch);
  CHECK(no_branch.error().kind == ErrorKind::not_found);
  auto not_repo = git::read_blob_if_present(git::libgit2_opener(), dir.path() / "nope",
                                            "constraints-main", k_file);
  REQUIRE_FALSE(not_repo);
  CHECK(not_repo.error().kind == ErrorKind::not_found);
  CHECK(not_repo.error().message == "not a git repository");
}

TEST_CASE("git last_commit_time: the last commit that changed the file, not the tip",
          "[integration][git]") {
  files::TempDir dir;
  Repo repo(dir.path(), true);
  repo.commit("constraints-main", {{k_file, "a==1\n"}, {"other.txt", "1"}}, k_first - 3600);
  repo.commit("constraints-main", {{k_file, "a==2\n"}, {"other.txt", "1"}}, k_first);
  repo.commit("constraints-main", {{k_file, "a==2\n"}, {"other.txt", "2"}}, k_second);
  auto t = git::last_commit_time(git::libgit2_opener(), dir.path(), "constraints-main", k_file);
  REQUIRE(t.has_value());
  CHECK(time::format_iso_z(*t) == "2023-08-09T21:48:23Z");
}

TEST_CASE("find-backtracking-candidates --constraints-repo: reads the branch, not the work tree",
          "[integration][git]") {
  files::TempDir dir;
  Repo repo(dir.path(), false);
  // No date in the header: the command falls back to the commit date.
  repo.commit("constraints-main", {{k_file, "# constraints\naiobotocore==2.5.4\n"}}, k_first);
  repo.commit("constraints-main",
              {{k_file, "# constraints\naiobotocore==2.5.4\n"}, {"README", "x"}}, k_second);
  // The work tree holds something else entirely: it must not be read or changed.
  test::write_file(dir.path() / k_file, "aiobotocore==0.1\n");

  test::FakeHttp http;
  http.on("https://pypi.example/pypi/aiobotocore/json", 200,
          R"({"info": {"name": "aiobotocore", "version": "2.6.0"}, "releases": {
               "2.5.4": [{"filename": "aiobotocore-2.5.4.tar.gz", "upload_time_iso_8601": "2023-08-01T00:00:00Z"}],
               "2.6.0": [{"filename": "aiobotocore-2.6.0.tar.gz", "upload_time_iso_8601": "2023-08-11T20:43:19Z"}]}})");
  test::InProcess breeze;
  breeze.http = &http;
  breeze.cwd = dir.path();
  CHECK(breeze.run({"ci", "find-backtracking-candidates", "--constraints-repo", ".", "--python",
                    "3.11", "--pypi-url", "https://pypi.example"}) == 0);
  CHECK_THAT(
      breeze.out.str(),
      Catch::StartsWith("Last constraint date: 2023-08-09 21:48:23\n"
                        "Latest version aiobotocore==2.6.0 release date: 2023-08-11 20:43:19 "
                        "(in current constraints: 2.5.4)\n"));
  CHECK(test::read_file(dir.path() / k_file) == "aiobotocore==0.1\n");

  CHECK(breeze.run({"ci", "find-backtracking-candidates", "--constraints-repo", ".",
                    "--constraints-branch", "constraints-2-7", "--python", "3.11"}) == 1);
}

namespace {

std::string dated(const std::string& date) {
  return "# This constraints file was automatically generated on " + date +
         "\naiobotocore==2.5.4\n";
}

// A clone (remote `apache`) of apache.git with a second remote `origin` (fork.git) fetched and a
// local constraints-main of its own: three different constraints-main tips, told by their dates.
struct ThreeBranches {
  files::TempDir dir{"breeze-remote-order"};
  std::filesystem::path clone = dir.path() / "clone";
  ThreeBranches() {
    const auto apache = dir.path() / "apache.git";
    const auto fork = dir.path() / "fork.git";
    {
      Repo a(apache, true);
      a.commit("constraints-main", {{k_file, dated("2023-08-01T00:00:00Z")}}, k_first);
      Repo f(fork, true);
      f.commit("constraints-main", {{k_file, dated("2023-08-02T00:00:00Z")}}, k_first);
    }
    test::clone_repo(apache, clone, "apache");
    git_libgit2_init();
    git_repository* repo = nullptr;
    REQUIRE(git_repository_open(&repo, clone.c_str()) == 0);
    git_remote* origin = nullptr;
    REQUIRE(git_remote_create(&origin, repo, "origin", fork.c_str()) == 0);
    REQUIRE(git_remote_fetch(origin, nullptr, nullptr, nullptr) == 0);
    git_remote_free(origin);
    git_repository_free(repo);
    git_libgit2_shutdown();
    test::commit_on(clone, "refs/remotes/apache/constraints-main", k_file,
                    dated("2023-08-03T00:00:00Z"), "refs/heads/constraints-main");
  }
  void drop(const std::string& refname) const {
    git_libgit2_init();
    git_repository* repo = nullptr;
    REQUIRE(git_repository_open(&repo, clone.c_str()) == 0);
    REQUIRE(git_reference_remove(repo, refname.c_str()) == 0);
    git_repository_free(repo);
    git_libgit2_shutdown();
  }
};

} // namespace

TEST_CASE("git read_blob: <remote>/<branch> first, then origin/<branch>, then the local branch",
          "[integration][git]") {
  ThreeBranches t;
  auto apache = git::read_blob(git::libgit2_opener(), t.clone, "constraints-main", k_file);
  REQUIRE(apache);
  CHECK(apache->ref == "apache/constraints-main");
  CHECK(apache->content == dated("2023-08-01T00:00:00Z"));
  auto origin =
      git::read_blob(git::libgit2_opener(), t.clone, "constraints-main", k_file, "upstream");
  REQUIRE(origin);
  CHECK(origin->ref == "origin/constraints-main");
  CHECK(origin->content == dated("2023-08-02T00:00:00Z"));
  t.drop("refs/remotes/origin/constraints-main");
  auto local =
      git::read_blob(git::libgit2_opener(), t.clone, "constraints-main", k_file, "upstream");
  REQUIRE(local);
  CHECK(local->ref == "local branch constraints-main");
  CHECK(local->content == dated("2023-08-03T00:00:00Z"));
  auto none = git::read_blob(git::libgit2_opener(), t.clone, "constraints-2-7", k_file);
  REQUIRE_FALSE(none);
  CHECK(none.error().message ==
        "no branch 'constraints-2-7' (looked for apache/constraints-2-7, origin/constraints-2-7, "
        "then a local branch)");
}

TEST_CASE("find-backtracking-candidates --constraints-repo reads apache's branch by default, "
          "--remote-name's otherwise, and says which",
          "[integration][git]") {
  ThreeBranches t;
  const auto index = t.dir.path() / "index";
  test::write_project(index, "aiobotocore", {{"2.6.0", "2023-08-11T20:43:19Z", false}});
  test::PypiServer pypi({.root = index});
  auto run = [&](std::vector<std::string> more) {
    std::vector<std::string> args{
        "ci",   "find-backtracking-candidates", "--constraints-repo", t.clone.string(), "--python",
        "3.11", "--no-conflict-analysis",       "--pypi-url",         pypi.url()};
    args.insert(args.end(), more.begin(), more.end());
    return test::run_binary(args, {}, t.dir.path());
  };
  auto apache = run({});
  INFO(apache.err);
  REQUIRE(apache.exit_code == 0);
  CHECK_THAT(apache.out, Catch::StartsWith("Last constraint date: 2023-08-01 00:00:00\n"));
  CHECK_THAT(apache.err, Catch::Contains("Reading " + k_file + " from apache/constraints-main of " +
                                         t.clone.string()));
  auto origin = run({"--remote-name", "upstream"});
  REQUIRE(origin.exit_code == 0);
  CHECK_THAT(origin.out, Catch::StartsWith("Last constraint date: 2023-08-02 00:00:00\n"));
  CHECK_THAT(origin.err, Catch::Contains("from origin/constraints-main of"));
  t.drop("refs/remotes/apache/constraints-main");
  t.drop("refs/remotes/origin/constraints-main");
  auto local = run({});
  REQUIRE(local.exit_code == 0);
  CHECK_THAT(local.out, Catch::StartsWith("Last constraint date: 2023-08-03 00:00:00\n"));
  CHECK_THAT(local.err, Catch::Contains("from local branch constraints-main of"));
}
