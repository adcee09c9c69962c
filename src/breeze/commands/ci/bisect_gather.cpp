// bisect-backtracking: the limits to bisect, from --eager-upgrade-additional-requirements (their
// latest versions from the index), a candidates file, or find-backtracking-candidates itself.

#include <breeze/commands/ci/bisect_backtracking.hpp>

#include "bisect_detail.hpp"

#include <breeze/base/files.hpp>
#include <breeze/commands/ci/find_backtracking_candidates.hpp>
#include <breeze/constraints/version.hpp>
#include <breeze/http/client.hpp>
#include <breeze/pypi/candidates.hpp>
#include <breeze/pypi/index.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

namespace breeze::commands::ci::bisect_detail {

namespace {

Expected<std::vector<BisectLimit>> limits_from_requirements(const BisectOptions& o, Context& ctx) {
  {
    BREEZE_TRY(auto limits, parse_limits(o.requirements));
    auto* client = ctx.services().http;
    if (client == nullptr) return limits;
    std::vector<std::string> names;
    for (const auto& l : limits)
      names.push_back(l.name);
    const auto http_options = o.candidates.index.batch_options();
    pypi::Index index(*client, o.candidates.index.pypi_url);
    auto lookups = index.fetch(names, http_options);
    if (!lookups) {
      spdlog::warn("Could not ask {} for the latest versions ({}): the ==latest checks are skipped",
                   o.candidates.index.pypi_url, lookups.error().what());
      return limits;
    }
    for (std::size_t i = 0; i < limits.size() && i < lookups->size(); ++i) {
      const auto& l = (*lookups)[i];
      if (l.status != pypi::Lookup::Status::found) {
        spdlog::warn("No latest version of {} from the index: its ==latest check is skipped",
                     limits[i].name);
        continue;
      }
      // Pre-releases only count when the limit itself names one, as in
      // find-backtracking-candidates.
      const auto spec =
          constraints::SpecifierSet::parse(limits[i].limit.substr(limits[i].name.size()));
      std::optional<constraints::Version> floor;
      if (spec && !spec->specifiers().empty()) {
        if (auto v = constraints::Version::parse(spec->specifiers().front().version())) floor = *v;
      }
      auto latest =
          pypi::choose_latest(l.project, floor.value_or(*constraints::Version::parse("0")));
      if (latest) limits[i].latest = latest->version.str();
    }
    return limits;
  }
}

} // namespace

Expected<Gathered> gather_limits(const BisectOptions& o, Context& ctx) {
  if (!o.requirements.empty()) {
    BREEZE_TRY(auto limits, limits_from_requirements(o, ctx));
    return Gathered{std::move(limits), {}};
  }
  if (!o.candidates_file.empty()) {
    const auto path = std::filesystem::path(o.candidates_file); // absolute since parsing
    BREEZE_TRY(auto text, files::read(path));
    auto limits = limits_from_candidates_json(text);
    if (!limits) return Error{limits.error().kind, limits.error().message, path.string()};
    auto suspects = suspects_from_candidates_json(text, *limits);
    if (!suspects) return Error{suspects.error().kind, suspects.error().message, path.string()};
    return Gathered{std::move(*limits), std::move(*suspects)};
  }
  BREEZE_TRY(auto report, find_backtracking_report(o.candidates, ctx));
  if (!report.failed.empty())
    spdlog::warn("{} packages could not be checked: bisecting the {} candidates found",
                 report.failed.size(), report.candidates.size());
  Gathered out;
  for (const auto& c : report.candidates) {
    BREEZE_TRY(auto limit, make_limit(c.name, c.pinned, c.latest));
    out.limits.push_back(std::move(limit));
  }
  if (report.conflicts)
    for (const auto& name : report.conflicts->suspects)
      for (std::size_t i = 0; i < report.candidates.size(); ++i)
        if (report.candidates[i].name == name) out.suspects.push_back(i);
  return out;
}

} // namespace breeze::commands::ci::bisect_detail
