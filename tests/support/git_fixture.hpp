#pragma once

// Real git repositories for tests, made with libgit2 (the `git` CLI is not needed to set up).

#include <breeze/base/files.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace breeze::test {

/// Creates a bare repository at `dir` holding every object and ref of a git bundle (v2): the pack
/// is indexed into the object database and each listed ref created (HEAD made symbolic).
void bare_repo_from_bundle(const std::filesystem::path& bundle, const std::filesystem::path& dir);

/// Clones `remote` into `dir` with the remote named `remote_name`; checks out the default branch.
void clone_repo(const std::filesystem::path& remote, const std::filesystem::path& dir,
                const std::string& remote_name = "apache");

/// Every direct ref of a repository: full name -> object id (what a ref-for-ref comparison needs).
[[nodiscard]] std::map<std::string, std::string> all_refs(const std::filesystem::path& repo);

/// The bytes of `path` in the tree of `rev` (any revspec: a tag, a commit id), or nullopt.
[[nodiscard]] std::optional<std::string> blob_at(const std::filesystem::path& repo,
                                                 const std::string& rev, const std::string& path);

/// Top-level file names in the tree of `rev`.
[[nodiscard]] std::vector<std::string> tree_files(const std::filesystem::path& repo,
                                                  const std::string& rev);

/// The commit `rev` peels to.
[[nodiscard]] std::string commit_of(const std::filesystem::path& repo, const std::string& rev);

/// The object a ref points at directly (tag object for annotated tags), or "" when absent.
[[nodiscard]] std::string ref_of(const std::filesystem::path& repo, const std::string& refname);

/// First parent of a commit, or "" for a root commit.
[[nodiscard]] std::string parent_of(const std::filesystem::path& repo, const std::string& commit);

/// True when `commit` is `tip` or an ancestor of it.
[[nodiscard]] bool reachable_from(const std::filesystem::path& repo, const std::string& commit,
                                  const std::string& tip);

/// Every file under `dir` except .git: relative path -> bytes (to prove a work tree was not
/// touched).
[[nodiscard]] std::map<std::string, std::string> snapshot_tree(const std::filesystem::path& dir);

/// A temp dir with `apache.git` (bare, from tests/fixtures/real-constraints/pymssql-2023.bundle)
/// and `clone` (a clone of it whose remote is named `apache`).
struct ConstraintsRepos {
  files::TempDir tmp{"breeze-constraints"};
  std::filesystem::path remote = tmp.path() / "apache.git";
  std::filesystem::path clone = tmp.path() / "clone";
  ConstraintsRepos();
};

/// Writes a commit on top of `parent` in `repo` replacing top-level `path` with `content` and
/// points `refname` at it (to build diverged branches for rejection tests). Returns the commit id.
std::string commit_on(const std::filesystem::path& repo, const std::string& parent,
                      const std::string& path, const std::string& content,
                      const std::string& refname);

/// Creates (or moves) annotated tag `name` -> the commit of `rev` in `repo`. Returns the tag object
/// id.
std::string annotated_tag(const std::filesystem::path& repo, const std::string& name,
                          const std::string& rev);

/// Makes `dir` a git repository whose HEAD is one commit (empty tree) dated `when` (Unix seconds).
/// Returns the commit id.
std::string init_repo_with_commit(const std::filesystem::path& dir, std::int64_t when);

/// Makes `dir` a git repository whose index tracks `paths` (relative to `dir`, as they are on
/// disk); nothing is committed.
void init_repo_tracking(const std::filesystem::path& dir, const std::vector<std::string>& paths);

/// The versions in the pymssql bundle (2.5.1 … 2.6.3).
[[nodiscard]] const std::vector<std::string>& bundle_versions();

} // namespace breeze::test
