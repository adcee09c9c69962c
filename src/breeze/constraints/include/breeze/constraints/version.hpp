#pragma once

#include <breeze/base/expected.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breeze::constraints {

/// A PEP 440 version: parsed, normalised (str()) and totally ordered like `packaging.version`.
class Version {
public:
  /// Parses any valid PEP 440 spelling (`v1.0`, `1.0-r5`, `1.0RC1`, ` 1.0 `…); usage Error
  /// otherwise.
  [[nodiscard]] static Expected<Version> parse(std::string_view text);

  /// Normalised form, e.g. `1.0.post5`, `100!0.0`, `1.0rc1+ubuntu.1`.
  [[nodiscard]] std::string str() const;
  /// str() without the local part.
  [[nodiscard]] std::string public_version() const;
  /// Epoch and release only, e.g. `1!2.0` for `1!2.0rc1.post2`.
  [[nodiscard]] std::string base_version() const;

  [[nodiscard]] std::uint64_t epoch() const { return m_epoch; }
  [[nodiscard]] const std::vector<std::uint64_t>& release() const { return m_release; }
  /// ("a"|"b"|"rc", number) or nullopt.
  [[nodiscard]] const std::optional<std::pair<std::string, std::uint64_t>>& pre() const {
    return m_pre;
  }
  [[nodiscard]] const std::optional<std::uint64_t>& post() const { return m_post; }
  [[nodiscard]] const std::optional<std::uint64_t>& dev() const { return m_dev; }
  /// Normalised local label (`ubuntu.1`) or nullopt.
  [[nodiscard]] const std::optional<std::string>& local() const { return m_local; }

  /// True for pre-releases and dev releases (packaging's is_prerelease).
  [[nodiscard]] bool is_prerelease() const { return m_pre.has_value() || m_dev.has_value(); }
  [[nodiscard]] bool is_postrelease() const { return m_post.has_value(); }
  [[nodiscard]] bool is_devrelease() const { return m_dev.has_value(); }

  /// PEP 440 ordering (epoch, release with trailing zeros ignored, pre/post/dev, local).
  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) { return (a <=> b) == 0; }

private:
  std::uint64_t m_epoch = 0;
  std::vector<std::uint64_t> m_release;
  std::optional<std::pair<std::string, std::uint64_t>> m_pre;
  std::optional<std::uint64_t> m_post;
  std::optional<std::uint64_t> m_dev;
  std::optional<std::string> m_local;
};

/// One PEP 440 specifier: `==1.2.*`, `!=1.3`, `<=2`, `>=1`, `<3`, `>1`, `~=1.4.2`, `===foo`.
class Specifier {
public:
  [[nodiscard]] static Expected<Specifier> parse(std::string_view text);
  /// Whether `v` satisfies it. Pre-releases match only when `prereleases` is true or the
  /// specifier itself names a pre-release (PEP 440 rules).
  [[nodiscard]] bool contains(const Version& v, bool prereleases = false) const;
  /// `contains` for a raw string (=== compares strings; other operators parse it first).
  [[nodiscard]] bool contains(std::string_view version, bool prereleases = false) const;
  [[nodiscard]] const std::string& op() const { return m_op; }
  [[nodiscard]] const std::string& version() const { return m_version; }
  [[nodiscard]] std::string str() const { return m_op + m_version; }
  /// True when the specifier names a pre-release with == >= <= ~= ===, which lets
  /// pre-releases match it (packaging's Specifier.prereleases).
  [[nodiscard]] bool prereleases() const;

private:
  /// The operator alone, without the pre-release gate.
  [[nodiscard]] bool matches(const Version& v) const;

  std::string m_op;
  std::string m_version;
};

/// A comma-separated set of specifiers (all must match); empty matches every final release.
class SpecifierSet {
public:
  [[nodiscard]] static Expected<SpecifierSet> parse(std::string_view text);
  [[nodiscard]] bool contains(const Version& v, bool prereleases = false) const;
  [[nodiscard]] const std::vector<Specifier>& specifiers() const { return m_specs; }

private:
  std::vector<Specifier> m_specs;
};

} // namespace breeze::constraints
