#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace breeze;

// The exit-code contract, pinned against the built binary: 0 ok, 1 failure, 2 usage, 130
// interrupted.

namespace {

// The names listed under "Commands:" in a --help text: lines indented by exactly two spaces
// (a wrapped description is indented further and is not a name).
std::vector<std::string> listed_subcommands(const std::string& help) {
  std::vector<std::string> names;
  auto at = help.find("Commands:\n");
  if (at == std::string::npos) return names;
  std::istringstream lines(help.substr(at + std::string("Commands:\n").size()));
  for (std::string line; std::getline(lines, line) && !line.empty();) {
    if (!line.starts_with("  ") || line.starts_with("   ")) continue;
    std::istringstream words(line);
    std::string name;
    if (words >> name) names.push_back(name);
  }
  return names;
}

} // namespace

TEST_CASE(
    "e2e: --help of every group and command exits 0 and shows examples and the global options",
    "[e2e]") {
  // Walks the tree the binary itself lists, so a newly registered command is covered without
  // editing this test.
  std::vector<std::vector<std::string>> pending{{}};
  std::set<std::string> seen;
  while (!pending.empty()) {
    auto cmd = pending.back();
    pending.pop_back();
    seen.insert(strings::join(cmd, " "));
    auto args = cmd;
    args.push_back("--help");
    auto r = test::run_binary(args);
    INFO("breeze " << strings::join(args, " "));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Examples:"));
    for (const auto* option :
         {"--verbose", "--dry-run", "--answer", "--github-repository", "--airflow-sources"})
      CHECK_THAT(r.out, Catch::Contains(option));
    REQUIRE(cmd.size() <= 4); // a deeper path means the walk is following text that is no command
    for (const auto& sub : listed_subcommands(r.out)) {
      auto child = cmd;
      child.push_back(sub);
      pending.push_back(child);
    }
  }
  // Pins the walk itself: every command registered in cli/app.cpp was reached.
  for (const auto* expected :
       {"", "version", "ci-image", "ci-image build", "ci-image save", "ci-image load", "prod-image",
        "prod-image build", "ci", "ci find-backtracking-candidates", "release-management",
        "release-management update-constraints", "release-management restore-constraints-tags",
        "release-management publish-constraints", "ci refresh-images", "setup", "setup builder",
        "setup emulation", "setup doctor"}) {
    INFO("breeze " << expected);
    CHECK(seen.count(expected) == 1);
  }
}

TEST_CASE("e2e: no command name wraps in --help, and --help after an unknown word is a usage error",
          "[e2e]") {
  auto r = test::run_binary({"ci", "--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("\n  find-backtracking-candidates  "));
  auto bad = test::run_binary({"ci", "Find", "--help"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("No such command 'Find' in 'breeze ci'"));
  CHECK(bad.out.empty());
}

TEST_CASE("e2e: unknown command suggests the closest one, exit 2", "[e2e]") {
  auto r = test::run_binary({"ci-imag", "build"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("Did you mean 'ci-image'?"));
  CHECK(r.out.empty());
  auto r2 = test::run_binary({"relase-management"});
  CHECK(r2.exit_code == 2);
  CHECK_THAT(r2.err, Catch::Contains("Did you mean 'release-management'?"));
  // A hidden command (setup config-reference, for breeze's docs) is not offered.
  auto r3 = test::run_binary({"setup", "no-such"});
  CHECK(r3.exit_code == 2);
  CHECK_THAT(r3.err,
             Catch::Contains("Commands: builder, emulation, doctor, autocomplete, man-page.\n"));
}

TEST_CASE("e2e: a mistyped option suggests the command's closest option, exit 2", "[e2e]") {
  auto r = test::run_binary({"ci-image", "build", "--pyhton", "3.11"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("error: No such option '--pyhton' for 'breeze ci-image "
                                      "build'. Did you mean '--python'?\n"));
  CHECK_THAT(r.err, !Catch::Contains("were not expected"));
  // Per command: setup doctor's own option, and the group form that means `build`.
  auto doctor = test::run_binary({"setup", "doctor", "--outptu=json"});
  CHECK_THAT(doctor.err, Catch::Contains("'--outptu' for 'breeze setup doctor'. Did you mean "
                                         "'--output'?"));
  auto implied = test::run_binary({"ci-image", "--docker-cach", "registry"});
  CHECK(implied.exit_code == 2);
  CHECK_THAT(implied.err, Catch::Contains("Did you mean '--docker-cache'?"));
  // A command typo is still the command's message.
  auto command = test::run_binary({"ci-image", "buidl", "--python", "3.11"});
  CHECK_THAT(command.err, Catch::Contains("No such command 'buidl'"));
}

TEST_CASE("e2e: --version and -V print breeze's version, exit 0", "[e2e]") {
  for (const auto* flag : {"--version", "-V"}) {
    auto r = test::run_binary({flag});
    CHECK(r.exit_code == 0);
    CHECK(r.out == std::string("breeze ") + BREEZE_VERSION + "\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("e2e: unknown option is a one-line usage error, exit 2", "[e2e]") {
  auto r = test::run_binary({"version", "--frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--frobnicate"));
  CHECK_THAT(r.err, !Catch::Contains("terminate"));
}

TEST_CASE("e2e: version works and reads breeze.yaml, malformed yaml exits 2 with file:line",
          "[e2e]") {
  files::TempDir dir;
  test::write_file(dir.path() / "breeze.yaml", "python-versions: ['3.12']\n");
  auto ok = test::run_binary({"version"}, {}, dir.path());
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Python versions: 3.12 (" +
                                     (dir.path() / "breeze.yaml").string() + ":1)\n"));

  test::write_file(dir.path() / "breeze.yaml", "python-versions: ['3.12']\nregistry: {a: [\n");
  auto bad = test::run_binary({"version"}, {}, dir.path());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("breeze.yaml:3: "));
  CHECK(bad.err.find('\n') == bad.err.size() - 1); // one line
}

TEST_CASE("e2e: global options come from Breeze's environment variables", "[e2e]") {
  auto r =
      test::run_binary({"version"}, {{"GITHUB_REPOSITORY", "fork/airflow"}, {"VERBOSE", "true"}});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("GitHub repository: fork/airflow"));
  auto bad = test::run_binary({"version"}, {{"ANSWER", "perhaps"}});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("e2e: a token from the environment or a secret option is never printed, even echoed in "
          "an error",
          "[e2e][safety]") {
  const std::string token = "ghp_e2eSecretToken0123";
  // The unknown command word is echoed back in the error: it must come out masked.
  auto from_env = test::run_binary({token}, {{"GITHUB_TOKEN", token}});
  CHECK(from_env.exit_code == 2);
  CHECK_THAT(from_env.err, Catch::Contains("***"));
  CHECK(from_env.out.find(token) == std::string::npos);
  CHECK(from_env.err.find(token) == std::string::npos);
  // A value given to a secret-named option is registered too, whatever the error is.
  auto from_arg = test::run_binary({"ci-image", "build", "--github-token", token, "--verbose"});
  CHECK(from_arg.exit_code != 0);
  CHECK(from_arg.out.find(token) == std::string::npos);
  CHECK(from_arg.err.find(token) == std::string::npos);
  // URL userinfo is stripped from anything echoed back.
  auto in_url =
      test::run_binary({"https://x-access-token:" + token + "@github.com/apache/airflow.git"});
  CHECK(in_url.exit_code == 2);
  CHECK_THAT(in_url.err, Catch::Contains("https://github.com/apache/airflow.git"));
  CHECK(in_url.err.find(token) == std::string::npos);
}

TEST_CASE("e2e: options only Python Breeze has are one line saying so, not a parse error",
          "[e2e][python-breeze-only]") {
  const std::string why = " (Python Breeze's option; see docs/differences-from-breeze.md)\n";
  const std::vector<std::vector<std::string>> cases = {
      {"prod-image", "build", "--install-airflow-version", "2.9.0"},
      {"prod-image", "build", "--installation-method=apache-airflow"},
      {"ci-image", "build", "--python", "3.11", "--disable-airflow-repo-cache"},
      {"release-management", "generate-constraints", "--chicken-egg-providers", "x"},
      {"release-management", "generate-constraints", "--no-use-uv"},
      {"ci-image", "build", "--image-name", "foo"},
      {"ci-image", "build", "--wait-for-image"},
      {"ci-image", "load", "--verify"},
      {"setup", "doctor", "--use-sudo"},
      {"ci", "find-backtracking-candidates", "--database-isolation"},
  };
  for (const auto& args : cases) {
    INFO(strings::join(args, " "));
    auto r = test::run_binary(args);
    CHECK(r.exit_code == 2);
    auto option = args[args.size() - 1].starts_with("--") ? args.back() : args[args.size() - 2];
    option = option.substr(0, option.find('='));
    if (!option.starts_with("--")) option = args[2];
    CHECK(r.err == "error: not supported by this breeze: " + option + why);
    CHECK(r.out.empty());
  }
  // Options breeze has are untouched, and typos still get "did you mean".
  auto typo = test::run_binary({"ci-image", "build", "--image-tagg", "x"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("Did you mean '--image-tag'?"));
  CHECK_THAT(typo.err, !Catch::Contains("not supported"));
  CHECK(test::run_binary({"ci-image", "build", "--image-tag", "x", "--help"}).exit_code == 0);
}

TEST_CASE("e2e: -V of prod-image build is Python Breeze's --install-airflow-version, not supported",
          "[e2e][python-breeze-only]") {
  const std::string says = "error: not supported by this breeze: -V (--install-airflow-version, "
                           "Python Breeze's option; see docs/differences-from-breeze.md)\n";
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"prod-image", "build", "-V", "2.9.0"},
                                             {"prod-image", "build", "--python", "3.11", "-V2.9.0"},
                                             {"-v", "prod-image", "build", "-V", "2.9.0"}}) {
    INFO(strings::join(args, " "));
    auto r = test::run_binary(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == says);
    CHECK(r.out.empty());
  }
  // Breeze's own -V (--version) is untouched, and elsewhere -V is no Python Breeze option.
  auto version = test::run_binary({"-V"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("breeze "));
  auto ci = test::run_binary({"ci-image", "build", "-V"});
  CHECK(ci.exit_code == 2);
  CHECK_THAT(ci.err, !Catch::Contains("not supported"));
}
