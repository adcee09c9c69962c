#include <breeze/constraints/generate.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/constraints_file.hpp>
#include <breeze/constraints/names.hpp>

#include <algorithm>
#include <map>

namespace breeze::constraints {

std::vector<std::string> filter_freeze(std::string_view freeze_output, const FreezeFilter& filter) {
  std::vector<std::string> kept;
  for (const auto& raw : strings::split(freeze_output, '\n')) {
    const std::string line(strings::trim(raw));
    if (line.empty()) continue;
    const bool by_prefix =
        std::any_of(filter.drop_prefixes.begin(), filter.drop_prefixes.end(),
                    [&](const std::string& p) { return !p.empty() && line.starts_with(p); });
    const bool by_content = std::any_of(
        filter.drop_containing.begin(), filter.drop_containing.end(),
        [&](const std::string& c) { return !c.empty() && line.find(c) != std::string::npos; });
    if (by_prefix || by_content) continue;
    kept.push_back(line);
  }
  // Airflow sorts with key=str.lower; ties broken by the exact text so the order is total.
  std::sort(kept.begin(), kept.end(), [](const std::string& a, const std::string& b) {
    const auto la = strings::to_lower(a), lb = strings::to_lower(b);
    return la != lb ? la < lb : a < b;
  });
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  return kept;
}

namespace {

// What each of Airflow's modes means, in the words Airflow's own generator writes.
std::vector<std::string> mode_description(const std::string& mode) {
  if (mode == "constraints-source-providers")
    return {"This variant of constraints install uses the HEAD of the branch version of both",
            "'apache-airflow' package and all available community provider packages.",
            "",
            "Those constraints represent the dependencies that are used by all pull requests when "
            "they are build in CI.",
            "They represent \"latest\" and greatest set of constraints that HEAD of the "
            "\"apache-airflow\" package should",
            "Install with \"HEAD\" of providers. Those are the only constraints that are used by "
            "our CI builds."};
  if (mode == "constraints-no-providers")
    return {"This variant of constraints install just the 'bare' 'apache-airflow' package build "
            "from the HEAD of",
            "the branch, without installing any of the providers.", "",
            "Those constraints represent the 'newest' dependencies airflow could use, if providers "
            "did not limit",
            "Airflow in any way."};
  if (mode == "constraints")
    return {"This variant of constraints install uses the HEAD of the branch version for "
            "'apache-airflow' but installs",
            "the providers from PIP-released packages at the moment of the constraint generation.",
            "",
            "Those constraints are actually those that regular users use to install released "
            "version of Airflow.",
            "We also use those constraints after \"apache-airflow\" is released and the "
            "constraints are tagged with",
            "\"constraints-X.Y.Z\" tag to build the production image for that version."};
  return {"This variant of constraints is the '" + mode + "' mode."};
}

} // namespace

std::string render_header(const std::string& mode, const std::string& branch,
                          time::Instant generated_on) {
  std::string out = "#\n";
  out += "# This constraints file was automatically generated on " +
         time::format_iso_z(generated_on) + "\n";
  out +=
      "# via \"eager-upgrade\" mechanism of PIP. For the \"" + branch + "\" branch of Airflow.\n";
  for (const auto& line : mode_description(mode))
    out += line.empty() ? "#\n" : "# " + line + "\n";
  out += "#\n";
  return out;
}

std::string render_constraints(const std::string& header, const std::vector<std::string>& pins) {
  std::string out = header;
  for (const auto& p : pins)
    out += p + "\n";
  return out;
}

std::vector<PinChange> diff_pins(std::string_view before, std::string_view after) {
  struct Seen {
    std::string name, version;
  };
  auto index = [](std::string_view text) {
    std::map<std::string, Seen> out;
    for (const auto& pin : ConstraintsFile::parse(text).pins())
      out.emplace(canonicalize_name(pin.name), Seen{pin.name, pin.version});
    return out;
  };
  const auto old_pins = index(before), new_pins = index(after);
  std::vector<PinChange> changes;
  for (const auto& [key, now] : new_pins) {
    auto it = old_pins.find(key);
    if (it == old_pins.end())
      changes.push_back({now.name, "", now.version});
    else if (it->second.version != now.version)
      changes.push_back({now.name, it->second.version, now.version});
  }
  for (const auto& [key, was] : old_pins)
    if (!new_pins.count(key)) changes.push_back({was.name, was.version, ""});
  std::sort(changes.begin(), changes.end(), [](const PinChange& a, const PinChange& b) {
    return canonicalize_name(a.name) < canonicalize_name(b.name);
  });
  return changes;
}

std::string render_diff_markdown(const std::string& mode, const std::string& python,
                                 const std::vector<PinChange>& changes) {
  std::string out = "Dependencies " + mode + " updated for Python " + python + "\n\n```diff\n";
  for (const auto& c : changes) {
    if (!c.before.empty()) out += "-" + c.name + "==" + c.before + "\n";
    if (!c.after.empty()) out += "+" + c.name + "==" + c.after + "\n";
  }
  out += "```\n";
  return out;
}

} // namespace breeze::constraints
