#include <breeze/commands/release_management/publish_constraints.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/commands/release_management/constraints_edit.hpp>
#include <breeze/commands/release_management/git_support.hpp>
#include <breeze/git/constraints_repo.hpp>
#include <breeze/git/handle.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace breeze::commands::release_management {

namespace {

// "3.10" and the like: what follows "constraints-" in a files/ folder name.
bool is_python_version(std::string_view v) {
  return !v.empty() && std::isdigit(static_cast<unsigned char>(v.front())) &&
         std::all_of(v.begin(), v.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
         });
}

// The bytes of a regular file, opened without following a symlink (a file swapped for a link
// after the directory was listed is refused, not read).
Expected<std::string> read_regular(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return Error{ErrorKind::io, fmt::format("cannot open: {}", std::strerror(errno)),
                 path.string()};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{ErrorKind::io, "not a regular file", path.string()};
  }
  std::string content;
  char buf[65536];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0)
    content.append(buf, static_cast<std::size_t>(n));
  const int read_errno = errno;
  ::close(fd);
  if (n < 0)
    return Error{ErrorKind::io, fmt::format("cannot read: {}", std::strerror(read_errno)),
                 path.string()};
  return content;
}

// files/constraints-<py>/<mode>-<py>.txt as basename -> bytes (what the seed's `cp` copies), for
// the configured modes only. Only real folders and regular files count: a symlink (to a folder or
// file outside files/, say ~/.netrc) and any other file (a secret, a note) is never committed.
Expected<std::map<std::string, std::string>>
generated_files(const std::filesystem::path& dir, const std::vector<std::string>& modes) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir,
                                     ec)) // the folder itself is the user's choice, link or not
    return Error{ErrorKind::not_found, "no such directory (generate constraints first)",
                 dir.string()};
  std::vector<std::filesystem::path> found;
  std::vector<std::string> skipped;
  auto list = [&](const std::filesystem::path& folder, auto&& on_entry) -> Expected<void> {
    std::error_code list_ec; // the error_code overloads: a vanished or unreadable folder is an
                             // Error, not a throw
    std::filesystem::directory_iterator it(folder, list_ec);
    for (; !list_ec && it != std::filesystem::directory_iterator(); it.increment(list_ec))
      on_entry(*it);
    if (list_ec) return Error{ErrorKind::io, "cannot list: " + list_ec.message(), folder.string()};
    return {};
  };
  BREEZE_TRY_VOID(list(dir, [&](const std::filesystem::directory_entry& sub) {
    const auto name = sub.path().filename().string();
    if (!name.starts_with("constraints-")) return;
    std::error_code sub_ec;
    const auto st = sub.symlink_status(sub_ec);
    if (std::filesystem::is_symlink(st)) {
      skipped.push_back(sub.path().string() + " (a symlink)");
      return;
    }
    if (!std::filesystem::is_directory(st) ||
        !is_python_version(name.substr(std::string("constraints-").size())))
      return;
    const std::string python = name.substr(std::string("constraints-").size());
    auto inner = list(sub.path(), [&](const std::filesystem::directory_entry& f) {
      const auto file = f.path().filename().string();
      std::error_code f_ec;
      const auto fst = f.symlink_status(f_ec);
      const bool wanted = selects_file(file, modes) && file.ends_with("-" + python + ".txt");
      if (!wanted) {
        if (file.starts_with("constraints") && file.ends_with(".txt"))
          skipped.push_back(f.path().string() + " (not <mode>-" + python +
                            ".txt of a configured mode)");
        return;
      }
      if (!std::filesystem::is_regular_file(fst)) {
        skipped.push_back(f.path().string() + (std::filesystem::is_symlink(fst)
                                                   ? " (a symlink)"
                                                   : " (not a regular file)"));
        return;
      }
      found.push_back(f.path());
    });
    if (!inner) skipped.push_back(sub.path().string() + " (" + inner.error().message + ")");
  }));
  for (const auto& s : skipped)
    spdlog::warn("publish-constraints: skipped {}", s);
  std::sort(found.begin(), found.end());
  std::map<std::string, std::string> out;
  for (const auto& path : found) {
    BREEZE_TRY(auto content, read_regular(path));
    auto [it, inserted] = out.emplace(path.filename().string(), content);
    if (!inserted && it->second != content)
      return usage_error(fmt::format("two different generated files named {}", it->first),
                         dir.string());
  }
  if (out.empty())
    return Error{ErrorKind::not_found,
                 "no constraints-<python>/<mode>-<python>.txt files (generate constraints first)",
                 dir.string()};
  return out;
}

// What --output json prints (docs/json-output.md, "publish-constraints").
struct PublishResult {
  std::string branch;
  std::string remote;
  std::string base_commit;
  std::optional<std::string> commit;               // the pushed commit
  std::vector<std::pair<std::string, bool>> files; // name, changed
  std::string status;                              // unchanged, dry_run, pushed, stopped
};

std::string render_json(const PublishResult& r, bool dry_run) {
  auto files = nlohmann::json::array();
  std::size_t changed = 0;
  for (const auto& [name, is_changed] : r.files) {
    files.push_back({{"name", name}, {"changed", is_changed}});
    if (is_changed) ++changed;
  }
  nlohmann::json doc = {{"branch", r.branch},
                        {"remote", r.remote},
                        {"base_commit", r.base_commit},
                        {"commit", r.commit ? nlohmann::json(*r.commit) : nlohmann::json(nullptr)},
                        {"files", std::move(files)},
                        {"changed_files", changed},
                        {"status", r.status},
                        {"pushed", r.status == "pushed"},
                        {"dry_run", dry_run}};
  return doc.dump(2) + "\n";
}

} // namespace

Expected<ExitCode> run_publish_constraints(const PublishConstraintsOptions& options, Context& ctx) {
  // With JSON the human text goes to stderr, so stdout holds the one document.
  const bool json = options.output == "json";
  auto& out = json ? ctx.err() : ctx.out();
  const std::string branch = options.constraints_branch.empty() ? ctx.settings.constraints_branch
                                                                : options.constraints_branch;
  const std::string ref = "refs/heads/" + branch;
  if (strings::trim(options.commit_message).empty())
    return usage_error("--commit-message must not be empty");
  auto dir = options.files_dir;
  if (dir.is_relative())
    dir =
        (ctx.settings.sources_root.empty() ? ctx.services().cwd : ctx.settings.sources_root) / dir;
  BREEZE_TRY(auto generated, generated_files(dir, ctx.settings.constraints_modes));

  BREEZE_TRY(auto repo,
             git::ConstraintsRepo::open(ctx.git(), options.constraints_repo, ctx.services().env,
                                        ctx.settings.github_token_hosts));
  // One run per repository (dry runs too): no other breeze run moves this branch meanwhile.
  BREEZE_TRY(auto lock, repo.lock());
  BREEZE_TRY_VOID(repo.remote_url(options.remote_name));
  BREEZE_TRY(auto remote_refs, repo.list_remote(options.remote_name));
  auto remote_it = remote_refs.find(ref);
  if (remote_it == remote_refs.end())
    return Error{
        ErrorKind::not_found, fmt::format("{} has no branch {}", options.remote_name, branch), {}};
  const std::string tip = remote_it->second.target;
  if (!repo.has_object(tip)) BREEZE_TRY_VOID(repo.download(options.remote_name, {ref}));

  // The local branch may only be behind the remote (fast-forward); local commits or uncommitted
  // changes in a checked-out branch are the user's work and stop us before anything changes.
  const auto local = repo.ref_target(ref);
  if (local) {
    BREEZE_TRY(auto behind, repo.is_ancestor(*local, tip));
    if (!behind)
      return failure(
          fmt::format("local {} has commits that are not on {}; push or reset them first", branch,
                      options.remote_name));
  }
  const bool checked_out = repo.head_branch() == ref;
  if (checked_out) {
    BREEZE_TRY(auto dirty, repo.tracked_changes());
    if (!dirty.empty())
      return failure(
          fmt::format("{} is checked out with uncommitted changes ({}); commit or stash them first",
                      branch, strings::join(dirty, ", ")));
  }

  BREEZE_TRY(auto current,
             repo.read_files(tip, [&](const std::string& n) { return generated.count(n) > 0; }));
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
  PublishResult result{branch, options.remote_name, tip, std::nullopt, {}, "unchanged"};
  for (const auto& entry : generated)
    result.files.emplace_back(entry.first, changed.count(entry.first) > 0);
  auto finish = [&](const std::string& status) {
    result.status = status;
    if (json) ctx.out() << render_json(result, ctx.globals.dry_run);
    return ExitCode::ok;
  };
  out << fmt::format("{} on {} is at {}\n", branch, options.remote_name, tip);
  if (changed.empty()) {
    out << fmt::format("Nothing to commit: {} already holds the {} generated file(s).\n", branch,
                       generated.size());
    return finish("unchanged");
  }
  out << diff;
  out << fmt::format("{} file(s) change.\n", changed.size());
  if (auto locks = repo.stale_locks({ref}, checked_out); !locks.empty()) {
    if (!ctx.globals.dry_run) return failure(git::stale_lock_message(locks));
    spdlog::warn("{}", git::stale_lock_message(locks));
  }
  if (ctx.globals.dry_run) {
    out << fmt::format(
        "Dry run: would commit \"{}\" on {} and push it to {} (no force); nothing was changed.\n",
        options.commit_message, branch, options.remote_name);
    return finish("dry_run");
  }
  BREEZE_TRY(auto stop,
             ctx.confirm_or_stop(fmt::format("Commit and push {} file(s) to {} {}?", changed.size(),
                                             options.remote_name, branch),
                                 "Nothing was changed.",
                                 [&out](const std::string& text) { out << text; }));
  if (stop) {
    finish("stopped");
    return *stop;
  }
  BREEZE_TRY(auto commit, repo.commit_files(tip, changed, options.commit_message));
  auto pushed = push_with_feedback(ctx, repo, branch, options.remote_name, [&] {
    return repo.push_object(options.remote_name, commit, ref, false);
  });
  if (!pushed)
    return failure(fmt::format("could not push {} to {} ({}); nothing was changed locally", branch,
                               options.remote_name, pushed.error().what()));
  if (!pushed->accepted)
    return failure(fmt::format("push of {} to {} was rejected ({}); nothing was changed locally",
                               branch, options.remote_name, pushed->message));
  if (checked_out)
    BREEZE_TRY_VOID(repo.fast_forward_checked_out(commit, "breeze publish-constraints"));
  else
    BREEZE_TRY_VOID(repo.set_ref(ref, commit, "breeze publish-constraints"));
  out << fmt::format("Pushed {} to {} {}.\n", commit, options.remote_name, branch);
  result.commit = commit;
  return finish("pushed");
}

void register_publish_constraints(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<PublishConstraintsOptions>();
  add_option_rows(
      *cmd,
      {constraints_repo_option(&opts->constraints_repo, ctx.services().cwd,
                               "Clone holding the constraints branch.", true),
       remote_name_option(opts->remote_name, "Remote to fetch from and push to."),
       constraints_branch_option(opts->constraints_branch, "Branch [default: constraints-main].")},
      "");
  cmd->add_option("--files-dir", opts->files_dir,
                  "Folder with constraints-*/constraints*.txt (relative to the sources root).")
      ->capture_default_str();
  cmd->add_option("-m,--commit-message", opts->commit_message, "Commit message.")->required();
  add_output_option(*cmd, opts->output);
  cmd->callback([&ctx, opts] {
    ctx.action = [opts](Context& c) { return run_publish_constraints(*opts, c); };
  });
}

} // namespace breeze::commands::release_management
