#include <breeze/pypi/index.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>
#include <breeze/pypi/metadata.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace breeze::pypi {

namespace {
constexpr const char* k_simple_json = "application/vnd.pypi.simple.v1+json";

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

// Some indexes answer the simple API with HTML whatever Accept says (PEP 691 is optional).
bool is_html(const http::Response& r) {
  return r.header("content-type").find("html") != std::string::npos;
}

// The host part of an index URL, lower-cased ("https://user@PyPI.org:443/simple" -> "pypi.org").
std::string host_of(std::string_view url) {
  auto rest = url.substr(url.find("://") == std::string_view::npos ? 0 : url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.starts_with('[')) rest = rest.substr(0, rest.find(':'));
  return strings::to_lower(rest);
}
} // namespace

std::vector<std::string> file_hosts(std::string_view index_url) {
  const auto host = host_of(index_url);
  if (host == "pypi.org" || host == "www.pypi.org") return {"files.pythonhosted.org"};
  if (host == "test.pypi.org") return {"test-files.pythonhosted.org"};
  return {};
}

Index::Index(http::Client& client, std::string url) : m_client(client) {
  url = strip_slashes(std::move(url));
  if (url.ends_with("/simple")) { // a PIP_INDEX_URL: the JSON API lives beside it (as on PyPI)
    m_simple_base = url;
    m_json_base = url.substr(0, url.size() - 7);
  } else {
    m_json_base = url;
    m_simple_base = url + "/simple";
  }
}

std::string Index::json_url(const std::string& name) const {
  return fmt::format("{}/pypi/{}/json", m_json_base, constraints::canonicalize_name(name));
}

std::string Index::version_json_url(const std::string& name, const std::string& version) const {
  return fmt::format("{}/pypi/{}/{}/json", m_json_base, constraints::canonicalize_name(name),
                     version);
}

std::string Index::simple_url(const std::string& name) const {
  return fmt::format("{}/{}/", m_simple_base, constraints::canonicalize_name(name));
}

Expected<std::vector<Lookup>> Index::fetch(const std::vector<std::string>& names,
                                           const http::BatchOptions& batch_options) {
  auto options = batch_options;
  for (auto& h : file_hosts(m_json_base))
    options.redirect_hosts.push_back(std::move(h));
  std::vector<Lookup> out(names.size());
  std::vector<http::Request> requests;
  for (const auto& n : names)
    requests.push_back({json_url(n), {{"Accept", "application/json"}}});
  auto responses = m_client.get_all(requests, options);

  std::vector<std::size_t> fallback; // no JSON API answer: ask the simple API
  std::size_t unreachable = 0;
  std::optional<Error> first_network_error;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto& r = responses[i];
    auto& l = out[i];
    if (!r) {
      if (r.error().kind == ErrorKind::interrupted) return r.error();
      // Only transport failures say the index is unreachable; a body over the limit or a refused
      // redirect is that package's failure.
      if (r.error().kind == ErrorKind::network) {
        ++unreachable;
        if (!first_network_error) first_network_error = r.error();
      }
      l.error = redact::text(r.error().what());
      continue;
    }
    if (r->status == 404) {
      fallback.push_back(i);
    } else if (r->status != 200) {
      l.error = fmt::format("HTTP {} from {}", r->status, redact::url(requests[i].url));
    } else if (auto p = parse_json_api(r->body)) {
      l.status = Lookup::Status::found;
      l.project = std::move(*p);
      l.url = requests[i].url;
    } else {
      l.error = fmt::format("{}: {}", redact::url(requests[i].url), p.error().message);
    }
  }
  if (!names.empty() && unreachable == names.size())
    return Error{ErrorKind::network,
                 fmt::format("cannot reach the package index {} ({})", redact::url(m_json_base),
                             redact::text(first_network_error->message)),
                 {}};
  if (fallback.empty()) return out;

  std::vector<http::Request> simple;
  for (auto i : fallback)
    simple.push_back({simple_url(names[i]), {{"Accept", k_simple_json}}});
  auto simple_responses = m_client.get_all(simple, options);
  for (std::size_t k = 0; k < fallback.size(); ++k) {
    auto& r = simple_responses[k];
    auto& l = out[fallback[k]];
    if (!r) {
      if (r.error().kind == ErrorKind::interrupted) return r.error();
      l.error = redact::text(r.error().what());
    } else if (r->status == 404) {
      l.status = Lookup::Status::not_found;
    } else if (r->status != 200) {
      l.error = fmt::format("HTTP {} from {}", r->status, redact::url(simple[k].url));
    } else if (is_html(*r)) {
      l.error = fmt::format("{}: the index answered HTML; it needs the PEP 691 JSON simple API",
                            redact::url(simple[k].url));
    } else if (auto p = parse_simple_json(r->body)) {
      l.status = Lookup::Status::found;
      l.project = std::move(*p);
      l.url = simple[k].url;
      l.simple = true;
      if (l.project.name.empty()) l.project.name = names[fallback[k]];
    } else {
      l.error = fmt::format("{}: {}", redact::url(simple[k].url), p.error().message);
    }
  }
  return out;
}

namespace {

// The release of `project` whose version is `version` (normalised), as the index spells it.
const Release* find_release(const Project& project, const constraints::Version& version) {
  for (const auto& r : project.releases)
    if (auto v = constraints::Version::parse(r.version); v && *v == version) return &r;
  return nullptr;
}

bool same_version(const std::optional<std::string>& text, const constraints::Version& version) {
  if (!text) return false;
  auto v = constraints::Version::parse(*text);
  return v && *v == version;
}

// The file whose core metadata to read: a non-yanked one announcing it, wheels first (a wheel's
// METADATA is what pip installs from; an sdist's may be incomplete before Metadata-Version 2.2).
const File* metadata_file(const Release& release) {
  const File* best = nullptr;
  for (const auto& f : release.files) {
    if (f.yanked || !f.core_metadata || f.url.empty()) continue;
    if (f.filename.ends_with(".whl")) return &f;
    if (best == nullptr) best = &f;
  }
  return best;
}

} // namespace

Expected<std::vector<Requirements>>
Index::requirements(const std::vector<RequirementsQuery>& queries,
                    const http::BatchOptions& batch_options) {
  auto options = batch_options;
  options.on_progress = nullptr;
  for (auto& h : file_hosts(m_json_base))
    options.redirect_hosts.push_back(std::move(h));
  std::vector<Requirements> out(queries.size());
  std::vector<http::Request> requests;
  struct Pending {
    std::size_t query;
    bool metadata; ///< a METADATA file (else a per-version JSON document)
  };
  std::vector<Pending> pending;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    auto& o = out[i];
    const auto* l = queries[i].lookup;
    auto version = constraints::Version::parse(queries[i].version);
    if (l == nullptr || l->status != Lookup::Status::found || !version) {
      o.source = "no index entry";
      continue;
    }
    const auto& p = l->project;
    const auto* release = find_release(p, *version);
    if (!l->simple) {
      if (same_version(p.info_version, *version)) {
        // The project document already describes this release: no request at all.
        o.requires_dist = p.requires_dist;
        o.source = p.requires_dist ? "info.requires_dist of " + redact::url(l->url)
                                   : "no info.requires_dist in " + redact::url(l->url);
        continue;
      }
      const auto url =
          version_json_url(queries[i].name, release != nullptr ? release->version : version->str());
      requests.push_back({url, {{"Accept", "application/json"}}});
      pending.push_back({i, false});
      continue;
    }
    const auto* file = release != nullptr ? metadata_file(*release) : nullptr;
    if (file == nullptr) {
      o.source = "no file of it announces PEP 658 metadata on " + redact::url(l->url);
      continue;
    }
    const auto url = metadata_url(resolve_url(l->url, file->url));
    // The index chose where its files live; the scheme is still ours to check, as for redirects.
    const bool secure_index = l->url.starts_with("https://");
    if (!(url.starts_with("https://") || (!secure_index && url.starts_with("http://")))) {
      o.source = "not fetched (not https from an https index): " + redact::url(url);
      continue;
    }
    requests.push_back({url, {}});
    pending.push_back({i, true});
  }
  if (requests.empty()) return out;

  auto responses = m_client.get_all(requests, options);
  for (std::size_t k = 0; k < pending.size(); ++k) {
    auto& o = out[pending[k].query];
    auto& r = responses[k];
    const auto shown = redact::url(requests[k].url);
    if (!r) {
      if (r.error().kind == ErrorKind::interrupted) return r.error();
      o.source = redact::text(r.error().what());
    } else if (r->status != 200) {
      o.source = fmt::format("HTTP {} from {}", r->status, shown);
    } else if (pending[k].metadata) {
      o.requires_dist = parse_metadata_requires_dist(r->body);
      o.source = shown;
    } else if (auto doc = parse_json_requirements(r->body)) {
      o.requires_dist = std::move(doc->requires_dist);
      o.source = o.requires_dist ? shown : "no info.requires_dist in " + shown;
    } else {
      o.source = fmt::format("{}: {}", shown, doc.error().message);
    }
  }
  return out;
}

} // namespace breeze::pypi
