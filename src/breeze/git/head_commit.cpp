#include <breeze/git/head_commit.hpp>

#include <breeze/git/handle.hpp>

namespace breeze::git {

Expected<std::optional<HeadCommit>> head_commit(Opener& opener,
                                                const std::filesystem::path& work_tree) {
  BREEZE_TRY(auto repo, open_work_tree(opener, work_tree));
  if (!repo) return std::optional<HeadCommit>();
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
