#include <breeze/git/head_commit.hpp>

#include <breeze/git/handle.hpp>

namespace breeze::git {

Expected<std::optional<HeadCommit>> head_commit(const std::filesystem::path& work_tree) {
  // A plain source tree (no .git dir or worktree file) needs no libgit2 start-up (~13 ms with
  // Debian's mbedTLS build), which every image build and dry run would otherwise pay.
  std::error_code ec;
  if (!std::filesystem::exists(work_tree / ".git", ec)) return std::optional<HeadCommit>();
  auto repo = open_repository(work_tree);
  if (!repo && repo.error().kind == ErrorKind::not_found) return std::optional<HeadCommit>();
  if (!repo) return repo.error();
  git_object* obj = nullptr;
  const int head_rc = git_revparse_single(&obj, repo->get(), "HEAD^{commit}");
  ObjectPtr head(obj);
  // A fresh repository (unborn branch) has no commit to compare with.
  if (head_rc == GIT_ENOTFOUND || head_rc == GIT_EUNBORNBRANCH) return std::optional<HeadCommit>();
  BREEZE_TRY_VOID(check(head_rc, "resolve HEAD in " + work_tree.string()));
  auto* commit = reinterpret_cast<git_commit*>(head.get());
  HeadCommit out;
  out.id = to_hex(*git_commit_id(commit));
  out.time = time::Instant(std::chrono::seconds(git_commit_time(commit)));
  return std::optional(out);
}

} // namespace breeze::git
