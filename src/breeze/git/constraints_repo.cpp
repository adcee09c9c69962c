#include <breeze/git/constraints_repo.hpp>

#include <breeze/git/handle.hpp>
#include <breeze/git/identity.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <random>
#include <unistd.h>

namespace breeze::git {

namespace {

Error not_found_error(std::string message, std::string context = {}) {
  return Error{ErrorKind::not_found, std::move(message), std::move(context)};
}

// git_strarray over its own copy of the strings (libgit2 only reads it).
struct StrArray {
  std::vector<std::string> items;
  std::vector<char*> ptrs;
  git_strarray array{};
  explicit StrArray(std::vector<std::string> copy) : items(std::move(copy)) {
    for (auto& s : items)
      ptrs.push_back(s.data());
    array.strings = ptrs.data();
    array.count = ptrs.size();
  }
};

Expected<ObjectPtr> lookup(git_repository* repo, const std::string& hex, git_object_t type) {
  BREEZE_TRY(auto oid, from_hex(hex));
  git_object* obj = nullptr;
  BREEZE_TRY_VOID(check(git_object_lookup(&obj, repo, &oid, type), "looking up " + hex));
  return ObjectPtr(obj);
}

Expected<CommitPtr> lookup_commit(git_repository* repo, const std::string& hex) {
  BREEZE_TRY(auto oid, from_hex(hex));
  git_commit* c = nullptr;
  BREEZE_TRY_VOID(check(git_commit_lookup(&c, repo, &oid), "looking up commit " + hex));
  return CommitPtr(c);
}

// Commit and tag messages end with exactly one newline, like `git commit -m` writes them.
std::string prettify(const std::string& message) {
  Buf buf;
  if (git_message_prettify(&buf.buf, message.c_str(), 0, '#') < 0) return message + "\n";
  return buf.str();
}

struct PushState {
  std::string rejected;    // status text of the first ref the remote refused
  std::string remote_says; // the remote's messages (a hook's stderr), bounded
  Credentials* creds = nullptr;
  const PushProgressFn* progress = nullptr;
  PushProgress now;
};

int on_pack_progress(int stage, uint32_t current, uint32_t total, void* payload) {
  auto* state = static_cast<PushState*>(payload);
  // Only the counting/compressing stages; the transfer callback takes over once sending starts.
  if (state->now.sending) return 0;
  state->now.objects_done = current;
  state->now.objects_total = total;
  if (stage == GIT_PACKBUILDER_DELTAFICATION && *state->progress) (*state->progress)(state->now);
  return 0;
}

int on_transfer_progress(unsigned int current, unsigned int total, size_t bytes, void* payload) {
  auto* state = static_cast<PushState*>(payload);
  state->now = {current, total, bytes, true};
  if (*state->progress) (*state->progress)(state->now);
  return 0;
}

int on_sideband(const char* text, int len, void* payload) {
  auto* state = static_cast<PushState*>(payload);
  if (text != nullptr && len > 0 && state->remote_says.size() < 2000)
    state->remote_says.append(text, static_cast<std::size_t>(len));
  return 0;
}

int on_push_update(const char* refname, const char* status, void* payload) {
  auto* state = static_cast<PushState*>(payload);
  if (status != nullptr && state->rejected.empty())
    state->rejected = fmt::format("{}: {}", refname != nullptr ? refname : "?", status);
  return 0;
}

int push_credentials(git_credential** out, const char* url, const char* user, unsigned int types,
                     void* payload) {
  return acquire_credential(out, url, user, types, static_cast<PushState*>(payload)->creds);
}

} // namespace

Expected<ConstraintsRepo> ConstraintsRepo::open(Opener& opener, const std::filesystem::path& path,
                                                EnvFn env, std::vector<std::string> token_hosts) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec))
    return not_found_error("no such directory", path.string());
  auto repo = opener.open(path);
  if (!repo)
    return not_found_error("not a git repository (pass the clone holding the constraints-* tags)",
                           path.string());
  // A bad GIT_*_DATE stops the command before the first commit, not after some were pushed.
  BREEZE_TRY_VOID(check_git_dates(env));
  return ConstraintsRepo(std::move(*repo), std::move(env), std::move(token_hosts));
}

std::filesystem::path ConstraintsRepo::git_dir() const { return git_repository_path(m_repo.get()); }

std::filesystem::path ConstraintsRepo::common_dir() const {
  const char* dir = git_repository_commondir(m_repo.get());
  return dir != nullptr ? std::filesystem::path(dir) : git_dir();
}

Expected<RepoLock> ConstraintsRepo::lock() const { return RepoLock::acquire(common_dir()); }

std::vector<std::string> ConstraintsRepo::stale_locks(const std::vector<std::string>& refnames,
                                                      bool index) const {
  std::vector<std::filesystem::path> candidates{common_dir() / "packed-refs.lock"};
  for (const auto& ref : refnames)
    candidates.push_back(common_dir() / (ref + ".lock"));
  if (index) {
    candidates.push_back(git_dir() / "index.lock");
    candidates.push_back(git_dir() / "HEAD.lock");
  }
  std::vector<std::string> found;
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(c, ec)))
      found.push_back(c.lexically_normal().string());
  }
  return found;
}

Expected<void> ConstraintsRepo::delete_scratch_refs() {
  BREEZE_TRY(auto scratch, refs("refs/breeze/"));
  for (const auto& [name, _] : scratch)
    BREEZE_TRY_VOID(delete_ref(name));
  return {};
}

std::filesystem::path ConstraintsRepo::work_dir() const {
  const char* wd = git_repository_workdir(m_repo.get());
  return wd != nullptr ? std::filesystem::path(wd) : std::filesystem::path();
}

Credentials ConstraintsRepo::credentials() const {
  Credentials creds{m_env, {}, 0, m_token_hosts};
  git_config* cfg = nullptr;
  if (git_repository_config_snapshot(&cfg, m_repo.get()) == 0) {
    ConfigPtr owned(cfg);
    const char* value = nullptr;
    if (git_config_get_string(&value, cfg, "credential.helper") == 0 && value != nullptr)
      creds.helper = value;
  }
  git_error_clear();
  return creds;
}

Expected<std::string> ConstraintsRepo::remote_url(const std::string& name) const {
  git_remote* remote = nullptr;
  if (git_remote_lookup(&remote, m_repo.get(), name.c_str()) < 0) {
    git_strarray names{};
    std::vector<std::string> existing;
    if (git_remote_list(&names, m_repo.get()) == 0) {
      for (std::size_t i = 0; i < names.count; ++i)
        existing.emplace_back(names.strings[i]);
      git_strarray_dispose(&names);
    }
    return not_found_error(
        fmt::format("no remote named '{}' (remotes: {}); pass --remote-name", name,
                    existing.empty() ? std::string("none") : strings::join(existing, ", ")));
  }
  RemotePtr owned(remote);
  const char* url = git_remote_url(remote);
  return std::string(url != nullptr ? url : "");
}

Expected<RemotePtr> ConstraintsRepo::anonymous_remote(const std::string& remote_name) const {
  BREEZE_TRY(auto url, remote_url(remote_name));
  git_remote* raw = nullptr;
  // Anonymous: the configured fetch refspecs must not come into play (nothing is updated).
  BREEZE_TRY_VOID(
      check(git_remote_create_anonymous(&raw, m_repo.get(), url.c_str()), "remote " + remote_name));
  return RemotePtr(raw);
}

Expected<std::map<std::string, RemoteRef>>
ConstraintsRepo::list_remote(const std::string& remote_name) {
  BREEZE_TRY(auto remote, anonymous_remote(remote_name));
  auto creds = credentials();
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = acquire_credential;
  callbacks.payload = &creds;
  BREEZE_TRY_VOID(
      check(git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr),
            "connecting to remote " + remote_name));
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  BREEZE_TRY_VOID(
      check(git_remote_ls(&heads, &count, remote.get()), "listing remote " + remote_name));
  std::map<std::string, RemoteRef> refs;
  for (size_t i = 0; i < count; ++i) {
    std::string name = heads[i]->name;
    const std::string oid = to_hex(heads[i]->oid);
    if (name.ends_with("^{}")) {
      refs[name.substr(0, name.size() - 3)].peeled = oid;
      continue;
    }
    if (!name.starts_with("refs/heads/") && !name.starts_with("refs/tags/")) continue;
    auto& ref = refs[name];
    ref.target = oid;
    if (ref.peeled.empty()) ref.peeled = oid;
  }
  git_remote_disconnect(remote.get());
  return refs;
}

Expected<void> ConstraintsRepo::download(const std::string& remote_name,
                                         const std::vector<std::string>& refspecs) {
  if (refspecs.empty()) return {};
  BREEZE_TRY(auto remote, anonymous_remote(remote_name));
  auto creds = credentials();
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.callbacks.credentials = acquire_credential;
  opts.callbacks.payload = &creds;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  opts.update_fetchhead = 0;
  StrArray specs(refspecs);
  // git_remote_download fetches objects only; update_tips (which would move refs) is never called.
  return check(git_remote_download(remote.get(), &specs.array, &opts),
               "fetching from remote " + remote_name);
}

std::optional<std::string> ConstraintsRepo::ref_target(const std::string& refname) const {
  git_reference* ref = nullptr;
  if (git_reference_lookup(&ref, m_repo.get(), refname.c_str()) < 0) {
    git_error_clear();
    return std::nullopt;
  }
  ReferencePtr owned(ref);
  git_reference* resolved = nullptr;
  if (git_reference_resolve(&resolved, ref) < 0) return std::nullopt;
  ReferencePtr owned_resolved(resolved);
  return to_hex(*git_reference_target(resolved));
}

Expected<std::map<std::string, std::string>>
ConstraintsRepo::refs(const std::string& prefix) const {
  git_reference_iterator* it = nullptr;
  BREEZE_TRY_VOID(check(git_reference_iterator_new(&it, m_repo.get()), "listing refs"));
  std::map<std::string, std::string> out;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    ReferencePtr owned(ref);
    std::string name = git_reference_name(ref);
    if (!name.starts_with(prefix) || git_reference_type(ref) != GIT_REFERENCE_DIRECT) continue;
    out[name] = to_hex(*git_reference_target(ref));
  }
  git_reference_iterator_free(it);
  git_error_clear();
  return out;
}

bool ConstraintsRepo::has_object(const std::string& hex) const {
  auto oid = from_hex(hex);
  if (!oid) return false;
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, m_repo.get()) < 0) return false;
  const bool exists = git_odb_exists(odb, &*oid) == 1;
  git_odb_free(odb);
  return exists;
}

Expected<std::string> ConstraintsRepo::peel_to_commit(const std::string& hex) const {
  BREEZE_TRY(auto obj, lookup(m_repo.get(), hex, GIT_OBJECT_ANY));
  git_object* peeled = nullptr;
  BREEZE_TRY_VOID(check(git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT), "peeling " + hex));
  ObjectPtr owned(peeled);
  return to_hex(*git_object_id(peeled));
}

Expected<std::optional<std::string>> ConstraintsRepo::parent_of(const std::string& commit) const {
  BREEZE_TRY(auto c, lookup_commit(m_repo.get(), commit));
  if (git_commit_parentcount(c.get()) == 0) return std::optional<std::string>();
  return std::optional<std::string>(to_hex(*git_commit_parent_id(c.get(), 0)));
}

Expected<std::string> ConstraintsRepo::tree_of(const std::string& commit) const {
  BREEZE_TRY(auto c, lookup_commit(m_repo.get(), commit));
  return to_hex(*git_commit_tree_id(c.get()));
}

Expected<std::string> ConstraintsRepo::tag_message(const std::string& hex) const {
  BREEZE_TRY(auto obj, lookup(m_repo.get(), hex, GIT_OBJECT_ANY));
  if (git_object_type(obj.get()) != GIT_OBJECT_TAG) return std::string();
  const char* msg = git_tag_message(reinterpret_cast<git_tag*>(obj.get()));
  return std::string(msg != nullptr ? msg : "");
}

Expected<bool> ConstraintsRepo::is_ancestor(const std::string& ancestor,
                                            const std::string& descendant) const {
  if (ancestor == descendant) return true;
  BREEZE_TRY(auto a, from_hex(ancestor));
  BREEZE_TRY(auto d, from_hex(descendant));
  const int rc = git_graph_descendant_of(m_repo.get(), &d, &a);
  BREEZE_TRY_VOID(check(rc, "comparing history"));
  return rc == 1;
}

Expected<std::map<std::string, std::string>>
ConstraintsRepo::read_files(const std::string& commit,
                            const std::function<bool(const std::string&)>& select) const {
  BREEZE_TRY(auto c, lookup_commit(m_repo.get(), commit));
  git_tree* raw_tree = nullptr;
  BREEZE_TRY_VOID(check(git_commit_tree(&raw_tree, c.get()), "reading tree of " + commit));
  TreePtr tree(raw_tree);
  std::map<std::string, std::string> out;
  for (size_t i = 0, n = git_tree_entrycount(tree.get()); i < n; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) continue;
    std::string name = git_tree_entry_name(entry);
    if (!select(name)) continue;
    git_blob* blob = nullptr;
    BREEZE_TRY_VOID(
        check(git_blob_lookup(&blob, m_repo.get(), git_tree_entry_id(entry)), "reading " + name));
    BlobPtr owned(blob);
    out.emplace(name, std::string(static_cast<const char*>(git_blob_rawcontent(blob)),
                                  static_cast<std::size_t>(git_blob_rawsize(blob))));
  }
  return out;
}

Identity ConstraintsRepo::identity() const {
  if (auto sig = signature(Role::committer); sig) return {(*sig)->name, (*sig)->email};
  return {"breeze", "breeze@localhost"};
}

Expected<SignaturePtr> ConstraintsRepo::signature(Role role) const {
  return signature_for(m_repo.get(), m_env, role);
}

Expected<std::string>
ConstraintsRepo::commit_files(const std::string& parent,
                              const std::map<std::string, std::string>& replaced,
                              const std::string& message) {
  BREEZE_TRY(auto parent_commit, lookup_commit(m_repo.get(), parent));
  git_tree* raw_tree = nullptr;
  BREEZE_TRY_VOID(
      check(git_commit_tree(&raw_tree, parent_commit.get()), "reading tree of " + parent));
  TreePtr base_tree(raw_tree);
  git_treebuilder* raw_builder = nullptr;
  BREEZE_TRY_VOID(
      check(git_treebuilder_new(&raw_builder, m_repo.get(), base_tree.get()), "building tree"));
  TreeBuilderPtr builder(raw_builder);
  for (const auto& [name, content] : replaced) {
    git_oid blob_oid;
    BREEZE_TRY_VOID(
        check(git_blob_create_from_buffer(&blob_oid, m_repo.get(), content.data(), content.size()),
              "writing " + name));
    git_filemode_t mode = GIT_FILEMODE_BLOB;
    if (const git_tree_entry* old = git_treebuilder_get(builder.get(), name.c_str()))
      mode = git_tree_entry_filemode(old);
    BREEZE_TRY_VOID(
        check(git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &blob_oid, mode),
              "adding " + name));
  }
  git_oid tree_oid;
  BREEZE_TRY_VOID(check(git_treebuilder_write(&tree_oid, builder.get()), "writing tree"));
  git_tree* raw_new_tree = nullptr;
  BREEZE_TRY_VOID(
      check(git_tree_lookup(&raw_new_tree, m_repo.get(), &tree_oid), "reading new tree"));
  TreePtr new_tree(raw_new_tree);
  BREEZE_TRY(auto author, signature(Role::author));
  BREEZE_TRY(auto committer, signature(Role::committer));
  const git_commit* parents[] = {parent_commit.get()};
  git_oid commit_oid;
  const std::string msg = prettify(message);
  BREEZE_TRY_VOID(
      check(git_commit_create(&commit_oid, m_repo.get(), nullptr, author.get(), committer.get(),
                              nullptr, msg.c_str(), new_tree.get(), 1, parents),
            "writing commit"));
  return to_hex(commit_oid);
}

Expected<std::string> ConstraintsRepo::create_tag_object(const std::string& name,
                                                         const std::string& commit,
                                                         const std::string& message,
                                                         const Signer& signer) {
  BREEZE_TRY(auto target, lookup(m_repo.get(), commit, GIT_OBJECT_COMMIT));
  BREEZE_TRY(auto sig, signature(Role::committer)); // git's tagger is the committer identity
  const std::string msg = prettify(message);
  git_oid tag_oid;
  if (!signer) {
    BREEZE_TRY_VOID(check(git_tag_annotation_create(&tag_oid, m_repo.get(), name.c_str(),
                                                    target.get(), sig.get(), msg.c_str()),
                          "writing tag " + name));
    return to_hex(tag_oid);
  }
  // A signed tag is the tag text followed by the detached signature of that text (what `git tag -s`
  // writes).
  const int offset = sig->when.offset;
  const char sign = offset < 0 ? '-' : '+';
  const int abs_offset = offset < 0 ? -offset : offset;
  std::string payload =
      fmt::format("object {}\ntype commit\ntag {}\ntagger {} <{}> {} {}{:02}{:02}\n\n{}", commit,
                  name, sig->name, sig->email, static_cast<long long>(sig->when.time), sign,
                  abs_offset / 60, abs_offset % 60, msg);
  BREEZE_TRY(auto armoured, signer(payload));
  payload += armoured;
  git_odb* odb = nullptr;
  BREEZE_TRY_VOID(check(git_repository_odb(&odb, m_repo.get()), "opening object database"));
  const int rc = git_odb_write(&tag_oid, odb, payload.data(), payload.size(), GIT_OBJECT_TAG);
  git_odb_free(odb);
  BREEZE_TRY_VOID(check(rc, "writing signed tag " + name));
  return to_hex(tag_oid);
}

Expected<void> ConstraintsRepo::set_ref(const std::string& refname, const std::string& oid,
                                        const std::string& why) {
  BREEZE_TRY(auto id, from_hex(oid));
  git_reference* ref = nullptr;
  BREEZE_TRY_VOID(
      check(git_reference_create(&ref, m_repo.get(), refname.c_str(), &id, 1, why.c_str()),
            "setting " + refname));
  git_reference_free(ref);
  return {};
}

Expected<void> ConstraintsRepo::delete_ref(const std::string& refname) {
  git_reference* ref = nullptr;
  if (git_reference_lookup(&ref, m_repo.get(), refname.c_str()) < 0) {
    git_error_clear();
    return {};
  }
  ReferencePtr owned(ref);
  return check(git_reference_delete(ref), "deleting " + refname);
}

Expected<PushOutcome> ConstraintsRepo::push(const std::string& remote_name,
                                            const std::string& refspec) {
  git_remote* raw = nullptr;
  BREEZE_TRY_VOID(
      check(git_remote_lookup(&raw, m_repo.get(), remote_name.c_str()), "remote " + remote_name));
  RemotePtr remote(raw);
  auto creds = credentials();
  PushState state;
  state.creds = &creds;
  state.progress = &m_push_progress;
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  opts.callbacks.credentials = push_credentials;
  opts.callbacks.push_update_reference = on_push_update;
  opts.callbacks.sideband_progress = on_sideband;
  opts.callbacks.pack_progress = on_pack_progress;
  opts.callbacks.push_transfer_progress = on_transfer_progress;
  opts.callbacks.payload = &state;
  StrArray specs({refspec});
  const int rc = git_remote_push(remote.get(), &specs.array, &opts);
  // What the remote said (a hook's reason), on one line and without credentials.
  auto remote_says = [&] {
    const auto text =
        redact::text(strings::strip_control(std::string(strings::trim(state.remote_says))));
    return text.empty() ? std::string() : " (remote: " + text + ")";
  };
  if (rc ==
      GIT_ENONFASTFORWARD) // libgit2 refuses a non fast-forward itself, before sending anything
    return PushOutcome{false, last_error(refspec).message};
  // Transport, auth or local failures: the caller must not read them as "the remote said no".
  if (rc < 0) {
    auto err = last_error("pushing to " + remote_name);
    err.message += remote_says();
    return err;
  }
  if (!state.rejected.empty())
    return PushOutcome{false, redact::text(strings::strip_control(state.rejected)) + remote_says()};
  return PushOutcome{true, {}, state.now.sending ? state.now.objects_total : 0, state.now.bytes};
}

Expected<PushOutcome> ConstraintsRepo::push_object(const std::string& remote,
                                                   const std::string& oid,
                                                   const std::string& dest_ref, bool force) {
  BREEZE_TRY_VOID(from_hex(oid));
  if (!has_object(oid))
    return failure(
        fmt::format("cannot push {}: object {} is not in this repository", dest_ref, oid));
  // libgit2 1.5 pushes refs only, not object ids: push from a scratch ref of this run alone (pid
  // and random in its name), deleted on every path out, so no other run's object can go out under
  // this name and a killed run's leftover is never pushed (delete_scratch_refs() clears them).
  std::random_device random;
  const std::string scratch =
      fmt::format("refs/breeze/push/{}-{:08x}{:08x}", ::getpid(), random(), random());
  BREEZE_TRY_VOID(set_ref(scratch, oid, "breeze: push " + dest_ref));
  auto pushed = push(remote, fmt::format("{}{}:{}", force ? "+" : "", scratch, dest_ref));
  // A scratch ref that cannot be deleted is harmless (it is ours, and the next run clears it).
  (void)delete_ref(scratch);
  return pushed;
}

Expected<void> ConstraintsRepo::verify_tag(const std::string& target, const std::string& name,
                                           const std::string& commit) const {
  BREEZE_TRY(auto obj, lookup(m_repo.get(), target, GIT_OBJECT_ANY));
  const auto type = git_object_type(obj.get());
  if (type == GIT_OBJECT_COMMIT) {
    if (target == commit) return {};
    return failure(fmt::format("refusing to push tag {}: {} is commit {}, not {}", name,
                               target.substr(0, 12), target.substr(0, 12), commit.substr(0, 12)));
  }
  if (type != GIT_OBJECT_TAG)
    return failure(
        fmt::format("refusing to push tag {}: {} is not a tag object", name, target.substr(0, 12)));
  const char* tag_name = git_tag_name(reinterpret_cast<git_tag*>(obj.get()));
  if (tag_name == nullptr || name != tag_name)
    return failure(fmt::format("refusing to push tag {}: tag object {} is named {}", name,
                               target.substr(0, 12), tag_name != nullptr ? tag_name : "(none)"));
  BREEZE_TRY(auto peeled, peel_to_commit(target));
  if (peeled != commit)
    return failure(fmt::format("refusing to push tag {}: tag object {} points at {}, not {}", name,
                               target.substr(0, 12), peeled.substr(0, 12), commit.substr(0, 12)));
  return {};
}

Expected<PushOutcome> ConstraintsRepo::push_tag(const std::string& remote,
                                                const std::string& target, const std::string& name,
                                                const std::string& commit) {
  BREEZE_TRY_VOID(verify_tag(target, name, commit));
  return push_object(remote, target, "refs/tags/" + name, true);
}

Expected<std::string> ConstraintsRepo::diff(const std::string& before, const std::string& after,
                                            const std::string& path) {
  if (before == after) return std::string();
  git_patch* raw = nullptr;
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  const std::string a = "a/" + path;
  const std::string b = "b/" + path;
  BREEZE_TRY_VOID(check(git_patch_from_buffers(&raw, before.data(), before.size(), path.c_str(),
                                               after.data(), after.size(), path.c_str(), &opts),
                        "diffing " + path));
  PatchPtr patch(raw);
  Buf buf;
  BREEZE_TRY_VOID(check(git_patch_to_buf(&buf.buf, patch.get()), "rendering diff of " + path));
  return buf.str();
}

std::optional<std::string> ConstraintsRepo::head_branch() const {
  git_reference* head = nullptr;
  if (git_reference_lookup(&head, m_repo.get(), "HEAD") < 0) {
    git_error_clear();
    return std::nullopt;
  }
  ReferencePtr owned(head);
  if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) return std::nullopt;
  return std::string(git_reference_symbolic_target(head));
}

Expected<std::vector<std::string>> ConstraintsRepo::tracked_changes() const {
  if (git_repository_is_bare(m_repo.get()) == 1) return std::vector<std::string>();
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  BREEZE_TRY_VOID(
      check(git_status_list_new(&raw, m_repo.get(), &opts), "reading work tree status"));
  StatusListPtr list(raw);
  std::vector<std::string> paths;
  for (size_t i = 0, n = git_status_list_entrycount(list.get()); i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    if (e->status == GIT_STATUS_CURRENT || e->status == GIT_STATUS_IGNORED) continue;
    const git_diff_delta* d = e->head_to_index != nullptr ? e->head_to_index : e->index_to_workdir;
    if (d != nullptr && d->new_file.path != nullptr) paths.emplace_back(d->new_file.path);
  }
  return paths;
}

Expected<void> ConstraintsRepo::fast_forward_checked_out(const std::string& commit,
                                                         const std::string& why) {
  auto branch = head_branch();
  if (!branch) return failure("HEAD is not on a branch");
  BREEZE_TRY(auto target, lookup(m_repo.get(), commit, GIT_OBJECT_COMMIT));
  git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
  opts.checkout_strategy = GIT_CHECKOUT_SAFE;
  BREEZE_TRY_VOID(
      check(git_checkout_tree(m_repo.get(), target.get(), &opts), "updating the work tree"));
  return set_ref(*branch, commit, why);
}

} // namespace breeze::git
