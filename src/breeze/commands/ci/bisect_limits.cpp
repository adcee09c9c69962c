// bisect-backtracking: the limits under test, from --eager-upgrade-additional-requirements or a
// find-backtracking-candidates JSON document (and its ranked suspects).

#include <breeze/commands/ci/bisect_backtracking.hpp>

#include "bisect_detail.hpp"

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace breeze::commands::ci {

using bisect_detail::requirement_name;

Expected<std::vector<BisectLimit>> parse_limits(std::string_view requirements) {
  std::vector<BisectLimit> out;
  for (const auto& item : strings::split_whitespace(requirements)) {
    const auto name = requirement_name(item);
    if (name.empty() || !constraints::is_valid_name(name) || name.size() == item.size())
      return usage_error(
          fmt::format("--eager-upgrade-additional-requirements: '{}' is not a limit like "
                      "'aiobotocore<=2.5.4'",
                      item));
    auto spec = constraints::SpecifierSet::parse(std::string_view(item).substr(name.size()));
    if (!spec)
      return usage_error(fmt::format("--eager-upgrade-additional-requirements: '{}': {}", item,
                                     spec.error().message));
    out.push_back({name, item, {}});
  }
  return out;
}

Expected<BisectLimit> make_limit(std::string_view name, std::string_view pinned,
                                 std::string_view latest) {
  // What these fields become is argv for the probes and, with --apply, a line of Dockerfile.ci:
  // only a PEP 508 name and normalised PEP 440 versions get through, so no newline, quote or shell
  // word from a file or an index can add an instruction.
  auto shown = [](std::string_view v) {
    auto text = strings::strip_control(v);
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
  };
  if (!constraints::is_valid_name(name))
    return failure(fmt::format("'{}' is not a valid project name (PEP 508)", shown(name)));
  auto pin = constraints::Version::parse(pinned);
  if (!pin)
    return failure(fmt::format("{}: pinned '{}' is not a PEP 440 version", name, shown(pinned)));
  BisectLimit limit{std::string(name), fmt::format("{}<={}", name, pin->str()), {}};
  if (!latest.empty()) {
    auto v = constraints::Version::parse(latest);
    if (!v)
      return failure(fmt::format("{}: latest '{}' is not a PEP 440 version", name, shown(latest)));
    limit.latest = v->str();
  }
  return limit;
}

Expected<std::vector<BisectLimit>> limits_from_candidates_json(std::string_view json) {
  try {
    const auto doc = nlohmann::json::parse(json);
    if (!doc.is_object() || !doc.contains("candidates") || !doc["candidates"].is_array())
      return failure(
          "not the --output json of find-backtracking-candidates: no \"candidates\" list");
    std::vector<BisectLimit> out;
    for (const auto& c : doc["candidates"]) {
      if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
          !c.contains("pinned") || !c["pinned"].is_string())
        return failure("a candidate without a \"name\" and \"pinned\" string");
      if (c.contains("latest") && !c["latest"].is_string() && !c["latest"].is_null())
        return failure(fmt::format("candidate '{}': \"latest\" is not a string",
                                   strings::strip_control(c["name"].get<std::string>())));
      const auto latest =
          c.contains("latest") && c["latest"].is_string() ? c["latest"].get<std::string>() : "";
      BREEZE_TRY(auto limit,
                 make_limit(c["name"].get<std::string>(), c["pinned"].get<std::string>(), latest));
      out.push_back(std::move(limit));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return failure(fmt::format("not the --output json of find-backtracking-candidates: {}",
                               strings::strip_control(e.what())));
  }
}

Expected<std::vector<std::size_t>>
suspects_from_candidates_json(std::string_view json, const std::vector<BisectLimit>& limits) {
  try {
    const auto doc = nlohmann::json::parse(json);
    if (!doc.is_object() || !doc.contains("suspects")) return std::vector<std::size_t>{};
    if (!doc["suspects"].is_array()) return failure("\"suspects\" is not a list of project names");
    std::vector<std::size_t> out;
    for (const auto& s : doc["suspects"]) {
      if (!s.is_string()) return failure("a suspect that is not a string");
      const auto name = s.get<std::string>();
      if (!constraints::is_valid_name(name))
        return failure(fmt::format("suspect '{}' is not a valid project name (PEP 508)",
                                   strings::strip_control(name).substr(0, 60)));
      const auto want = constraints::canonicalize_name(name);
      const auto it = std::find_if(limits.begin(), limits.end(), [&](const BisectLimit& l) {
        return constraints::canonicalize_name(l.name) == want;
      });
      const auto index = static_cast<std::size_t>(it - limits.begin());
      if (it == limits.end()) {
        spdlog::warn("Suspect {} is not one of the candidates: ignored", name);
      } else if (std::find(out.begin(), out.end(), index) == out.end()) {
        out.push_back(index);
      }
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return failure(fmt::format("not the --output json of find-backtracking-candidates: {}",
                               strings::strip_control(e.what())));
  }
}

} // namespace breeze::commands::ci
