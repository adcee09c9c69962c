#include <breeze/git/handle.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>

namespace breeze::git {

void ensure_initialized() {
  static const Library library; // thread-safe one-time init; its destructor runs at exit
}

Expected<RepositoryPtr> open_repository(const std::filesystem::path& path) {
  ensure_initialized();
  git_repository* raw = nullptr;
  const int rc =
      git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  RepositoryPtr repo(raw);
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return Error{ErrorKind::not_found, "not a git repository", path.string()};
  }
  BREEZE_TRY_VOID(check(rc, path.string()));
  return repo;
}

std::optional<std::string> locked_file(std::string_view message) {
  if (message.find("lock") == std::string_view::npos) return std::nullopt;
  // libgit2 quotes the path: "failed to create locked file '/r/.git/refs/tags/x.lock': File
  // exists".
  for (std::size_t open = message.find('\''); open != std::string_view::npos;
       open = message.find('\'', open + 1)) {
    const auto close = message.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    const auto quoted = message.substr(open + 1, close - open - 1);
    if (quoted.ends_with(".lock")) return std::string(quoted);
    open = close;
  }
  return std::nullopt;
}

std::string stale_lock_message(const std::vector<std::string>& lock_files) {
  std::vector<std::string> quoted;
  for (const auto& f : lock_files)
    quoted.push_back(strings::shell_quote(f));
  return fmt::format(
      "lock file{} {} in the way (left by a git or breeze process that was killed?); if no git "
      "command is running in this repository, remove {}: rm {}",
      lock_files.size() == 1 ? "" : "s", strings::join(lock_files, ", "),
      lock_files.size() == 1 ? "it" : "them", strings::join(quoted, " "));
}

Error last_error(std::string_view context) {
  const git_error* e = git_error_last();
  // libgit2 messages can carry remote-provided text and URLs with credentials; keep them on one
  // line, free of escapes and of userinfo.
  std::string message = e != nullptr && e->message != nullptr
                            ? redact::text(strings::strip_control(e->message))
                            : std::string("unknown libgit2 error");
  if (auto lock = locked_file(message)) {
    std::error_code ec;
    // Only a lock that is still there is "stale"; one that vanished was a concurrent git command.
    if (std::filesystem::exists(*lock, ec)) message = stale_lock_message({*lock});
  }
  return Error{ErrorKind::git, std::move(message), std::string(context)};
}

Expected<void> check(int rc, std::string_view context) {
  if (rc >= 0) return {};
  return last_error(context);
}

std::string to_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

Expected<git_oid> from_hex(std::string_view hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, hex.data(), hex.size()) < 0)
    return usage_error(std::string("not an object id: ") + std::string(hex));
  return oid;
}

} // namespace breeze::git
