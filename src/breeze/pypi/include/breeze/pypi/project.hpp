#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/base/time.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::pypi {

/// One distribution file of a release.
struct File {
  std::string filename;
  std::optional<time::Instant> uploaded; ///< upload time, when the index says
  bool yanked = false;
  std::string url; ///< where it is, as the index gives it (relative to the page on a simple index)
  /// PEP 658 / PEP 714: the index serves its core metadata at `<url>.metadata` (`core-metadata`,
  /// or the older `data-dist-info-metadata`, is true or a hash mapping).
  bool core_metadata = false;
};

/// One version of a project with its files, as the index lists it.
struct Release {
  std::string version; ///< as the index spells it
  std::vector<File> files;
};

/// What an index knows about a project.
struct Project {
  std::string name;
  std::vector<Release> releases;
  /// JSON API only: `info.version`, the release `requires_dist` describes (PyPI: its latest).
  std::optional<std::string> info_version;
  /// JSON API only: `info.requires_dist` of `info_version`; nullopt when null or absent.
  std::optional<std::vector<std::string>> requires_dist;
};

/// Parses PyPI's JSON API document (`GET /pypi/<name>/json`): `releases` -> files with
/// `upload_time_iso_8601` (or `upload_time`), `yanked` and `url`; `info.version` and
/// `info.requires_dist`. failure Error on malformed JSON.
[[nodiscard]] Expected<Project> parse_json_api(std::string_view body);

/// Parses a PEP 691 simple-API JSON document (with PEP 700 `upload-time` and `versions`, and PEP
/// 658/714 `core-metadata` / `data-dist-info-metadata`, when present); versions of files come
/// from their filenames. failure Error on malformed JSON.
[[nodiscard]] Expected<Project> parse_simple_json(std::string_view body);

/// The version part of a distribution filename of project `project`: wheels
/// (`name-1.0-py3-none-any.whl`), sdists (`Name_x-1.0.tar.gz`, `.zip`...) and eggs; nullopt when
/// the name does not look like a distribution of that project.
[[nodiscard]] std::optional<std::string> version_from_filename(std::string_view filename,
                                                               std::string_view project);

} // namespace breeze::pypi
