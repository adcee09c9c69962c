#pragma once

// What the update-constraints files share: the plan of one version (update_constraints_plan.cpp),
// acting on it (update_constraints_apply.cpp) and reporting it (update_constraints_report.cpp).
// update_constraints.cpp checks the input, orchestrates them and registers the command.

#include <breeze/commands/release_management/constraints_edit.hpp>
#include <breeze/commands/release_management/update_constraints.hpp>
#include <breeze/git/constraints_repo.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace breeze::commands::release_management::update_detail {

inline constexpr const char* k_tag_prefix = "refs/tags/constraints-";

// Everything decided about one version before anything changes.
struct VersionPlan {
  std::string version;
  std::string tag;        // constraints-<v>
  std::string fix_branch; // constraints-<v>-fix
  std::string old_target; // tag object (or commit) the tag points at
  std::string old_commit; // the commit it peels to
  VersionEdit edit;
  std::string resume_commit;   // remote -fix tip that already holds exactly this change
  std::string warning;         // e.g. the branch push will be rejected
  std::string local_tag;       // the local tag's target when it differs from the remote's
  bool local_tag_lags = false; // ... and its commit is an ancestor of the remote's (a killed run)
  enum class Kind { change, up_to_date, absent } kind = Kind::change;
  // filled while acting
  std::string new_commit;
  std::string new_target;
  std::string status;
  bool failed = false;
};

inline std::string tag_ref(const std::string& tag) { return "refs/tags/" + tag; }
inline std::string branch_ref(const std::string& branch) { return "refs/heads/" + branch; }

/// Tags constraints-<version> known locally or on the remote, as versions.
std::vector<std::string> known_versions(const std::map<std::string, git::RemoteRef>& remote,
                                        const std::map<std::string, std::string>& local);

/// Reads the tag's tree, applies the edits and decides what this version needs.
Expected<VersionPlan> plan_version(git::ConstraintsRepo& repo, const std::string& version,
                                   const std::map<std::string, git::RemoteRef>& remote_refs,
                                   const UpdateConstraintsOptions& options,
                                   const std::vector<ConstraintUpdate>& updates,
                                   const std::string& comment);

/// What the plan of one version says to the user: notes, absent packages, old versions, warnings.
std::string version_report(const VersionPlan& p);

/// Does the change of one version: commit, push branch (no force), then tag (force); an Error
/// means stop, nothing more is tried.
Expected<void> act_on_version(Context& ctx, git::ConstraintsRepo& repo, VersionPlan& p,
                              const UpdateConstraintsOptions& options, const git::Signer& signer);

/// The `--output json` document of a run.
nlohmann::json to_json(const std::vector<VersionPlan>& plans, bool dry_run,
                       const std::string& journal);

} // namespace breeze::commands::release_management::update_detail
