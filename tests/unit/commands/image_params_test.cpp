#include <support/catch.hpp>

#include <breeze/commands/image_params.hpp>

using namespace breeze;

TEST_CASE("image_params: the identity comes from the settings, the Python from them when not given",
          "[unit][commands]") {
  config::Settings settings;
  settings.registry = "registry.example.com";
  settings.github_repository = "someone/airflow";
  settings.default_branch = "v3-0-test";
  settings.python_versions = {"3.10", "3.11", "3.12", "3.13"};

  const auto ci = commands::image_params(settings, docker::ImageType::ci);
  CHECK(ci.type == docker::ImageType::ci);
  CHECK(ci.registry == "registry.example.com");
  CHECK(ci.github_repository == "someone/airflow");
  CHECK(ci.branch == "v3-0-test");
  CHECK(ci.python == settings.default_python_version());
  CHECK(ci.python == "3.13");
  // ImageParams has no Python of its own that could disagree with the settings.
  CHECK(docker::ImageParams{}.python.empty());

  docker::ImageParams base;
  base.image_tag = "my-tag";
  base.registry = "ignored.example.com";
  const auto prod = commands::image_params(settings, docker::ImageType::prod, "3.11", base);
  CHECK(prod.type == docker::ImageType::prod);
  CHECK(prod.python == "3.11");
  CHECK(prod.image_tag == "my-tag"); // the rest of base is kept
  CHECK(prod.registry == "registry.example.com");
  CHECK(prod.github_repository == "someone/airflow");
  CHECK(prod.branch == "v3-0-test");
}
