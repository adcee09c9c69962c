#include <breeze/commands/release_management/constraints_edit.hpp>

#include <breeze/base/github_actions.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/constraints/constraints_file.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace breeze::commands::release_management {

namespace {

Error not_found_error(std::string message) {
  return Error{ErrorKind::not_found, std::move(message), {}};
}

std::string short_hash(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) : h; }

} // namespace

Expected<ConstraintUpdate> parse_updated_constraint(std::string_view text) {
  const auto trimmed = strings::trim(text);
  const auto eq = trimmed.find("==");
  if (eq == std::string_view::npos || trimmed.find("==", eq + 2) != std::string_view::npos)
    return usage_error(
        fmt::format("--updated-constraint '{}' must be NAME==VERSION, e.g. pymssql==2.2.8", text));
  ConstraintUpdate u{std::string(strings::trim(trimmed.substr(0, eq))),
                     std::string(strings::trim(trimmed.substr(eq + 2)))};
  if (!constraints::is_valid_name(u.name))
    return usage_error(
        fmt::format("--updated-constraint '{}': '{}' is not a valid package name", text, u.name));
  if (auto v = constraints::Version::parse(u.version); !v)
    return usage_error(
        fmt::format("--updated-constraint '{}': '{}' is not a valid version", text, u.version));
  return u;
}

Expected<void> check_comment(std::string_view text) {
  const auto lines = strings::split(text, '\n');
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.ends_with('\r')) line.remove_suffix(1);
    const bool control = std::any_of(line.begin(), line.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t') || u == 0x7f;
    });
    if (control)
      return usage_error(
          fmt::format("--comment-file line {} holds a control character; only plain comment lines "
                      "('# ...') may go into constraints files",
                      i + 1));
    if (!line.empty() && line.front() != '#')
      return usage_error(
          fmt::format("--comment-file line {} is not a comment: '{}' (every line must start with "
                      "'#', or it would become a pin)",
                      i + 1, strings::strip_control(line.substr(0, 60))));
  }
  return {};
}

Expected<std::vector<std::string>> expand_versions(std::string_view spec,
                                                   const std::vector<std::string>& known) {
  std::vector<std::pair<constraints::Version, std::string>> parsed;
  for (const auto& k : known)
    if (auto v = constraints::Version::parse(k)) parsed.emplace_back(*v, k);
  std::sort(parsed.begin(), parsed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  auto unknown = [&](const std::string& v) {
    std::vector<std::string> names;
    for (const auto& [_, k] : parsed)
      names.push_back(k);
    auto hint = strings::closest_match(v, names);
    return not_found_error(
        fmt::format("no tag constraints-{} (not on the remote nor local){}", v,
                    hint ? fmt::format("; did you mean {}?", *hint) : std::string()));
  };

  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& v) {
    if (seen.insert(v).second) out.push_back(v);
  };
  for (const auto& raw : strings::split(spec, ',')) {
    const std::string item(strings::trim(raw));
    if (item.empty()) continue;
    if (auto dots = item.find(".."); dots != std::string::npos) {
      const std::string lo_text(strings::trim(item.substr(0, dots)));
      const std::string hi_text(strings::trim(item.substr(dots + 2)));
      auto lo = constraints::Version::parse(lo_text);
      auto hi = constraints::Version::parse(hi_text);
      if (!lo || !hi)
        return usage_error(
            fmt::format("--airflow-versions: '{}' is not a range like 2.5.1..2.6.3", item));
      if (*hi < *lo)
        return usage_error(
            fmt::format("--airflow-versions: range '{}' ends before it starts", item));
      // Release candidates have their own tags; a range means final releases unless an end is a
      // pre-release.
      const bool pre = lo->is_prerelease() || hi->is_prerelease();
      std::size_t matched = 0;
      for (const auto& [v, k] : parsed) {
        if (v < *lo || *hi < v || (v.is_prerelease() && !pre)) continue;
        add(k);
        ++matched;
      }
      if (matched == 0)
        return not_found_error(fmt::format("no constraints-* tag in the range {}", item));
      continue;
    }
    if (std::find(known.begin(), known.end(), item) == known.end()) return unknown(item);
    add(item);
  }
  if (out.empty())
    return usage_error("--airflow-versions is empty; give e.g. 2.6.3 or 2.5.1..2.6.3");
  return out;
}

bool selects_file(const std::string& name, const std::vector<std::string>& modes) {
  if (!name.ends_with(".txt")) return false;
  if (modes.empty()) return name.starts_with("constraints");
  for (const auto& mode : modes) {
    // `<mode>-<python>.txt` where <python> is digits and dots: `constraints` must not pick
    // `constraints-no-providers-3.8.txt`.
    if (!name.starts_with(mode + "-")) continue;
    const auto python =
        std::string_view(name).substr(mode.size() + 1, name.size() - mode.size() - 1 - 4);
    if (!python.empty() && std::all_of(python.begin(), python.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
        }))
      return true;
  }
  return false;
}

VersionEdit edit_files(const std::map<std::string, std::string>& files,
                       const std::vector<ConstraintUpdate>& updates, const std::string& comment,
                       bool add_missing) {
  VersionEdit edit;
  std::map<std::string, constraints::ConstraintsFile> parsed;
  for (const auto& [name, text] : files)
    parsed.emplace(name, constraints::ConstraintsFile::parse(text));

  std::set<std::string> changed_by_pins;
  for (const auto& u : updates) {
    bool found = false;
    std::set<std::string> olds;
    std::string file_spelling;
    for (auto& [name, file] : parsed) {
      auto r = file.set_version(u.name, u.version);
      if (!r) continue;
      found = true;
      if (r->spelling_differs) file_spelling = r->file_name;
      if (r->lines_changed > 0) {
        changed_by_pins.insert(name);
        olds.insert(r->old_version);
      }
    }
    if (!found) {
      edit.absent.push_back(u.name);
      continue;
    }
    if (!file_spelling.empty())
      edit.spelling_notes.push_back(fmt::format(
          "{} is spelled {} in the files; applied to that line", u.name, file_spelling));
    if (!olds.empty()) edit.old_versions[u.name] = {olds.begin(), olds.end()};
  }
  if (!edit.absent.empty()) {
    if (!add_missing)
      return edit; // the version stays as it is; the caller reports the absent names
    for (const auto& u : updates) {
      if (std::find(edit.absent.begin(), edit.absent.end(), u.name) == edit.absent.end()) continue;
      for (auto& [name, file] : parsed) {
        file.add_pin(u.name, u.version);
        changed_by_pins.insert(name);
      }
    }
  }
  if (!comment.empty()) {
    for (auto& [name, file] : parsed) {
      if (!updates.empty() && changed_by_pins.count(name) == 0) continue;
      if (files.at(name).find(comment) != std::string::npos) continue;
      file.insert_before_first_pin(comment);
    }
  }
  for (const auto& [name, file] : parsed) {
    auto after = file.str();
    if (after != files.at(name)) edit.changes.push_back({name, files.at(name), std::move(after)});
  }
  return edit;
}

namespace {
// The summary's cells, header first: the text table and the Markdown one show the same.
std::vector<std::vector<std::string>> summary_cells(const std::vector<SummaryRow>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"version", "old tag commit", "new commit", "files changed", "result"});
  for (const auto& r : rows)
    cells.push_back({r.version, short_hash(r.old_commit),
                     r.new_commit.empty() ? "-" : short_hash(r.new_commit),
                     std::to_string(r.files_changed), r.status});
  return cells;
}
} // namespace

std::string render_summary_markdown(const std::vector<SummaryRow>& rows) {
  return "### update-constraints\n\n" + github::markdown_table(summary_cells(rows));
}

std::string render_summary(const std::vector<SummaryRow>& rows) {
  return strings::render_table(summary_cells(rows));
}

} // namespace breeze::commands::release_management
