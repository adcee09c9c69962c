#include <breeze/commands/release_management/restore_constraints_tags.hpp>

#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/release_management/git_support.hpp>
#include <breeze/commands/release_management/restore_journal.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/git/constraints_repo.hpp>
#include <breeze/git/handle.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace breeze::commands::release_management {

Expected<ExitCode> run_restore_constraints_tags(const RestoreTagsOptions& options, Context& ctx) {
  BREEZE_TRY(auto journal, read_journal(options.journal));
  const auto repo_path = options.constraints_repo.empty() ? std::filesystem::path(journal.repo)
                                                          : options.constraints_repo;
  const auto remote = options.remote_name.empty() ? journal.remote : options.remote_name;
  BREEZE_TRY(auto repo, git::ConstraintsRepo::open(ctx.git(), repo_path, ctx.services().env,
                                                   ctx.settings.github_token_hosts));
  // One run per repository: an update-constraints moving these tags right now must finish first.
  BREEZE_TRY(auto lock, repo.lock());
  BREEZE_TRY_VOID(repo.remote_url(remote));
  BREEZE_TRY(auto remote_refs, repo.list_remote(remote));

  struct Step {
    JournalEntry entry;
    bool needed = false;
  };
  std::vector<Step> steps;
  std::vector<std::string> moved; // tags that moved again after the journal was written
  auto& out = ctx.out();
  for (const auto& e : journal.entries) {
    const std::string ref = "refs/tags/" + e.tag;
    auto it = remote_refs.find(ref);
    const std::string now = it != remote_refs.end() ? it->second.target : std::string();
    const bool remote_ok = now == e.old_target;
    const bool local_ok = repo.ref_target(ref) == e.old_target;
    if (!repo.has_object(e.old_target))
      return Error{
          ErrorKind::not_found,
          fmt::format("{}: the old tag target {} is not in this repository", e.tag, e.old_target),
          {}};
    // The remote tag is where this run left it (its new target), or — for a version the run never
    // got to push — still the old one. Anything else is someone else's later fix: not ours to undo.
    const bool moved_again = !remote_ok && (e.new_target.empty() || now != e.new_target);
    if (moved_again)
      moved.push_back(fmt::format(
          "{} (now {}, the journal has {})", e.tag, now.empty() ? "deleted" : now.substr(0, 12),
          (e.new_target.empty() ? e.old_target : e.new_target).substr(0, 12)));
    Step s{e, !(remote_ok && local_ok)};
    out << fmt::format("{}: {} -> {} ({})\n", e.tag, now.empty() ? "(none)" : now.substr(0, 12),
                       e.old_target.substr(0, 12),
                       !s.needed     ? "already restored"
                       : moved_again ? "moved since the journal"
                                     : "restore");
    steps.push_back(std::move(s));
  }
  if (!moved.empty() && !options.force)
    return failure(fmt::format(
        "refusing to restore tag(s) that moved on {} after the journal was written: {}; "
        "pass --force to restore them anyway",
        remote, strings::join(moved, ", ")));
  const auto needed =
      std::count_if(steps.begin(), steps.end(), [](const Step& s) { return s.needed; });
  std::vector<std::string> touched;
  for (const auto& s : steps)
    if (s.needed) touched.push_back("refs/tags/" + s.entry.tag);
  if (auto locks = repo.stale_locks(touched, false); !locks.empty()) {
    if (!ctx.globals.dry_run) return failure(git::stale_lock_message(locks));
    spdlog::warn("{}", git::stale_lock_message(locks));
  }
  if (ctx.globals.dry_run) {
    out << fmt::format(
        "Dry run: would restore {} tag(s) on {} (force push); nothing was changed.\n", needed,
        remote);
    return ExitCode::ok;
  }
  if (needed == 0) {
    out << "Nothing to restore.\n";
    return ExitCode::ok;
  }
  BREEZE_TRY(auto stop,
             ctx.confirm_or_stop(
                 fmt::format("Move {} tag(s) back and force-push them to {}?", needed, remote),
                 "Nothing was changed."));
  if (stop) return *stop;
  bool failed = false;
  for (const auto& s : steps) {
    if (!s.needed) continue;
    const std::string ref = "refs/tags/" + s.entry.tag;
    // push_tag checks that the journal's old target is tag constraints-<v> on the old commit.
    auto pushed = push_with_feedback(ctx, repo, "tag " + s.entry.tag, remote, [&] {
      return repo.push_tag(remote, s.entry.old_target, s.entry.tag, s.entry.old_commit);
    });
    if (!pushed) {
      // Not a refusal: the remote could not be reached or the journal is wrong; stop here.
      spdlog::error("{}: not restored: {}; local tag left as it was", s.entry.tag,
                    pushed.error().what());
      return ExitCode::failure;
    }
    if (!pushed->accepted) {
      spdlog::error("{}: push to {} was rejected ({}); local tag left as it was", s.entry.tag,
                    remote, pushed->message);
      failed = true;
      continue;
    }
    BREEZE_TRY_VOID(repo.set_ref(ref, s.entry.old_target, "breeze restore-constraints-tags"));
    out << fmt::format("{}: restored to {}\n", s.entry.tag, s.entry.old_target);
  }
  return failed ? ExitCode::failure : ExitCode::ok;
}

void register_restore_constraints_tags(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<RestoreTagsOptions>();
  absolute_path_option(
      cmd->add_option("--journal", opts->journal,
                      "Restore file written by update-constraints (in the repo's .git).")
          ->required(),
      ctx.services().cwd);
  add_option_rows(
      *cmd,
      {constraints_repo_option(&opts->constraints_repo, ctx.services().cwd,
                               "Repository [default: the one in the journal]."),
       remote_name_option(opts->remote_name, "Remote [default: the one in the journal].")},
      "");
  cmd->add_flag("--force", opts->force,
                "Also restore tags that moved again on the remote after the journal was written.");
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& c) { return run_restore_constraints_tags(*opts, c); };
  });
}

} // namespace breeze::commands::release_management
