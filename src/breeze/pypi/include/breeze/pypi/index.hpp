#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/http/client.hpp>
#include <breeze/pypi/project.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace breeze::pypi {

/// What the index said about one project.
struct Lookup {
  enum class Status { found, not_found, failed };
  Status status = Status::failed;
  Project project;     ///< when found
  std::string error;   ///< when failed: one line, with the URL
  std::string url;     ///< when found: the document's URL (relative file URLs resolve against it)
  bool simple = false; ///< when found: from the PEP 691 simple API (the index has no JSON API)
};

/// One release whose requirements are wanted.
struct RequirementsQuery {
  std::string name;               ///< the project, as asked of Index::fetch
  const Lookup* lookup = nullptr; ///< its found lookup from Index::fetch
  std::string version;            ///< the release, PEP 440-normalised (choose_latest)
};

/// What a release requires, and where that was read.
struct Requirements {
  std::optional<std::vector<std::string>> requires_dist; ///< its Requires-Dist; nullopt: unknown
  std::string source; ///< what was read (URL without userinfo), or why nothing could be
};

/// Hosts besides its own that an index may redirect to (its file host: pypi.org ->
/// files.pythonhosted.org); empty for other indexes, which may redirect only within their host.
[[nodiscard]] std::vector<std::string> file_hosts(std::string_view index_url);

/// A package index: PyPI's JSON API, falling back per project to the PEP 691 simple API (for
/// indexes without a JSON API). `url` is `https://pypi.org` or a PIP_INDEX_URL-style
/// `https://host/.../simple` (both APIs are derived from it).
class Index {
public:
  Index(http::Client& client, std::string url);

  /// Looks up every name (PEP 503-normalised in URLs), one result per name in order. Per-project
  /// problems (HTTP errors after retries, malformed JSON, too large, refused redirects) are
  /// `failed` lookups; an Error (network, naming the URL) only when the index could not be reached
  /// for any of them. Messages never hold URL userinfo; requests still use it.
  [[nodiscard]] Expected<std::vector<Lookup>> fetch(const std::vector<std::string>& names,
                                                    const http::BatchOptions& options);

  /// The requirements of each queried release, with at most one request each, all in one batch
  /// with `options` (so the scan's parallelism, deadline, retries and cache): none when the JSON
  /// API document already describes the release (`info.version`); else its per-version document
  /// `/pypi/<name>/<version>/json`; on a simple index the PEP 658 `<file>.metadata` of a
  /// non-yanked file announcing one (wheels first; never plain http from an https index). A
  /// release whose requirements cannot be had this way stays unknown, never an Error: only an
  /// interruption is one.
  [[nodiscard]] Expected<std::vector<Requirements>>
  requirements(const std::vector<RequirementsQuery>& queries, const http::BatchOptions& options);

  [[nodiscard]] std::string json_url(const std::string& name) const;
  /// `/pypi/<name>/<version>/json`.
  [[nodiscard]] std::string version_json_url(const std::string& name,
                                             const std::string& version) const;
  [[nodiscard]] std::string simple_url(const std::string& name) const;

private:
  http::Client& m_client;
  std::string m_json_base;
  std::string m_simple_base;
};

} // namespace breeze::pypi
