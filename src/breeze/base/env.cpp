#include <breeze/base/env.hpp>

#include <cstdlib>

namespace breeze {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

} // namespace breeze
