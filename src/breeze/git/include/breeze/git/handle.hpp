#pragma once

// RAII ownership of libgit2 objects and the one place libgit2 return codes become breeze Errors.

#include <breeze/base/expected.hpp>

#include <git2.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::git {

/// rc >= 0 → success; rc < 0 → a git Error carrying git_error_last()'s message, with `context`
/// (what we were doing) as the error's context.
[[nodiscard]] Expected<void> check(int rc, std::string_view context);

/// A git Error from git_error_last() without a return code (for calls that return NULL). The
/// message is stripped of control characters and URL userinfo (libgit2 quotes URLs); libgit2's
/// "failed to lock" errors become one line naming the stale .lock file and how to remove it.
[[nodiscard]] Error last_error(std::string_view context);

/// The `*.lock` path a libgit2 "failed to create locked file '<path>'" / "failed to lock file"
/// message is about, if it is such a message.
[[nodiscard]] std::optional<std::string> locked_file(std::string_view libgit2_message);

/// The one line breeze prints for a lock file in the way (`rm` command included).
[[nodiscard]] std::string stale_lock_message(const std::vector<std::string>& lock_files);

/// unique_ptr with libgit2's free function as deleter.
template <typename T, void (*Free)(T*)> struct Freer {
  void operator()(T* p) const noexcept {
    if (p != nullptr) Free(p);
  }
};
template <typename T, void (*Free)(T*)> using Handle = std::unique_ptr<T, Freer<T, Free>>;

using RepositoryPtr = Handle<git_repository, git_repository_free>;
using ReferencePtr = Handle<git_reference, git_reference_free>;
using ObjectPtr = Handle<git_object, git_object_free>;
using CommitPtr = Handle<git_commit, git_commit_free>;
using TreePtr = Handle<git_tree, git_tree_free>;
using TreeEntryPtr = Handle<git_tree_entry, git_tree_entry_free>;
using RevwalkPtr = Handle<git_revwalk, git_revwalk_free>;
using BlobPtr = Handle<git_blob, git_blob_free>;
using TagPtr = Handle<git_tag, git_tag_free>;
using TreeBuilderPtr = Handle<git_treebuilder, git_treebuilder_free>;
using SignaturePtr = Handle<git_signature, git_signature_free>;
using RemotePtr = Handle<git_remote, git_remote_free>;
using PatchPtr = Handle<git_patch, git_patch_free>;
using ConfigPtr = Handle<git_config, git_config_free>;
using IndexPtr = Handle<git_index, git_index_free>;
using StatusListPtr = Handle<git_status_list, git_status_list_free>;

/// A git_buf freed on scope exit.
struct Buf {
  git_buf buf = GIT_BUF_INIT;
  Buf() = default;
  ~Buf() { git_buf_dispose(&buf); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  [[nodiscard]] std::string str() const {
    return buf.ptr ? std::string(buf.ptr, buf.size) : std::string();
  }
};

/// Hex form of an object id.
[[nodiscard]] std::string to_hex(const git_oid& oid);

/// Parses a 40-hex object id; usage Error otherwise.
[[nodiscard]] Expected<git_oid> from_hex(std::string_view hex);

/// Initialises libgit2 on first use, once per process (shut down at exit). Every way into a
/// repository calls it, so commands that never touch git do not pay for libgit2's start-up
/// (with Debian's mbedTLS build it parses the whole CA bundle: ~13 ms per process).
void ensure_initialized();

/// Opens the repository at exactly `path` (no searching upwards), starting libgit2 first: what
/// Libgit2Opener (opener.hpp), the way commands open repositories, runs. not_found Error "not a git
/// repository" when `path` holds none; git Error for anything else libgit2 reports.
[[nodiscard]] Expected<RepositoryPtr> open_repository(const std::filesystem::path& path);

/// Keeps libgit2 initialised while alive (tests and tools can use this).
class Library {
public:
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

} // namespace breeze::git
