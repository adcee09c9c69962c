#pragma once

// PEP 508 environment markers, hand-written because no packaged C++ library parses or evaluates
// them (the reference is Python's `packaging.markers`, whose grammar and evaluation rules this
// follows; differences are noted on the declarations).

#include <breeze/base/expected.hpp>

#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace breeze::constraints {

/// The PEP 508 marker variables. Legacy spellings (`os.name`, `sys.platform`, `platform.version`,
/// `platform.machine`, `platform.python_implementation`, `python_implementation`) parse to these.
enum class MarkerVariable {
  os_name,
  sys_platform,
  platform_machine,
  platform_python_implementation,
  platform_release,
  platform_system,
  platform_version,
  python_version,
  python_full_version,
  implementation_name,
  implementation_version,
  extra,
};

/// The PEP 508 spelling of a variable, e.g. `python_version`.
[[nodiscard]] std::string_view to_string(MarkerVariable variable);

/// The values markers are evaluated against: one target interpreter and platform.
struct MarkerEnvironment {
  std::string os_name;
  std::string sys_platform;
  std::string platform_machine;
  std::string platform_python_implementation;
  std::string platform_release;
  std::string platform_system;
  std::string platform_version;
  std::string python_version;
  std::string python_full_version;
  std::string implementation_name;
  std::string implementation_version;
  /// Extras being installed; `extra == "x"` holds only for these (compared PEP 685-normalised).
  std::set<std::string> extras;

  /// CPython on Linux. `python` is `3.11` (full version taken as `3.11.0`, the first release of
  /// that line, since a constraints run targets a line, not a patch release) or `3.11.4`.
  /// platform_release and platform_version are left empty: they name a kernel build we cannot know.
  [[nodiscard]] static MarkerEnvironment for_linux(std::string python,
                                                   std::string machine = "x86_64");

  /// The value of a variable; `extra` has none here (evaluation supplies it) and yields "".
  [[nodiscard]] const std::string& value(MarkerVariable variable) const;
};

/// A comparison operator in a marker.
enum class MarkerOp {
  equal,           ///< ==
  not_equal,       ///< !=
  less,            ///< <
  less_equal,      ///< <=
  greater,         ///< >
  greater_equal,   ///< >=
  compatible,      ///< ~=
  arbitrary_equal, ///< ===
  in,              ///< in
  not_in,          ///< not in
};

/// The marker spelling of an operator, e.g. `>=` or `not in`.
[[nodiscard]] std::string_view to_string(MarkerOp op);

/// One side of a comparison: a variable or the contents of a quoted string.
using MarkerOperand = std::variant<MarkerVariable, std::string>;

/// `lhs op rhs`, e.g. `python_version < "3.10"` or `"linux" in sys_platform`.
struct MarkerComparison {
  MarkerOperand lhs;
  MarkerOp op = MarkerOp::equal;
  MarkerOperand rhs;
};

/// A parsed marker expression: a comparison, or `and`/`or` of sub-expressions.
class Marker {
public:
  enum class Kind { comparison, all_of, any_of };

  /// Parses marker text (what follows `;` in a requirement); usage Error on bad input.
  [[nodiscard]] static Expected<Marker> parse(std::string_view text);

  /// A single comparison.
  [[nodiscard]] static Marker compare(MarkerComparison comparison);
  /// `a and b and …`; nested `and`s are flattened, a single child is returned as is.
  [[nodiscard]] static Marker all_of(std::vector<Marker> children);
  /// `a or b or …`; nested `or`s are flattened, a single child is returned as is.
  [[nodiscard]] static Marker any_of(std::vector<Marker> children);

  /// Whether the marker holds in `env`. Versions are compared as PEP 440 versions when both
  /// sides parse and the operator is a version operator, else as strings (`in` is substring).
  /// With extras requested it holds when it holds for no extra or for any one requested extra,
  /// as pip gathers a package's dependencies for `pkg[a,b]`. A `~=` between non-versions, which
  /// packaging raises on, is false.
  [[nodiscard]] bool evaluate(const MarkerEnvironment& env) const;

  /// Normalised text: `python_version < "3.10" and (os_name == "nt" or extra == "x")`, with
  /// canonical variable names, double quotes (single when the value holds `"`) and only the
  /// parentheses precedence needs. parse(str()).str() == str().
  [[nodiscard]] std::string str() const;

  [[nodiscard]] Kind kind() const { return m_kind; }
  /// The comparison (Kind::comparison only).
  [[nodiscard]] const MarkerComparison& comparison() const { return m_comparison; }
  /// The operands of `and`/`or` (empty for a comparison).
  [[nodiscard]] const std::vector<Marker>& children() const { return m_children; }
  /// True when some comparison involves the `extra` variable.
  [[nodiscard]] bool uses_extra() const;

private:
  [[nodiscard]] static Marker combine(Kind kind, std::vector<Marker> children);
  [[nodiscard]] bool evaluate(const MarkerEnvironment& env, const std::string& extra) const;

  Kind m_kind = Kind::comparison;
  MarkerComparison m_comparison;
  std::vector<Marker> m_children;
};

} // namespace breeze::constraints
