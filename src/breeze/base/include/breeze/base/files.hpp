#pragma once

#include <breeze/base/env.hpp>

#include <breeze/base/expected.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace breeze::files {

/// Whole file as bytes; a missing or unreadable file is an io / not_found Error naming the path.
/// Only regular files are read: a directory, FIFO, device or socket is an io Error (never opened,
/// so a FIFO cannot hang the caller and /dev/zero cannot fill memory).
[[nodiscard]] Expected<std::string> read(const std::filesystem::path& path);

/// Writes `content` to a temporary file beside `path`, fsyncs it and renames it over `path`, so an
/// interrupted run never leaves a half-written file. Creates missing parent directories.
[[nodiscard]] Expected<void> write_atomic(const std::filesystem::path& path,
                                          std::string_view content);

/// A fresh directory `<parent>/<prefix>-XXXXXX` (mkdtemp: mode 0700, a name no one else has),
/// removed with everything in it on destruction unless released. The one temp-dir maker.
class TempDir {
public:
  /// Makes the directory under `parent` (empty: the system temp dir, else /tmp).
  [[nodiscard]] static Expected<TempDir> create(std::string_view prefix = "breeze",
                                                const std::filesystem::path& parent = {});
  /// create(prefix), throwing std::runtime_error when it fails (for tests).
  explicit TempDir(std::string_view prefix = "breeze");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
  /// Keeps the directory (e.g. logs the user reads after the run) and returns its path.
  [[nodiscard]] std::filesystem::path release() &&;

private:
  struct Made {};
  TempDir(Made, std::filesystem::path path) : m_path(std::move(path)) {}
  std::filesystem::path m_path;
};

/// `$XDG_CACHE_HOME/breeze`, `~/.cache/breeze`, or (no HOME) `$TMPDIR/breeze-cache-<uid>`, the
/// variables read from `env`. Never throws.
[[nodiscard]] std::filesystem::path cache_dir(const EnvLookup& env);

} // namespace breeze::files
