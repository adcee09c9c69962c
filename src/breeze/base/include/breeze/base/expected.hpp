#pragma once

// A small std::expected-shaped type until the toolchain has C++23 <expected>.
// Only what breeze uses: value or Error, has_value/operator bool, value(), error(), and ->.

#include <breeze/base/error.hpp>

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace breeze {

/// Wraps an Error so `return Unexpected{err};` reads like std::unexpected.
struct Unexpected {
  Error error;
};
inline Unexpected unexpected(Error e) { return Unexpected{std::move(e)}; }

/// A T or an Error.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected() requires std::is_default_constructible_v<T> : m_data(std::in_place_index<0>) {}
  template <typename U = T>
  requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, Expected>)&&(
      !std::is_same_v<std::remove_cvref_t<U>, Unexpected>)&&(!std::is_same_v<std::remove_cvref_t<U>,
                                                                             Error>)
      Expected(U&& value)
      : m_data(std::in_place_index<0>, std::forward<U>(value)) {}
  Expected(Unexpected u) : m_data(std::in_place_index<1>, std::move(u.error)) {}
  Expected(Error e) : m_data(std::in_place_index<1>, std::move(e)) {}

  [[nodiscard]] bool has_value() const { return m_data.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(m_data);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(m_data);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(m_data));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(m_data);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(m_data));
  }

  template <typename U> T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

private:
  std::variant<T, Error> m_data;
};

/// Success-or-Error for operations without a value.
template <> class [[nodiscard]] Expected<void> {
public:
  Expected() = default;
  Expected(Unexpected u) : m_error(std::move(u.error)), m_failed(true) {}
  Expected(Error e) : m_error(std::move(e)), m_failed(true) {}

  [[nodiscard]] bool has_value() const { return !m_failed; }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  const Error& error() const& {
    assert(m_failed);
    return m_error;
  }
  Error&& error() && {
    assert(m_failed);
    return std::move(m_error);
  }

private:
  Error m_error;
  bool m_failed = false;
};

} // namespace breeze

/// Propagate an error: `BREEZE_TRY(auto x, compute());` or `BREEZE_TRY_VOID(step());`.
#define BREEZE_CONCAT_INNER(a, b) a##b
#define BREEZE_CONCAT(a, b) BREEZE_CONCAT_INNER(a, b)
#define BREEZE_TRY_IMPL(tmp, decl, expr)                                                           \
  auto tmp = (expr);                                                                               \
  if (!tmp) return ::breeze::Unexpected{std::move(tmp).error()};                                   \
  decl = std::move(tmp).value()
#define BREEZE_TRY(decl, expr) BREEZE_TRY_IMPL(BREEZE_CONCAT(breeze_try_, __LINE__), decl, expr)
#define BREEZE_TRY_VOID(expr)                                                                      \
  do {                                                                                             \
    auto breeze_try_void_ = (expr);                                                                \
    if (!breeze_try_void_) return ::breeze::Unexpected{std::move(breeze_try_void_).error()};       \
  } while (0)
