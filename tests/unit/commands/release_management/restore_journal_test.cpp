#include <support/catch.hpp>

#include <breeze/base/files.hpp>
#include <breeze/commands/release_management/restore_journal.hpp>

#include <set>
#include <thread>

using namespace breeze;
using namespace breeze::commands::release_management;

TEST_CASE("create_journal gives every run its own file, even when runs start at once",
          "[unit][restore-journal]") {
  files::TempDir dir("breeze-journal");
  Journal j{"https://x-access-token:ghp_secret@github.com/apache/airflow.git", "apache", "now", {}};
  std::vector<std::filesystem::path> paths(40);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < paths.size(); i += 4) {
        auto p = create_journal(dir.path(), j);
        if (p) paths[i] = *p;
      }
    });
  for (auto& t : threads)
    t.join();
  std::set<std::filesystem::path> distinct(paths.begin(), paths.end());
  CHECK(distinct.size() == paths.size());
  CHECK(distinct.count(std::filesystem::path()) == 0);
  for (const auto& p : paths) {
    auto back = read_journal(p);
    REQUIRE(back);
    CHECK(back->repo == "https://github.com/apache/airflow.git"); // no userinfo in a journal
    CHECK(p.filename().string().starts_with("breeze-constraints-restore-"));
  }
}

TEST_CASE("create_journal names the file after the journal's created time, not the wall clock",
          "[unit][restore-journal]") {
  files::TempDir dir("breeze-journal");
  const Journal j{"/repo", "apache", "2024-08-13T10:00:00Z", {}};
  auto first = create_journal(dir.path(), j);
  auto second = create_journal(dir.path(), j);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->filename() == "breeze-constraints-restore-20240813T100000Z.json");
  CHECK(second->filename() == "breeze-constraints-restore-20240813T100000Z-2.json");
}
