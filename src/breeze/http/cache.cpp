#include <breeze/http/cache.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace breeze::http {

namespace {

using Clock = std::chrono::system_clock;

// A stable file name for a cache key. FNV-1a is enough: the key is stored in the file and checked
// on load, so a collision is only a miss.
std::string fnv1a_hex(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

// The Accept header is part of the key: the same URL may answer JSON API or simple-API JSON.
std::string cache_key(const Request& request) {
  std::string accept;
  for (const auto& [k, v] : request.headers)
    if (strings::to_lower(k) == "accept") accept = v;
  return request.url + "\n" + accept;
}

struct CacheControl {
  std::optional<long long> max_age;
  bool no_cache = false;
  bool no_store = false;
};

CacheControl parse_cache_control(const std::string& value) {
  CacheControl cc;
  for (const auto& part : strings::split(value, ',')) {
    auto d = strings::to_lower(strings::trim(part));
    if (d == "no-cache")
      cc.no_cache = true;
    else if (d == "no-store")
      cc.no_store = true;
    else if (d.starts_with("max-age=")) {
      try {
        cc.max_age = std::stoll(d.substr(8));
      } catch (const std::exception&) {
        cc.no_cache = true; // unparseable: be safe and revalidate
      }
    }
  }
  return cc;
}

std::string header_of(const Headers& h, const std::string& name) {
  auto it = h.find(name);
  return it == h.end() ? std::string() : it->second;
}

// Atomic (temp file + rename) but without files::write_atomic's fsync: a cache needs no
// durability (a lost or torn entry is a miss, checked by its size), and 800 fsyncs would cost
// more than the requests they save.
Expected<void> write_entry(const std::filesystem::path& path, const std::string& content) {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  const auto tmp = path.parent_path() /
                   fmt::format(".{}.{}.{}.tmp", path.filename().string(), ::getpid(), ++counter);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return Error{ErrorKind::io, "cannot write cache entry", path.string()};
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Error{ErrorKind::io, "cannot write cache entry: " + ec.message(), path.string()};
  }
  return {};
}

} // namespace

bool is_storable(long status, const Headers& headers) {
  if (status != 200) return false;
  const auto cc = parse_cache_control(header_of(headers, "cache-control"));
  if (cc.no_store) return false;
  // An entry is worth its disk write only if a later run can use it: served while fresh, or
  // revalidated with a validator. Without either every use would fetch the whole body again, so
  // storing it only costs a write per response (and a read per request next time).
  const bool validated =
      !header_of(headers, "etag").empty() || !header_of(headers, "last-modified").empty();
  const bool freshness = !cc.no_cache && cc.max_age && *cc.max_age > 0;
  return validated || freshness;
}

bool is_fresh(const CachedResponse& entry, Clock::time_point now) {
  const auto cc = parse_cache_control(header_of(entry.headers, "cache-control"));
  if (cc.no_cache || !cc.max_age) return false;
  long long age_at_store = 0; // what a CDN already spent of the lifetime (PyPI's Fastly sends Age)
  try {
    if (auto a = header_of(entry.headers, "age"); !a.empty()) age_at_store = std::stoll(a);
  } catch (const std::exception&) {
  }
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - entry.stored_at).count() +
                   age_at_store;
  return age >= 0 && age < *cc.max_age;
}

Headers revalidation_headers(const CachedResponse& entry) {
  Headers h;
  if (auto etag = header_of(entry.headers, "etag"); !etag.empty()) h["If-None-Match"] = etag;
  if (auto lm = header_of(entry.headers, "last-modified"); !lm.empty()) h["If-Modified-Since"] = lm;
  return h;
}

Expected<DiskCache> DiskCache::open(const std::filesystem::path& dir) {
  // mkdir one level at a time so every directory we create is 0700 from the start (no window in
  // which another user could open it); existing parents are left as they are.
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      return Error{ErrorKind::io,
                   fmt::format("cannot create the cache directory: {}", std::strerror(errno)),
                   partial.string()};
  }
  // lstat: a symlink planted where the cache should be is refused too.
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return Error{ErrorKind::io,
                 fmt::format("cannot use the cache directory: {}", std::strerror(errno)),
                 dir.string()};
  if (!S_ISDIR(st.st_mode))
    return Error{ErrorKind::io, "the cache directory is not a directory", dir.string()};
  if (st.st_uid != ::geteuid())
    return Error{ErrorKind::io,
                 fmt::format("the cache directory is owned by uid {}, not by you (uid {})",
                             st.st_uid, ::geteuid()),
                 dir.string()};
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return Error{ErrorKind::io,
                 fmt::format("the cache directory is writable by others (mode {:o}); chmod 700 it",
                             st.st_mode & 07777),
                 dir.string()};
  return DiskCache(dir);
}

std::filesystem::path DiskCache::path_for(const Request& request) const {
  return m_dir / (fnv1a_hex(cache_key(request)) + ".cache");
}

std::optional<CachedResponse> DiskCache::load(const Request& request) const {
  auto content = files::read(path_for(request));
  if (!content) return std::nullopt;
  const auto nl = content->find('\n');
  if (nl == std::string::npos) return std::nullopt;
  try {
    const auto meta = nlohmann::json::parse(content->substr(0, nl));
    if (meta.at("key").get<std::string>() != cache_key(request)) return std::nullopt;
    CachedResponse entry;
    entry.status = meta.at("status").get<long>();
    entry.headers = meta.at("headers").get<Headers>();
    entry.stored_at =
        Clock::time_point(std::chrono::seconds(meta.at("stored_at").get<long long>()));
    if (meta.at("size").get<std::size_t>() != content->size() - nl - 1) return std::nullopt; // torn
    entry.body = content->substr(nl + 1);
    return entry;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

Expected<void> DiskCache::store(const Request& request, const CachedResponse& entry) const {
  if (!is_storable(entry.status, entry.headers)) {
    // An older entry for this request (the server once sent validators) would only cost a read
    // and a useless conditional request on every later run.
    std::error_code ec;
    std::filesystem::remove(path_for(request), ec);
    return {};
  }
  nlohmann::json meta{{"key", cache_key(request)},
                      {"status", entry.status},
                      {"headers", entry.headers},
                      {"size", entry.body.size()},
                      {"stored_at", std::chrono::duration_cast<std::chrono::seconds>(
                                        entry.stored_at.time_since_epoch())
                                        .count()}};
  // Header values come from the network and may hold invalid UTF-8; replace rather than throw.
  auto line = meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return write_entry(path_for(request), line + "\n" + entry.body);
}

} // namespace breeze::http
