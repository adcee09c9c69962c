#pragma once

// What the bisect-backtracking files share: the probe command's placeholders, the Dockerfile ARG
// the limits go to, a requirement item's project name, the CI image a resolve probe runs in, the
// limits gathered, the probe template and what --apply adds.

#include <breeze/commands/ci/bisect_backtracking.hpp>
#include <breeze/config/settings.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::commands::ci::bisect_detail {

inline constexpr std::string_view k_placeholder = "{requirements}";
inline constexpr std::string_view k_each_placeholder = "{requirements...}";
inline constexpr std::string_view k_arg = "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=";

// The project name of a requirement item: everything before the first specifier/extra/marker char.
inline std::string requirement_name(std::string_view item) {
  const auto end = item.find_first_of("<>=!~;[ @");
  return std::string(item.substr(0, end));
}

struct Check;

/// The limits to bisect and, when known, the suspects among them (indexes, most likely first).
struct Gathered {
  std::vector<BisectLimit> limits;
  std::vector<std::size_t> suspects;
};

/// The limits from --eager-upgrade-additional-requirements, a --candidates-file or, without
/// either, find-backtracking-candidates run in-process (bisect_gather.cpp).
Expected<Gathered> gather_limits(const BisectOptions& o, Context& ctx);

/// The probe's argv with its placeholders: --probe-command split, or the default build / resolve
/// probe (bisect_probe_command.cpp).
Expected<std::vector<std::string>> probe_template(const BisectOptions& o, Context& ctx);

/// What --apply adds for a culprit: `name<latest` (or the limit itself when the latest version is
/// unknown) with its dated comment (bisect_dockerfile.cpp).
DockerfileLimit dockerfile_addition(const BisectLimit& l, const Check* check,
                                    const std::string& date);

/// The local CI image a `--probe resolve` probe runs in (the one `ci-image build` makes).
std::string ci_image(const config::Settings& settings, const std::string& python);

} // namespace breeze::commands::ci::bisect_detail
