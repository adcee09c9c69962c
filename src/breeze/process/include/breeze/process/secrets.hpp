#pragma once

#include <breeze/base/env.hpp>
#include <breeze/process/runner.hpp>

#include <string>
#include <vector>

namespace breeze::process {

/// True for environment variable names that hold secrets (GITHUB_TOKEN, *_TOKEN, *PASSWORD*,
/// *SECRET*).
[[nodiscard]] bool is_secret_name(const std::string& name);

/// Every secret value a printed form of `spec` could contain: spec.secrets, values of secret-named
/// variables in spec.env and in the inherited environment, and argv values given to options such as
/// `--password X`, `--token=X`, `--github-token X` or `-p X` after `login`.
[[nodiscard]] std::vector<std::string> secrets_of(const ProcessSpec& spec, const EnvLookup& env);

/// `text` with every occurrence of every (non-empty) secret replaced by `***`.
[[nodiscard]] std::string mask(std::string text, const std::vector<std::string>& secrets);

/// The copy-pasteable, shell-quoted form of `spec` (env assignments, argv) with secrets masked.
[[nodiscard]] std::string printable(const ProcessSpec& spec, const EnvLookup& env);

} // namespace breeze::process
