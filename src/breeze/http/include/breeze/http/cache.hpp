#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/http/client.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace breeze::http {

/// A response kept on disk, with what is needed to decide freshness and to revalidate it.
struct CachedResponse {
  long status = 200;
  Headers headers;
  std::string body;
  std::chrono::system_clock::time_point stored_at; ///< when it was received (or last revalidated)
};

/// The on-disk HTTP cache: one file per (URL, Accept). Honours Cache-Control max-age / no-cache /
/// no-store and the Age header; stale entries are revalidated with ETag / Last-Modified.
class DiskCache {
public:
  explicit DiskCache(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  /// Creates `dir` (and missing parents) with mode 0700 and checks that it is a directory owned
  /// by this user and writable by nobody else: another user's cache could feed us forged index
  /// answers. An Error (io, naming the directory and why) means: run without a cache.
  [[nodiscard]] static Expected<DiskCache> open(const std::filesystem::path& dir);

  /// The entry for `request`, if one was stored and is readable (a corrupt file is a miss).
  [[nodiscard]] std::optional<CachedResponse> load(const Request& request) const;

  /// Stores a response when is_storable says it is worth it (others are ignored). Atomic: a
  /// concurrent or interrupted run never sees half a file.
  [[nodiscard]] Expected<void> store(const Request& request, const CachedResponse& entry) const;

  /// The file that holds the entry for `request`.
  [[nodiscard]] std::filesystem::path path_for(const Request& request) const;

private:
  std::filesystem::path m_dir;
};

/// True when `entry` may be used without asking the server (within its max-age, no `no-cache`).
[[nodiscard]] bool is_fresh(const CachedResponse& entry, std::chrono::system_clock::time_point now);

/// If-None-Match / If-Modified-Since headers for revalidating `entry` (empty when it has neither
/// an ETag nor a Last-Modified).
[[nodiscard]] Headers revalidation_headers(const CachedResponse& entry);

/// True when a response with these headers is worth storing: a 200 without `no-store` that a later
/// run can use, i.e. one with a validator (ETag / Last-Modified) or a freshness lifetime (max-age
/// > 0 without no-cache). Anything else would be fetched in full again anyway.
[[nodiscard]] bool is_storable(long status, const Headers& headers);

} // namespace breeze::http
