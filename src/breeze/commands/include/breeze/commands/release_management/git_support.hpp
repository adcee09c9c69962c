#pragma once

#include <breeze/commands/context.hpp>
#include <breeze/git/constraints_repo.hpp>

namespace breeze::commands::release_management {

/// A tag signer that runs `gpg --armor --detach-sign` through ctx.runner(); usage Error when gpg is
/// not on PATH.
[[nodiscard]] Expected<git::Signer> gpg_signer(Context& ctx);

} // namespace breeze::commands::release_management
