#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;

// `breeze setup builder|emulation|doctor` against the recording docker stand-in, whose builders
// live in a state directory so repeated runs see what earlier ones created.

namespace {

struct Machine {
  files::TempDir dir{"breeze-setup-e2e"};
  std::filesystem::path log = dir.path() / "docker.log";
  std::filesystem::path state = dir.path() / "state";
  std::filesystem::path home = dir.path() / "home";
  Machine() {
    std::filesystem::create_directories(state);
    std::filesystem::create_directories(home);
  }
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    extra.emplace("BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker");
    extra.emplace("FAKE_DOCKER_LOG", log.string());
    extra.emplace("FAKE_DOCKER_STATE", state.string());
    extra.emplace("HOME", home.string());
    extra.emplace("-DOCKER_CONFIG", "");
    extra.emplace("-ANSWER", "");
    return extra;
  }
  void login(const std::string& registry) const {
    test::write_file(home / ".docker/config.json",
                     R"({"auths": {")" + registry + R"(": {"auth": "eDp5"}}})");
  }
  // The argv lines of the log, without the stand-in's path.
  [[nodiscard]] std::vector<std::string> calls() const {
    std::vector<std::string> out;
    if (!std::filesystem::exists(log)) return out;
    for (const auto& line : strings::split(test::read_file(log), '\n'))
      if (line.starts_with("argv: ")) out.push_back(line.substr(6));
    return out;
  }
  [[nodiscard]] std::vector<std::string> changing_calls() const {
    std::vector<std::string> out;
    for (const auto& c : calls())
      if (c.starts_with("[buildx] [create]") || c.starts_with("[run]") ||
          c.find("--bootstrap") != std::string::npos)
        out.push_back(c);
    return out;
  }
};

const std::vector<std::string> k_builder_args{"setup",         "builder",  "--name",
                                              "airflow_cache", "--append", "tcp://127.0.0.1:2375"};

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

} // namespace

TEST_CASE(
    "e2e: setup builder creates the seed's builder, appends the remote node, then is idempotent",
    "[e2e][setup]") {
  Machine m;
  auto r = test::run_binary(with(k_builder_args, {"--answer", "yes"}), m.env());
  CHECK(r.exit_code == 0);
  CHECK(m.changing_calls() ==
        std::vector<std::string>{
            "[buildx] [create] [--name] [airflow_cache]",
            "[buildx] [create] [--name] [airflow_cache] [--append] [tcp://127.0.0.1:2375]",
            "[buildx] [inspect] [--bootstrap] [airflow_cache]"});
  CHECK_THAT(r.out, Catch::Contains("airflow_cache1  tcp://127.0.0.1:2375  running  linux/arm64"));
  CHECK_THAT(r.out, Catch::Contains("linux/arm64: buildable"));
  for (const auto& c : m.calls())
    CHECK(c.find("context") == std::string::npos); // never the docker context

  // Again, with the node spelled HOST:PORT as in the seed: nothing is created or appended.
  std::filesystem::remove(m.log);
  auto again = test::run_binary(
      {"setup", "builder", "--name", "airflow_cache", "--append", "127.0.0.1:2375"}, m.env());
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("nothing to change"));
  CHECK(m.changing_calls() ==
        std::vector<std::string>{"[buildx] [inspect] [--bootstrap] [airflow_cache]"});
  CHECK(strings::split(test::read_file(m.state / "builders"), '\n').size() ==
        3); // two nodes + final newline
}

TEST_CASE("e2e: setup builder passes --platforms to every node it adds", "[e2e][setup]") {
  Machine m;
  auto r =
      test::run_binary(with(k_builder_args, {"--platforms", "linux/amd64", "-a", "y"}), m.env());
  CHECK(r.exit_code == 0);
  CHECK(m.changing_calls()[0] ==
        "[buildx] [create] [--name] [airflow_cache] [--platform] [linux/amd64]");
  CHECK(m.changing_calls()[1] == "[buildx] [create] [--name] [airflow_cache] [--append] "
                                 "[tcp://127.0.0.1:2375] [--platform] [linux/amd64]");
}

TEST_CASE("e2e: setup builder --dry-run prints the commands and runs none", "[e2e][setup]") {
  Machine m;
  auto r = test::run_binary(with(k_builder_args, {"--dry-run"}), m.env());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out,
             Catch::Contains(
                 "fake-docker buildx create --name airflow_cache --append tcp://127.0.0.1:2375"));
  CHECK_THAT(r.out, Catch::Contains("fake-docker buildx inspect --bootstrap airflow_cache"));
  CHECK(m.changing_calls().empty());
  CHECK_FALSE(std::filesystem::exists(m.state / "builders"));
}

TEST_CASE("e2e: setup builder and emulation without --answer and without a terminal refuse to act",
          "[e2e][setup]") {
  Machine m;
  auto r = test::run_binary(k_builder_args, m.env());
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("--answer"));
  auto e = test::run_binary({"setup", "emulation"}, m.env());
  CHECK(e.exit_code != 0);
  CHECK(m.changing_calls().empty());
  CHECK_FALSE(std::filesystem::exists(m.state / "builders"));
  CHECK_FALSE(std::filesystem::exists(m.state / "emulation"));
}

TEST_CASE("e2e: setup builder without buildx says how to install it, exit 1", "[e2e][setup]") {
  Machine m;
  auto r =
      test::run_binary(with(k_builder_args, {"-a", "y"}), m.env({{"FAKE_DOCKER_NO_BUILDX", "1"}}));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("apt-get install docker-buildx"));
  CHECK_THAT(r.err, Catch::Contains("~/.docker/cli-plugins"));
  CHECK(r.err.find('\n') == r.err.size() - 1); // one line
  CHECK(m.changing_calls().empty());
}

TEST_CASE("e2e: setup emulation runs the seed's binfmt line and reports the platforms",
          "[e2e][setup]") {
  Machine m;
  auto dry = test::run_binary({"setup", "emulation", "--dry-run"}, m.env());
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out,
             Catch::Contains("fake-docker run --privileged --rm tonistiigi/binfmt --install all"));
  CHECK(m.changing_calls().empty());

  auto r = test::run_binary({"setup", "emulation", "--answer", "yes"}, m.env());
  CHECK(r.exit_code == 0);
  CHECK(m.changing_calls() ==
        std::vector<std::string>{
            "[run] [--privileged] [--rm] [tonistiigi/binfmt] [--install] [all]"});
  CHECK_THAT(r.out, Catch::Contains("Platforms now available: linux/amd64, linux/arm64"));
}

TEST_CASE("e2e: setup doctor on a healthy machine exits 0", "[e2e][setup]") {
  Machine m;
  m.login("ghcr.io");
  REQUIRE(test::run_binary(with(k_builder_args, {"-a", "y"}), m.env()).exit_code == 0);
  auto r = test::run_binary({"setup", "doctor"}, m.env());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("docker engine    ok       20.10.24+dfsg1 (reachable)"));
  CHECK_THAT(r.out, Catch::Contains("buildx           ok       github.com/docker/buildx v0.12.1"));
  CHECK_THAT(r.out,
             Catch::Contains(
                 "multi-platform   ok       linux/amd64 and linux/arm64 on builder airflow_cache"));
  CHECK_THAT(r.out, Catch::Contains("registry login   ok       ghcr.io"));
  CHECK_THAT(r.out,
             Catch::Contains("    airflow_cache1  tcp://127.0.0.1:2375  running  linux/arm64"));
  CHECK_THAT(r.out, !Catch::Contains("To fix:"));

  auto j = test::run_binary({"setup", "doctor", "--output", "json"}, m.env());
  CHECK(j.exit_code == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["ok"] == true);
  CHECK(doc["checks"].size() == 5);
}

TEST_CASE("e2e: setup doctor without buildx names it and the fix, exit 1", "[e2e][setup]") {
  Machine m;
  m.login("ghcr.io");
  auto r = test::run_binary({"setup", "doctor"}, m.env({{"FAKE_DOCKER_NO_BUILDX", "1"}}));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("buildx           MISSING  not installed"));
  CHECK_THAT(r.out, Catch::Contains("  buildx: Debian/Ubuntu: apt-get install docker-buildx"));
  CHECK_THAT(r.out, Catch::Contains("multi-platform   MISSING  needs buildx"));
  CHECK_THAT(r.out, Catch::Contains("registry login   ok"));
}

TEST_CASE("e2e: setup doctor without a registry login says docker login, exit 1", "[e2e][setup]") {
  Machine m;
  REQUIRE(test::run_binary({"setup", "emulation", "-a", "y"}, m.env()).exit_code == 0);
  auto r =
      test::run_binary({"setup", "doctor"}, m.env({{"BREEZE_REGISTRY", "registry.example:5000"}}));
  CHECK(r.exit_code == 1);
  CHECK_THAT(
      r.out,
      Catch::Contains("multi-platform   ok       linux/amd64 and linux/arm64 on builder default"));
  CHECK_THAT(r.out,
             Catch::Contains("registry login   MISSING  no login for registry.example:5000"));
  CHECK_THAT(r.out, Catch::Contains("  registry login: docker login registry.example:5000"));
}

TEST_CASE("e2e: setup doctor with the engine down says so and how to start it, exit 1",
          "[e2e][setup]") {
  Machine m;
  m.login("ghcr.io");
  auto r = test::run_binary({"setup", "doctor"}, m.env({{"FAKE_DOCKER_DOWN", "1"}}));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("docker client    ok       20.10.24+dfsg1"));
  CHECK_THAT(r.out,
             Catch::Contains(
                 "docker engine    MISSING  not reachable: Cannot connect to the Docker daemon"));
  CHECK_THAT(r.out, Catch::Contains("  docker engine: start the docker daemon"));
}

TEST_CASE("e2e: setup doctor with no docker client at all", "[e2e][setup]") {
  Machine m;
  auto r = test::run_binary({"setup", "doctor"},
                            m.env({{"BREEZE_DOCKER", (m.dir.path() / "no-docker").string()}}));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("docker client    MISSING"));
  CHECK_THAT(r.out, Catch::Contains("apt-get install docker.io"));
}
