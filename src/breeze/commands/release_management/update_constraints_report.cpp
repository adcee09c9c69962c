#include "update_constraints_detail.hpp"

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

namespace breeze::commands::release_management::update_detail {

std::string version_report(const VersionPlan& p) {
  std::string out;
  for (const auto& n : p.edit.spelling_notes)
    out += "  note: " + n + "\n";
  if (!p.edit.absent.empty())
    out += fmt::format("  {} not in any constraints file of {}{}\n",
                       strings::join(p.edit.absent, ", "), p.tag,
                       p.kind == VersionPlan::Kind::absent
                           ? " — version left unchanged (use --add-missing to add it)"
                           : " — added (--add-missing)");
  if (p.kind == VersionPlan::Kind::up_to_date) out += "  already up to date\n";
  if (p.kind == VersionPlan::Kind::change) {
    for (const auto& [name, olds] : p.edit.old_versions)
      out += fmt::format("  {}: {} -> requested\n", name, strings::join(olds, ", "));
    out += fmt::format("  {} of the constraints files change\n", p.edit.changes.size());
  }
  if (!p.resume_commit.empty())
    out += fmt::format("  {} on the remote already holds this change ({}); it will be reused\n",
                       p.fix_branch, p.resume_commit.substr(0, 12));
  if (!p.warning.empty()) out += "  warning: " + p.warning + "\n";
  return out;
}

nlohmann::json to_json(const std::vector<VersionPlan>& plans, bool dry_run,
                       const std::string& journal) {
  nlohmann::json j;
  j["dry_run"] = dry_run;
  j["journal"] = journal;
  j["versions"] = nlohmann::json::array();
  for (const auto& p : plans) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& c : p.edit.changes)
      files.push_back(c.name);
    j["versions"].push_back({{"version", p.version},
                             {"tag", p.tag},
                             {"old_tag_target", p.old_target},
                             {"old_commit", p.old_commit},
                             {"new_commit", p.new_commit},
                             {"new_tag_target", p.new_target},
                             {"files_changed", files},
                             {"absent", p.edit.absent},
                             {"spelling_notes", p.edit.spelling_notes},
                             {"status", p.status},
                             {"pushed", p.status == "pushed"}});
  }
  return j;
}

} // namespace breeze::commands::release_management::update_detail
