#include "bisect_report.hpp"

#include "bisect_detail.hpp"

#include <breeze/base/github_actions.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace breeze::commands::ci::bisect_detail {

std::string format_seconds(std::chrono::milliseconds d) {
  return fmt::format("{:.1f}s", static_cast<double>(d.count()) / 1000.0);
}

std::string render_report_json(const BisectReport& rep) {
  nlohmann::json doc{
      {"status", rep.interrupted                                               ? "interrupted"
                 : rep.search.status == SearchResult::Status::full_list_failed ? "full_list_failed"
                                                                               : "found"},
      {"limits", rep.all_limits},
      {"probes", nlohmann::json::array()},
      {"probe_count", rep.search.probes},
      {"used_ddmin", rep.search.used_ddmin},
      {"suspects", rep.suspect_names},
      {"found_by_suspect", rep.search.by_suspect},
      {"backtracking_pattern", rep.backtracking_pattern ? nlohmann::json(*rep.backtracking_pattern)
                                                        : nlohmann::json(nullptr)},
      {"probe_timeout_seconds", rep.probe_timeout
                                    ? nlohmann::json(rep.probe_timeout->count() / 1000.0)
                                    : nlohmann::json(nullptr)},
      {"total_seconds", rep.total.count() / 1000.0},
      {"culprits", rep.culprit_limits},
      {"checks", nlohmann::json::array()},
      {"add", strings::join(rep.add_line, " ")},
      {"log_dir", rep.log_dir.string()}};
  for (const auto& r : rep.probes) {
    doc["probes"].push_back({{"number", r.number},
                             {"purpose", r.purpose},
                             {"limits", r.limits},
                             {"result", outcome_key(r)},
                             {"exit_code", r.exit_code},
                             {"seconds", r.elapsed.count() / 1000.0},
                             {"log", r.log.string()},
                             {"cut", nullptr}});
    if (r.backtracked)
      doc["probes"].back()["cut"] = {{"line_number", r.cut_line_number}, {"line", r.cut_line}};
  }
  for (const auto& c : rep.checks)
    doc["checks"].push_back({{"name", c.name},
                             {"requirement", c.requirement},
                             {"verdict", c.verdict},
                             {"conflicts", c.conflicts}});
  if (!rep.applied.empty())
    doc["applied"] = {{"file", rep.dockerfile.string()}, {"result", rep.applied}};
  if (rep.apply_error) doc["applied"]["error"] = *rep.apply_error;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_report_text(const BisectReport& rep) {
  std::ostringstream out;
  out << fmt::format("{:>3}  {:<10} {:<17} {:>8}  {}\n", "#", "probe", "result", "time", "limits");
  for (const auto& r : rep.probes)
    out << fmt::format("{:>3}  {:<10} {:<17} {:>8}  {}\n", r.number, r.purpose, outcome_word(r),
                       r.outcome == ProbeOutcome::cancelled && r.elapsed.count() == 0
                           ? "-"
                           : format_seconds(r.elapsed),
                       short_limits(r.limits));
  out << fmt::format(
      "{} probes for the search (the full list included, the ==latest checks not), {} in all\n",
      rep.search.probes, format_seconds(rep.total));
  if (!rep.suspect_names.empty())
    out << fmt::format("Suspects (from the packages' own requirements): {}\n",
                       strings::join(rep.suspect_names, ", "));
  for (const auto& r : rep.probes)
    if (r.backtracked)
      out << fmt::format(
          "Probe {} cut after {}: the resolver started backtracking at output line {}: {}\n",
          r.number, format_seconds(r.elapsed), r.cut_line_number, r.cut_line);
  if (rep.search.status == SearchResult::Status::full_list_failed) {
    out << fmt::format(
        "The full list of {} limits did not pass ({}): the candidates alone do not stop the "
        "backtracking, or the probe itself is broken. See {}\n",
        rep.limit_count, rep.full_list_error,
        rep.probes.empty() ? rep.log_dir.string() : rep.probes.front().log.string());
  } else if (rep.interrupted) {
    out << (rep.culprit_limits.empty()
                ? std::string("Interrupted before the full list finished: nothing is known yet\n")
                : fmt::format(
                      "Interrupted. The culprit(s) are among these {} limits (they pass): {}\n",
                      rep.culprit_limits.size(), strings::join(rep.culprit_limits, " ")));
  } else {
    out << fmt::format("Culprit{}: {}{}\n", rep.culprit_limits.size() == 1 ? "" : "s (together)",
                       strings::join(rep.culprit_limits, " "),
                       rep.search.used_ddmin   ? " (interacting: found by delta debugging)"
                       : rep.search.by_suspect ? " (the top suspect: its limit alone passes)"
                                               : "");
    for (const auto& c : rep.checks) {
      if (c.verdict == "skipped")
        out << fmt::format("Check {}: skipped (latest version unknown)\n", c.name);
      else if (c.verdict == "heuristics")
        out << fmt::format("Check {}: passes - the resolver's heuristics, not a real conflict; "
                           "try removing the limit "
                           "in a few days\n",
                           c.requirement);
      else if (c.verdict == "interrupted")
        out << fmt::format("Check {}: interrupted\n", c.requirement);
      else {
        out << fmt::format("Check {}: {}\n", c.requirement,
                           c.verdict == "timeout" ? "still backtracks (killed at the probe timeout)"
                                                  : "fails - a real conflict:");
        for (const auto& line : c.conflicts)
          out << "    " << line << "\n";
      }
    }
    out << fmt::format("Add to Dockerfile.ci: {}\"{}\"\n", k_arg, strings::join(rep.add_line, " "));
    if (rep.applied == "written")
      out << fmt::format("Written to {}\n", rep.dockerfile.string());
    else if (rep.applied == "already there")
      out << fmt::format("{} already has these limits\n", rep.dockerfile.string());
    else if (rep.applied == "failed")
      out << fmt::format("NOT written to {} (see the error below): add the line above by hand\n",
                         rep.dockerfile.string());
    else
      out << "Run again with --apply to write it (with a dated comment), or add it by hand\n";
  }
  out << fmt::format("Probe logs: {}\n", rep.log_dir.string());
  return out.str();
}

std::string render_report_summary(const BisectReport& rep) {
  std::vector<std::vector<std::string>> rows{{"#", "probe", "result", "time", "limits"}};
  for (const auto& r : rep.probes)
    rows.push_back({fmt::format("{}", r.number), r.purpose, outcome_word(r),
                    format_seconds(r.elapsed), short_limits(r.limits)});
  auto markdown = "### bisect-backtracking\n\n" + github::markdown_table(rows) + "\n";
  if (rep.interrupted)
    markdown += "Interrupted before the search finished.\n";
  else if (rep.search.status == SearchResult::Status::found)
    markdown += fmt::format("Culprit{}: `{}`. Add to Dockerfile.ci: `{}\"{}\"`\n",
                            rep.culprit_limits.size() == 1 ? "" : "s (together)",
                            strings::join(rep.culprit_limits, " "), k_arg,
                            strings::join(rep.add_line, " "));
  else
    markdown += "No culprit found: see the probe logs.\n";
  return markdown;
}

} // namespace breeze::commands::ci::bisect_detail
