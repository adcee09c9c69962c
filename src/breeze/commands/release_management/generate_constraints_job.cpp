#include "generate_constraints_detail.hpp"

#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/git/read_blob.hpp>
#include <breeze/http/client.hpp>

#include <spdlog/spdlog.h>

namespace breeze::commands::release_management::generate_detail {

namespace fs = std::filesystem;

// Reads every job's current file: from the local constraints repository (object database only) or
// over HTTPS in one batch. A file that cannot be read is a warning: the new file is still written,
// only the comparison is missing.
Expected<std::map<std::string, Original>> read_originals(const std::vector<ConstraintsJob>& jobs,
                                                         const GenerateConstraintsOptions& opts,
                                                         Context& ctx) {
  std::map<std::string, Original> out;
  const auto branch =
      opts.constraints_branch.empty() ? ctx.settings.constraints_branch : opts.constraints_branch;
  if (!opts.constraints_repo.empty()) {
    const auto repo = fs::path(opts.constraints_repo); // absolute since parsing
    bool said = false;
    for (const auto& job : jobs) {
      const auto name = file_name(job.mode, job.python);
      auto blob = git::read_blob_if_present(ctx.git(), repo, branch, name, opts.remote_name);
      if (blob && *blob && !said) {
        said = true;
        spdlog::info("Reading the current files from {} of {} ({})", (*blob)->ref, repo.string(),
                     (*blob)->commit.substr(0, 12));
      }
      if (blob && *blob)
        out[name].text = std::move((*blob)->content);
      else if (blob)
        out[name].absent = true;
      else if (blob.error().kind == ErrorKind::not_found) // no such repository or branch
        // A wrong --constraints-repo/--constraints-branch is a mistake to fix, not a file to skip.
        return usage_error(
            fmt::format("{}: {} (see --constraints-branch)", repo.string(), blob.error().message));
      else
        spdlog::warn("Cannot read {} from {} ({}): no comparison for it", name, repo.string(),
                     blob.error().what());
    }
    return out;
  }
  auto* client = ctx.services().http;
  if (client == nullptr) {
    spdlog::warn("No HTTP client: the generated files are not compared with {}", branch);
    return out;
  }
  auto base = opts.constraints_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  std::vector<http::Request> requests;
  std::vector<std::string> names;
  for (const auto& job : jobs) {
    names.push_back(file_name(job.mode, job.python));
    requests.push_back(
        {fmt::format("{}/{}/{}/{}", base, ctx.settings.github_repository, branch, names.back()),
         {}});
  }
  http::BatchOptions options;
  options.use_cache = false; // the branch moves; an old copy would make a wrong diff
  options.max_retries = 1;
  auto responses = client->get_all(requests, options);
  for (std::size_t i = 0; i < responses.size() && i < names.size(); ++i) {
    const auto& r = responses[i];
    if (!r)
      spdlog::warn("Cannot download {} ({}): no comparison for it", requests[i].url,
                   r.error().message);
    else if (r->status == 200)
      out[names[i]].text = r->body;
    else if (r->status == 404)
      out[names[i]].absent = true;
    else
      spdlog::warn("Cannot download {} (HTTP {}): no comparison for it", requests[i].url,
                   r->status);
  }
  return out;
}

JobOutcome run_job(const ConstraintsJob& job, const Shared& shared,
                   const std::function<void(const std::string&)>& on_line) {
  JobOutcome o;
  if (interrupt::requested()) {
    o.summary = "interrupted";
    return o;
  }
  process::ProcessSpec spec;
  spec.argv = job.argv;
  spec.cwd = shared.settings.sources_root;
  spec.capture = true; // stdout is the freeze list; stderr (install output) only goes to the log
  spec.on_line = on_line;
  if (on_line) on_line("### " + strings::shell_join(job.argv));
  auto res = shared.runner.run(spec);
  if (!res) {
    o.summary = res.error().message;
    return o;
  }
  if (res->dry_run) {
    o.ok = true;
    o.summary = "dry run";
    return o;
  }
  if (!res->ok()) {
    o.summary = res->interrupted ? "interrupted"
                : res->timed_out ? "timed out"
                                 : fmt::format("docker run: exit {}", res->exit_code);
    return o;
  }
  const auto pins = constraints::filter_freeze(res->out, shared.filter);
  if (pins.empty()) {
    // An empty list would wipe the constraints: the command printed nothing usable.
    o.summary = "the freeze command printed no pins";
    return o;
  }
  const auto text = constraints::render_constraints(
      constraints::render_header(job.mode, shared.settings.default_branch, shared.generated_on),
      pins);
  const auto dir = job.output.parent_path();
  const auto name = job.output.filename().string();
  auto wrote = files::write_atomic(job.output, text);
  if (!wrote) {
    o.summary = wrote.error().what();
    return o;
  }
  o.written.push_back(job.output);
  o.pins = pins.size();
  const auto diff_path = dir / ("diff-" + job.mode + "-" + job.python + ".md");
  const auto found = shared.originals.find(name);
  const Original original = found == shared.originals.end() ? Original{} : found->second;
  if (original.text) {
    const auto orig_path = dir / ("original-" + name);
    if (auto w = files::write_atomic(orig_path, *original.text); !w) {
      o.summary = w.error().what();
      return o;
    }
    o.written.push_back(orig_path);
    const auto changes = constraints::diff_pins(*original.text, text);
    o.changed = changes.size();
    std::error_code ec;
    if (changes.empty()) {
      fs::remove(diff_path, ec); // a diff from an earlier run would describe changes that are gone
    } else {
      if (auto w = files::write_atomic(
              diff_path, constraints::render_diff_markdown(job.mode, job.python, changes));
          !w) {
        o.summary = w.error().what();
        return o;
      }
      o.written.push_back(diff_path);
    }
  } else {
    o.new_file = original.absent;
  }
  o.ok = true;
  o.summary = !o.changed ? fmt::format("{} pins", o.pins)
                         : fmt::format("{} pins, {} changed", o.pins, *o.changed);
  return o;
}

} // namespace breeze::commands::release_management::generate_detail
