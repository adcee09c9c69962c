#include <support/catch.hpp>

#include <breeze/docker/buildx.hpp>

using namespace breeze;

TEST_CASE("docker: buildx inspect output is parsed into nodes and platforms", "[docker][buildx]") {
  auto info = docker::parse_buildx_inspect(
      "Name:          airflow_cache\nDriver:        docker-container\n\nNodes:\n"
      "Name:      airflow_cache0\nEndpoint:  unix:///var/run/docker.sock\n"
      "Status:    running\nBuildkit:  v0.12.4\n"
      "Platforms: linux/amd64*, linux/386\n\n"
      "Name:      airflow_cache1\nEndpoint:  tcp://127.0.0.1:2375\n"
      "Status:    inactive\nPlatforms:\n");
  CHECK(info.name == "airflow_cache");
  CHECK(info.driver == "docker-container");
  REQUIRE(info.nodes.size() == 2);
  CHECK(info.nodes[0].platforms == std::vector<std::string>{"linux/amd64", "linux/386"});
  CHECK(info.nodes[1].endpoint == "tcp://127.0.0.1:2375");
  CHECK(info.nodes[1].status == "inactive");
  CHECK(info.nodes[1].platforms.empty());
  CHECK(info.supports("linux/amd64"));
  CHECK_FALSE(info.supports("linux/arm64"));
}

TEST_CASE("docker: buildx ls output (old and new node prefixes) is parsed", "[docker][buildx]") {
  auto builders = docker::parse_buildx_ls(
      "NAME/NODE       DRIVER/ENDPOINT             STATUS  BUILDKIT PLATFORMS\n"
      "airflow_cache   docker-container\n"
      "  airflow_cache0 unix:///var/run/docker.sock running v0.12.4 linux/amd64, linux/386\n"
      "  airflow_cache1 tcp://127.0.0.1:2375 running v0.12.4 linux/arm64\n"
      "default*        docker\n"
      " \\_ default      \\_ default                 running v0.13.1 linux/amd64\n");
  REQUIRE(builders.size() == 2);
  CHECK(builders[0].name == "airflow_cache");
  CHECK(builders[0].supports("linux/arm64"));
  CHECK(builders[0].nodes[1].endpoint == "tcp://127.0.0.1:2375");
  CHECK(builders[1].name == "default");
  CHECK(builders[1].current);
  REQUIRE(builders[1].nodes.size() == 1);
  CHECK(builders[1].nodes[0].name == "default");
}

TEST_CASE("docker: the emulation step is the seed's line and binfmt's status is read",
          "[docker][buildx]") {
  CHECK(docker::emulation_argv("docker") ==
        std::vector<std::string>{"docker", "run", "--privileged", "--rm", "tonistiigi/binfmt",
                                 "--install", "all"});
  CHECK(docker::parse_binfmt_supported(
            "installing: arm64 OK\n{\"supported\":[\"linux/amd64\",\"linux/arm64\"]}") ==
        std::vector<std::string>{"linux/amd64", "linux/arm64"});
  CHECK(docker::parse_binfmt_supported("no json").empty());
}
