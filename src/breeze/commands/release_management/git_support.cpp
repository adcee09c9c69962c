#include <breeze/commands/release_management/git_support.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <unistd.h>

namespace breeze::commands::release_management {

namespace {

bool on_path(const std::string& program, const EnvLookup& env) {
  for (const auto& dir : strings::split(env("PATH").value_or("/usr/bin:/bin"), ':')) {
    if (dir.empty()) continue;
    if (::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

} // namespace

Expected<git::Signer> gpg_signer(Context& ctx) {
  if (!on_path("gpg", ctx.services().env))
    return usage_error("--sign needs gpg on PATH (apt-get install gnupg)");
  return git::Signer([&ctx](const std::string& payload) -> Expected<std::string> {
    // gpg reads the payload from a file: the runner passes argv only, never stdin.
    BREEZE_TRY(auto dir, files::TempDir::create("breeze-sign"));
    const auto file = dir.path() / "tag.txt";
    BREEZE_TRY_VOID(files::write_atomic(file, payload));
    process::ProcessSpec spec;
    spec.argv = {"gpg", "--batch", "--armor", "--detach-sign", "--output", "-", file.string()};
    BREEZE_TRY(auto result, ctx.runner().run(spec));
    if (!result.ok() || result.out.empty())
      return failure("gpg could not sign the tag: " + std::string(strings::trim(result.err)));
    return result.out;
  });
}

} // namespace breeze::commands::release_management
