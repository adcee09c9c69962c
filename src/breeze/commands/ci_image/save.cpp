#include <breeze/commands/ci_image/save.hpp>

#include <breeze/commands/ci_image/image_file.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>

#include <memory>

namespace breeze::commands::ci_image {

void register_ci_image_save(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto o = std::make_shared<ImageFileOptions>();
  add_image_file_options(*cmd, *o);
  cmd->callback([&ctx, o] {
    ctx.action = [o](Context& c) -> Expected<ExitCode> {
      BREEZE_TRY(auto r, resolve_image_file(c, *o));
      const auto docker = docker::docker_client(c.services().env);
      const auto image = docker::image_name_with_tag(r.image);
      BREEZE_TRY(auto code,
                 run_docker(c, {docker, "save", image, "-o", r.file.string()}, "docker save"));
      if (code == ExitCode::ok && !c.globals.dry_run)
        c.out() << "Saved " << image << " to " << r.file.string() << "\n";
      return code;
    };
  });
}

} // namespace breeze::commands::ci_image
