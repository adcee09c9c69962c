// bisect-backtracking --apply: the limits written into Dockerfile.ci's
// EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS ARG.

#include <breeze/commands/ci/bisect_backtracking.hpp>

#include "bisect_detail.hpp"
#include "bisect_report.hpp"

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace breeze::commands::ci {

using bisect_detail::k_arg;
using bisect_detail::requirement_name;

Expected<std::string> add_eager_upgrade_limits(std::string_view dockerfile,
                                               const std::vector<DockerfileLimit>& limits) {
  // The last gate before Dockerfile.ci: a requirement is one `name<op>version` word and a comment
  // one line, whatever the caller checked, so nothing here can start an instruction of its own.
  for (const auto& l : limits) {
    const auto name = requirement_name(l.requirement);
    const bool one_word = l.requirement.find_first_of(" \t\"'\\`$") == std::string::npos &&
                          strings::strip_control(l.requirement) == l.requirement;
    if (!one_word || !constraints::is_valid_name(name) || name.size() == l.requirement.size() ||
        !constraints::SpecifierSet::parse(std::string_view(l.requirement).substr(name.size())))
      return failure(
          fmt::format("refusing to write '{}' to the Dockerfile: not a limit like 'name<1.2'",
                      strings::strip_control(l.requirement)));
    if (strings::strip_control(l.comment) != l.comment)
      return failure(
          fmt::format("refusing to write a comment with control characters for {}", l.requirement));
  }
  auto lines = strings::split(dockerfile, '\n');
  bool found = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || std::string_view(line).substr(start, k_arg.size()) != k_arg)
      continue;
    found = true;
    const std::string indent = line.substr(0, start);
    std::string value = line.substr(start + k_arg.size());
    const auto trimmed = std::string(strings::trim(value));
    value = trimmed.size() >= 2 && trimmed.front() == '"' && trimmed.back() == '"'
                ? trimmed.substr(1, trimmed.size() - 2)
                : trimmed;
    auto items = strings::split_whitespace(value);
    std::vector<std::string> comments;
    for (const auto& l : limits) {
      if (std::find(items.begin(), items.end(), l.requirement) != items.end())
        continue; // already there
      const auto name = constraints::canonicalize_name(requirement_name(l.requirement));
      std::erase_if(items, [&](const std::string& it) {
        return constraints::canonicalize_name(requirement_name(it)) == name;
      });
      items.push_back(l.requirement);
      comments.push_back(indent + "# " + l.comment);
    }
    if (comments.empty()) continue;
    lines[i] = fmt::format("{}{}\"{}\"", indent, k_arg, strings::join(items, " "));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), comments.begin(), comments.end());
    i += comments.size();
  }
  if (!found) return failure(fmt::format("no '{}\"...\"' line to add the limits to", k_arg));
  return strings::join(lines, "\n");
}

namespace bisect_detail {

namespace {

std::string removal_comment(const BisectLimit& l, const Check* check, const std::string& date) {
  auto text = fmt::format(
      "{}<{}: pip backtracked on {} {} (found by breeze ci bisect-backtracking on {}); remove this "
      "limit when an image build with --upgrade-to-newer-dependencies without it finishes in "
      "normal time",
      l.name, l.latest, l.name, l.latest, date);
  if (check && check->verdict == "heuristics")
    text += " - try that in a few days: " + l.name + "==" + l.latest + " alone resolves";
  return text;
}

} // namespace

DockerfileLimit dockerfile_addition(const BisectLimit& l, const Check* check,
                                    const std::string& date) {
  if (l.latest.empty())
    return {l.limit, fmt::format("{}: pip backtracked without this limit (found by "
                                 "breeze ci bisect-backtracking on {}); remove it when "
                                 "an eager upgrade without it finishes in normal time",
                                 l.limit, date)};
  return {l.name + "<" + l.latest, removal_comment(l, check, date)};
}

} // namespace bisect_detail

} // namespace breeze::commands::ci
