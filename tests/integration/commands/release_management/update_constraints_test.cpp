// update-constraints against real repositories: a bare "apache" remote made from the pymssql-2023
// bundle (Airflow's tagged constraints before the August 2023 fix) and a clone of it.

#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <breeze/base/interrupt.hpp>
#include <breeze/commands/release_management/update_constraints.hpp>
#include <breeze/git/handle.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

using namespace breeze;
using namespace breeze::test;

namespace {

std::vector<std::string> update_args(const ConstraintsRepos& r, const std::string& versions,
                                     std::vector<std::string> constraints = {"pymssql==2.2.8"}) {
  std::vector<std::string> args{"release-management", "update-constraints", "--constraints-repo",
                                r.clone.string(),     "--airflow-versions", versions};
  for (const auto& c : constraints) {
    args.push_back("--updated-constraint");
    args.push_back(c);
  }
  args.insert(args.end(), {"--commit-message", "Update pymssql constraint to 2.2.8"});
  return args;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The expected new bytes: every `pymssql==X` line (the file's spelling) gets version 2.2.8.
std::string with_pymssql_fixed(const std::string& text) {
  static const std::regex pin(R"((^|\n)pymssql==[^\n;]*)");
  return std::regex_replace(text, pin, "$1pymssql==2.2.8");
}

// Asserts that on `repo` the tag of `version` moved to a new commit on top of `old_commit` that
// changes exactly the files holding pymssql, each only on that line, and that -fix points at it.
void check_fixed(const std::filesystem::path& repo, const std::string& version,
                 const std::string& old_commit) {
  const std::string tag = "constraints-" + version;
  const std::string new_commit = commit_of(repo, tag);
  INFO(version);
  REQUIRE(new_commit != old_commit);
  CHECK(parent_of(repo, new_commit) == old_commit);
  CHECK(ref_of(repo, "refs/heads/" + tag + "-fix") == new_commit);
  CHECK(ref_of(repo, "refs/tags/" + tag) != new_commit); // still an annotated tag object
  CHECK(reachable_from(repo, old_commit, ref_of(repo, "refs/heads/" + tag + "-fix")));
  std::size_t changed = 0;
  for (const auto& file : tree_files(repo, old_commit)) {
    INFO(file);
    const auto before = *blob_at(repo, old_commit, file);
    const auto after = *blob_at(repo, new_commit, file);
    CHECK(after == with_pymssql_fixed(before));
    if (after != before) {
      ++changed;
      CHECK(file.find("no-providers") == std::string::npos);
    }
  }
  CHECK(tree_files(repo, old_commit) == tree_files(repo, new_commit));
  CHECK(changed > 0);
}

std::map<std::string, std::string> old_commits(const ConstraintsRepos& r) {
  std::map<std::string, std::string> out;
  for (const auto& v : bundle_versions())
    out[v] = commit_of(r.remote, "constraints-" + v);
  return out;
}

} // namespace

TEST_CASE(
    "update-constraints fixes pymssql in every tagged version and pushes fix branches and tags",
    "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto old = old_commits(r);
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.5.1..2.6.3"), {"--answer", "yes"})) == 0);
  for (const auto& v : bundle_versions()) {
    check_fixed(r.remote, v, old.at(v));
    // the clone's own tag and branch moved to the same objects
    CHECK(ref_of(r.clone, "refs/tags/constraints-" + v) ==
          ref_of(r.remote, "refs/tags/constraints-" + v));
    CHECK(ref_of(r.clone, "refs/heads/constraints-" + v + "-fix") ==
          commit_of(r.remote, "constraints-" + v));
    // the tag commit was printed before anything changed
    CHECK(p.out.str().find(v + ": tag constraints-" + v + " points at commit " + old.at(v)) !=
          std::string::npos);
  }
  // 2.6.x: 10 of 15 files held pymssql==2.2.7 (not the no-providers files)
  std::size_t with_new = 0;
  for (const auto& f : tree_files(r.remote, "constraints-2.6.3"))
    if (blob_at(r.remote, "constraints-2.6.3", f)->find("\npymssql==2.2.8\n") != std::string::npos)
      ++with_new;
  CHECK(with_new == 10);
  CHECK(tree_files(r.remote, "constraints-2.6.3").size() == 15);
  // constraints-main and scratch refs are untouched / gone
  CHECK(ref_of(r.remote, "refs/heads/constraints-main") == old.at("2.6.3"));
  for (const auto& [name, _] : all_refs(r.clone))
    CHECK(!name.starts_with("refs/breeze/"));
  // a restore journal in .git
  bool journal = false;
  for (const auto& e : std::filesystem::directory_iterator(r.clone / ".git"))
    journal = journal || e.path().filename().string().starts_with("breeze-constraints-restore-");
  CHECK(journal);
  CHECK(p.out.str().find("pushed") != std::string::npos);
}

TEST_CASE("update-constraints leaves the work tree and index alone",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto before = snapshot_tree(r.clone);
  const auto head = ref_of(r.clone, "HEAD");
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.6.3"), {"--answer", "yes"})) == 0);
  CHECK(snapshot_tree(r.clone) == before);
  CHECK(ref_of(r.clone, "HEAD") == head);
  CHECK(ref_of(r.clone, "refs/heads/constraints-main") ==
        ref_of(r.remote, "refs/heads/constraints-main"));
}

TEST_CASE("update-constraints dry run changes nothing anywhere",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto clone_refs = all_refs(r.clone);
  const auto remote_refs = all_refs(r.remote);
  const auto tree = snapshot_tree(r.clone);
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.5.1..2.6.3"), {"--dry-run"})) == 0);
  CHECK(all_refs(r.clone) == clone_refs);
  CHECK(all_refs(r.remote) == remote_refs);
  CHECK(snapshot_tree(r.clone) == tree);
  const auto out = p.out.str();
  CHECK(out.find("-pymssql==2.2.7") != std::string::npos);
  CHECK(out.find("+pymssql==2.2.8") != std::string::npos);
  CHECK(out.find("would push") != std::string::npos);
  CHECK(out.find("Dry run: nothing was changed.") != std::string::npos);
  CHECK(p.prompter.questions.empty());
}

TEST_CASE("update-constraints colours its diffs when stdout is a terminal, never with NO_COLOR",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  InProcess tty;
  tty.terminal.stdout_tty = true;
  REQUIRE(tty.run(with(update_args(r, "2.6.3"), {"--dry-run"})) == 0);
  CHECK(tty.out.str().find("\033[31m-pymssql==2.2.7\033[0m") != std::string::npos);
  CHECK(tty.out.str().find("\033[32m+pymssql==2.2.8\033[0m") != std::string::npos);
  InProcess no_colour;
  no_colour.terminal.stdout_tty = true;
  no_colour.env["NO_COLOR"] = "1";
  REQUIRE(no_colour.run(with(update_args(r, "2.6.3"), {"--dry-run"})) == 0);
  CHECK(no_colour.out.str().find("\033[") == std::string::npos);
  CHECK(no_colour.out.str().find("-pymssql==2.2.7") != std::string::npos);
}

TEST_CASE("update-constraints on GitHub Actions appends its summary table to the job summary",
          "[integration][update-constraints][github]") {
  ConstraintsRepos r;
  files::TempDir dir;
  const auto summary = dir.path() / "summary.md";
  InProcess p;
  p.env = {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", summary.string()}};
  REQUIRE(p.run(with(update_args(r, "2.6.3"), {"--answer", "yes"})) == 0);
  const auto markdown = test::read_file(summary);
  CHECK_THAT(markdown, Catch::StartsWith("### update-constraints\n\n| version | old tag commit |"));
  CHECK_THAT(markdown, Catch::Contains("| 2.6.3 | "));
  CHECK_THAT(markdown, Catch::Contains(" | pushed |\n"));
}

TEST_CASE("update-constraints: a rejected branch push fails that version only and keeps its tag",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto old = old_commits(r);
  // someone already pushed a different constraints-2.6.3-fix: ours would not be a fast-forward
  const auto diverged = commit_on(r.remote, "constraints-2.6.3", "constraints-3.8.txt",
                                  "diverged\n", "refs/heads/constraints-2.6.3-fix");
  const auto tag_263 = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  const auto local_tag_263 = ref_of(r.clone, "refs/tags/constraints-2.6.3");
  InProcess p;
  CHECK(p.run(with(update_args(r, "2.6.2,2.6.3,2.6.1"), {"--answer", "yes"})) == 1);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == tag_263);
  CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == local_tag_263);
  CHECK(ref_of(r.remote, "refs/heads/constraints-2.6.3-fix") == diverged);
  CHECK(ref_of(r.clone, "refs/heads/constraints-2.6.3-fix").empty());
  check_fixed(r.remote, "2.6.2", old.at("2.6.2"));
  check_fixed(r.remote, "2.6.1", old.at("2.6.1"));
  CHECK(p.out.str().find("failed: branch push rejected, tag not moved") != std::string::npos);
}

TEST_CASE("update-constraints interrupted between versions, then re-run, is idempotent",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto old = old_commits(r);
  {
    // First run: Ctrl-C arrives right after the first version is done.
    RecordingRunner runner;
    ScriptedPrompter prompter;
    std::ostringstream out;
    commands::Services services{runner,
                                prompter,
                                out,
                                out,
                                [](const std::string&) { return std::optional<std::string>(); },
                                r.tmp.path()};
    commands::Context ctx(services);
    ctx.globals.answer = "yes";
    commands::release_management::UpdateConstraintsOptions options;
    options.constraints_repo = r.clone;
    options.airflow_versions = "2.6.1,2.6.2,2.6.3";
    options.updated_constraints = {"pymssql==2.2.8"};
    options.commit_message = "Update pymssql constraint to 2.2.8";
    commands::release_management::UpdateConstraintsHooks hooks;
    hooks.after_version = [](const std::string&) { interrupt::request(); };
    interrupt::reset();
    auto result = commands::release_management::run_update_constraints(options, ctx, hooks);
    interrupt::reset();
    REQUIRE(!result.has_value());
    CHECK(result.error().kind == ErrorKind::interrupted);
  }
  check_fixed(r.remote, "2.6.1", old.at("2.6.1"));
  CHECK(commit_of(r.remote, "constraints-2.6.2") == old.at("2.6.2"));
  CHECK(commit_of(r.remote, "constraints-2.6.3") == old.at("2.6.3"));
  const auto first_tag = ref_of(r.remote, "refs/tags/constraints-2.6.1");

  InProcess again;
  REQUIRE(again.run(with(update_args(r, "2.6.1,2.6.2,2.6.3"), {"--answer", "yes"})) == 0);
  CHECK(again.out.str().find("already up to date") != std::string::npos);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.1") == first_tag);
  check_fixed(r.remote, "2.6.2", old.at("2.6.2"));
  check_fixed(r.remote, "2.6.3", old.at("2.6.3"));

  const auto refs = all_refs(r.remote);
  InProcess third;
  REQUIRE(third.run(with(update_args(r, "2.6.1..2.6.3"), {"--answer", "yes"})) == 0);
  CHECK(all_refs(r.remote) == refs);
  CHECK(third.out.str().find("Nothing to change.") != std::string::npos);
  CHECK(third.prompter.questions.empty());
}

TEST_CASE("update-constraints resumes when only the branch push happened",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto old = old_commits(r);
  InProcess first;
  REQUIRE(first.run(with(update_args(r, "2.6.3"), {"--answer", "yes"})) == 0);
  const auto fixed = commit_of(r.remote, "constraints-2.6.3");
  // Simulate a run killed after the branch push: put the tag back everywhere, keep -fix.
  const auto old_tag = ref_of(r.clone, "refs/tags/constraints-2.6.3");
  annotated_tag(r.remote, "constraints-2.6.3", old.at("2.6.3"));
  annotated_tag(r.clone, "constraints-2.6.3", old.at("2.6.3"));
  REQUIRE(commit_of(r.remote, "constraints-2.6.3") == old.at("2.6.3"));
  (void)old_tag;
  InProcess again;
  REQUIRE(again.run(with(update_args(r, "2.6.3"), {"--answer", "yes"})) == 0);
  CHECK(commit_of(r.remote, "constraints-2.6.3") == fixed); // the pushed branch commit is reused
  CHECK(again.out.str().find("it will be reused") != std::string::npos);
}

TEST_CASE("update-constraints applies a differently spelled name to the file's own spelling",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto old = old_commits(r);
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.6.3", {"PyMSSQL==2.2.8"}), {"--answer", "yes"})) == 0);
  check_fixed(r.remote, "2.6.3", old.at("2.6.3"));
  CHECK(p.out.str().find("PyMSSQL is spelled pymssql in the files") != std::string::npos);
}

TEST_CASE(
    "update-constraints reports an absent package and leaves that version unless --add-missing",
    "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto refs = all_refs(r.remote);
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.6.3", {"pymssql==2.2.8", "no-such-package==1.0"}),
                     {"--answer", "yes"})) == 0);
  CHECK(all_refs(r.remote) == refs);
  CHECK(p.out.str().find("no-such-package not in any constraints file of constraints-2.6.3") !=
        std::string::npos);

  InProcess add;
  REQUIRE(add.run(with(update_args(r, "2.6.3", {"pymssql==2.2.8", "no-such-package==1.0"}),
                       {"--answer", "yes", "--add-missing"})) == 0);
  for (const auto& f : tree_files(r.remote, "constraints-2.6.3")) {
    INFO(f);
    CHECK(blob_at(r.remote, "constraints-2.6.3", f)->find("\nno-such-package==1.0\n") !=
          std::string::npos);
  }
}

TEST_CASE("update-constraints without a terminal and without --answer changes nothing",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  InProcess p; // the scripted prompter has no answer: like a run without a TTY
  CHECK(p.run(update_args(r, "2.6.3")) == 2);
  CHECK(all_refs(r.remote) == refs);
  CHECK(all_refs(r.clone) == clone_refs);
}

TEST_CASE("update-constraints --output json reports every version",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.6.2..2.6.3"), {"--answer", "yes", "--output", "json"})) ==
          0);
  auto j = nlohmann::json::parse(p.out.str());
  REQUIRE(j["versions"].size() == 2);
  for (const auto& v : j["versions"]) {
    CHECK(v["status"] == "pushed");
    CHECK(v["pushed"] == true);
    CHECK(v["files_changed"].size() == 10);
    CHECK(v["new_commit"] == commit_of(r.remote, v["tag"].get<std::string>()));
  }
  CHECK(std::filesystem::exists(j["journal"].get<std::string>()));
}

TEST_CASE("restore-constraints-tags puts the tags back from the journal",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto before_remote = ref_of(r.remote, "refs/tags/constraints-2.6.3");
  const auto before_local = ref_of(r.clone, "refs/tags/constraints-2.6.3");
  InProcess p;
  REQUIRE(p.run(with(update_args(r, "2.6.2,2.6.3"), {"--answer", "yes", "--output", "json"})) == 0);
  const auto journal = nlohmann::json::parse(p.out.str())["journal"].get<std::string>();
  REQUIRE(ref_of(r.remote, "refs/tags/constraints-2.6.3") != before_remote);

  InProcess dry;
  REQUIRE(dry.run({"release-management", "restore-constraints-tags", "--journal", journal,
                   "--dry-run"}) == 0);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") != before_remote);

  InProcess restore;
  REQUIRE(restore.run({"release-management", "restore-constraints-tags", "--journal", journal,
                       "--answer", "yes"}) == 0);
  CHECK(ref_of(r.remote, "refs/tags/constraints-2.6.3") == before_remote);
  CHECK(ref_of(r.clone, "refs/tags/constraints-2.6.3") == before_local);
  CHECK(restore.out.str().find("constraints-2.6.2: restored to") != std::string::npos);
  // the fix branches (history) stay
  CHECK(!ref_of(r.remote, "refs/heads/constraints-2.6.3-fix").empty());
}

TEST_CASE("update-constraints bad input changes nothing", "[integration][update-constraints]") {
  ConstraintsRepos r;
  const auto refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  InProcess p;
  CHECK(p.run(with(update_args(r, "2.6.3", {"pymssql=2.2.8"}), {"--answer", "yes"})) == 2);
  CHECK(p.run(with(update_args(r, "9.9.9"), {"--answer", "yes"})) == 1);
  CHECK(p.run(with(update_args(r, "2.6.3"), {"--answer", "yes", "--remote-name", "upstream"})) ==
        1);
  auto not_repo = update_args(r, "2.6.3");
  not_repo[3] = r.tmp.path().string();
  CHECK(p.run(with(not_repo, {"--answer", "yes"})) == 1);
  CHECK(all_refs(r.remote) == refs);
  CHECK(all_refs(r.clone) == clone_refs);
}

TEST_CASE("update-constraints --sign signs the moved tag through gpg",
          "[integration][update-constraints]") {
  ConstraintsRepos r;
  const std::string armour = "-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n";
  InProcess p;
  p.runner.respond = [&](const process::ProcessSpec& spec) {
    process::ProcessResult res;
    if (!spec.argv.empty() && spec.argv[0] == "gpg") res.out = armour;
    return res;
  };
  REQUIRE(p.run(with(update_args(r, "2.6.3"), {"--answer", "yes", "--sign"})) == 0);
  REQUIRE(p.runner.calls.size() == 1);
  CHECK(p.runner.calls[0].argv[0] == "gpg");
  CHECK(std::find(p.runner.calls[0].argv.begin(), p.runner.calls[0].argv.end(), "--detach-sign") !=
        p.runner.calls[0].argv.end());
  // the tag object on the remote carries the signature after its message
  git_repository* raw = nullptr;
  REQUIRE(git_repository_open(&raw, r.remote.c_str()) == 0);
  git::RepositoryPtr repo(raw);
  git_oid oid;
  REQUIRE(git_oid_fromstr(&oid, ref_of(r.remote, "refs/tags/constraints-2.6.3").c_str()) == 0);
  git_odb* odb = nullptr;
  REQUIRE(git_repository_odb(&odb, repo.get()) == 0);
  git_odb_object* obj = nullptr;
  REQUIRE(git_odb_read(&obj, odb, &oid) == 0);
  const std::string text(static_cast<const char*>(git_odb_object_data(obj)),
                         git_odb_object_size(obj));
  git_odb_object_free(obj);
  git_odb_free(odb);
  CHECK(text.find("tag constraints-2.6.3\n") != std::string::npos);
  CHECK(text.ends_with("Update pymssql constraint to 2.2.8\n" + armour));
  CHECK(parent_of(r.remote, commit_of(r.remote, "constraints-2.6.3")) != "");
}
