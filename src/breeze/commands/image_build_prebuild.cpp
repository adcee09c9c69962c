// The steps Python Breeze runs before every real image build: fix_group_permissions and, for a CI
// build, the providers' dependencies refresh.
#include "image_build_detail.hpp"

#include <breeze/base/console.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/git/tracked_paths.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

namespace breeze::commands::image_build_detail {

using docker::ImageType;

// Python Breeze's fix_group_permissions: removes group and other write from every tracked file,
// and from every tracked folder while adding group and other execute. File modes are part of the
// COPY layers' digests, so a checkout made under `umask 002` would otherwise miss CI's registry
// cache from the first COPY on. Untracked files are left alone; symlinks are never followed.
void fix_group_permissions(git::Opener& opener, const std::filesystem::path& root) {
  auto tracked = git::tracked_paths(opener, root);
  if (!tracked) {
    spdlog::warn("Cannot list the tracked files of {}: permissions not fixed ({})", root.string(),
                 strings::strip_control(tracked.error().what()));
    return;
  }
  if (!*tracked) {
    spdlog::debug("{} is not a git work tree: no permissions to fix", root.string());
    return;
  }
  std::size_t changed = 0;
  std::size_t failed = 0;
  auto fix = [&](const std::string& rel, bool dir) {
    const auto path = root / rel;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return; // gone, or a symlink
    const mode_t mode = st.st_mode & 07777;
    mode_t want = mode & ~static_cast<mode_t>(S_IWGRP | S_IWOTH);
    if (dir) want |= S_IXGRP | S_IXOTH;
    if (want == mode) return;
    if (::chmod(path.c_str(), want) == 0)
      ++changed;
    else
      ++failed;
  };
  for (const auto& f : (*tracked)->files)
    fix(f, false);
  for (const auto& d : (*tracked)->dirs)
    fix(d, true);
  if (changed > 0)
    spdlog::info("Removed group/other write from {} tracked file(s) and folder(s), as CI's "
                 "checkout has them (so the image layers match CI's cache)",
                 changed);
  if (failed > 0)
    spdlog::warn("Could not change the mode of {} tracked file(s) or folder(s): the image layers "
                 "may miss CI's cache",
                 failed);
}

// The providers' dependencies refresh Python Breeze runs before a CI image build that is not a
// cache build: Airflow's own script, when the checkout has it, run with python3 from the sources
// root; its output is shown as it comes and its failure stops the build.

bool runs_providers_script(const ImageBuildOptions& opts, const std::filesystem::path& root) {
  std::error_code ec;
  return opts.type == ImageType::ci && !opts.image.prepare_buildx_cache &&
         std::filesystem::is_regular_file(root / k_providers_script, ec);
}

Expected<ExitCode> update_providers_dependencies(Context& ctx, const std::filesystem::path& root) {
  process::ProcessSpec spec;
  spec.argv = {"python3", (root / k_providers_script).string()};
  spec.cwd = root;
  spec.merge_stderr = true;
  spec.capture = false;
  spec.on_line = [](const std::string& line) { console::print_child_line(line); };
  spdlog::info("Refreshing generated/provider_dependencies.json: python3 {}", k_providers_script);
  auto r = ctx.runner().run(spec);
  if (!r)
    return Error{r.error().kind,
                 fmt::format("cannot run python3 {}: {} (the build was not started)",
                             k_providers_script, r.error().message)};
  if (r->interrupted || interrupt::requested()) return ExitCode::interrupted;
  if (!r->ok()) {
    spdlog::error("{} failed (exit {}; its output is above): the build was not started",
                  k_providers_script, r->exit_code);
    return ExitCode::failure;
  }
  return ExitCode::ok;
}

} // namespace breeze::commands::image_build_detail
