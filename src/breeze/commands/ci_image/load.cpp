#include <breeze/commands/ci_image/load.hpp>

#include <breeze/commands/ci_image/image_file.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>

namespace breeze::commands::ci_image {

void register_ci_image_load(CLI::App& cmd, Context& ctx) {
  add_image_file_command(
      cmd, ctx,
      [](Context& c, const ImageFile& r, const std::string& docker,
         const std::string& image) -> Expected<ExitCode> {
        if (!c.globals.dry_run && !std::filesystem::exists(r.file))
          return Error{ErrorKind::not_found,
                       "no such image file (save it with `breeze ci-image save`)", r.file.string()};
        BREEZE_TRY(auto code,
                   run_docker(c, {docker, "load", "-i", r.file.string()}, "docker load"));
        if (code == ExitCode::ok && !c.globals.dry_run)
          c.out() << "Loaded " << image << " from " << r.file.string() << "\n";
        return code;
      });
}

} // namespace breeze::commands::ci_image
