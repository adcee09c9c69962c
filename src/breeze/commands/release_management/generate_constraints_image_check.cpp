#include "generate_constraints_detail.hpp"

#include <breeze/base/strings.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/labels.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace breeze::commands::release_management {

std::optional<std::string>
image_problem(const std::optional<std::map<std::string, std::string>>& labels,
              const std::optional<git::HeadCommit>& head) {
  if (!labels) return "missing from the local docker engine";
  const auto parsed = docker::parse_build_labels(*labels);
  if (!parsed) return "without breeze build labels: not built by breeze ci-image build";
  if (!parsed->upgraded) return "not built with --upgrade-to-newer-dependencies";
  // Built from exactly this commit is fine whatever the clocks say; otherwise it must be newer.
  if (head && parsed->source_commit != head->id && parsed->build_time < head->time)
    return fmt::format("built at {}, before the sources' last commit {} ({})",
                       time::format_human(parsed->build_time), head->id.substr(0, 10),
                       time::format_human(head->time));
  return std::nullopt;
}

std::string rebuild_command(const std::vector<std::string>& pythons,
                            const GenerateConstraintsOptions& opts,
                            const config::Settings& settings) {
  std::string cmd = "breeze ci-image build";
  if (pythons.size() == 1)
    cmd += " --python " + pythons.front();
  else
    cmd += " --run-in-parallel --python-versions \"" + strings::join(pythons, " ") + "\"";
  cmd += " --upgrade-to-newer-dependencies";
  if (!opts.image_tag.empty()) cmd += " --image-tag " + opts.image_tag;
  if (settings.github_repository != config::Settings{}.github_repository)
    cmd += " --github-repository " + settings.github_repository;
  return cmd;
}

namespace generate_detail {

Expected<void> check_images(const std::vector<ConstraintsJob>& jobs,
                            const GenerateConstraintsOptions& opts, Context& ctx,
                            const std::string& docker) {
  if (opts.skip_image_check) {
    spdlog::warn("--skip-image-check: the CI images are used without checking how they were built");
    return {};
  }
  auto head = git::head_commit(ctx.git(), ctx.settings.sources_root);
  if (!head)
    spdlog::warn("Cannot read the sources' last commit ({}): image age not checked",
                 head.error().what());
  const std::optional<git::HeadCommit> last = head ? *head : std::nullopt;
  // Grouped by reason, so four unlabelled images make one short line, not four long ones.
  std::vector<std::pair<std::string, std::vector<std::string>>> problems;
  std::vector<std::string> pythons;
  std::set<std::string> seen;
  for (const auto& job : jobs) {
    if (!seen.insert(job.image).second) continue;
    auto labels = docker::inspect_labels(ctx.runner(), docker, job.image);
    if (!labels) {
      if (!ctx.globals.dry_run) return labels.error();
      spdlog::warn("{} (dry run: continuing)", labels.error().message);
      continue;
    }
    auto p = image_problem(*labels, last);
    if (!p) continue;
    pythons.push_back(job.python);
    auto it = std::find_if(problems.begin(), problems.end(),
                           [&](const auto& e) { return e.first == *p; });
    if (it == problems.end())
      problems.push_back({*p, {job.python}});
    else
      it->second.push_back(job.python);
  }
  if (problems.empty()) return {};
  std::vector<std::string> parts;
  for (const auto& [why, pys] : problems)
    parts.push_back(fmt::format("CI image{} for Python {} ({})", pys.size() > 1 ? "s" : "",
                                strings::join(pys, ", "), why));
  auto line = fmt::format("Refusing {}: run `{}` first (or pass --answer yes --skip-image-check)",
                          strings::join(parts, ", "), rebuild_command(pythons, opts, ctx.settings));
  if (ctx.globals.dry_run) {
    spdlog::warn("{} (dry run: continuing)", line);
    return {};
  }
  return failure(line);
}

} // namespace generate_detail

} // namespace breeze::commands::release_management
