#pragma once

#include <string>
#include <string_view>

namespace breeze::constraints {

/// PEP 503 normalised project name: runs of `-`, `_`, `.` become `-`, lower-cased
/// (`Flask_AppBuilder` → `flask-appbuilder`). What PyPI URLs and name matching use.
[[nodiscard]] std::string canonicalize_name(std::string_view name);

/// True when `name` is a valid project name per PEP 508
/// (`^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, any case).
[[nodiscard]] bool is_valid_name(std::string_view name);

} // namespace breeze::constraints
