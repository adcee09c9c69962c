#include <breeze/commands/release_management/restore_journal.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/redact.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace breeze::commands::release_management {

Expected<std::filesystem::path> create_journal(const std::filesystem::path& dir,
                                               const Journal& journal) {
  // The stamp is the journal's own `created` time (the injected clock's), not a second reading of
  // the wall clock.
  auto stamp = journal.created;
  std::erase(stamp, ':');
  std::erase(stamp, '-');
  const std::string base = "breeze-constraints-restore-" + stamp;
  for (int i = 1; i < 1000; ++i) {
    const auto path = dir / (i == 1 ? base + ".json" : fmt::format("{}-{}.json", base, i));
    // The claim is the exclusive create itself: no exists-then-write window between two runs.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return Error{ErrorKind::io,
                   fmt::format("cannot create the restore file: {}", std::strerror(errno)),
                   path.string()};
    }
    ::close(fd);
    BREEZE_TRY_VOID(write_journal(path, journal));
    return path;
  }
  return Error{ErrorKind::io, "cannot find a free name for the restore file", dir.string()};
}

Expected<void> write_journal(const std::filesystem::path& path, const Journal& journal) {
  nlohmann::json j;
  // Journals are read by people and pasted into issues: no credentials in them.
  j["repo"] = redact::url(journal.repo);
  j["remote"] = redact::url(journal.remote);
  j["created"] = journal.created;
  j["entries"] = nlohmann::json::array();
  for (const auto& e : journal.entries)
    j["entries"].push_back({{"version", e.version},
                            {"tag", e.tag},
                            {"old_target", e.old_target},
                            {"old_commit", e.old_commit},
                            {"new_target", e.new_target},
                            {"new_commit", e.new_commit},
                            {"status", e.status}});
  // Invalid UTF-8 (a path) is replaced, not thrown: nlohmann's dump() would throw type_error.
  return files::write_atomic(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                                       "\n");
}

Expected<Journal> read_journal(const std::filesystem::path& path) {
  BREEZE_TRY(auto text, files::read(path));
  try {
    auto j = nlohmann::json::parse(text);
    Journal journal;
    journal.repo = j.at("repo").get<std::string>();
    journal.remote = j.at("remote").get<std::string>();
    journal.created = j.value("created", "");
    for (const auto& e : j.at("entries")) {
      journal.entries.push_back({e.at("version").get<std::string>(), e.at("tag").get<std::string>(),
                                 e.at("old_target").get<std::string>(), e.value("old_commit", ""),
                                 e.value("new_target", ""), e.value("new_commit", ""),
                                 e.value("status", "")});
    }
    return journal;
  } catch (const nlohmann::json::exception& e) {
    return usage_error(std::string("not a breeze restore journal: ") + e.what(), path.string());
  }
}

} // namespace breeze::commands::release_management
