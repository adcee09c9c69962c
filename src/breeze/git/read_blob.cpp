#include <breeze/git/read_blob.hpp>

#include <breeze/git/handle.hpp>

#include <fmt/format.h>
#include <git2.h>

#include <memory>
#include <optional>

namespace breeze::git {

namespace {

// RAII for libgit2 objects: each handle type frees with its own function.
template <typename T, void (*Free)(T*)> struct Deleter {
  void operator()(T* p) const { if (p != nullptr) Free(p); }
};
using Repo = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using Walk = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;

Error to_error(int rc, const std::string& context) {
  const ::git_error* e = git_error_last();
  std::string msg = e != nullptr && e->message != nullptr ? e->message : fmt::format("libgit2 error {}", rc);
  return Error{rc == GIT_ENOTFOUND ? ErrorKind::not_found : ErrorKind::git, msg, context};
}

Expected<Repo> open(const std::filesystem::path& path) {
  ensure_initialized();
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr); rc != 0) {
    Repo guard(raw);
    auto err = to_error(rc, path.string());
    if (rc == GIT_ENOTFOUND) err.message = "not a git repository";
    return err;
  }
  return Repo(raw);
}

Expected<Commit> resolve_branch(git_repository* repo, const std::string& branch, const std::string& where) {
  for (const auto& spec : {"refs/heads/" + branch, "refs/remotes/origin/" + branch, branch}) {
    git_object* raw = nullptr;
    if (git_revparse_single(&raw, repo, (spec + "^{commit}").c_str()) == 0)
      return Commit(reinterpret_cast<git_commit*>(raw));
  }
  return Error{ErrorKind::not_found, fmt::format("no branch '{}' (nor origin/{})", branch, branch), where};
}

// The id of `path` in `commit`'s tree, or nullopt when the path is absent.
std::optional<git_oid> entry_id(git_commit* commit, const std::string& path) {
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return std::nullopt;
  Tree tree(raw_tree);
  git_tree_entry* raw_entry = nullptr;
  if (git_tree_entry_bypath(&raw_entry, tree.get(), path.c_str()) != 0) return std::nullopt;
  TreeEntry entry(raw_entry);
  return *git_tree_entry_id(entry.get());
}

} // namespace

Expected<BlobAtBranch> read_blob(const std::filesystem::path& repo_path, const std::string& branch,
                                 const std::string& path) {
  BREEZE_TRY(auto repo, open(repo_path));
  BREEZE_TRY(auto commit, resolve_branch(repo.get(), branch, repo_path.string()));
  auto id = entry_id(commit.get(), path);
  if (!id)
    return Error{ErrorKind::not_found, fmt::format("no file '{}' on branch '{}'", path, branch), repo_path.string()};
  git_blob* raw_blob = nullptr;
  if (int rc = git_blob_lookup(&raw_blob, repo.get(), &*id); rc != 0)
    return to_error(rc, fmt::format("{}:{}:{}", repo_path.string(), branch, path));
  Blob blob(raw_blob);
  BlobAtBranch out;
  out.content.assign(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<std::size_t>(git_blob_rawsize(blob.get())));
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_commit_id(commit.get()));
  out.commit = hex;
  return out;
}

Expected<time::Instant> last_commit_time(const std::filesystem::path& repo_path, const std::string& branch,
                                         const std::string& path) {
  BREEZE_TRY(auto repo, open(repo_path));
  BREEZE_TRY(auto tip, resolve_branch(repo.get(), branch, repo_path.string()));
  git_revwalk* raw_walk = nullptr;
  if (int rc = git_revwalk_new(&raw_walk, repo.get()); rc != 0) return to_error(rc, repo_path.string());
  Walk walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_revwalk_push(walk.get(), git_commit_id(tip.get()));
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo.get(), &oid) != 0) continue;
    Commit commit(raw);
    const auto here = entry_id(commit.get(), path);
    if (!here) continue;
    // This commit changed the file when no parent has the same blob at that path.
    bool same_as_a_parent = false;
    for (unsigned i = 0; i < git_commit_parentcount(commit.get()) && !same_as_a_parent; ++i) {
      git_commit* raw_parent = nullptr;
      if (git_commit_parent(&raw_parent, commit.get(), i) != 0) continue;
      Commit parent(raw_parent);
      auto there = entry_id(parent.get(), path);
      same_as_a_parent = there && git_oid_equal(&*there, &*here);
    }
    if (!same_as_a_parent)
      return time::Instant{std::chrono::seconds(git_commit_time(commit.get()))};
  }
  return Error{ErrorKind::not_found, fmt::format("no commit on '{}' touches '{}'", branch, path), repo_path.string()};
}

} // namespace breeze::git
