#include <breeze/commands/image_params.hpp>

#include <utility>

namespace breeze::commands {

docker::ImageParams image_params(const config::Settings& settings, docker::ImageType type,
                                 std::string python, docker::ImageParams base) {
  base.type = type;
  base.registry = settings.registry;
  base.github_repository = settings.github_repository;
  base.branch = settings.default_branch;
  base.python = python.empty() ? settings.default_python_version() : std::move(python);
  return base;
}

} // namespace breeze::commands
