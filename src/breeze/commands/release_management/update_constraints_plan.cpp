#include "update_constraints_detail.hpp"

#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

namespace breeze::commands::release_management::update_detail {

// Tags constraints-<version> known locally or on the remote, as versions.
std::vector<std::string> known_versions(const std::map<std::string, git::RemoteRef>& remote,
                                        const std::map<std::string, std::string>& local) {
  std::set<std::string> names;
  for (const auto& [name, _] : remote)
    if (name.starts_with(k_tag_prefix)) names.insert(name.substr(std::string(k_tag_prefix).size()));
  for (const auto& [name, _] : local)
    if (name.starts_with(k_tag_prefix)) names.insert(name.substr(std::string(k_tag_prefix).size()));
  return {names.begin(), names.end()};
}

// Reads the tag's tree, applies the edits and decides what this version needs.
Expected<VersionPlan> plan_version(git::ConstraintsRepo& repo, const std::string& version,
                                   const std::map<std::string, git::RemoteRef>& remote_refs,
                                   const UpdateConstraintsOptions& options,
                                   const std::vector<ConstraintUpdate>& updates,
                                   const std::string& comment) {
  VersionPlan plan;
  plan.version = version;
  plan.tag = "constraints-" + version;
  plan.fix_branch = plan.tag + "-fix";
  const auto remote_tag = remote_refs.find(tag_ref(plan.tag));
  const auto local_tag = repo.ref_target(tag_ref(plan.tag));
  // The remote is what users install from, so its tag is the base (like Airflow's `git fetch --tags
  // --force`).
  if (remote_tag != remote_refs.end()) {
    plan.old_target = remote_tag->second.target;
    if (local_tag && *local_tag != plan.old_target) {
      plan.local_tag = *local_tag;
      // A local tag whose commit the remote's tag descends from lags behind it (a run killed
      // between the tag push and moving the local tag): bringing it in line loses nothing.
      auto local_commit = repo.peel_to_commit(*local_tag);
      auto remote_commit = repo.peel_to_commit(plan.old_target);
      if (local_commit && remote_commit && *local_commit != *remote_commit) {
        auto behind = repo.is_ancestor(*local_commit, *remote_commit);
        plan.local_tag_lags = behind && *behind;
      }
      if (!plan.local_tag_lags)
        spdlog::warn("local tag {} ({}) differs from {}'s ({}); using {}'s. To make the local tag "
                     "match: git -C {} "
                     "fetch {} +refs/tags/{}:refs/tags/{}",
                     plan.tag, local_tag->substr(0, 12), options.remote_name,
                     plan.old_target.substr(0, 12), options.remote_name,
                     strings::shell_quote(options.constraints_repo.string()),
                     strings::shell_quote(options.remote_name), plan.tag, plan.tag);
    }
  } else if (local_tag) {
    plan.old_target = *local_tag;
    spdlog::warn("tag {} exists only locally; it will be pushed to {}", plan.tag,
                 options.remote_name);
  } else {
    return Error{ErrorKind::not_found, "no tag " + plan.tag, {}};
  }
  BREEZE_TRY(plan.old_commit, repo.peel_to_commit(plan.old_target));
  const auto& modes = options.constraints_modes;
  BREEZE_TRY(auto files, repo.read_files(plan.old_commit, [&](const std::string& n) {
    return selects_file(n, modes);
  }));
  if (files.empty())
    return Error{ErrorKind::not_found,
                 fmt::format("tag {} holds no constraints files{}", plan.tag,
                             modes.empty() ? "" : " of the selected modes"),
                 {}};
  plan.edit = edit_files(files, updates, comment, options.add_missing);
  if (!plan.edit.absent.empty() && !options.add_missing) {
    plan.kind = VersionPlan::Kind::absent;
    return plan;
  }
  if (plan.edit.changes.empty()) {
    plan.kind = VersionPlan::Kind::up_to_date;
    return plan;
  }
  // A remote -fix branch that already holds exactly this change on top of the tag commit is a run
  // that was interrupted after the branch push: reuse it so the re-run stays a fast-forward.
  if (auto fix = remote_refs.find(branch_ref(plan.fix_branch)); fix != remote_refs.end()) {
    const auto& tip = fix->second.target;
    BREEZE_TRY(auto parent, repo.parent_of(tip));
    bool same = false;
    if (parent && *parent == plan.old_commit) {
      auto all = [](const std::string&) { return true; };
      BREEZE_TRY(auto want, repo.read_files(plan.old_commit, all));
      for (const auto& c : plan.edit.changes)
        want[c.name] = c.after;
      BREEZE_TRY(auto have, repo.read_files(tip, all));
      same = want == have;
    }
    if (same) {
      plan.resume_commit = tip;
    } else {
      BREEZE_TRY(auto ff, repo.is_ancestor(tip, plan.old_commit));
      if (!ff)
        plan.warning = fmt::format(
            "{} on {} has diverged from the tag (tip {}); the branch push will be rejected",
            plan.fix_branch, options.remote_name, tip.substr(0, 12));
    }
  }
  return plan;
}

} // namespace breeze::commands::release_management::update_detail
