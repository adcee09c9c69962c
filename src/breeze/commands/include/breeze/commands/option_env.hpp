#pragma once

// Options that take their value from an environment variable when the command line does not give
// one. An option declares its variable with CLI11's `->envname("VAR")` (or env_option() below);
// before parsing, seal() takes the names out of CLI11 (which would read the real getenv) and after
// parsing fill() reads them from the injected environment, so flags win and tests are sealed.

#include <breeze/base/env.hpp>
#include <breeze/base/expected.hpp>

#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace breeze::commands {

/// One option bound to an environment variable.
struct EnvOption {
  CLI::App* app = nullptr;       ///< the command (or group) the option belongs to
  CLI::Option* option = nullptr; ///< the option
  std::string variable;          ///< its environment variable, e.g. PYTHON_MAJOR_MINOR_VERSION
  bool required = false; ///< required: seal() leaves the check to fill() (the variable counts)
};

/// Declares `variable` as `option`'s environment variable (what `->envname` does, named for us).
CLI::Option* env_option(CLI::Option* option, const std::string& variable);

/// Every option of `root`'s tree with an environment variable, in registration order (pre-order).
[[nodiscard]] std::vector<EnvOption> env_options(CLI::App& root);

/// Takes the variable names out of CLI11 (so parsing never calls getenv) and returns them. A
/// required option's check moves to fill() too, since its variable may give it.
[[nodiscard]] std::vector<EnvOption> seal(CLI::App& root);

/// Gives the names (and the required checks) back to CLI11 (for help text, which shows
/// "(Env:VAR)").
void unseal(const std::vector<EnvOption>& bindings);

/// Breeze's boolean spellings: true/false, 1/0, yes/no (any case). Anything else is nullopt.
[[nodiscard]] std::optional<bool> parse_breeze_bool(const std::string& value);

/// After parsing: each option of a selected command that the command line did not give, and whose
/// variable is set (non-empty) in `env`, gets the variable's value, through the option's own
/// checks; an option taking several values gets the variable's whitespace-separated words. A global
/// option given once on any level counts for every level. A bad value, or a required option that
/// neither gives, is a usage error naming the variable.
[[nodiscard]] Expected<void> fill(const std::vector<EnvOption>& bindings, const EnvLookup& env);

} // namespace breeze::commands
