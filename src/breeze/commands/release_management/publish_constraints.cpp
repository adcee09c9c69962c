#include <breeze/commands/release_management/update_constraints.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/git/constraints_repo.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace breeze::commands::release_management {

namespace {

const char* const k_temp_publish = "refs/breeze/publish-constraints/branch";

// files/constraints-*/constraints*.txt as basename -> bytes (what the seed's `cp` copies).
Expected<std::map<std::string, std::string>> generated_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return Error{ErrorKind::not_found, "no such directory (generate constraints first)", dir.string()};
  std::vector<std::filesystem::path> found;
  for (const auto& sub : std::filesystem::directory_iterator(dir, ec)) {
    if (!sub.is_directory() || !sub.path().filename().string().starts_with("constraints-")) continue;
    for (const auto& f : std::filesystem::directory_iterator(sub.path(), ec)) {
      const auto name = f.path().filename().string();
      if (f.is_regular_file() && name.starts_with("constraints") && name.ends_with(".txt")) found.push_back(f.path());
    }
  }
  std::sort(found.begin(), found.end());
  std::map<std::string, std::string> out;
  for (const auto& path : found) {
    BREEZE_TRY(auto content, files::read(path));
    auto [it, inserted] = out.emplace(path.filename().string(), content);
    if (!inserted && it->second != content)
      return usage_error(fmt::format("two different generated files named {}", it->first), dir.string());
  }
  if (out.empty())
    return Error{ErrorKind::not_found, "no constraints-*/constraints*.txt files (generate constraints first)", dir.string()};
  return out;
}

} // namespace

Expected<ExitCode> run_publish_constraints(const PublishConstraintsOptions& options, Context& ctx) {
  auto& out = ctx.out();
  const std::string branch = options.constraints_branch.empty() ? ctx.settings.constraints_branch : options.constraints_branch;
  const std::string ref = "refs/heads/" + branch;
  if (strings::trim(options.commit_message).empty()) return usage_error("--commit-message must not be empty");
  auto dir = options.files_dir;
  if (dir.is_relative())
    dir = (ctx.settings.sources_root.empty() ? ctx.services().cwd : ctx.settings.sources_root) / dir;
  BREEZE_TRY(auto generated, generated_files(dir));

  BREEZE_TRY(auto repo, git::ConstraintsRepo::open(options.constraints_repo, ctx.services().env));
  BREEZE_TRY_VOID(repo.remote_url(options.remote_name));
  BREEZE_TRY(auto remote_refs, repo.list_remote(options.remote_name));
  auto remote_it = remote_refs.find(ref);
  if (remote_it == remote_refs.end())
    return Error{ErrorKind::not_found, fmt::format("{} has no branch {}", options.remote_name, branch), {}};
  const std::string tip = remote_it->second.target;
  if (!repo.has_object(tip)) BREEZE_TRY_VOID(repo.download(options.remote_name, {ref}));

  // The local branch may only be behind the remote (fast-forward); local commits or uncommitted
  // changes in a checked-out branch are the user's work and stop us before anything changes.
  const auto local = repo.ref_target(ref);
  if (local) {
    BREEZE_TRY(auto behind, repo.is_ancestor(*local, tip));
    if (!behind)
      return failure(fmt::format("local {} has commits that are not on {}; push or reset them first", branch,
                                 options.remote_name));
  }
  const bool checked_out = repo.head_branch() == ref;
  if (checked_out) {
    BREEZE_TRY(auto dirty, repo.tracked_changes());
    if (!dirty.empty())
      return failure(fmt::format("{} is checked out with uncommitted changes ({}); commit or stash them first", branch,
                                 strings::join(dirty, ", ")));
  }

  BREEZE_TRY(auto current, repo.read_files(tip, [&](const std::string& n) { return generated.count(n) > 0; }));
  std::map<std::string, std::string> changed;
  std::string diff;
  for (const auto& [name, content] : generated) {
    auto it = current.find(name);
    const std::string before = it == current.end() ? std::string() : it->second;
    if (before == content && it != current.end()) continue;
    changed[name] = content;
    BREEZE_TRY(auto d, git::ConstraintsRepo::diff(before, content, name));
    diff += d;
  }
  out << fmt::format("{} on {} is at {}\n", branch, options.remote_name, tip);
  if (changed.empty()) {
    out << fmt::format("Nothing to commit: {} already holds the {} generated file(s).\n", branch, generated.size());
    return ExitCode::ok;
  }
  out << diff;
  out << fmt::format("{} file(s) change.\n", changed.size());
  if (ctx.globals.dry_run) {
    out << fmt::format("Dry run: would commit \"{}\" on {} and push it to {} (no force); nothing was changed.\n",
                       options.commit_message, branch, options.remote_name);
    return ExitCode::ok;
  }
  BREEZE_TRY(auto answer, ctx.confirm(fmt::format("Commit and push {} file(s) to {} {}?", changed.size(),
                                                  options.remote_name, branch)));
  if (answer != prompt::Answer::yes) {
    out << "Nothing was changed.\n";
    return answer == prompt::Answer::quit ? ExitCode::failure : ExitCode::ok;
  }
  BREEZE_TRY(auto commit, repo.commit_files(tip, changed, options.commit_message));
  BREEZE_TRY_VOID(repo.set_ref(k_temp_publish, commit, "breeze publish-constraints"));
  BREEZE_TRY(auto pushed, repo.push(options.remote_name, std::string(k_temp_publish) + ":" + ref));
  BREEZE_TRY_VOID(repo.delete_ref(k_temp_publish));
  if (!pushed.accepted)
    return failure(fmt::format("push of {} to {} was rejected ({}); nothing was changed locally", branch,
                               options.remote_name, pushed.message));
  if (checked_out)
    BREEZE_TRY_VOID(repo.fast_forward_checked_out(commit, "breeze publish-constraints"));
  else
    BREEZE_TRY_VOID(repo.set_ref(ref, commit, "breeze publish-constraints"));
  out << fmt::format("Pushed {} to {} {}.\n", commit, options.remote_name, branch);
  return ExitCode::ok;
}

void register_publish_constraints(CLI::App& group, Context& ctx) {
  auto opts = std::make_shared<PublishConstraintsOptions>();
  auto* cmd = group.add_subcommand("publish-constraints",
                                   "Commit generated constraints files onto the constraints branch and push it "
                                   "(without force).");
  cmd->footer("Examples:\n"
              "  breeze release-management publish-constraints --constraints-repo ~/airflow-constraints \\\n"
              "      --commit-message \"Update constraints\"\n"
              "  breeze release-management publish-constraints --constraints-repo ~/airflow-constraints \\\n"
              "      --files-dir files --constraints-branch constraints-2-10 -m \"Update constraints\" --dry-run\n");
  cmd->add_option("--constraints-repo", opts->constraints_repo, "Clone holding the constraints branch.")->required();
  cmd->add_option("--remote-name", opts->remote_name, "Remote to fetch from and push to.")->capture_default_str();
  cmd->add_option("--constraints-branch", opts->constraints_branch, "Branch [default: constraints-main].");
  cmd->add_option("--files-dir", opts->files_dir,
                  "Folder with constraints-*/constraints*.txt (relative to the sources root).")
      ->capture_default_str();
  cmd->add_option("-m,--commit-message", opts->commit_message, "Commit message.")->required();
  add_global_options(*cmd, ctx.globals);
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& c) { return run_publish_constraints(*opts, c); };
  });
}

} // namespace breeze::commands::release_management
