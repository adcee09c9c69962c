#include <breeze/pypi/candidates.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace breeze::pypi {

std::optional<Latest> choose_latest(const Project& project, const constraints::Version& pinned) {
  std::optional<Latest> best;
  for (const auto& release : project.releases) {
    // A release without any installable (non-yanked) file is one pip will not pick.
    bool installable = false;
    for (const auto& f : release.files)
      installable = installable || !f.yanked;
    if (!installable) continue;
    auto v = constraints::Version::parse(release.version);
    if (!v) continue; // legacy non-PEP 440 versions: pip ignores them too
    if (v->is_prerelease() && !pinned.is_prerelease()) continue;
    if (best && !(*v > best->version)) continue;
    std::optional<time::Instant> released;
    for (const auto& f : release.files)
      if (f.uploaded && (!released || *f.uploaded < *released)) released = f.uploaded;
    best = Latest{std::move(*v), released};
  }
  return best;
}

bool is_candidate(const constraints::Version& pinned, const Latest& latest, time::Instant since) {
  return latest.version > pinned && (!latest.released || *latest.released > since);
}

namespace {
std::string clean(std::string_view s) { return strings::strip_control(s); }

std::string released_text(const Candidate& c) {
  return c.released ? time::format_human(*c.released)
                    : std::string("unknown (the index gives no upload time)");
}
} // namespace

std::string limits(const Report& report) {
  std::vector<std::string> parts;
  for (const auto& c : report.candidates)
    parts.push_back(clean(c.name) + "<=" + clean(c.pinned));
  return strings::join(parts, " ");
}

std::string next_command(const Report& report) {
  if (report.candidates.empty()) return {};
  const auto python =
      report.python.empty() ? std::string() : " --python " + strings::shell_quote(report.python);
  return fmt::format("breeze ci-image build{} --upgrade-to-newer-dependencies "
                     "--eager-upgrade-additional-requirements \"{}\"",
                     python, limits(report));
}

std::string render_text(const Report& report) {
  std::string out = fmt::format("Last constraint date: {}\n", time::format_human(report.since));
  for (const auto& c : report.candidates)
    out += fmt::format("Latest version {}=={} release date: {} (in current constraints: {})\n",
                       clean(c.name), clean(c.latest), released_text(c), clean(c.pinned));
  if (report.conflicts) out += render_conflicts_text(*report.conflicts);
  if (!report.failed.empty()) {
    // A partial answer must never look complete: say so on stdout too, not only in the log.
    out += fmt::format("Could not check {} of {} packages, so this list may be incomplete:\n",
                       report.failed.size(), report.checked);
    for (const auto& f : report.failed)
      out += fmt::format("  {}: {}\n", clean(f.name), clean(f.reason));
  }
  out += fmt::format("Found {} candidates for backtracking\n", report.candidates.size());
  if (!report.candidates.empty()) out += next_command(report) + "\n";
  return out;
}

std::string render_json(const Report& report) {
  using nlohmann::json;
  json doc{{"last_constraint_date", time::format_iso_z(report.since)},
           {"constraints", clean(redact::url(report.source))},
           {"checked", report.checked},
           {"complete", report.failed.empty()},
           {"candidates", json::array()},
           {"not_found", json::array()},
           {"failed", json::array()},
           {"eager_upgrade_additional_requirements", limits(report)},
           {"command", next_command(report)}};
  for (const auto& c : report.candidates)
    doc["candidates"].push_back(
        {{"name", clean(c.name)},
         {"pinned", clean(c.pinned)},
         {"latest", clean(c.latest)},
         {"released", c.released ? json(time::format_iso_z(*c.released)) : json(nullptr)}});
  for (const auto& n : report.not_found)
    doc["not_found"].push_back(clean(n));
  for (const auto& f : report.failed)
    doc["failed"].push_back({{"name", clean(f.name)}, {"error", clean(f.reason)}});
  if (report.conflicts) add_conflicts_json(doc, *report.conflicts);
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace breeze::pypi
