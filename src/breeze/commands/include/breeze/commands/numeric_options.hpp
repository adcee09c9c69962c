#pragma once

// One set of checks for every numeric option and numeric environment variable: a value must be a
// plain finite number inside a sane range, or it is a usage error (exit 2) with one line.
// CLI::Range alone is not enough: every comparison with NaN is false, so `nan` passes it, and for
// a double `1e12` seconds is "in range" of nothing sensible but still becomes an overflowing
// deadline. These validators see the option's text before CLI11 converts it.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace breeze::commands::numeric {

/// Why `text` is not a finite decimal number in [min, max]; empty when it is one.
[[nodiscard]] inline std::string real_problem(std::string_view text, double min, double max) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end)
    return fmt::format("'{}' is not a number", text);
  if (ec != std::errc::result_out_of_range && !std::isfinite(value))
    return fmt::format("'{}' is not a finite number", text);
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    return fmt::format("'{}' is out of range: give a number from {:g} to {:g}", text, min, max);
  return {};
}

/// Why `text` is not a whole number in [min, max]; empty when it is one.
[[nodiscard]] inline std::string integer_problem(std::string_view text, long long min,
                                                 long long max) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end)
    return fmt::format("'{}' is not a whole number", text);
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    return fmt::format("'{}' is out of range: give a whole number from {} to {}", text, min, max);
  return {};
}

/// CLI11 check for a real-valued option (seconds, ...): finite and within [min, max].
[[nodiscard]] inline CLI::Validator real_in(double min, double max) {
  return CLI::Validator([min, max](std::string& v) { return real_problem(v, min, max); },
                        fmt::format("NUMBER in [{:g} - {:g}]", min, max), "REAL_IN");
}

/// CLI11 check for a whole-number option (counts, minutes, ...): within [min, max].
[[nodiscard]] inline CLI::Validator integer_in(long long min, long long max) {
  return CLI::Validator([min, max](std::string& v) { return integer_problem(v, min, max); },
                        fmt::format("INT in [{} - {}]", min, max), "INTEGER_IN");
}

/// The largest parallelism any command accepts.
inline constexpr long long k_max_parallelism = 64;
/// The longest time (seconds) any timeout may be: one week. Longer is a typo, and far longer
/// overflows the clock's deadline arithmetic.
inline constexpr double k_max_timeout_seconds = 7 * 24 * 3600.0;

} // namespace breeze::commands::numeric
