// The release-management commands against real remotes that say no: a `git daemon` on 127.0.0.1
// whose pre-receive hooks refuse pushes (server hooks only run over a real transport), a push URL
// nobody listens on, a 401-answering HTTP server, and a clone with a stale lock file in it.

#include <support/catch.hpp>
#include <support/git_daemon.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/git/constraints_repo.hpp>
#include <breeze/git/handle.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;
using namespace breeze::test;

namespace {

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (const auto& l : strings::split(s, '\n'))
    if (!strings::trim(l).empty()) ++n;
  return n;
}

// stderr lines that are not the confirmation echo ("...? Forced answer: yes").
std::size_t error_lines(const std::string& s) {
  std::size_t n = 0;
  for (const auto& l : strings::split(s, '\n'))
    if (!strings::trim(l).empty() && l.find("Forced answer") == std::string::npos) ++n;
  return n;
}

// pre-receive hooks: each reads the "old new ref" lines and refuses with a reason on stderr.
const std::string k_reject_branches =
    "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/heads/*) echo "
    "\"branch pushes are closed\" >&2; exit 1;; esac; done\nexit 0\n";
const std::string k_reject_tags =
    "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/tags/*) echo \"tag "
    "pushes are closed\" >&2; exit 1;; esac; done\nexit 0\n";
const std::string k_reject_all =
    "#!/bin/sh\ncat >/dev/null\necho \"permission denied to x-access-token\" >&2\nexit 1\n";

std::vector<std::string> update_args(const ConstraintsRepos& r, const std::string& versions) {
  return {"release-management",     "update-constraints", "--constraints-repo",
          r.clone.string(),         "--airflow-versions", versions,
          "--updated-constraint",   "pymssql==2.2.8",     "--commit-message",
          "Update pymssql to 2.2.8"};
}

// A clone whose `apache` remote is served by git daemon (hooks run).
struct DaemonRepos {
  ConstraintsRepos r;
  GitDaemon daemon{r.tmp.path()};
  DaemonRepos() { set_remote_url(r.clone, "apache", daemon.url("apache.git")); }
};

std::vector<std::string> with_output_json(std::vector<std::string> args) {
  args.insert(args.end(), {"--output", "json"});
  return args;
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {k[(n >> 18) & 63], k[(n >> 12) & 63], k[(n >> 6) & 63], k[n & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += {k[(n >> 18) & 63], k[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {k[(n >> 18) & 63], k[(n >> 12) & 63], k[(n >> 6) & 63], '='};
  }
  return out;
}

} // namespace

TEST_CASE("update-constraints against a git daemon whose hooks refuse pushes",
          "[integration][update-constraints][hooks]") {
  DaemonRepos d;
  auto& r = d.r;
  const auto tag = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  const auto local_tag = ref_of(r.clone, "refs/tags/constraints-2.6.3");
  const auto old_commit = commit_of(r.remote, "constraints-2.6.3");

  SECTION("the branch push is refused: nothing moves, exit 1, the hook's reason is shown") {
    install_hook(r.remote, "pre-receive", k_reject_branches);
    auto res = run_binary(update_args(r, "2.6.3"), {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == tag);
    CHECK(ref_of(r.remote, "refs/heads/constraints-2.6.3-fix").empty());
    CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == local_tag);
    CHECK(ref_of(r.clone, "refs/heads/constraints-2.6.3-fix").empty());
    CHECK(res.out.find("failed: branch push rejected, tag not moved") != std::string::npos);
    CHECK(res.err.find("branch pushes are closed") != std::string::npos);
  }
  SECTION("only the tag push is refused: the branch is pushed, the tags stay, a re-run finishes") {
    install_hook(r.remote, "pre-receive", k_reject_tags);
    auto res = run_binary(update_args(r, "2.6.3"), {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == tag);
    CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == local_tag);
    const auto fix = ref_of(r.remote, "refs/heads/constraints-2.6.3-fix");
    REQUIRE(!fix.empty());
    CHECK(parent_of(r.remote, fix) == old_commit);
    CHECK(ref_of(r.clone, "refs/heads/constraints-2.6.3-fix") == fix);
    CHECK(res.out.find("failed: branch pushed, tag push rejected") != std::string::npos);
    CHECK(res.err.find("tag pushes are closed") != std::string::npos);

    std::filesystem::remove(r.remote / "hooks" / "pre-receive");
    auto again = run_binary(update_args(r, "2.6.3"), {{"ANSWER", "yes"}});
    INFO(again.err);
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("it will be reused") != std::string::npos);
    CHECK(commit_of(r.remote, "constraints-2.6.3") == fix);
    CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") ==
          ref_of(r.remote, "refs/tags/constraints-2.6.3"));
  }
  SECTION("everything is refused: nothing moves anywhere") {
    install_hook(r.remote, "pre-receive", k_reject_all);
    const auto remote_refs = all_refs(r.remote);
    const auto clone_refs = all_refs(r.clone);
    auto res = run_binary(update_args(r, "2.6.2,2.6.3"), {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(all_refs(r.remote) == remote_refs);
    for (const auto& [name, target] : all_refs(r.clone))
      if (!name.starts_with("refs/remotes/")) CHECK(clone_refs.at(name) == target);
    CHECK(res.out.find("pushed ") == std::string::npos);
    CHECK(res.err.find("permission denied") != std::string::npos);
  }
  SECTION("the push URL cannot be reached: a transport error, not 'rejected'; the run stops") {
    set_remote_url(r.clone, "apache", d.daemon.url("apache.git"),
                   "git://127.0.0.1:" + std::to_string(closed_port()) + "/apache.git");
    const auto remote_refs = all_refs(r.remote);
    auto res = run_binary(update_args(r, "2.6.2,2.6.3"), {{"ANSWER", "yes"}});
    INFO(res.out << res.err);
    CHECK(res.exit_code == 1);
    CHECK(all_refs(r.remote) == remote_refs);
    CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == local_tag);
    CHECK(res.out.find("rejected") == std::string::npos);
    CHECK(res.out.find("failed: branch not pushed") != std::string::npos);
    CHECK(res.out.find("not started") != std::string::npos); // the second version was not tried
    CHECK(res.err.find("stopped: 2.6.3 not started") != std::string::npos);
  }
}

TEST_CASE("publish-constraints against a git daemon whose hooks refuse pushes",
          "[integration][publish-constraints][hooks]") {
  DaemonRepos d;
  auto& r = d.r;
  const auto files = r.tmp.path() / "files";
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", "a==1\n");
  const std::vector<std::string> args{
      "release-management", "publish-constraints", "--constraints-repo", r.clone.string(),
      "--files-dir",        files.string(),        "--commit-message",   "Update constraints"};
  const auto remote_refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  const auto tree = snapshot_tree(r.clone);
  auto unchanged = [&] {
    CHECK(all_refs(r.remote) == remote_refs);
    CHECK(ref_of(r.clone, "refs/heads/constraints-main") ==
          clone_refs.at("refs/heads/constraints-main"));
    CHECK(snapshot_tree(r.clone) == tree);
  };
  SECTION("the branch push is refused") {
    install_hook(r.remote, "pre-receive", k_reject_branches);
    auto res = run_binary(args, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(error_lines(res.err) == 1);
    CHECK(res.err.find("was rejected") != std::string::npos);
    CHECK(res.err.find("branch pushes are closed") != std::string::npos);
    unchanged();
  }
  SECTION("a tag-only hook lets the branch through") {
    install_hook(r.remote, "pre-receive", k_reject_tags);
    auto res = run_binary(args, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 0);
    CHECK(*blob_at(r.remote, "constraints-main", "constraints-3.8.txt") == "a==1\n");
  }
  SECTION("everything is refused") {
    install_hook(r.remote, "pre-receive", k_reject_all);
    auto res = run_binary(args, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(res.err.find("permission denied") != std::string::npos);
    unchanged();
  }
  SECTION("the push URL cannot be reached: 'could not push', not 'rejected'") {
    set_remote_url(r.clone, "apache", d.daemon.url("apache.git"),
                   "git://127.0.0.1:" + std::to_string(closed_port()) + "/apache.git");
    auto res = run_binary(args, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(error_lines(res.err) == 1);
    CHECK(res.err.find("could not push") != std::string::npos);
    CHECK(res.err.find("rejected") == std::string::npos);
    unchanged();
  }
}

TEST_CASE("restore-constraints-tags against a git daemon whose hooks refuse pushes",
          "[integration][restore-constraints-tags][hooks]") {
  DaemonRepos d;
  auto& r = d.r;
  auto first = run_binary(with_output_json(update_args(r, "2.6.2,2.6.3")), {{"ANSWER", "yes"}});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto journal = nlohmann::json::parse(first.out)["journal"].get<std::string>();
  const auto moved_remote = all_refs(r.remote);
  const auto moved_local_263 = ref_of(r.clone, "refs/tags/constraints-2.6.3");
  const std::vector<std::string> restore{"release-management", "restore-constraints-tags",
                                         "--journal", journal};
  auto unchanged = [&] {
    CHECK(all_refs(r.remote) == moved_remote);
    CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == moved_local_263);
  };
  SECTION("tag pushes are refused: the tags stay where they are, exit 1") {
    install_hook(r.remote, "pre-receive", k_reject_tags);
    auto res = run_binary(restore, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(res.err.find("tag pushes are closed") != std::string::npos);
    CHECK(res.out.find("restored to") == std::string::npos);
    unchanged();
  }
  SECTION("everything is refused") {
    install_hook(r.remote, "pre-receive", k_reject_all);
    auto res = run_binary(restore, {{"ANSWER", "yes"}});
    CHECK(res.exit_code == 1);
    unchanged();
  }
  SECTION("the push URL cannot be reached: not restored, stops at the first tag") {
    set_remote_url(r.clone, "apache", d.daemon.url("apache.git"),
                   "git://127.0.0.1:" + std::to_string(closed_port()) + "/apache.git");
    auto res = run_binary(restore, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(error_lines(res.err) == 1);
    CHECK(res.err.find("not restored") != std::string::npos);
    CHECK(res.err.find("rejected") == std::string::npos);
    unchanged();
  }
  SECTION("a branch-only hook does not stop the tags") {
    install_hook(r.remote, "pre-receive", k_reject_branches);
    auto res = run_binary(restore, {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 0);
    CHECK(res.out.find("constraints-2.6.3: restored to") != std::string::npos);
  }
}

TEST_CASE("GITHUB_TOKEN is never offered to a plain-http or non-GitHub host but the store helper "
          "still is",
          "[integration][git][credentials]") {
  ConstraintsRepos r;
  AuthChallengeServer server;
  set_remote_url(r.clone, "apache", server.url() + "/apache/airflow.git");
  const std::string token = "ghp_notForThisHost0123456789";
  std::map<std::string, std::string> env{{"GITHUB_TOKEN", token}, {"HOME", r.tmp.path().string()}};
  auto lookup = [&env](const std::string& name) -> std::optional<std::string> {
    if (auto it = env.find(name); it != env.end()) return it->second;
    return std::nullopt;
  };
  auto offered_token = [&] {
    for (const auto& a : server.authorizations())
      if (a.find(base64("x-access-token:" + token)) != std::string::npos ||
          a.find(token) != std::string::npos)
        return true;
    return false;
  };
  {
    // Listing refs (every command's first contact) and pushing, with GitHub Enterprise hosts set.
    auto repo =
        git::ConstraintsRepo::open(git::libgit2_opener(), r.clone, lookup, {"ghe.example.com"});
    REQUIRE(repo);
    auto listed = repo->list_remote("apache");
    REQUIRE(!listed);
    CHECK(listed.error().what().find(token) == std::string::npos);
    auto pushed =
        repo->push_object("apache", commit_of(r.clone, "constraints-2.6.3"), "refs/heads/x", false);
    CHECK(!pushed); // a 401 is an auth failure: an Error, not a "rejected" outcome
    CHECK(!server.authorizations().empty());
    CHECK(!offered_token());
  }
  {
    // The binary, dry run: the same.
    auto res = run_binary({"release-management", "update-constraints", "--constraints-repo",
                           r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                           "pymssql==2.2.8", "-m", "x", "--dry-run"},
                          env);
    CHECK(res.exit_code == 1);
    CHECK(count_lines(res.err) == 1);
    CHECK(!offered_token());
  }
  {
    // credential.helper=store: its entry for this very host is what gets offered (as git would).
    write_file(r.tmp.path() / ".git-credentials",
               server.url().replace(0, 7, "http://alice:s3cret@") + "\n");
    git_repository* raw = nullptr;
    REQUIRE(git_repository_open(&raw, r.clone.c_str()) == 0);
    git_config* cfg = nullptr;
    REQUIRE(git_repository_config(&cfg, raw) == 0);
    REQUIRE(git_config_set_string(cfg, "credential.helper", "store") == 0);
    git_config_free(cfg);
    git_repository_free(raw);
    auto repo = git::ConstraintsRepo::open(git::libgit2_opener(), r.clone, lookup);
    REQUIRE(repo);
    CHECK(!repo->list_remote("apache"));
    bool store_used = false;
    for (const auto& a : server.authorizations())
      store_used = store_used || a == "Basic " + base64("alice:s3cret");
    CHECK(store_used);
    CHECK(!offered_token());
  }
}

TEST_CASE("a stale libgit2 lock file is reported with its path and rm before anything moves",
          "[integration][update-constraints][locks]") {
  ConstraintsRepos r;
  const auto remote_refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  for (const auto* name : {"refs/tags/constraints-2.6.3.lock", "packed-refs.lock"}) {
    INFO(name);
    const auto lock = r.clone / ".git" / name;
    write_file(lock, "");
    auto res = run_binary(update_args(r, "2.6.3"), {{"ANSWER", "yes"}});
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(count_lines(res.err) == 1);
    CHECK(res.err.find(lock.string()) != std::string::npos);
    CHECK(res.err.find("rm " + lock.string()) != std::string::npos);
    CHECK(all_refs(r.remote) == remote_refs); // the remote did not move ahead of the local tag
    CHECK(all_refs(r.clone) == clone_refs);
    std::filesystem::remove(lock);
  }
  // libgit2's own "failed to lock" errors become the same one line.
  const auto message = git::stale_lock_message({"/r/.git/index.lock"});
  CHECK(message.find("rm /r/.git/index.lock") != std::string::npos);
  CHECK(git::locked_file("failed to create locked file '/r/.git/refs/tags/x.lock': File exists") ==
        "/r/.git/refs/tags/x.lock");
  CHECK(!git::locked_file("failed to resolve 'x'"));
}

TEST_CASE("update-constraints brings a local tag that lags the remote's in line",
          "[integration][update-constraints][repair]") {
  ConstraintsRepos r;
  InProcess first;
  REQUIRE(first.run({"release-management", "update-constraints", "--constraints-repo",
                     r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                     "pymssql==2.2.8", "-m", "fix", "--answer", "yes"}) == 0);
  const auto moved = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  // As after a SIGKILL between the tag push and moving the local tag.
  const auto old_tag =
      annotated_tag(r.clone, "constraints-2.6.3", parent_of(r.clone, commit_of(r.clone, moved)));
  REQUIRE(ref_of(r.clone, "refs/tags/constraints-2.6.3") != moved);

  InProcess dry;
  REQUIRE(dry.run({"release-management", "update-constraints", "--constraints-repo",
                   r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                   "pymssql==2.2.8", "-m", "fix", "--dry-run"}) == 0);
  CHECK(dry.out.str().find("would move local tag constraints-2.6.3") != std::string::npos);
  CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == old_tag);

  InProcess again;
  REQUIRE(again.run({"release-management", "update-constraints", "--constraints-repo",
                     r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                     "pymssql==2.2.8", "-m", "fix", "--answer", "yes"}) == 0);
  CHECK(again.out.str().find("already up to date") != std::string::npos);
  CHECK(again.out.str().find("local tag constraints-2.6.3 lagged behind apache's") !=
        std::string::npos);
  CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == moved);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == moved);
}

TEST_CASE(
    "restore-constraints-tags refuses tags that moved again after the journal, unless --force",
    "[integration][restore-constraints-tags]") {
  ConstraintsRepos r;
  const auto before = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  InProcess p;
  REQUIRE(p.run({"release-management", "update-constraints", "--constraints-repo", r.clone.string(),
                 "--airflow-versions", "2.6.2,2.6.3", "--updated-constraint", "pymssql==2.2.8",
                 "-m", "fix", "--answer", "yes", "--output", "json"}) == 0);
  const auto journal = nlohmann::json::parse(p.out.str())["journal"].get<std::string>();
  // Someone else's later fix moved constraints-2.6.3 again.
  const auto later = commit_on(r.remote, "constraints-2.6.3", "constraints-3.8.txt", "later fix\n",
                               "refs/heads/constraints-2.6.3-fix");
  const auto later_tag = annotated_tag(r.remote, "constraints-2.6.3", later);
  const auto tag_262 = ref_of(r.remote, "refs/tags/constraints-2.6.2");

  for (const auto* mode : {"--dry-run", "--answer"}) {
    INFO(mode);
    std::vector<std::string> args{"release-management", "restore-constraints-tags", "--journal",
                                  journal, mode};
    if (std::string(mode) == "--answer") args.emplace_back("yes");
    auto res = run_binary(args);
    INFO(res.err);
    CHECK(res.exit_code == 1);
    CHECK(count_lines(res.err) == 1);
    CHECK(res.err.find("constraints-2.6.3") != std::string::npos);
    CHECK(res.err.find("constraints-2.6.2") ==
          std::string::npos); // only the tag that moved is named
    CHECK(res.err.find("--force") != std::string::npos);
    CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == later_tag);
    CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.2") == tag_262);
  }
  auto forced = run_binary({"release-management", "restore-constraints-tags", "--journal", journal,
                            "--force", "--answer", "yes"});
  INFO(forced.err);
  CHECK(forced.exit_code == 0);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == before);
}

TEST_CASE("publish-constraints commits only regular constraints files, never a symlink or a secret",
          "[integration][publish-constraints][files]") {
  ConstraintsRepos r;
  const auto files = r.tmp.path() / "files";
  const auto outside = r.tmp.path() / "outside";
  const std::string secret = "machine github.com password ghp_secretNeverPushed\n";
  write_file(outside / "netrc", secret);
  write_file(outside / "constraints-3.10" / "constraints-3.10.txt", secret);
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", "a==1\n");
  // a 0600 secret beside the generated files, named like one
  write_file(files / "constraints-3.8" / "constraints-token.txt", secret);
  std::filesystem::permissions(files / "constraints-3.8" / "constraints-token.txt",
                               std::filesystem::perms::owner_read |
                                   std::filesystem::perms::owner_write);
  write_file(files / "constraints-3.8" / "secret", secret);
  // a file symlink and a folder symlink pointing outside files/
  std::filesystem::create_directories(files / "constraints-3.9");
  std::filesystem::create_symlink(outside / "netrc",
                                  files / "constraints-3.9" / "constraints-3.9.txt");
  std::filesystem::create_directory_symlink(outside / "constraints-3.10",
                                            files / "constraints-3.10");

  auto res = run_binary({"release-management", "publish-constraints", "--constraints-repo",
                         r.clone.string(), "--files-dir", files.string(), "--commit-message",
                         "Update constraints", "--answer", "yes"});
  INFO(res.out << res.err);
  REQUIRE(res.exit_code == 0);
  const auto tip = commit_of(r.remote, "constraints-main");
  CHECK(*blob_at(r.remote, tip, "constraints-3.8.txt") == "a==1\n");
  for (const auto& f : tree_files(r.remote, tip)) {
    INFO(f);
    CHECK(blob_at(r.remote, tip, f)->find("ghp_secretNeverPushed") == std::string::npos);
    CHECK(f != "constraints-token.txt");
    CHECK(f != "secret");
  }
  CHECK(res.out.find("ghp_secretNeverPushed") == std::string::npos);
  CHECK(res.err.find("skipped " + (files / "constraints-3.9" / "constraints-3.9.txt").string() +
                     " (a symlink)") != std::string::npos);
  CHECK(res.err.find("skipped " + (files / "constraints-3.10").string() + " (a symlink)") !=
        std::string::npos);
}

TEST_CASE("update-constraints refuses comment-file text that is not all comments, never inserting "
          "it as pins",
          "[integration][update-constraints][comment]") {
  ConstraintsRepos r;
  const auto remote_refs = all_refs(r.remote);
  const auto comment = r.tmp.path() / "comment.txt";
  for (const std::string text : {"# why\nevil-package==6.6.6\n",
                                 "# ok\n--index-url https://evil.example/\n", "# bell \a\n"}) {
    INFO(text);
    write_file(comment, text);
    auto res = run_binary({"release-management", "update-constraints", "--constraints-repo",
                           r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                           "pymssql==2.2.8", "-m", "x", "--comment-file", comment.string(),
                           "--answer", "yes"});
    INFO(res.err);
    CHECK(res.exit_code == 2);
    CHECK(count_lines(res.err) == 1);
    CHECK(res.err.find("--comment-file line") != std::string::npos);
    CHECK(all_refs(r.remote) == remote_refs);
  }
  write_file(comment, "# pymssql 2.2.8 builds with Cython 3\n#\n# see #33218\n");
  auto ok = run_binary({"release-management", "update-constraints", "--constraints-repo",
                        r.clone.string(), "--airflow-versions", "2.6.3", "--updated-constraint",
                        "pymssql==2.2.8", "-m", "x", "--comment-file", comment.string(), "--answer",
                        "yes"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(blob_at(r.remote, "constraints-2.6.3", "constraints-3.8.txt")->find("# see #33218\n") !=
        std::string::npos);
}
