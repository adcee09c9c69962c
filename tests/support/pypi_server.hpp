#pragma once

// The PyPI-shaped test server (tests/scripts/pypi_server.py) as a RAII object: started on
// 127.0.0.1:0, its port read from its stdout (no sleeps), always killed on destruction (and by the
// kernel if the test process dies first).

#include <breeze/base/files.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace breeze::test {

class PypiServer {
public:
  struct Options {
    std::filesystem::path root; ///< directory of <name>.json files (see the script's doc)
    bool simple_only = false;   ///< no JSON API: /pypi/... answers 404
    int delay_ms = 0;           ///< every reply waits this long
    std::optional<int> max_age; ///< Cache-Control: max-age
    bool no_validators = false; ///< neither ETag nor Last-Modified
    nlohmann::json faults;      ///< {key: [step, ...]} (null: none)
  };

  explicit PypiServer(Options options);
  ~PypiServer();
  PypiServer(const PypiServer&) = delete;
  PypiServer& operator=(const PypiServer&) = delete;

  /// http://127.0.0.1:PORT
  [[nodiscard]] std::string url() const;
  [[nodiscard]] int port() const { return m_port; }
  /// The server's request counters: {"total", "by_path", "by_status", "conditional"}.
  [[nodiscard]] nlohmann::json stats() const;
  /// Requests made for `path` so far.
  [[nodiscard]] int requests_for(const std::string& path) const;

private:
  files::TempDir m_dir{"breeze-pypi-server"};
  pid_t m_pid = -1;
  int m_port = 0;
};

/// Writes a PyPI JSON API document for `name` to `dir/<name>.json`: `releases` maps a version
/// to (upload time ISO 8601, yanked) of its files (one file each); `info.version` is the last
/// release given, `info.requires_dist` null.
void write_project(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<std::tuple<std::string, std::string, bool>>& releases);

} // namespace breeze::test
