#pragma once

// The one place an image's identity comes from the settings (docker:: knows no Settings).

#include <breeze/config/settings.hpp>
#include <breeze/docker/image.hpp>

#include <string>

namespace breeze::commands {

/// `base` with the identity the settings decide: `type`, the settings' registry, GitHub repository
/// and default branch, and `python` (empty: the settings' default_python_version(); ImageParams has
/// no default Python, so every image's Python comes from here); for PROD with no extras in `base`,
/// the checkout's DEFAULT_EXTRAS.
[[nodiscard]] docker::ImageParams image_params(const config::Settings& settings,
                                               docker::ImageType type, std::string python = {},
                                               docker::ImageParams base = {});

} // namespace breeze::commands
