#pragma once

#include <breeze/base/expected.hpp>

#include <filesystem>

namespace breeze::paths {

/// `path` made absolute against `cwd` (the injected working directory, never the process's):
/// `cwd / path` when relative, normalised lexically (no file system access) and without a trailing
/// separator; empty stays empty. `cwd` must be absolute.
[[nodiscard]] std::filesystem::path absolute(const std::filesystem::path& path,
                                             const std::filesystem::path& cwd);

/// Proves that files can be created in `dir` by creating and removing a temporary file there (the
/// only test that also holds for root, read-only mounts and immutable folders). A missing `dir` is
/// not created: its nearest existing ancestor is checked instead (so it could be created), and a
/// regular file in the way is an error. An io Error naming the folder otherwise.
[[nodiscard]] Expected<void> check_writable_dir(const std::filesystem::path& dir);

/// Proves that `file` can be replaced the way files::write_atomic does it: a temporary file beside
/// it can be created and removed. An io Error naming the folder otherwise.
[[nodiscard]] Expected<void> check_replaceable(const std::filesystem::path& file);

} // namespace breeze::paths
