#pragma once

#include <breeze/base/expected.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace breeze::time {

/// A UTC instant with microsecond precision (what PyPI and Python's isoformat() carry).
using Instant = std::chrono::sys_time<std::chrono::microseconds>;

/// Parses ISO 8601 as found in the wild: `2023-08-09T21:48:23Z`, `2025-01-15T10:22:33.123456`,
/// `2024-06-06T07:19:46.079179+02:00`, `2023-08-09 21:48:23`, or a bare date `2023-08-09`.
/// A value without offset is taken as UTC (Airflow's CI writes UTC without a `Z`).
[[nodiscard]] Expected<Instant> parse_iso8601(std::string_view text);

/// `2023-08-09 21:48:23` (UTC, seconds) — the format Breeze prints.
[[nodiscard]] std::string format_human(Instant t);

/// `2023-08-09T21:48:23Z` (UTC, seconds) — the format written into constraints headers.
[[nodiscard]] std::string format_iso_z(Instant t);

/// Current time.
[[nodiscard]] Instant now();

} // namespace breeze::time
