#pragma once

// A constraints repository (a clone of apache/airflow used for its constraints-* tags and
// branches) seen through the operations breeze needs, expressed as intent. All through libgit2:
// no `git` processes, and nothing here touches the user's work tree or index unless the name says
// so.

#include <breeze/base/expected.hpp>
#include <breeze/git/credentials.hpp>
#include <breeze/git/handle.hpp>
#include <breeze/git/identity.hpp>
#include <breeze/git/opener.hpp>
#include <breeze/git/repo_lock.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace breeze::git {

/// A ref as the remote advertises it.
struct RemoteRef {
  std::string target; ///< what the ref points at (a tag object for annotated tags)
  std::string peeled; ///< the commit an annotated tag peels to (== target for other refs)
};

/// What happened to one pushed ref.
struct PushOutcome {
  bool accepted = false;
  std::string message;     ///< why the remote or libgit2 refused it (empty when accepted)
  std::size_t objects = 0; ///< objects sent (0 when the remote had them all)
  std::size_t bytes = 0;   ///< bytes of the pack sent
};

/// How far a push is, as libgit2 reports it while packing and sending.
struct PushProgress {
  std::size_t objects_done = 0;  ///< objects packed, then sent
  std::size_t objects_total = 0; ///< objects the pack holds (0 until known)
  std::size_t bytes = 0;         ///< bytes sent so far
  bool sending = false;          ///< false while packing, true once the pack goes out
};

/// Called (on the pushing thread) each time libgit2 reports push progress.
using PushProgressFn = std::function<void(const PushProgress&)>;

/// Signs a payload (a tag object's text) and returns an ASCII-armoured detached signature.
using Signer = std::function<Expected<std::string>(const std::string& payload)>;

/// Name and email used for commits and tags (see signature_for in identity.hpp: git's variables,
/// then the repository's configuration, then breeze's).
struct Identity {
  std::string name;
  std::string email;
};

class ConstraintsRepo {
public:
  /// Opens (through `opener`) the repository at exactly `path` (its work tree or .git); "not a git
  /// repository" Error (not_found) otherwise. `token_hosts`: hosts besides github.com that may
  /// receive GITHUB_TOKEN. A bad GIT_AUTHOR_DATE / GIT_COMMITTER_DATE in `env` is a usage Error
  /// here.
  [[nodiscard]] static Expected<ConstraintsRepo> open(Opener& opener,
                                                      const std::filesystem::path& path,
                                                      EnvFn env = {},
                                                      std::vector<std::string> token_hosts = {});

  /// Takes the per-repository breeze lock (see RepoLock) in the common git directory, so linked
  /// worktrees of one clone share it.
  [[nodiscard]] Expected<RepoLock> lock() const;

  /// libgit2/git lock files that exist now and would make changing `refnames` fail half-way:
  /// `<ref>.lock` of each, `packed-refs.lock`, and with `index` also `index.lock` and `HEAD.lock`.
  [[nodiscard]] std::vector<std::string> stale_locks(const std::vector<std::string>& refnames,
                                                     bool index) const;

  /// Deletes every ref under refs/breeze/ (scratch refs older breeze versions pushed from; a run
  /// killed mid-push left them). Call only while holding lock().
  [[nodiscard]] Expected<void> delete_scratch_refs();

  /// The .git folder (where breeze keeps its restore journals).
  [[nodiscard]] std::filesystem::path git_dir() const;
  /// The work tree (empty for a bare repository).
  [[nodiscard]] std::filesystem::path work_dir() const;

  /// The URL of remote `name`; not_found Error naming the remotes that exist otherwise.
  [[nodiscard]] Expected<std::string> remote_url(const std::string& name) const;

  /// Every ref the remote advertises (refs/heads/*, refs/tags/*), by full name. Read-only.
  [[nodiscard]] Expected<std::map<std::string, RemoteRef>> list_remote(const std::string& remote);

  /// Downloads the objects behind `refspecs` (sources only, e.g. "refs/tags/constraints-2.6.3")
  /// into the object database. Changes no ref (not even FETCH_HEAD or remote-tracking branches).
  [[nodiscard]] Expected<void> download(const std::string& remote,
                                        const std::vector<std::string>& refspecs);

  /// The object a local ref points at directly (a tag object for annotated tags), if the ref
  /// exists.
  [[nodiscard]] std::optional<std::string> ref_target(const std::string& refname) const;
  /// Local refs whose full name starts with `prefix`, with their direct targets.
  [[nodiscard]] Expected<std::map<std::string, std::string>> refs(const std::string& prefix) const;
  /// True when the object database holds `oid`.
  [[nodiscard]] bool has_object(const std::string& oid) const;
  /// The commit an object (commit or annotated tag) peels to.
  [[nodiscard]] Expected<std::string> peel_to_commit(const std::string& oid) const;
  /// The first parent of a commit, if any.
  [[nodiscard]] Expected<std::optional<std::string>> parent_of(const std::string& commit) const;
  /// The tree id of a commit.
  [[nodiscard]] Expected<std::string> tree_of(const std::string& commit) const;
  /// The message of an annotated tag object (empty for a commit).
  [[nodiscard]] Expected<std::string> tag_message(const std::string& oid) const;
  /// True when `ancestor` is `descendant` or one of its ancestors.
  [[nodiscard]] Expected<bool> is_ancestor(const std::string& ancestor,
                                           const std::string& descendant) const;

  /// The files at the top of `commit`'s tree whose names `select` accepts, name -> bytes.
  [[nodiscard]] Expected<std::map<std::string, std::string>>
  read_files(const std::string& commit,
             const std::function<bool(const std::string&)>& select) const;

  /// Writes a commit whose tree is `parent`'s tree with the top-level files in `replaced` set to
  /// the given bytes (added when absent), and whose only parent is `parent`. Only the object
  /// database changes: no ref, no index, no work tree. Returns the new commit's id.
  [[nodiscard]] Expected<std::string>
  commit_files(const std::string& parent, const std::map<std::string, std::string>& replaced,
               const std::string& message);

  /// Writes an annotated tag object `name` -> `commit` (signed with `signer` when given) into the
  /// object database without creating or moving the ref. Returns the tag object's id.
  [[nodiscard]] Expected<std::string> create_tag_object(const std::string& name,
                                                        const std::string& commit,
                                                        const std::string& message,
                                                        const Signer& signer = {});

  /// Points `refname` at `oid` (creating or moving it), with a reflog entry `why`.
  [[nodiscard]] Expected<void> set_ref(const std::string& refname, const std::string& oid,
                                       const std::string& why);
  /// Deletes a local ref (no error when it does not exist).
  [[nodiscard]] Expected<void> delete_ref(const std::string& refname);

  /// Pushes object `oid` (by id: no local ref is created or moved) to `dest_ref` on `remote`,
  /// forced when `force`. A refusal (non fast-forward, a remote hook or policy rejecting it) is an
  /// outcome, not an Error; an Error means the ref could not be pushed at all (transport, auth,
  /// a local problem) — the remote ref did not move either way unless the outcome says accepted.
  [[nodiscard]] Expected<PushOutcome> push_object(const std::string& remote, const std::string& oid,
                                                  const std::string& dest_ref, bool force);

  /// Checks that `target` is a tag object named `name` that peels to `commit` (or, for a
  /// lightweight tag, is `commit` itself); failure Error saying what it is instead.
  [[nodiscard]] Expected<void> verify_tag(const std::string& target, const std::string& name,
                                          const std::string& commit) const;

  /// verify_tag(), then force-pushes `target` to refs/tags/<name>: the one way breeze moves a tag.
  [[nodiscard]] Expected<PushOutcome> push_tag(const std::string& remote, const std::string& target,
                                               const std::string& name, const std::string& commit);

  /// Unified diff of two versions of a file (`path` labels both sides); empty when equal.
  [[nodiscard]] static Expected<std::string>
  diff(const std::string& before, const std::string& after, const std::string& path);

  /// The name of the branch HEAD points at, if HEAD is on a branch.
  [[nodiscard]] std::optional<std::string> head_branch() const;
  /// Work-tree or index changes in tracked files (paths), ignoring untracked files.
  [[nodiscard]] Expected<std::vector<std::string>> tracked_changes() const;
  /// Moves the checked-out branch to `commit` and updates index and work tree to it; only allowed
  /// when tracked_changes() is empty (the caller checks), so nothing of the user's is overwritten.
  [[nodiscard]] Expected<void> fast_forward_checked_out(const std::string& commit,
                                                        const std::string& why);

  /// Identity (committer) used for commits and tags.
  [[nodiscard]] Identity identity() const;

  /// Where the pushes report their progress (objects packed and sent, bytes); empty: nowhere.
  void set_push_progress(PushProgressFn progress) { m_push_progress = std::move(progress); }

private:
  ConstraintsRepo(RepositoryPtr repo, EnvFn env, std::vector<std::string> token_hosts)
      : m_repo(std::move(repo)), m_env(std::move(env)), m_token_hosts(std::move(token_hosts)) {}
  [[nodiscard]] Expected<PushOutcome> push(const std::string& remote, const std::string& refspec);
  [[nodiscard]] std::filesystem::path common_dir() const;
  [[nodiscard]] Expected<SignaturePtr> signature(Role role) const;
  [[nodiscard]] Credentials credentials() const;
  /// The configured remote's URL as an anonymous remote: its fetch refspecs never come into play.
  [[nodiscard]] Expected<RemotePtr> anonymous_remote(const std::string& remote_name) const;

  RepositoryPtr m_repo;
  EnvFn m_env;
  std::vector<std::string> m_token_hosts;
  PushProgressFn m_push_progress;
};

} // namespace breeze::git
