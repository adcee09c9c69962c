#include <breeze/pypi/conflicts.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/requirement.hpp>
#include <breeze/constraints/version.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <numeric>
#include <string_view>

namespace breeze::pypi {

namespace {

std::string clean(std::string_view s) { return strings::strip_control(s); }

bool is_upper_bound(const std::string& op) {
  return op == "<" || op == "<=" || op == "==" || op == "~=" || op == "===";
}

// Pre-releases count as admitted here: the question is whether the operators reject the version,
// not whether pip would pick a pre-release by itself (a pinned or newest pre-release is chosen
// already, see choose_latest).
bool admits(const constraints::Specifier& spec, const std::string& version) {
  return spec.contains(version, true);
}

// Whether `req` excludes `version`, and whether an upper-bound operator is (one of) what does.
struct Exclusion {
  bool excluded = false;
  bool by_upper_bound = false;
};

Exclusion check(const constraints::Requirement& req, const std::string& version) {
  Exclusion e;
  if (!constraints::Version::parse(version))
    return e; // a legacy version: we cannot tell, so no claim
  for (const auto& spec : req.specifier.specifiers()) {
    if (admits(spec, version)) continue;
    e.excluded = true;
    e.by_upper_bound = e.by_upper_bound || is_upper_bound(spec.op());
  }
  return e;
}

// Conflicts compare by strength: an upper bound that excludes a new release, another exclusion
// of a new release, an excluded pin.
int strength(const Conflict& c) {
  if (c.kind == ConflictKind::excludes_pin) return 0;
  return c.upper_bound ? 2 : 1;
}

// A candidate's rank key: how many conflicts of each strength, strongest first. Compared
// lexicographically, so one upper-bound conflict outweighs any number of pin conflicts.
using RankKey = std::array<std::size_t, 3>;

RankKey rank_key(const CandidateConflicts& c) {
  RankKey key{};
  for (const auto& conflict : c.conflicts)
    ++key[static_cast<std::size_t>(2 - strength(conflict))];
  return key;
}

std::string requirement_text(constraints::Requirement req) {
  req.marker.reset(); // it holds in the target environment, or the requirement would be dropped
  return req.str();
}

} // namespace

const char* to_string(ConflictKind kind) {
  return kind == ConflictKind::excludes_new ? "excludes_new" : "excludes_pin";
}

ConflictReport find_conflicts(const std::vector<ConflictCandidate>& candidates,
                              const std::map<std::string, std::string>& pins,
                              const constraints::MarkerEnvironment& env) {
  std::map<std::string, const ConflictCandidate*> by_name;
  for (const auto& c : candidates)
    by_name.emplace(c.normalized_name, &c);

  ConflictReport report;
  for (const auto& candidate : candidates) {
    CandidateConflicts out{.name = candidate.name,
                           .latest = candidate.latest,
                           .known = candidate.requires_dist.has_value()};
    if (candidate.requires_dist) {
      for (const auto& line : *candidate.requires_dist) {
        auto req = constraints::Requirement::parse(line);
        if (!req) {
          ++out.unparsable;
          continue;
        }
        if (!req->applies_to(env) || req->normalized_name == candidate.normalized_name) continue;

        if (auto other = by_name.find(req->normalized_name); other != by_name.end()) {
          // The upgrade replaces the other candidate's pin, so only its newest release matters.
          const auto e = check(*req, other->second->latest);
          if (e.excluded)
            out.conflicts.push_back({.package = req->normalized_name,
                                     .requirement = requirement_text(*req),
                                     .excludes = other->second->latest,
                                     .kind = ConflictKind::excludes_new,
                                     .upper_bound = e.by_upper_bound});
        } else if (auto pin = pins.find(req->normalized_name); pin != pins.end()) {
          if (check(*req, pin->second).excluded)
            out.conflicts.push_back({.package = req->normalized_name,
                                     .requirement = requirement_text(*req),
                                     .excludes = pin->second,
                                     .kind = ConflictKind::excludes_pin});
        }
      }
    }
    std::stable_sort(
        out.conflicts.begin(), out.conflicts.end(),
        [](const Conflict& a, const Conflict& b) { return strength(a) > strength(b); });
    report.candidates.push_back(std::move(out));
  }

  std::vector<std::size_t> order(report.candidates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<RankKey> keys;
  keys.reserve(report.candidates.size());
  for (const auto& c : report.candidates)
    keys.push_back(rank_key(c));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] > keys[b]; });
  for (auto i : order)
    if (!report.candidates[i].conflicts.empty())
      report.suspects.push_back(report.candidates[i].name);
  return report;
}

std::string render_conflicts_text(const ConflictReport& report) {
  if (report.suspects.empty()) return {};
  std::string out = "Likely culprits (from the packages' own requirements):\n";
  for (const auto& name : report.suspects) {
    const auto it = std::find_if(report.candidates.begin(), report.candidates.end(),
                                 [&](const CandidateConflicts& c) { return c.name == name; });
    if (it == report.candidates.end()) continue;
    for (const auto& c : it->conflicts)
      out +=
          fmt::format("{} {} requires {}, which excludes {} {} ({})\n", clean(it->name),
                      clean(it->latest), clean(c.requirement), clean(c.package), clean(c.excludes),
                      c.kind == ConflictKind::excludes_new ? "also new" : "pinned");
  }
  return out;
}

void add_conflicts_json(nlohmann::json& document, const ConflictReport& report) {
  using nlohmann::json;
  auto suspects = json::array();
  for (const auto& name : report.suspects)
    suspects.push_back(clean(name));
  document["suspects"] = std::move(suspects);

  auto candidates = document.find("candidates");
  if (candidates == document.end() || !candidates->is_array()) return;
  for (auto& entry : *candidates) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
    const auto name = entry["name"].get<std::string>();
    // The document's names went through the same cleaning.
    const auto it =
        std::find_if(report.candidates.begin(), report.candidates.end(),
                     [&](const CandidateConflicts& c) { return clean(c.name) == name; });
    if (it == report.candidates.end()) continue;
    auto conflicts = json::array();
    for (const auto& c : it->conflicts)
      conflicts.push_back({{"package", clean(c.package)},
                           {"requirement", clean(c.requirement)},
                           {"excludes", clean(c.excludes)},
                           {"kind", to_string(c.kind)}});
    entry["conflicts"] = std::move(conflicts);
    entry["requirements_known"] = it->known;
  }
}

} // namespace breeze::pypi
