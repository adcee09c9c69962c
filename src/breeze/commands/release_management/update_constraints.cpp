#include <breeze/commands/release_management/update_constraints.hpp>

#include "update_constraints_detail.hpp"

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/release_management/constraints_edit.hpp>
#include <breeze/commands/release_management/git_support.hpp>
#include <breeze/commands/release_management/restore_journal.hpp>
#include <breeze/git/constraints_repo.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace breeze::commands::release_management {

using update_detail::act_on_version;
using update_detail::branch_ref;
using update_detail::k_tag_prefix;
using update_detail::known_versions;
using update_detail::plan_version;
using update_detail::tag_ref;
using update_detail::to_json;
using update_detail::version_report;
using update_detail::VersionPlan;

Expected<ExitCode> run_update_constraints(const UpdateConstraintsOptions& options, Context& ctx,
                                          const UpdateConstraintsHooks& hooks) {
  const bool dry_run = ctx.globals.dry_run;
  const bool json = options.output == "json";
  // With --output json stdout carries only the JSON document; the human report goes to stderr.
  auto say = [&](const std::string& text) {
    if (json) {
      for (const auto& line : strings::split(text, '\n'))
        if (!line.empty()) spdlog::info("{}", line);
    } else {
      ctx.out() << text;
    }
  };

  // 1. Everything the user typed is checked before the repository is even opened.
  std::vector<ConstraintUpdate> updates;
  for (const auto& text : options.updated_constraints) {
    BREEZE_TRY(auto u, parse_updated_constraint(text));
    updates.push_back(std::move(u));
  }
  std::string comment;
  if (!options.comment_file.empty()) {
    BREEZE_TRY(comment, files::read(options.comment_file));
    while (!comment.empty() && (comment.back() == '\n' || comment.back() == '\r'))
      comment.pop_back();
    BREEZE_TRY_VOID(check_comment(comment));
  }
  if (updates.empty() && comment.empty())
    return usage_error(
        "nothing to do: give --updated-constraint NAME==VERSION (or --comment-file)");
  for (const auto& mode : options.constraints_modes)
    BREEZE_TRY_VOID(ctx.settings.check_constraints_mode(mode));
  if (strings::trim(options.commit_message).empty())
    return usage_error("--commit-message must not be empty");
  git::Signer signer;
  if (options.sign) {
    BREEZE_TRY(signer, gpg_signer(ctx));
  }

  // 2. Repository, remote, versions.
  BREEZE_TRY(auto repo,
             git::ConstraintsRepo::open(ctx.git(), options.constraints_repo, ctx.services().env,
                                        ctx.settings.github_token_hosts));
  // One run per repository for the whole run (dry runs too: they read refs another run is moving).
  BREEZE_TRY(auto lock, repo.lock());
  if (!dry_run)
    BREEZE_TRY_VOID(repo.delete_scratch_refs()); // left by older breeze runs killed mid-push
  BREEZE_TRY(auto url, repo.remote_url(options.remote_name));
  spdlog::debug("remote {}: {}", options.remote_name, redact::url(url));
  BREEZE_TRY(auto remote_refs, repo.list_remote(options.remote_name));
  BREEZE_TRY(auto local_tags, repo.refs(k_tag_prefix));
  BREEZE_TRY(auto versions,
             expand_versions(options.airflow_versions, known_versions(remote_refs, local_tags)));

  // Objects the remote has and we lack (tags moved by someone else, -fix branches): download only.
  std::vector<std::string> wanted;
  for (const auto& v : versions) {
    for (const auto& ref : {tag_ref("constraints-" + v), branch_ref("constraints-" + v + "-fix")}) {
      auto it = remote_refs.find(ref);
      if (it != remote_refs.end() && !repo.has_object(it->second.target)) wanted.push_back(ref);
    }
  }
  if (!wanted.empty()) {
    spdlog::debug("fetching objects of {}", strings::join(wanted, " "));
    BREEZE_TRY_VOID(repo.download(options.remote_name, wanted));
  }

  // 3. Plan every version; print each tag's commit before anything changes.
  std::vector<VersionPlan> plans;
  for (const auto& v : versions) {
    BREEZE_TRY(auto plan, plan_version(repo, v, remote_refs, options, updates, comment));
    plans.push_back(std::move(plan));
  }
  std::size_t to_change = 0;
  // The plan is said as one text so that a long one (hundreds of diff lines) can be paged.
  std::string plan_text;
  for (auto& p : plans) {
    plan_text += fmt::format("{}: tag {} points at commit {}\n", p.version, p.tag, p.old_commit);
    plan_text += version_report(p);
    if (p.kind == VersionPlan::Kind::change) {
      ++to_change;
      std::string diff;
      for (const auto& c : p.edit.changes) {
        BREEZE_TRY(auto d, git::ConstraintsRepo::diff(c.before, c.after, c.name));
        diff += d;
      }
      plan_text += json ? diff : console::colour_diff(diff, ctx.stdout_colour());
      p.status = dry_run ? "would push" : "not started";
    } else {
      p.status = p.kind == VersionPlan::Kind::up_to_date ? "already up to date"
                                                         : "unchanged: package absent";
    }
  }
  if (json)
    say(plan_text);
  else
    ctx.page(plan_text);
  auto summary = [&](const std::string& journal) {
    std::vector<SummaryRow> rows;
    for (const auto& p : plans)
      rows.push_back(
          {p.version, p.old_commit, p.new_commit,
           p.status == "pushed" || p.status == "would push" || p.failed ? p.edit.changes.size() : 0,
           p.status});
    say("\n" + render_summary(rows));
    ctx.step_summary(render_summary_markdown(rows));
    if (json)
      ctx.out() << to_json(plans, dry_run, journal)
                       .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
  };

  // Lock files a killed git or breeze left would make a ref update fail half-way (after the
  // remote moved): find them before anything changes.
  std::vector<std::string> touched;
  for (const auto& p : plans) {
    if (p.kind == VersionPlan::Kind::change || p.local_tag_lags) touched.push_back(tag_ref(p.tag));
    if (p.kind == VersionPlan::Kind::change) touched.push_back(branch_ref(p.fix_branch));
  }
  if (auto locks = repo.stale_locks(touched, false); !locks.empty()) {
    if (!dry_run) return failure(git::stale_lock_message(locks));
    spdlog::warn("{}", git::stale_lock_message(locks));
  }

  if (dry_run) {
    for (const auto& p : plans)
      if (p.local_tag_lags)
        say(fmt::format("would move local tag {} ({}) to {}'s ({}): it lags behind it\n", p.tag,
                        p.local_tag.substr(0, 12), options.remote_name,
                        p.old_target.substr(0, 12)));
    for (const auto& p : plans) {
      if (p.kind != VersionPlan::Kind::change) continue;
      say(fmt::format("would push {} to {} as {} (no force), then tag {} (force)\n",
                      p.resume_commit.empty() ? "a new commit on " + p.old_commit.substr(0, 12)
                                              : p.resume_commit.substr(0, 12),
                      options.remote_name, p.fix_branch, p.tag));
    }
    say("Dry run: nothing was changed.\n");
    summary("");
    return ExitCode::ok;
  }
  // A local tag lagging behind the remote's (the remote is what users install from, and a killed
  // run pushed it but did not get to move the local one) is brought in line: a fast-forward.
  for (const auto& p : plans) {
    if (!p.local_tag_lags) continue;
    BREEZE_TRY_VOID(repo.set_ref(tag_ref(p.tag), p.old_target,
                                 "breeze update-constraints: as on " + options.remote_name));
    say(fmt::format("local tag {} lagged behind {}'s; moved it from {} to {}\n", p.tag,
                    options.remote_name, p.local_tag.substr(0, 12), p.old_target.substr(0, 12)));
  }
  if (to_change == 0) {
    say("Nothing to change.\n");
    summary("");
    return ExitCode::ok;
  }

  // 4. One confirmation for the whole batch.
  BREEZE_TRY(auto stop,
             ctx.confirm_or_stop(fmt::format("Update {} constraints tag(s) and push them to {}?",
                                             to_change, options.remote_name),
                                 "Nothing was changed.", say));
  if (stop) return *stop;

  // 5. Act, journalling first so an interrupted run can still be undone.
  Journal journal{repo.work_dir().empty() ? repo.git_dir().string() : repo.work_dir().string(),
                  options.remote_name,
                  time::format_iso_z(ctx.now()),
                  {}};
  for (const auto& p : plans)
    if (p.kind == VersionPlan::Kind::change)
      journal.entries.push_back({p.version, p.tag, p.old_target, p.old_commit, "", "", "pending"});
  BREEZE_TRY(auto journal_path, create_journal(repo.git_dir(), journal));

  bool any_failed = false;
  bool interrupted = false;
  bool stopped = false; // a push could not be made at all: trying the next versions would not help
  for (auto& p : plans) {
    if (p.kind != VersionPlan::Kind::change) continue;
    if (stopped) break;
    if (interrupt::requested()) {
      interrupted = true;
      break;
    }
    auto done = act_on_version(ctx, repo, p, options, signer);
    if (!done) {
      p.failed = true;
      if (p.status.empty() || p.status == "not started")
        p.status = "failed: " + done.error().what();
      spdlog::error("{}: {}", p.version, done.error().what());
      stopped = true;
    }
    any_failed = any_failed || p.failed;
    for (auto& e : journal.entries) {
      if (e.version != p.version) continue;
      e.new_commit = p.new_commit;
      e.new_target = p.new_target;
      e.status = p.status == "pushed" ? "pushed" : "failed";
    }
    BREEZE_TRY_VOID(write_journal(journal_path, journal));
    if (hooks.after_version) hooks.after_version(p.version);
  }
  if (stopped) {
    std::vector<std::string> left;
    for (const auto& p : plans)
      if (p.kind == VersionPlan::Kind::change && p.status == "not started")
        left.push_back(p.version);
    if (!left.empty())
      spdlog::error("stopped: {} not started (re-run when {} can be reached)",
                    strings::join(left, ", "), options.remote_name);
  }
  say(fmt::format(
      "Restore file: {} (breeze release-management restore-constraints-tags --journal {})\n",
      journal_path.string(), strings::shell_quote(journal_path.string())));
  summary(journal_path.string());
  if (interrupted)
    return Error{ErrorKind::interrupted,
                 "interrupted between versions; re-run to finish (done versions are skipped)",
                 {}};
  return any_failed ? ExitCode::failure : ExitCode::ok;
}

void register_update_constraints(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<UpdateConstraintsOptions>();
  add_option_rows(*cmd,
                  {constraints_repo_option(&opts->constraints_repo, ctx.services().cwd,
                                           "Path to the clone holding the constraints-* tags.",
                                           true, "CONSTRAINTS_REPO"),
                   remote_name_option(opts->remote_name, "Remote to push to.", "REMOTE_NAME")},
                  "");
  cmd->add_option(
         "--airflow-versions", opts->airflow_versions,
         "Comma list of Airflow versions; ranges like 2.5.1..2.6.3 pick the existing tags between.")
      ->required()
      ->envname("AIRFLOW_VERSIONS");
  cmd->add_option("--updated-constraint", opts->updated_constraints,
                  "NAME==VERSION to set (repeatable).")
      ->take_all()
      ->envname("UPDATED_CONSTRAINT");
  absolute_path_option(cmd->add_option("--comment-file", opts->comment_file,
                                       "Text inserted once before the first pin of changed files.")
                           ->envname("COMMENT_FILE"),
                       ctx.services().cwd);
  cmd->add_option("-m,--commit-message", opts->commit_message, "Commit (and tag) message.")
      ->required()
      ->envname("COMMIT_MESSAGE");
  cmd->add_option(
         "--airflow-constraints-mode", opts->constraints_modes,
         "Only files of these modes (repeatable) [default: every constraints*.txt in the tag].")
      ->delimiter(',');
  cmd->add_flag("--add-missing", opts->add_missing,
                "Add a package that no file of a version pins.");
  cmd->add_flag("--sign", opts->sign, "GPG-sign the moved tags (needs gpg).");
  add_output_option(*cmd, opts->output);
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& c) { return run_update_constraints(*opts, c); };
  });
}

} // namespace breeze::commands::release_management
