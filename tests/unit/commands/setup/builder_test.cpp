#include <support/catch.hpp>

#include <breeze/commands/setup/builder.hpp>
#include <breeze/docker/buildx.hpp>

using namespace breeze;

TEST_CASE("docker: setup builder plans create, then only the nodes not present yet",
          "[docker][buildx]") {
  commands::setup::SetupBuilderOptions o;
  o.append = {"tcp://10.0.0.1:2375", "10.0.0.2:2375"};
  o.platforms = "linux/arm64";
  auto fresh = commands::setup::plan_builder_changes(o, std::nullopt, "docker");
  REQUIRE(fresh.size() == 3);
  CHECK(fresh[0] == std::vector<std::string>{"docker", "buildx", "create", "--name",
                                             "airflow_cache", "--platform", "linux/arm64"});
  CHECK(fresh[1] == std::vector<std::string>{"docker", "buildx", "create", "--name",
                                             "airflow_cache", "--append", "tcp://10.0.0.1:2375",
                                             "--platform", "linux/arm64"});
  docker::BuilderInfo existing{"airflow_cache",
                               "docker-container",
                               false,
                               {{"airflow_cache0", "unix:///var/run/docker.sock", "running", {}},
                                {"airflow_cache1", "tcp://10.0.0.2:2375", "running", {}}}};
  auto more = commands::setup::plan_builder_changes(o, existing, "docker");
  REQUIRE(more.size() == 1);
  CHECK(more[0][6] == "tcp://10.0.0.1:2375");
  o.append.push_back("tcp://10.0.0.1:2375"); // the same node twice is appended once
  CHECK(commands::setup::plan_builder_changes(o, existing, "docker").size() == 1);
}
