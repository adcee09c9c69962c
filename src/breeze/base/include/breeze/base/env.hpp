#pragma once

#include <functional>
#include <optional>
#include <string>

namespace breeze {

/// Reads an environment variable (injectable so tests need not touch the real environment).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment.
[[nodiscard]] EnvLookup process_env();

} // namespace breeze
