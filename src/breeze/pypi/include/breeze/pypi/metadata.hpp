#pragma once

// What a release requires, as an index publishes it: the JSON API's `info.requires_dist` and the
// core metadata file (`METADATA`) that PEP 658 / PEP 714 let a simple index serve beside a file.
// Pure parsing; the requests are made by pypi::Index.

#include <breeze/base/expected.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::pypi {

/// The `Requires-Dist` values of a core metadata file (METADATA / PKG-INFO, RFC 822 style): only
/// the header block (up to the first blank line) counts, field names are case-insensitive and
/// continuation lines (starting with a blank) are folded into their field. Order kept.
[[nodiscard]] std::vector<std::string> parse_metadata_requires_dist(std::string_view metadata);

/// `info.version` and `info.requires_dist` of a JSON API document (`/pypi/<name>/json` or
/// `/pypi/<name>/<version>/json`).
struct JsonRequirements {
  std::optional<std::string> version; ///< `info.version`, when a non-empty string
  /// `info.requires_dist`; nullopt when null or absent (PyPI writes null both when a release
  /// declares nothing and when its metadata is unknown, so it cannot be told apart). Entries that
  /// are not strings are skipped.
  std::optional<std::vector<std::string>> requires_dist;
};

/// Reads JsonRequirements from a JSON API document; a failure Error on malformed JSON.
[[nodiscard]] Expected<JsonRequirements> parse_json_requirements(std::string_view body);

/// RFC 3986 section 5.2 reference resolution: `reference` (absolute, `//host/...`, `/path`, or
/// relative like `../../files/x.whl`) against the absolute URL `base`, dot segments removed. A
/// relative reference keeps `base`'s authority (userinfo included), as a browser or pip would.
[[nodiscard]] std::string resolve_url(std::string_view base, std::string_view reference);

/// The PEP 658 metadata URL of a distribution file: its URL without the fragment, `.metadata`
/// appended (as pip builds it).
[[nodiscard]] std::string metadata_url(std::string_view file_url);

} // namespace breeze::pypi
