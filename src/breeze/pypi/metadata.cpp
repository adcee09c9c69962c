#include <breeze/pypi/metadata.hpp>

#include <breeze/base/strings.hpp>

#include <nlohmann/json.hpp>

#include <cctype>

namespace breeze::pypi {

std::vector<std::string> parse_metadata_requires_dist(std::string_view metadata) {
  // Fields first, each folded with its continuation lines; then only Requires-Dist is kept. The
  // body (the long description, after the first blank line) may hold anything, lines that look
  // like fields included, so it is never read.
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& raw : strings::split(metadata, '\n')) {
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (strings::trim(line).empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (!fields.empty()) fields.back().second.append(" ").append(strings::trim(line));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields.emplace_back(strings::to_lower(strings::trim(line.substr(0, colon))),
                        std::string(strings::trim(line.substr(colon + 1))));
  }
  std::vector<std::string> out;
  for (auto& [name, value] : fields)
    if (name == "requires-dist" && !value.empty()) out.push_back(std::move(value));
  return out;
}

Expected<JsonRequirements> parse_json_requirements(std::string_view body) {
  using nlohmann::json;
  try {
    const auto doc = json::parse(body);
    JsonRequirements out;
    if (!doc.is_object() || !doc.contains("info") || !doc["info"].is_object()) return out;
    const auto& info = doc["info"];
    if (info.contains("version") && info["version"].is_string() &&
        !info["version"].get<std::string>().empty())
      out.version = info["version"].get<std::string>();
    if (info.contains("requires_dist") && info["requires_dist"].is_array()) {
      std::vector<std::string> lines;
      for (const auto& r : info["requires_dist"])
        if (r.is_string()) lines.push_back(r.get<std::string>());
      out.requires_dist = std::move(lines);
    }
    return out;
  } catch (const json::exception& e) {
    return failure(std::string("malformed index JSON: ") + e.what());
  }
}

namespace {

// The five components of RFC 3986 section 3; `has_*` tell "empty" from "absent".
struct Reference {
  std::string scheme;
  bool has_authority = false;
  std::string authority;
  std::string path;
  bool has_query = false;
  std::string query;
  bool has_fragment = false;
  std::string fragment;
};

bool is_scheme(std::string_view s) {
  if (s.empty() || std::isalpha(static_cast<unsigned char>(s.front())) == 0) return false;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.')
      return false;
  return true;
}

Reference split(std::string_view url) {
  Reference r;
  if (const auto colon = url.find(':'); colon != std::string_view::npos &&
                                        colon < url.find_first_of("/?#") &&
                                        is_scheme(url.substr(0, colon))) {
    r.scheme = std::string(url.substr(0, colon));
    url.remove_prefix(colon + 1);
  }
  if (url.starts_with("//")) {
    url.remove_prefix(2);
    const auto end = std::min(url.find_first_of("/?#"), url.size());
    r.has_authority = true;
    r.authority = std::string(url.substr(0, end));
    url.remove_prefix(end);
  }
  const auto path_end = std::min(url.find_first_of("?#"), url.size());
  r.path = std::string(url.substr(0, path_end));
  url.remove_prefix(path_end);
  if (url.starts_with('?')) {
    const auto end = std::min(url.find('#'), url.size());
    r.has_query = true;
    r.query = std::string(url.substr(1, end - 1));
    url.remove_prefix(end);
  }
  if (url.starts_with('#')) {
    r.has_fragment = true;
    r.fragment = std::string(url.substr(1));
  }
  return r;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const auto last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const auto next = in.find('/', in.front() == '/' ? 1 : 0);
      const auto len = next == std::string_view::npos ? in.size() : next;
      out.append(in.substr(0, len));
      in.remove_prefix(len);
    }
  }
  return out;
}

std::string merge(const Reference& base, const std::string& path) {
  if (base.has_authority && base.path.empty()) return "/" + path;
  const auto slash = base.path.rfind('/');
  return slash == std::string::npos ? path : base.path.substr(0, slash + 1) + path;
}

std::string join(const Reference& r) {
  std::string out;
  if (!r.scheme.empty()) out += r.scheme + ":";
  if (r.has_authority) out += "//" + r.authority;
  out += r.path;
  if (r.has_query) out += "?" + r.query;
  if (r.has_fragment) out += "#" + r.fragment;
  return out;
}

} // namespace

std::string resolve_url(std::string_view base_url, std::string_view reference) {
  const auto b = split(base_url);
  const auto r = split(reference);
  Reference t;
  if (!r.scheme.empty()) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    if (r.has_authority) {
      t.has_authority = true;
      t.authority = r.authority;
      t.path = remove_dot_segments(r.path);
      t.has_query = r.has_query;
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = b.path;
        t.has_query = r.has_query || b.has_query;
        t.query = r.has_query ? r.query : b.query;
      } else {
        t.path = remove_dot_segments(r.path.front() == '/' ? r.path : merge(b, r.path));
        t.has_query = r.has_query;
        t.query = r.query;
      }
      t.has_authority = b.has_authority;
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.has_fragment = r.has_fragment;
  t.fragment = r.fragment;
  return join(t);
}

std::string metadata_url(std::string_view file_url) {
  return std::string(file_url.substr(0, std::min(file_url.find('#'), file_url.size()))) +
         ".metadata";
}

} // namespace breeze::pypi
