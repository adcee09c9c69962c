#include <breeze/git/opener.hpp>

namespace breeze::git {

Expected<RepositoryPtr> Libgit2Opener::open(const std::filesystem::path& path) {
  return open_repository(path);
}

Opener& libgit2_opener() {
  static Libgit2Opener opener;
  return opener;
}

Expected<std::optional<RepositoryPtr>> open_work_tree(Opener& opener,
                                                      const std::filesystem::path& work_tree) {
  // A plain source tree (no .git dir or worktree file) needs no libgit2 start-up (~13 ms with
  // Debian's mbedTLS build), which every image build and dry run would otherwise pay.
  std::error_code ec;
  if (!std::filesystem::exists(work_tree / ".git", ec)) return std::optional<RepositoryPtr>();
  auto repo = opener.open(work_tree);
  if (!repo && repo.error().kind == ErrorKind::not_found) return std::optional<RepositoryPtr>();
  if (!repo) return repo.error();
  return std::optional(std::move(*repo));
}

} // namespace breeze::git
