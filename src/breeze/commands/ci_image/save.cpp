#include <breeze/commands/ci_image/save.hpp>

#include <breeze/commands/ci_image/image_file.hpp>

#include <CLI/CLI.hpp>

namespace breeze::commands::ci_image {

void register_ci_image_save(CLI::App& cmd, Context& ctx) {
  add_image_file_command(
      cmd, ctx,
      [](Context& c, const ImageFile& r, const std::string& docker,
         const std::string& image) -> Expected<ExitCode> {
        BREEZE_TRY(auto code,
                   run_docker(c, {docker, "save", image, "-o", r.file.string()}, "docker save"));
        if (code == ExitCode::ok && !c.globals.dry_run)
          c.out() << "Saved " << image << " to " << r.file.string() << "\n";
        return code;
      });
}

} // namespace breeze::commands::ci_image
