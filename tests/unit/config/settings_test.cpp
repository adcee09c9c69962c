#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/config/settings.hpp>

using namespace breeze;

namespace {
EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    if (auto it = values.find(name); it != values.end()) return it->second;
    return std::nullopt;
  };
}
} // namespace

TEST_CASE("built-in defaults are Airflow's", "[config]") {
  config::Settings s;
  CHECK(s.python_versions == std::vector<std::string>{"3.10", "3.11", "3.12", "3.13"});
  CHECK(s.newest_python() == "3.13");
  CHECK(s.default_branch == "main");
  CHECK(s.registry == "ghcr.io");
  CHECK(s.constraints_modes == std::vector<std::string>{"constraints-source-providers",
                                                        "constraints", "constraints-no-providers"});
  CHECK(s.check_python("3.12"));
  CHECK(s.check_python("3.9").error().kind == ErrorKind::usage);
  CHECK(s.package_build_command.empty()); // refresh-images uses breeze's own package commands
}

TEST_CASE("breeze.yaml overrides defaults", "[config]") {
  config::Settings s;
  REQUIRE(config::apply_yaml(s, "python-versions: ['3.11', '3.12']\nregistry: 127.0.0.1:5000\n"));
  CHECK(s.python_versions == std::vector<std::string>{"3.11", "3.12"});
  CHECK(s.registry == "127.0.0.1:5000");
  CHECK(s.default_branch == "main");
}

TEST_CASE("breeze.yaml sets the package-build command", "[config]") {
  config::Settings s;
  REQUIRE(config::apply_yaml(s, "package-build-command: make wheels\n"));
  CHECK(s.package_build_command == "make wheels");
  CHECK_FALSE(config::apply_yaml(s, "package-build-command: [a, b]\n"));
}

TEST_CASE("malformed breeze.yaml names file and line", "[config]") {
  config::Settings s;
  SECTION("syntax error") {
    auto r = config::apply_yaml(s, "registry: ghcr.io\npython-versions: [3.10, 3.11\n");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::usage);
    CHECK_THAT(r.error().message, Catch::StartsWith("breeze.yaml:3: "));
  }
  SECTION("unknown key suggests the right one") {
    auto r = config::apply_yaml(s, "registry: ghcr.io\npython-version: ['3.10']\n");
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "breeze.yaml:2: unknown setting 'python-version' (did you mean 'python-versions'?)");
  }
  SECTION("wrong type") {
    auto r = config::apply_yaml(s, "\n\npython-versions: 3.10\n");
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "breeze.yaml:3: 'python-versions' must be a non-empty list of strings");
  }
  SECTION("not a mapping") {
    auto r = config::apply_yaml(s, "- a\n- b\n");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith("breeze.yaml:1: "));
  }
}

TEST_CASE("environment overrides breeze.yaml", "[config]") {
  files::TempDir dir;
  test::write_file(dir.path() / "breeze.yaml",
                   "python-versions: ['3.11']\ndefault-branch: v2-10-test\n");
  std::filesystem::create_directories(dir.path() / "a" / "b");
  auto s =
      config::load("", dir.path() / "a" / "b", env_of({{"BREEZE_PYTHON_VERSIONS", "3.12,3.13"}}));
  REQUIRE(s);
  CHECK(s->sources_root == dir.path());
  CHECK(s->python_versions == std::vector<std::string>{"3.12", "3.13"});
  CHECK(s->default_branch == "v2-10-test");
}

TEST_CASE("sources root is found by walking up to Dockerfile.ci", "[config]") {
  files::TempDir dir;
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  std::filesystem::create_directories(dir.path() / "dev" / "breeze");
  CHECK(config::find_sources_root(dir.path() / "dev" / "breeze") == dir.path());
  auto missing = config::load((dir.path() / "nope").string(), dir.path(), env_of({}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::usage);
}

TEST_CASE("breeze.yaml sets constraints generation commands and freeze filters", "[config]") {
  config::Settings s;
  REQUIRE(config::apply_yaml(s, "constraints-generation-commands:\n  constraints: uv pip freeze\n"
                                "freeze-drop-prefixes: [\"myproject==\"]\n"
                                "freeze-drop-containing: [\" @ \"]\n"));
  CHECK(s.constraints_generation_commands.at("constraints") == "uv pip freeze");
  CHECK(s.constraints_generation_commands.at("constraints-source-providers") ==
        "pip freeze"); // others stay
  CHECK(s.freeze_drop_prefixes == std::vector<std::string>{"myproject=="});
  config::Settings bad;
  auto r = config::apply_yaml(bad, "constraints-generation-commands: pip freeze\n");
  REQUIRE(!r);
  CHECK_THAT(r.error().message,
             Catch::Contains(
                 "breeze.yaml:1: 'constraints-generation-commands' must be a non-empty mapping"));
}

TEST_CASE("Python versions and constraints modes are names, never paths", "[config][safety]") {
  CHECK(config::is_python_version("3.12"));
  CHECK(config::is_python_version("3.9"));
  for (const auto* bad :
       {"../x", "3", "3.", ".12", "3.12.1", "3.12/..", "3.x", "", "3.12\n", "1234.1"})
    CHECK_FALSE(config::is_python_version(bad));
  CHECK(config::is_constraints_mode("constraints-source-providers"));
  for (const auto* bad : {"../evil", "a/b", ".hidden", "-x", "", "a b"})
    CHECK_FALSE(config::is_constraints_mode(bad));

  config::Settings s;
  auto r = config::apply_yaml(s, "registry: ghcr.io\npython-versions:\n  - '3.12'\n  - '../x'\n");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::usage);
  CHECK(r.error().message ==
        "breeze.yaml:4: 'python-versions': '../x' is not a Python version like 3.12 (MAJOR.MINOR)");
  auto modes = config::apply_yaml(s, "constraints-modes: [constraints, '../../evil']\n");
  REQUIRE_FALSE(modes);
  CHECK_THAT(modes.error().message,
             Catch::StartsWith("breeze.yaml:1: 'constraints-modes': '../../evil' is not"));
  CHECK(s.python_versions == config::Settings{}.python_versions); // nothing half-applied

  auto env = config::apply_env(s, env_of({{"BREEZE_PYTHON_VERSIONS", "3.12, ../../x"}}));
  REQUIRE_FALSE(env);
  CHECK(env.error().kind == ErrorKind::usage);
  CHECK_THAT(env.error().message,
             Catch::StartsWith("BREEZE_PYTHON_VERSIONS: '../../x' is not a Python version"));
  CHECK(s.check_python("../3.12").error().kind == ErrorKind::usage);
}

TEST_CASE("the checkout's dev/breeze files give the Pythons, default Python and branches, with "
          "where they came from",
          "[config][checkout]") {
  config::Settings s;
  s.sources_root = test::fixture("airflow-checkout/v2-10-test");
  REQUIRE(config::apply_checkout(s));
  CHECK(s.python_versions == std::vector<std::string>{"3.8", "3.9", "3.10", "3.11", "3.12"});
  CHECK(s.default_python_version() == "3.8"); // Breeze: ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS[0]
  CHECK(s.default_branch == "v2-10-test");
  CHECK(s.constraints_branch == "constraints-2-10");
  CHECK(s.debian_version == "bookworm");
  CHECK(s.prod_extras == std::vector<std::string>{"aiobotocore", "amazon", "celery", "postgres"});
  CHECK_THAT(s.origin("prod-extras"),
             Catch::StartsWith("dev/breeze/src/airflow_breeze/global_constants.py:"));
  CHECK_THAT(s.origin("python-versions"),
             Catch::StartsWith("dev/breeze/src/airflow_breeze/global_constants.py:"));
  CHECK_THAT(s.origin("default-branch"),
             Catch::StartsWith("dev/breeze/src/airflow_breeze/branch_defaults.py:"));
  CHECK(s.origin("registry") == "built-in");
  CHECK(s.check_python("3.13").error().kind == ErrorKind::usage);

  // breeze.yaml, then the environment, win over the checkout.
  REQUIRE(config::apply_yaml(s, "python-versions: ['3.11', '3.12']\n", "breeze.yaml"));
  CHECK(s.origin("python-versions") == "breeze.yaml:1");
  CHECK(s.default_python_version() == "3.12"); // 3.8 is no longer allowed
  REQUIRE(config::apply_env(s, env_of({{"BREEZE_CONSTRAINTS_BRANCH", "constraints-2-9"}})));
  CHECK(s.constraints_branch == "constraints-2-9");
  CHECK(s.origin("constraints-branch") == "BREEZE_CONSTRAINTS_BRANCH");
}

TEST_CASE("an Airflow 3 checkout (airflow-core layout) gives main's values", "[config][checkout]") {
  config::Settings s;
  s.sources_root = test::fixture("airflow-checkout/main");
  REQUIRE(config::apply_checkout(s));
  CHECK(s.python_versions == std::vector<std::string>{"3.10", "3.11", "3.12", "3.13"});
  CHECK(s.default_python_version() == "3.10");
  CHECK(s.default_branch == "main");
  CHECK(s.constraints_branch == "constraints-main");
}

TEST_CASE("a folder without dev/breeze files keeps the built-in defaults", "[config][checkout]") {
  files::TempDir dir;
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  config::Settings s;
  s.sources_root = dir.path();
  REQUIRE(config::apply_checkout(s));
  CHECK(s.python_versions == std::vector<std::string>{"3.10", "3.11", "3.12", "3.13"});
  CHECK(s.default_python_version() == "3.13");
  CHECK(s.origins.empty());
  CHECK(s.checkout_notes.empty());
}

TEST_CASE("a checkout Python list breeze cannot use in image names falls back with a note",
          "[config][checkout]") {
  files::TempDir dir;
  test::write_file(dir.path() / "dev/breeze/src/airflow_breeze/global_constants.py",
                   "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS = [\"3.10\", \"../x\"]\n");
  config::Settings s;
  s.sources_root = dir.path();
  REQUIRE(config::apply_checkout(s));
  CHECK(s.python_versions == std::vector<std::string>{"3.10", "3.11", "3.12", "3.13"});
  REQUIRE(s.checkout_notes.size() == 1);
  CHECK_THAT(s.checkout_notes[0], Catch::Contains("global_constants.py:1"));
  CHECK_THAT(s.checkout_notes[0], Catch::Contains("'../x'"));
}
