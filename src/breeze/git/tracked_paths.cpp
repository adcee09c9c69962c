#include <breeze/git/tracked_paths.hpp>

#include <breeze/git/handle.hpp>

#include <set>

namespace breeze::git {

Expected<std::optional<TrackedPaths>> tracked_paths(Opener& opener,
                                                    const std::filesystem::path& work_tree) {
  BREEZE_TRY(auto repo, open_work_tree(opener, work_tree));
  if (!repo) return std::optional<TrackedPaths>();
  git_index* raw = nullptr;
  BREEZE_TRY_VOID(
      check(git_repository_index(&raw, repo->get()), "reading the index of " + work_tree.string()));
  IndexPtr index(raw);
  TrackedPaths out;
  std::set<std::string> dirs;
  for (std::size_t i = 0, n = git_index_entrycount(index.get()); i < n; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    if (entry == nullptr) continue;
    std::string path = entry->path;
    // A conflicted path has an entry per stage, next to each other: list it once.
    if (!out.files.empty() && out.files.back() == path) continue;
    out.files.push_back(path);
    for (auto slash = path.rfind('/'); slash != std::string::npos; slash = path.rfind('/')) {
      path.resize(slash);
      if (!dirs.insert(path).second) break; // its parents are in already
    }
  }
  out.dirs.assign(dirs.begin(), dirs.end());
  return std::optional(std::move(out));
}

} // namespace breeze::git
