#include <breeze/commands/setup/emulation.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/build_command.hpp>
#include <breeze/docker/buildx.hpp>
#include <breeze/docker/client.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace breeze::commands::setup {

namespace {

Expected<ExitCode> run_setup_emulation(Context& ctx) {
  const auto docker = docker::docker_client(ctx.services().env);
  const auto argv = docker::emulation_argv(docker);
  auto& out = ctx.out();
  if (!ctx.globals.dry_run) {
    out << "Installing QEMU emulation for every platform (a privileged container registers binfmt "
           "handlers in "
           "the kernel of the docker engine's host):\n  "
        << strings::shell_join(argv) << "\n";
    out.flush();
    BREEZE_TRY(auto stop, ctx.confirm_or_stop("Install QEMU emulation?", "Nothing changed."));
    if (stop) return *stop;
  }
  process::ProcessSpec spec;
  spec.argv = argv;
  spec.timeout = std::chrono::minutes(10);
  BREEZE_TRY(auto r, ctx.runner().run(spec));
  if (r.dry_run) return ExitCode::ok;
  if (!r.ok())
    return failure(fmt::format(
        "`{}` failed (exit {}): {}", strings::shell_join(argv), r.exit_code,
        strings::strip_control(std::string(strings::trim(r.err.empty() ? r.out : r.err)))));
  auto platforms = docker::parse_binfmt_supported(r.out);
  if (platforms.empty()) {
    // Older binfmt images print no status: ask buildx what its builders can build now.
    process::ProcessSpec ls;
    ls.argv = {docker, "buildx", "ls"};
    ls.changes_state = false;
    ls.timeout = std::chrono::seconds(60);
    if (auto l = ctx.runner().run(ls); l && l->ok())
      for (const auto& b : docker::parse_buildx_ls(l->out))
        for (const auto& n : b.nodes)
          for (const auto& p : n.platforms)
            if (std::find(platforms.begin(), platforms.end(), p) == platforms.end())
              platforms.push_back(p);
  }
  out << fmt::format("Platforms now available: {}\n",
                     platforms.empty() ? std::string("(not reported; see `docker buildx ls`)")
                                       : strings::join(platforms, ", "));
  return ExitCode::ok;
}

} // namespace

void register_setup_emulation(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  cmd->callback([&ctx] { ctx.action = [](Context& c) { return run_setup_emulation(c); }; });
}

} // namespace breeze::commands::setup
