#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/process/dry_run.hpp>
#include <breeze/process/secrets.hpp>

#include <nlohmann/json.hpp>

using namespace breeze;

TEST_CASE("breeze version prints the version and settings", "[cli]") {
  test::InProcess app;
  REQUIRE(app.run({"version"}) == 0);
  CHECK_THAT(app.out.str(), Catch::Contains("breeze version: " BREEZE_VERSION));
  CHECK_THAT(app.out.str(), Catch::Contains("Python versions: 3.10 3.11 3.12 3.13"));
  CHECK_THAT(app.out.str(), Catch::Contains("GitHub repository: apache/airflow"));
}

TEST_CASE("breeze version --output json prints one JSON document with each setting's origin",
          "[cli][json]") {
  test::InProcess app;
  app.env["BREEZE_DEFAULT_BRANCH"] = "v2-10-test";
  REQUIRE(app.run({"version", "--output", "json", "-g", "someone/airflow"}) == 0);
  const auto doc = nlohmann::json::parse(app.out.str());
  CHECK(doc.at("version") == BREEZE_VERSION);
  CHECK(doc.at("github_repository") == "someone/airflow");
  CHECK(doc.at("settings").at("python-versions").at("value") ==
        nlohmann::json({"3.10", "3.11", "3.12", "3.13"}));
  CHECK(doc.at("settings").at("python-versions").at("origin") == "built-in");
  CHECK(doc.at("settings").at("default-branch").at("value") == "v2-10-test");
  CHECK(doc.at("settings").at("default-branch").at("origin") == "BREEZE_DEFAULT_BRANCH");
  CHECK(doc.at("settings").at("default-python").at("value") == "3.13");
  CHECK(doc.at("settings").contains("registry"));
  CHECK(doc.at("constraints_modes").is_array());
  CHECK((doc.at("sources_root").is_null() || doc.at("sources_root").is_string()));
  CHECK(app.run({"version", "--output", "yaml"}) == 2);
}

TEST_CASE("the -g flag and GITHUB_REPOSITORY set the repository, and the flag wins", "[cli]") {
  test::InProcess app;
  REQUIRE(app.run({"version", "-g", "someone/airflow"}) == 0);
  CHECK_THAT(app.out.str(), Catch::Contains("GitHub repository: someone/airflow"));
  test::InProcess bad;
  CHECK(bad.run({"version", "--github-repository", "no-slash"}) == 2);
}

TEST_CASE("unknown commands are usage errors", "[cli]") {
  test::InProcess app;
  CHECK(app.run({"ci-imag"}) == 2);
  CHECK(app.run({"ci", "no-such-command"}) == 2);
  CHECK(app.run({"version", "--no-such-flag"}) == 2);
}

TEST_CASE("the --answer option accepts Breeze's words only", "[cli]") {
  test::InProcess app;
  CHECK(app.run({"version", "--answer", "yes"}) == 0);
  CHECK(app.run({"version", "-a", "Q"}) == 0);
  CHECK(app.run({"version", "--answer", "maybe"}) == 2);
}

TEST_CASE("groups without a command print their help", "[cli]") {
  test::InProcess app;
  REQUIRE(app.run({"release-management"}) == 0);
  CHECK_THAT(app.out.str(), Catch::Contains("release managers"));
}

TEST_CASE("malformed breeze.yaml is a usage error", "[cli]") {
  files::TempDir dir;
  test::write_file(dir.path() / "breeze.yaml", "registry: [unterminated\n");
  test::InProcess app;
  app.cwd = dir.path();
  CHECK(app.run({"version"}) == 2);
  CHECK(app.out.str().empty());
}

TEST_CASE("dry-run prints state-changing commands with secrets masked and runs none", "[process]") {
  test::RecordingRunner inner;
  std::ostringstream out;
  auto env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "GITHUB_TOKEN") return std::string("ghp_secret123");
    return std::nullopt;
  };
  process::DryRunRunner dry(inner, out, env);
  process::ProcessSpec push{{"docker", "login", "ghcr.io", "-u", "me", "-p", "hunter2"}};
  auto r = dry.run(push);
  REQUIRE(r);
  CHECK(r->dry_run);
  CHECK(inner.calls.empty());
  CHECK(out.str() == "docker login ghcr.io -u me -p ***\n");

  process::ProcessSpec token{{"git", "push", "https://x:ghp_secret123@github.com/a/b"}};
  token.env["GITHUB_TOKEN"] = "ghp_secret123";
  out.str("");
  REQUIRE(dry.run(token));
  // URL userinfo is stripped whole (issue 11): neither the user nor the token is shown.
  CHECK(out.str() == "GITHUB_TOKEN=*** git push https://github.com/a/b\n");

  process::ProcessSpec read_only{{"docker", "buildx", "version"}};
  read_only.changes_state = false;
  REQUIRE(dry.run(read_only));
  CHECK(inner.calls.size() == 1);
}

TEST_CASE("secret option values are found in every spelling", "[process]") {
  process::ProcessSpec spec{{"tool", "--password=abc", "--github-token", "tok", "--other", "x"}};
  auto secrets = process::secrets_of(spec, nullptr);
  CHECK(process::mask("abc tok x", secrets) == "*** *** x");
}

TEST_CASE("an image group's options before one of its command words imply no build",
          "[unit][cli]") {
  // `build` is implied only when no command word of the image groups follows (the table's names).
  test::InProcess app;
  REQUIRE(app.run({"ci-image", "--dry-run", "save", "-p", "3.12", "--platform", "linux/amd64"}) ==
          0);
  CHECK_THAT(app.out.str(), Catch::Contains("save"));
  CHECK_THAT(app.out.str(), Catch::Contains("ci/python3.12"));
}
