#pragma once

// A reader of Python source as text, never by running it: the module-level assignments of string
// and list-of-strings values (what an Airflow checkout's dev/breeze files set), with where each
// value came from and why a form was not understood.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::config {

/// A value read from a module-level Python assignment: a string, or a list of strings.
struct CheckoutValue {
  bool is_list = false;
  std::string text;               ///< the string (empty for a list)
  std::vector<std::string> items; ///< the list's strings (empty for a string)
  std::filesystem::path file;     ///< the file it was read from, relative to the sources root
  int line = 0;                   ///< 1-based line of the assignment that gave the value

  /// "file:line".
  [[nodiscard]] std::string where() const;
};

/// What the module-level assignments of one Python file gave.
struct PythonAssignments {
  /// Each name's value after the whole module ran top to bottom (a later assignment replaces an
  /// earlier one; one the reader cannot evaluate removes the earlier value).
  std::map<std::string, CheckoutValue> values;
  /// Where a name got a value the reader could not evaluate, in file order:
  /// "file:line: NAME: unsupported form (why)".
  std::vector<std::string> unknown_forms;
  /// The names behind `unknown_forms`, in the same order.
  std::vector<std::string> unknown_names;

  /// The value of `name`, if it was read.
  [[nodiscard]] const CheckoutValue* find(const std::string& name) const;
};

/// Reads the module-level assignments of Python source `text`; `file` labels values and messages.
/// Understood: `NAME = "s"` / `'s'` (also r/u prefixes, adjacent literals, triple quotes),
/// `NAME = ["a", "b", ...]` over several lines with comments and a trailing comma (an item may
/// also be the name of a string read above),
/// `NAME: type = ...`, `NAME = OTHER[i]` (a negative i counts from the end) of a list read above,
/// and `NAME = OTHER` of a value read above. Any other value (f-strings, calls, `+`,
/// conditionals, numbers, None, dicts, `*` unpacking, chained or augmented assignment) and any
/// assignment in a module-level `if`/`for`/`with`/`try` block, or a list mutated with `.append()`
/// and the like, is an unknown form. Names bound inside functions and classes are not module names
/// and are skipped silently (so is the body of a one-line `if X: NAME = ...`, which is not looked
/// into). Text inside strings and docstrings is never read as code. Never fails.
[[nodiscard]] PythonAssignments parse_python_assignments(std::string_view text,
                                                         const std::filesystem::path& file);

} // namespace breeze::config
