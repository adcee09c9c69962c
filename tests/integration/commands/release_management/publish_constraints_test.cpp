// publish-constraints against a real clone and bare remote (the seed's manual constraints-main
// flow).

#include <support/catch.hpp>
#include <support/git_fixture.hpp>
#include <support/helpers.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;
using namespace breeze::test;

namespace {

std::vector<std::string> publish_args(const ConstraintsRepos& r,
                                      const std::filesystem::path& files) {
  return {"release-management", "publish-constraints",
          "--constraints-repo", r.clone.string(),
          "--files-dir",        files.string(),
          "--commit-message",   "Update constraints",
          "--answer",           "yes"};
}

} // namespace

TEST_CASE(
    "publish-constraints commits generated files on constraints-main and pushes without force",
    "[integration][publish-constraints]") {
  ConstraintsRepos r;
  const auto tip = commit_of(r.remote, "constraints-main");
  const auto before = *blob_at(r.remote, tip, "constraints-3.8.txt");
  std::string changed = before;
  changed.replace(changed.find("pymssql==2.2.7"), 14, "pymssql==2.2.8");
  const auto files = r.tmp.path() / "files";
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", changed);
  write_file(files / "constraints-3.9" / "constraints-3.9.txt",
             *blob_at(r.remote, tip, "constraints-3.9.txt"));

  InProcess p;
  REQUIRE(p.run(publish_args(r, files)) == 0);
  const auto new_tip = commit_of(r.remote, "constraints-main");
  CHECK(new_tip != tip);
  CHECK(parent_of(r.remote, new_tip) == tip);
  CHECK(*blob_at(r.remote, new_tip, "constraints-3.8.txt") == changed);
  for (const auto& f : tree_files(r.remote, tip))
    if (f != "constraints-3.8.txt")
      CHECK(*blob_at(r.remote, new_tip, f) == *blob_at(r.remote, tip, f));
  CHECK(p.out.str().find("+pymssql==2.2.8") != std::string::npos);
  // the checked-out branch was fast-forwarded, work tree included
  CHECK(ref_of(r.clone, "refs/heads/constraints-main") == new_tip);
  CHECK(read_file(r.clone / "constraints-3.8.txt") == changed);

  InProcess again;
  REQUIRE(again.run(publish_args(r, files)) == 0);
  CHECK(again.out.str().find("Nothing to commit") != std::string::npos);
  CHECK(commit_of(r.remote, "constraints-main") == new_tip);
}

TEST_CASE("publish-constraints refuses to overwrite uncommitted changes",
          "[integration][publish-constraints]") {
  ConstraintsRepos r;
  const auto files = r.tmp.path() / "files";
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", "a==1\n");
  write_file(r.clone / "constraints-3.8.txt", "local edit\n");
  const auto refs = all_refs(r.remote);
  InProcess p;
  CHECK(p.run(publish_args(r, files)) == 1);
  CHECK(all_refs(r.remote) == refs);
  CHECK(read_file(r.clone / "constraints-3.8.txt") == "local edit\n");
}

TEST_CASE("publish-constraints dry run changes nothing", "[integration][publish-constraints]") {
  ConstraintsRepos r;
  const auto files = r.tmp.path() / "files";
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", "a==1\n");
  const auto refs = all_refs(r.remote);
  const auto clone_refs = all_refs(r.clone);
  const auto tree = snapshot_tree(r.clone);
  auto args = publish_args(r, files);
  args.push_back("--dry-run");
  InProcess p;
  CHECK(p.run(args) == 0);
  CHECK(all_refs(r.remote) == refs);
  CHECK(all_refs(r.clone) == clone_refs);
  CHECK(snapshot_tree(r.clone) == tree);
  CHECK(p.out.str().find("+a==1") != std::string::npos);
}

TEST_CASE("publish-constraints --output json prints one document: dry run, push, nothing to do",
          "[integration][publish-constraints][json]") {
  ConstraintsRepos r;
  const auto tip = commit_of(r.remote, "constraints-main");
  const auto files = r.tmp.path() / "files";
  write_file(files / "constraints-3.8" / "constraints-3.8.txt", "a==1\n");
  write_file(files / "constraints-3.9" / "constraints-3.9.txt",
             *blob_at(r.remote, tip, "constraints-3.9.txt"));
  auto args = publish_args(r, files);
  args.insert(args.end(), {"--output", "json"});

  auto dry_args = args;
  dry_args.push_back("--dry-run");
  InProcess dry;
  REQUIRE(dry.run(dry_args) == 0);
  const auto planned = nlohmann::json::parse(dry.out.str());
  CHECK(planned.at("status") == "dry_run");
  CHECK(planned.at("dry_run") == true);
  CHECK(planned.at("pushed") == false);
  CHECK(planned.at("commit").is_null());
  CHECK(planned.at("branch") == "constraints-main");
  CHECK(planned.at("remote") == "apache");
  CHECK(planned.at("base_commit") == tip);
  CHECK(planned.at("changed_files") == 1);
  CHECK(planned.at("files") ==
        nlohmann::json::parse(R"([{"name": "constraints-3.8.txt", "changed": true},
                                  {"name": "constraints-3.9.txt", "changed": false}])"));
  CHECK(dry.err.str().find("+a==1") != std::string::npos); // the diff went to stderr
  CHECK(commit_of(r.remote, "constraints-main") == tip);

  InProcess push;
  REQUIRE(push.run(args) == 0);
  const auto pushed = nlohmann::json::parse(push.out.str());
  const auto new_tip = commit_of(r.remote, "constraints-main");
  CHECK(new_tip != tip);
  CHECK(pushed.at("status") == "pushed");
  CHECK(pushed.at("pushed") == true);
  CHECK(pushed.at("dry_run") == false);
  CHECK(pushed.at("commit") == new_tip);

  InProcess again;
  REQUIRE(again.run(args) == 0);
  const auto unchanged = nlohmann::json::parse(again.out.str());
  CHECK(unchanged.at("status") == "unchanged");
  CHECK(unchanged.at("changed_files") == 0);
  CHECK(unchanged.at("base_commit") == new_tip);
}
