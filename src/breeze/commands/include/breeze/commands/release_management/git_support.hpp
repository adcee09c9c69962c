#pragma once

#include <breeze/commands/context.hpp>
#include <breeze/git/constraints_repo.hpp>

#include <cstddef>
#include <functional>
#include <string>

namespace breeze::commands::release_management {

/// A tag signer that runs `gpg --armor --detach-sign` through ctx.runner(); usage Error when gpg is
/// not on PATH.
[[nodiscard]] Expected<git::Signer> gpg_signer(Context& ctx);

/// `512 B`, `3.4 KiB`, `12.0 MiB`.
[[nodiscard]] std::string format_bytes(std::size_t bytes);

/// Runs `push` (a push through `repo`) with feedback on stderr: while libgit2 reports progress,
/// on a live terminal `Pushing WHAT to REMOTE... 5/12 objects, 1.2 KiB` redrawn in place (cut to
/// the width); once the remote accepted it, in every mode one line
/// `Pushing WHAT to REMOTE... done (12 objects, 3.4 KiB)`. A refusal or an Error only clears the
/// live line: the caller says what went wrong.
[[nodiscard]] Expected<git::PushOutcome>
push_with_feedback(Context& ctx, git::ConstraintsRepo& repo, const std::string& what,
                   const std::string& remote,
                   const std::function<Expected<git::PushOutcome>()>& push);

} // namespace breeze::commands::release_management
