#include "update_constraints_detail.hpp"

#include <breeze/commands/release_management/git_support.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace breeze::commands::release_management::update_detail {

// Does the change of one version: commit, push branch (no force), then tag (force). A refused
// branch push leaves the tag untouched locally and remotely. Objects are pushed by id, so nothing
// another run (or a killed one) left in a scratch ref can be pushed under this version's name.
// An Error (transport, auth, a tag that fails verification) means: stop, nothing more is tried.
Expected<void> act_on_version(Context& ctx, git::ConstraintsRepo& repo, VersionPlan& p,
                              const UpdateConstraintsOptions& options, const git::Signer& signer) {
  if (!p.resume_commit.empty()) {
    p.new_commit = p.resume_commit;
  } else {
    std::map<std::string, std::string> replaced;
    for (const auto& c : p.edit.changes)
      replaced[c.name] = c.after;
    BREEZE_TRY(p.new_commit, repo.commit_files(p.old_commit, replaced, options.commit_message));
  }
  spdlog::debug("{}: new commit {} (parent {})", p.version, p.new_commit, p.old_commit);

  // The user's branch and tag only move once the remote accepted them.
  spdlog::debug("push {} {}:{} (no force)", options.remote_name, p.new_commit,
                branch_ref(p.fix_branch));
  auto branch_push = push_with_feedback(ctx, repo, p.fix_branch, options.remote_name, [&] {
    return repo.push_object(options.remote_name, p.new_commit, branch_ref(p.fix_branch), false);
  });
  if (!branch_push) {
    p.failed = true;
    p.status = "failed: branch not pushed (" + branch_push.error().what() + "), tag not moved";
    return branch_push.error();
  }
  if (!branch_push->accepted) {
    p.failed = true;
    p.status = "failed: branch push rejected, tag not moved";
    spdlog::error("{}: pushing {} to {} was rejected ({}); tag {} not moved", p.version,
                  p.fix_branch, options.remote_name, branch_push->message, p.tag);
    return {};
  }
  if (repo.head_branch() == branch_ref(p.fix_branch))
    spdlog::warn("{} is checked out; its local ref was left alone (the remote has the new commit)",
                 p.fix_branch);
  else
    BREEZE_TRY_VOID(
        repo.set_ref(branch_ref(p.fix_branch), p.new_commit, "breeze update-constraints"));

  BREEZE_TRY(p.new_target,
             repo.create_tag_object(p.tag, p.new_commit, options.commit_message, signer));
  spdlog::debug("push {} +{}:{} (force)", options.remote_name, p.new_target, tag_ref(p.tag));
  // push_tag checks the tag object names constraints-<v> and peels to the commit just made.
  auto tag_push = push_with_feedback(ctx, repo, "tag " + p.tag, options.remote_name, [&] {
    return repo.push_tag(options.remote_name, p.new_target, p.tag, p.new_commit);
  });
  if (!tag_push) {
    p.failed = true;
    p.status = "failed: branch pushed, tag not pushed (" + tag_push.error().what() + ")";
    return tag_push.error();
  }
  if (!tag_push->accepted) {
    p.failed = true;
    p.status = "failed: branch pushed, tag push rejected";
    spdlog::error("{}: pushing tag {} to {} was rejected ({}); the tag was not moved", p.version,
                  p.tag, options.remote_name, tag_push->message);
    return {};
  }
  BREEZE_TRY_VOID(repo.set_ref(tag_ref(p.tag), p.new_target,
                               "breeze update-constraints: " + options.commit_message));
  p.status = "pushed";
  return {};
}

} // namespace breeze::commands::release_management::update_detail
