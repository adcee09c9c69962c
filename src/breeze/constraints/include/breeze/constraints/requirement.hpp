#pragma once

// PEP 508 dependency specifiers (`Requires-Dist` lines), hand-written because no packaged C++
// library parses them; the reference is Python's `packaging.requirements`.

#include <breeze/base/expected.hpp>
#include <breeze/constraints/markers.hpp>
#include <breeze/constraints/version.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::constraints {

/// One parsed requirement, e.g. `awscli<1.29.18,>=1.29.17 ; extra == "awscli"`.
struct Requirement {
  std::string name;                ///< as written
  std::string normalized_name;     ///< PEP 503 (canonicalize_name)
  std::vector<std::string> extras; ///< as written, in order
  SpecifierSet specifier;          ///< in the order written; empty when none or a URL is given
  std::optional<std::string> url;  ///< for `name @ url`
  std::optional<Marker> marker;    ///< what follows `;`

  /// Parses the whole PEP 508 grammar (`name [extras] (specifiers) ; marker`, `name @ url ;
  /// marker`); a usage Error with a one-line message naming the column on bad input.
  [[nodiscard]] static Expected<Requirement> parse(std::string_view text);

  /// Normalised text: `name[a,b]>=1,<2; python_version < "3.10"` or `name @ url ; marker`
  /// (specifiers and extras keep their order, unlike packaging, which sorts them).
  [[nodiscard]] std::string str() const;

  /// True when there is no marker or it holds in `env` (the requirement is installed there).
  [[nodiscard]] bool applies_to(const MarkerEnvironment& env) const;
};

} // namespace breeze::constraints
