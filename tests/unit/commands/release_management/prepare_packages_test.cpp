// The package commands' container handling with a scripted runner: every way out after `docker
// run --name N` removes N, also when the copy cannot start at all (Ctrl-C just before it).

#include <breeze/base/files.hpp>
#include <breeze/cli/app.hpp>

#include "support/catch.hpp"
#include "support/helpers.hpp"

#include <filesystem>
#include <string>
#include <vector>

using namespace breeze;

namespace {

// Records every call; refuses to start `docker cp` as the posix runner refuses after Ctrl-C.
class RefusingCopyRunner final : public process::Runner {
public:
  std::vector<std::vector<std::string>> calls;
  Expected<process::ProcessResult> run(const process::ProcessSpec& spec) override {
    calls.push_back(spec.argv);
    if (spec.argv.size() > 1 && spec.argv[1] == "cp")
      return Error{ErrorKind::interrupted, "interrupted before it started", spec.argv[0]};
    return process::ProcessResult{};
  }
};

} // namespace

TEST_CASE("prepare-airflow-package removes its container when the copy cannot start",
          "[unit][packages]") {
  files::TempDir dir("breeze-packages-unit");
  const auto root = dir.path() / "airflow";
  std::filesystem::copy(test::fixture("airflow-checkout/v2-10-test"), root,
                        std::filesystem::copy_options::recursive);
  RefusingCopyRunner runner;
  test::ScriptedPrompter prompter;
  std::ostringstream out;
  std::ostringstream err;
  commands::Services services{
      runner,
      prompter,
      out,
      err,
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; },
      root};
  const int rc = cli::run({"release-management", "prepare-airflow-package"}, services);
  CHECK(rc != 0);
  std::string container;
  for (const auto& argv : runner.calls)
    if (argv.size() > 3 && argv[1] == "run" && argv[2] == "--name") container = argv[3];
  REQUIRE_FALSE(container.empty());
  REQUIRE_FALSE(runner.calls.empty());
  const auto& last = runner.calls.back();
  CHECK(last == std::vector<std::string>{"docker", "rm", "--force", container});
}
