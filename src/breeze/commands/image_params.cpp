#include <breeze/commands/image_params.hpp>

#include <breeze/base/strings.hpp>

#include <utility>

namespace breeze::commands {

docker::ImageParams image_params(const config::Settings& settings, docker::ImageType type,
                                 std::string python, docker::ImageParams base) {
  base.type = type;
  base.registry = settings.registry;
  base.github_repository = settings.github_repository;
  base.branch = settings.default_branch;
  base.python = python.empty() ? settings.default_python_version() : std::move(python);
  // Breeze's --airflow-extras default is ",".join(DEFAULT_EXTRAS) of the checkout it runs in.
  if (type == docker::ImageType::prod && base.airflow_extras.empty() &&
      !settings.prod_extras.empty())
    base.airflow_extras = strings::join(settings.prod_extras, ",");
  return base;
}

} // namespace breeze::commands
