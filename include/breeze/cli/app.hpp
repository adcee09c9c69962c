#pragma once

#include <breeze/commands/context.hpp>

#include <string>
#include <vector>

namespace breeze::cli {

/// Runs breeze with `args` (without argv[0]) against `services`; returns the process exit code
/// (0 ok, 1 failure, 2 usage error, 130 interrupted). Never exits and never throws, so tests can
/// call it in-process with fakes.
[[nodiscard]] int run(const std::vector<std::string>& args, commands::Services& services);

} // namespace breeze::cli
