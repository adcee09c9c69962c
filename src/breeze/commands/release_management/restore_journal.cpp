#include <breeze/commands/release_management/restore_journal.hpp>

#include <breeze/base/files.hpp>

#include <nlohmann/json.hpp>

namespace breeze::commands::release_management {

Expected<void> write_journal(const std::filesystem::path& path, const Journal& journal) {
  nlohmann::json j;
  j["repo"] = journal.repo;
  j["remote"] = journal.remote;
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
  return files::write_atomic(path, j.dump(2) + "\n");
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
                                 e.value("new_target", ""), e.value("new_commit", ""), e.value("status", "")});
    }
    return journal;
  } catch (const nlohmann::json::exception& e) {
    return usage_error(std::string("not a breeze restore journal: ") + e.what(), path.string());
  }
}

} // namespace breeze::commands::release_management
