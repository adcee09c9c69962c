// What a build reports: the per-job JSON document and, after a timeout, the
// find-backtracking-candidates report Airflow's tool prints.
#include "image_build_detail.hpp"

#include <breeze/commands/ci/find_backtracking_candidates.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace breeze::commands::image_build_detail {

using docker::ImageType;

std::string render_json(const ImageBuildOptions& opts, const std::vector<BuildJob>& jobs,
                        const std::vector<JobReport>& reports, bool dry_run) {
  auto or_null = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  auto list = nlohmann::json::array();
  bool ok = true;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const auto& r = reports[i];
    if (r.status != "succeeded" && r.status != "dry_run") ok = false;
    std::optional<std::string> last_step;
    std::optional<std::string> failed_step;
    if (r.steps) {
      last_step = r.steps->summary(job);
      if (!r.steps->ok) failed_step = last_step; // the build's own step when it names one
    }
    list.push_back(
        {{"name", job.name},
         {"image", job.image},
         {"python", job.python},
         {"platforms", job.platforms},
         {"status", r.status},
         {"duration_seconds",
          r.duration_seconds ? nlohmann::json(*r.duration_seconds) : nlohmann::json(nullptr)},
         {"log_file", r.log_file ? nlohmann::json(r.log_file->string()) : nlohmann::json(nullptr)},
         {"last_step", or_null(last_step)},
         {"failed_step", or_null(failed_step)}});
  }
  nlohmann::json doc = {
      {"command", opts.type == ImageType::ci ? "ci-image build" : "prod-image build"},
      {"dry_run", dry_run},
      {"ok", ok},
      {"jobs", std::move(list)}};
  return doc.dump(2) + "\n";
}

std::string status_of(const StepsResult& r) {
  return r.ok ? "succeeded" : r.timed_out ? "timed_out" : r.interrupted ? "interrupted" : "failed";
}

// As Airflow's tool does when a build times out (pip is most likely backtracking): run
// find-backtracking-candidates for each timed-out Python with the build's constraints, print its
// report, and fail. The index and constraints source come from BREEZE_PYPI_URL /
// BREEZE_CONSTRAINTS_URL when set, else that command's defaults.
ExitCode after_timeout(Context& ctx, const ImageBuildOptions& opts, std::chrono::milliseconds limit,
                       const std::vector<std::string>& pythons) {
  const auto seconds = std::chrono::duration<double>(limit).count();
  spdlog::error(
      "The build ran longer than {}: it was stopped. pip is probably backtracking; looking for the "
      "packages that make it do so (breeze ci find-backtracking-candidates)",
      seconds >= 60 && static_cast<long long>(seconds) % 60 == 0
          ? fmt::format("{} minutes", static_cast<long long>(seconds) / 60)
          : fmt::format("{:g} seconds", seconds));
  for (const auto& python : pythons) {
    ci::FindBacktrackingOptions fo;
    fo.python = python;
    fo.constraints_mode = opts.image.airflow_constraints_mode;
    fo.constraints_branch = opts.image.airflow_constraints_reference;
    if (auto v = ctx.services().env("BREEZE_PYPI_URL"); v && !v->empty()) fo.index.pypi_url = *v;
    if (auto v = ctx.services().env("BREEZE_CONSTRAINTS_URL"); v && !v->empty())
      fo.constraints_url = *v;
    spdlog::info("find-backtracking-candidates --python {}", python);
    auto r = ci::run_find_backtracking_candidates(fo, ctx);
    if (!r)
      spdlog::error("find-backtracking-candidates for Python {}: {}", python,
                    strings::strip_control(r.error().what()));
  }
  return ExitCode::failure;
}

} // namespace breeze::commands::image_build_detail
