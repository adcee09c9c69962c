#include "generate_constraints_detail.hpp"

#include <nlohmann/json.hpp>

namespace breeze::commands::release_management::generate_detail {

namespace fs = std::filesystem;

namespace {

std::string relative_to(const fs::path& p, const fs::path& root) {
  std::error_code ec;
  auto rel = fs::relative(p, root, ec);
  return ec || rel.empty() ? p.string() : rel.string();
}

} // namespace

std::string describe(const JobOutcome& o) {
  if (o.changed)
    return *o.changed == 0 ? fmt::format("{} pins, unchanged", o.pins)
                           : fmt::format("{} pins, {} changed", o.pins, *o.changed);
  return fmt::format("{} pins, {}", o.pins,
                     o.new_file ? "new file" : "not compared (current file unavailable)");
}

std::string render_json(const std::vector<ConstraintsJob>& jobs,
                        const std::vector<JobOutcome>& outcomes, const std::vector<bool>& ran,
                        const fs::path& root, bool dry_run, bool interrupted) {
  auto files = nlohmann::json::array();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& o = outcomes[i];
    const char* status = dry_run                      ? "dry_run"
                         : !ran[i]                    ? "not_run"
                         : o.ok                       ? "generated"
                         : o.summary == "interrupted" ? "interrupted"
                                                      : "failed";
    nlohmann::json entry = {{"mode", jobs[i].mode},
                            {"python", jobs[i].python},
                            {"image", jobs[i].image},
                            {"path", relative_to(jobs[i].output, root)},
                            {"status", status}};
    entry["pins"] = o.ok && !dry_run ? nlohmann::json(o.pins) : nlohmann::json(nullptr);
    entry["pins_changed"] =
        o.ok && o.changed ? nlohmann::json(*o.changed) : nlohmann::json(nullptr);
    entry["new_file"] = o.ok && o.new_file;
    auto written = nlohmann::json::array();
    for (std::size_t k = 1; k < o.written.size(); ++k)
      written.push_back(relative_to(o.written[k], root));
    entry["also_written"] = std::move(written);
    entry["error"] =
        !o.ok && ran[i] && !dry_run ? nlohmann::json(o.summary) : nlohmann::json(nullptr);
    files.push_back(std::move(entry));
  }
  nlohmann::json doc = {
      {"dry_run", dry_run}, {"interrupted", interrupted}, {"files", std::move(files)}};
  return doc.dump(2) + "\n";
}

std::vector<std::string> print_report(std::ostream& out, const std::vector<ConstraintsJob>& jobs,
                                      const std::vector<JobOutcome>& outcomes,
                                      const fs::path& root) {
  std::vector<std::string> failed;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& o = outcomes[i];
    if (!o.ok) {
      failed.push_back(jobs[i].name);
      continue;
    }
    out << fmt::format("{}: {}\n", relative_to(jobs[i].output, root), describe(o));
    for (std::size_t k = 1; k < o.written.size(); ++k)
      out << fmt::format("  {}\n", relative_to(o.written[k], root));
  }
  return failed;
}

} // namespace breeze::commands::release_management::generate_detail
