#include <breeze/git/read_blob.hpp>

#include <breeze/git/handle.hpp>

#include <fmt/format.h>
#include <git2.h>

#include <optional>
#include <utility>
#include <vector>

namespace breeze::git {

namespace {

// libgit2 failures as breeze Errors; a missing object or reference is not_found, not a git failure.
Error to_error(int rc, const std::string& context) {
  auto err = last_error(context);
  if (rc == GIT_ENOTFOUND) err.kind = ErrorKind::not_found;
  return err;
}

// A branch as breeze looks for it: the remote's tracking branch, origin's, a local branch, then
// any revision git understands (a tag, a commit id). `used` says which it was.
Expected<CommitPtr> resolve_branch(git_repository* repo, const std::string& branch,
                                   const std::string& remote, const std::string& where,
                                   std::string* used = nullptr) {
  std::vector<std::pair<std::string, std::string>> specs; // refspec, how to name it
  specs.emplace_back("refs/remotes/" + remote + "/" + branch, remote + "/" + branch);
  if (remote != "origin") specs.emplace_back("refs/remotes/origin/" + branch, "origin/" + branch);
  specs.emplace_back("refs/heads/" + branch, "local branch " + branch);
  specs.emplace_back(branch, branch);
  for (const auto& [spec, name] : specs) {
    git_object* raw = nullptr;
    if (git_revparse_single(&raw, repo, (spec + "^{commit}").c_str()) == 0) {
      if (used != nullptr) *used = name;
      return CommitPtr(reinterpret_cast<git_commit*>(raw));
    }
    git_error_clear();
  }
  return Error{ErrorKind::not_found,
               fmt::format("no branch '{}' (looked for {}/{}{}, then a local branch)", branch,
                           remote, branch, remote == "origin" ? "" : ", origin/" + branch),
               where};
}

// The id of `path` in `commit`'s tree, or nullopt when the path is absent.
std::optional<git_oid> entry_id(git_commit* commit, const std::string& path) {
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return std::nullopt;
  TreePtr tree(raw_tree);
  git_tree_entry* raw_entry = nullptr;
  if (git_tree_entry_bypath(&raw_entry, tree.get(), path.c_str()) != 0) return std::nullopt;
  TreeEntryPtr entry(raw_entry);
  return *git_tree_entry_id(entry.get());
}

// The file at the branch tip, nullopt when the branch has no such path. A blob the tree names but
// the object database lacks is reported with `missing_blob` as its kind.
Expected<std::optional<BlobAtBranch>> read_at(Opener& opener,
                                              const std::filesystem::path& repo_path,
                                              const std::string& branch, const std::string& path,
                                              const std::string& remote, ErrorKind missing_blob) {
  BREEZE_TRY(auto repo, opener.open(repo_path));
  std::string used;
  BREEZE_TRY(auto commit, resolve_branch(repo.get(), branch, remote, repo_path.string(), &used));
  auto id = entry_id(commit.get(), path);
  if (!id) return std::optional<BlobAtBranch>();
  git_blob* raw_blob = nullptr;
  if (int rc = git_blob_lookup(&raw_blob, repo.get(), &*id); rc != 0) {
    auto err = to_error(rc, fmt::format("{}:{}:{}", repo_path.string(), branch, path));
    if (err.kind == ErrorKind::not_found) err.kind = missing_blob;
    return err;
  }
  BlobPtr blob(raw_blob);
  BlobAtBranch out;
  out.content.assign(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<std::size_t>(git_blob_rawsize(blob.get())));
  out.commit = to_hex(*git_commit_id(commit.get()));
  out.ref = used;
  return std::optional<BlobAtBranch>(std::move(out));
}

} // namespace

Expected<BlobAtBranch> read_blob(Opener& opener, const std::filesystem::path& repo_path,
                                 const std::string& branch, const std::string& path,
                                 const std::string& remote) {
  BREEZE_TRY(auto blob, read_at(opener, repo_path, branch, path, remote, ErrorKind::not_found));
  if (!blob)
    return Error{ErrorKind::not_found, fmt::format("no file '{}' on branch '{}'", path, branch),
                 repo_path.string()};
  return std::move(*blob);
}

Expected<std::optional<BlobAtBranch>> read_blob_if_present(Opener& opener,
                                                           const std::filesystem::path& repo_path,
                                                           const std::string& branch,
                                                           const std::string& path,
                                                           const std::string& remote) {
  return read_at(opener, repo_path, branch, path, remote, ErrorKind::git);
}

Expected<time::Instant> last_commit_time(Opener& opener, const std::filesystem::path& repo_path,
                                         const std::string& branch, const std::string& path,
                                         const std::string& remote) {
  BREEZE_TRY(auto repo, opener.open(repo_path));
  BREEZE_TRY(auto tip, resolve_branch(repo.get(), branch, remote, repo_path.string()));
  git_revwalk* raw_walk = nullptr;
  if (int rc = git_revwalk_new(&raw_walk, repo.get()); rc != 0)
    return to_error(rc, repo_path.string());
  RevwalkPtr walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_revwalk_push(walk.get(), git_commit_id(tip.get()));
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo.get(), &oid) != 0) continue;
    CommitPtr commit(raw);
    const auto here = entry_id(commit.get(), path);
    if (!here) continue;
    // This commit changed the file when no parent has the same blob at that path.
    bool same_as_a_parent = false;
    for (unsigned i = 0; i < git_commit_parentcount(commit.get()) && !same_as_a_parent; ++i) {
      git_commit* raw_parent = nullptr;
      if (git_commit_parent(&raw_parent, commit.get(), i) != 0) continue;
      CommitPtr parent(raw_parent);
      auto there = entry_id(parent.get(), path);
      same_as_a_parent = there && git_oid_equal(&*there, &*here);
    }
    if (!same_as_a_parent)
      return time::Instant{std::chrono::seconds(git_commit_time(commit.get()))};
  }
  return Error{ErrorKind::not_found, fmt::format("no commit on '{}' touches '{}'", branch, path),
               repo_path.string()};
}

} // namespace breeze::git
