#pragma once

#include <breeze/commands/context.hpp>

#include <string>

namespace CLI {
class App;
}

namespace breeze::commands::ci_image {

/// `/tmp/ci-image-save-<linux-amd64>-<X.Y>.tar`: Breeze's artifact name for a saved CI image.
[[nodiscard]] std::string default_image_file(const std::string& platform, const std::string& python);

/// Usage error unless `file`'s name is `...-<platform tag>-<python>.tar` (so an artifact for another
/// Python or platform is never loaded by mistake).
[[nodiscard]] Expected<void> check_image_file_name(const std::filesystem::path& file, const std::string& platform,
                                                   const std::string& python);

/// Adds `save` and `load` to the `ci-image` group.
void register_ci_image_save_load(CLI::App& group, Context& ctx);

} // namespace breeze::commands::ci_image
