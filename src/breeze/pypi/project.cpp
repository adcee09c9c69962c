#include <breeze/pypi/project.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>

#include <nlohmann/json.hpp>

#include <map>

namespace breeze::pypi {

namespace {

using nlohmann::json;

std::optional<time::Instant> parse_time(const json& v) {
  if (!v.is_string()) return std::nullopt;
  auto t = time::parse_iso8601(v.get<std::string>());
  if (!t) return std::nullopt;
  return *t;
}

Error malformed(const std::string& what) { return failure("malformed index JSON: " + what); }

} // namespace

Expected<Project> parse_json_api(std::string_view body) {
  try {
    const auto doc = json::parse(body);
    if (!doc.is_object() || !doc.contains("releases") || !doc["releases"].is_object())
      return malformed("no 'releases' object");
    Project p;
    if (doc.contains("info") && doc["info"].is_object()) {
      const auto& info = doc["info"];
      if (info.contains("name") && info["name"].is_string())
        p.name = info["name"].get<std::string>();
      if (info.contains("version") && info["version"].is_string() &&
          !info["version"].get<std::string>().empty())
        p.info_version = info["version"].get<std::string>();
      if (info.contains("requires_dist") && info["requires_dist"].is_array()) {
        std::vector<std::string> lines;
        for (const auto& r : info["requires_dist"])
          if (r.is_string()) lines.push_back(r.get<std::string>());
        p.requires_dist = std::move(lines);
      }
    }
    for (const auto& [version, files] : doc["releases"].items()) {
      Release r{version, {}};
      if (!files.is_array()) return malformed("release " + version + " is not a list");
      for (const auto& f : files) {
        File file;
        file.filename = f.value("filename", "");
        // upload_time_iso_8601 carries the zone; the older upload_time is UTC without one.
        file.uploaded =
            parse_time(f.contains("upload_time_iso_8601") ? f["upload_time_iso_8601"]
                                                          : f.value("upload_time", json()));
        file.yanked = f.contains("yanked") && f["yanked"].is_boolean() && f["yanked"].get<bool>();
        if (f.contains("url") && f["url"].is_string()) file.url = f["url"].get<std::string>();
        r.files.push_back(std::move(file));
      }
      p.releases.push_back(std::move(r));
    }
    return p;
  } catch (const json::exception& e) {
    return malformed(e.what());
  }
}

Expected<Project> parse_simple_json(std::string_view body) {
  try {
    const auto doc = json::parse(body);
    if (!doc.is_object() || !doc.contains("files") || !doc["files"].is_array())
      return malformed("no 'files' list");
    Project p;
    p.name = doc.value("name", "");
    std::map<std::string, std::size_t> index; // version -> position in p.releases
    auto release_for = [&](const std::string& version) -> Release& {
      auto [it, added] = index.emplace(version, p.releases.size());
      if (added) p.releases.push_back({version, {}});
      return p.releases[it->second];
    };
    // PEP 700: `versions` lists every version, even those without files.
    if (doc.contains("versions") && doc["versions"].is_array())
      for (const auto& v : doc["versions"])
        if (v.is_string()) release_for(v.get<std::string>());
    for (const auto& f : doc["files"]) {
      File file;
      file.filename = f.value("filename", "");
      if (f.contains("upload-time")) file.uploaded = parse_time(f["upload-time"]);
      // PEP 592/691: yanked is false, true, or a reason string (which means yanked).
      if (f.contains("yanked"))
        file.yanked =
            f["yanked"].is_string() || (f["yanked"].is_boolean() && f["yanked"].get<bool>());
      if (f.contains("url") && f["url"].is_string()) file.url = f["url"].get<std::string>();
      // PEP 714 renamed PEP 658's key; indexes send either or both. A hash mapping or true means
      // the metadata is there; false or anything else that it is not.
      for (const char* key : {"core-metadata", "data-dist-info-metadata"})
        if (f.contains(key) && (f[key].is_object() || (f[key].is_boolean() && f[key].get<bool>())))
          file.core_metadata = true;
      auto version = version_from_filename(file.filename, p.name);
      if (!version) continue; // not a distribution of this project (or a name we cannot read)
      release_for(*version).files.push_back(std::move(file));
    }
    return p;
  } catch (const json::exception& e) {
    return malformed(e.what());
  }
}

std::optional<std::string> version_from_filename(std::string_view filename,
                                                 std::string_view project) {
  if (filename.ends_with(".whl") || filename.ends_with(".egg")) {
    // name-version(-build)?-python-abi-platform.whl; the name has `_` for `-`, so field 2 is the
    // version.
    auto parts = strings::split(filename, '-');
    if (parts.size() < 3) return std::nullopt;
    return parts[1];
  }
  std::string_view stem = filename;
  bool known = false;
  for (std::string_view ext : {".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".zip", ".tar"}) {
    if (stem.ends_with(ext)) {
      stem.remove_suffix(ext.size());
      known = true;
      break;
    }
  }
  if (!known) return std::nullopt;
  // An sdist's name part may itself hold `-`: find the split whose left side is the project.
  const auto want = constraints::canonicalize_name(project);
  for (std::size_t pos = stem.find('-'); pos != std::string_view::npos;
       pos = stem.find('-', pos + 1)) {
    if (want.empty() || constraints::canonicalize_name(stem.substr(0, pos)) == want) {
      if (pos + 1 < stem.size()) return std::string(stem.substr(pos + 1));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

} // namespace breeze::pypi
