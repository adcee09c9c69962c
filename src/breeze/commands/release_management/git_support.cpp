#include <breeze/commands/release_management/git_support.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <unistd.h>

namespace breeze::commands::release_management {

namespace {

bool on_path(const std::string& program, const EnvLookup& env) {
  for (const auto& dir : strings::split(env("PATH").value_or("/usr/bin:/bin"), ':')) {
    if (dir.empty()) continue;
    if (::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

} // namespace

Expected<git::Signer> gpg_signer(Context& ctx) {
  if (!on_path("gpg", ctx.services().env))
    return usage_error("--sign needs gpg on PATH (apt-get install gnupg)");
  return git::Signer([&ctx](const std::string& payload) -> Expected<std::string> {
    // gpg signs a file named in argv; the runner could feed the payload on stdin (spec.input),
    // but with a file the command --dry-run and --verbose print is the whole story.
    BREEZE_TRY(auto dir, files::TempDir::create("breeze-sign"));
    const auto file = dir.path() / "tag.txt";
    BREEZE_TRY_VOID(files::write_atomic(file, payload));
    process::ProcessSpec spec;
    spec.argv = {"gpg", "--batch", "--armor", "--detach-sign", "--output", "-", file.string()};
    BREEZE_TRY(auto result, ctx.runner().run(spec));
    if (!result.ok() || result.out.empty())
      return failure("gpg could not sign the tag: " + std::string(strings::trim(result.err)));
    return result.out;
  });
}

std::string format_bytes(std::size_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

Expected<git::PushOutcome>
push_with_feedback(Context& ctx, git::ConstraintsRepo& repo, const std::string& what,
                   const std::string& remote,
                   const std::function<Expected<git::PushOutcome>()>& push) {
  const auto mode = ctx.output_mode();
  const auto label = fmt::format("Pushing {} to {}...", what, remote);
  auto& err = ctx.err();
  bool drawn = false;
  std::size_t last_drawn = static_cast<std::size_t>(-1);
  if (mode.live) {
    repo.set_push_progress([&](const git::PushProgress& p) {
      // A redraw per object is plenty; libgit2 reports far more often while sending bytes.
      const auto step = p.objects_done * 2 + (p.sending ? 1 : 0);
      if (step == last_drawn) return;
      last_drawn = step;
      const auto line = p.sending ? fmt::format("{} {}/{} objects, {}", label, p.objects_done,
                                                p.objects_total, format_bytes(p.bytes))
                                  : fmt::format("{} packing {}/{} objects", label, p.objects_done,
                                                p.objects_total);
      err << "\r\033[2K" << console::fit_line(line, mode.width) << std::flush;
      drawn = true;
    });
  }
  auto pushed = push();
  repo.set_push_progress({});
  if (drawn) err << "\r\033[2K";
  if (pushed && pushed->accepted)
    err << fmt::format("{} done ({} object{}, {})\n", label, pushed->objects,
                       pushed->objects == 1 ? "" : "s", format_bytes(pushed->bytes));
  err << std::flush;
  return pushed;
}

} // namespace breeze::commands::release_management
