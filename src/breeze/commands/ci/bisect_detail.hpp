#pragma once

// What the bisect-backtracking files share: the probe command's placeholders, the Dockerfile ARG
// the limits go to, a requirement item's project name and the CI image a resolve probe runs in.

#include <breeze/config/settings.hpp>

#include <string>
#include <string_view>

namespace breeze::commands::ci::bisect_detail {

inline constexpr std::string_view k_placeholder = "{requirements}";
inline constexpr std::string_view k_each_placeholder = "{requirements...}";
inline constexpr std::string_view k_arg = "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=";

// The project name of a requirement item: everything before the first specifier/extra/marker char.
inline std::string requirement_name(std::string_view item) {
  const auto end = item.find_first_of("<>=!~;[ @");
  return std::string(item.substr(0, end));
}

/// The local CI image a `--probe resolve` probe runs in (the one `ci-image build` makes).
std::string ci_image(const config::Settings& settings, const std::string& python);

} // namespace breeze::commands::ci::bisect_detail
