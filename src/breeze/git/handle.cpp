#include <breeze/git/handle.hpp>

#include <breeze/base/strings.hpp>

namespace breeze::git {

void ensure_initialized() {
  static const Library library; // thread-safe one-time init; its destructor runs at exit
}

Expected<RepositoryPtr> open_repository(const std::filesystem::path& path) {
  ensure_initialized();
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  RepositoryPtr repo(raw);
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return Error{ErrorKind::not_found, "not a git repository", path.string()};
  }
  BREEZE_TRY_VOID(check(rc, path.string()));
  return repo;
}

Error last_error(std::string_view context) {
  const git_error* e = git_error_last();
  // libgit2 messages can carry remote-provided text; keep them on one line and free of escapes.
  std::string message = e != nullptr && e->message != nullptr ? strings::strip_control(e->message)
                                                               : std::string("unknown libgit2 error");
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
