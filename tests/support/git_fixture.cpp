#include <support/git_fixture.hpp>

#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/git/handle.hpp>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include <fstream>

namespace breeze::test {

namespace {

void ok(int rc, const char* what) {
  if (rc < 0) {
    const git_error* e = git_error_last();
    FAIL(what << ": " << (e != nullptr ? e->message : "libgit2 error"));
  }
}

git::RepositoryPtr open(const std::filesystem::path& path) {
  git_repository* r = nullptr;
  ok(git_repository_open(&r, path.c_str()), "open repository");
  return git::RepositoryPtr(r);
}

git::ObjectPtr revparse(git_repository* repo, const std::string& rev) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, rev.c_str()) < 0) {
    git_error_clear();
    return nullptr;
  }
  return git::ObjectPtr(obj);
}

struct Init {
  Init() { git_libgit2_init(); }
};
const Init k_init;

} // namespace

void bare_repo_from_bundle(const std::filesystem::path& bundle, const std::filesystem::path& dir) {
  const std::string data = read_file(bundle);
  REQUIRE(data.starts_with("# v2 git bundle\n"));
  std::size_t pos = data.find('\n') + 1;
  std::vector<std::pair<std::string, std::string>> refs;
  while (pos < data.size() && data[pos] != '\n') {
    const auto end = data.find('\n', pos);
    const std::string line = data.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("-")) continue; // prerequisite (none in our bundles)
    const auto space = line.find(' ');
    refs.emplace_back(line.substr(space + 1), line.substr(0, space));
  }
  ++pos; // the blank line before the pack
  git_repository* raw = nullptr;
  ok(git_repository_init(&raw, dir.c_str(), 1), "init bare");
  git::RepositoryPtr repo(raw);
  git_odb* odb = nullptr;
  ok(git_repository_odb(&odb, repo.get()), "odb");
  git_odb_writepack* wp = nullptr;
  ok(git_odb_write_pack(&wp, odb, nullptr, nullptr), "write pack");
  git_indexer_progress stats{};
  ok(wp->append(wp, data.data() + pos, data.size() - pos, &stats), "append pack");
  ok(wp->commit(wp, &stats), "index pack");
  wp->free(wp);
  git_odb_free(odb);
  for (const auto& [name, hex] : refs) {
    if (name == "HEAD") continue;
    git_oid oid;
    ok(git_oid_fromstr(&oid, hex.c_str()), "oid");
    git_reference* ref = nullptr;
    ok(git_reference_create(&ref, repo.get(), name.c_str(), &oid, 1, "from bundle"), "create ref");
    git_reference_free(ref);
  }
  ok(git_repository_set_head(repo.get(), "refs/heads/constraints-main"), "set HEAD");
}

namespace {
int create_named_remote(git_remote** out, git_repository* repo, const char*, const char* url,
                        void* payload) {
  return git_remote_create(out, repo, static_cast<const std::string*>(payload)->c_str(), url);
}
} // namespace

void clone_repo(const std::filesystem::path& remote, const std::filesystem::path& dir,
                const std::string& remote_name) {
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  opts.remote_cb = create_named_remote;
  opts.remote_cb_payload = const_cast<std::string*>(&remote_name);
  git_repository* raw = nullptr;
  ok(git_clone(&raw, remote.c_str(), dir.c_str(), &opts), "clone");
  git_repository_free(raw);
}

std::map<std::string, std::string> all_refs(const std::filesystem::path& path) {
  auto repo = open(path);
  std::map<std::string, std::string> out;
  git_reference_iterator* it = nullptr;
  ok(git_reference_iterator_new(&it, repo.get()), "refs");
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    git::ReferencePtr owned(ref);
    if (git_reference_type(ref) == GIT_REFERENCE_DIRECT)
      out[git_reference_name(ref)] = git::to_hex(*git_reference_target(ref));
    else
      out[git_reference_name(ref)] = std::string("-> ") + git_reference_symbolic_target(ref);
  }
  git_reference_iterator_free(it);
  return out;
}

std::optional<std::string> blob_at(const std::filesystem::path& path, const std::string& rev,
                                   const std::string& file) {
  auto repo = open(path);
  auto obj = revparse(repo.get(), rev + ":" + file);
  if (!obj || git_object_type(obj.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  auto* blob = reinterpret_cast<git_blob*>(obj.get());
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob)),
                     static_cast<std::size_t>(git_blob_rawsize(blob)));
}

std::vector<std::string> tree_files(const std::filesystem::path& path, const std::string& rev) {
  auto repo = open(path);
  auto obj = revparse(repo.get(), rev + "^{tree}");
  REQUIRE(obj);
  auto* tree = reinterpret_cast<git_tree*>(obj.get());
  std::vector<std::string> names;
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i)
    names.emplace_back(git_tree_entry_name(git_tree_entry_byindex(tree, i)));
  return names;
}

std::string commit_of(const std::filesystem::path& path, const std::string& rev) {
  auto repo = open(path);
  auto obj = revparse(repo.get(), rev + "^{commit}");
  REQUIRE(obj);
  return git::to_hex(*git_object_id(obj.get()));
}

std::string ref_of(const std::filesystem::path& path, const std::string& refname) {
  auto refs = all_refs(path);
  auto it = refs.find(refname);
  return it == refs.end() ? std::string() : it->second;
}

std::string parent_of(const std::filesystem::path& path, const std::string& commit) {
  auto repo = open(path);
  auto obj = revparse(repo.get(), commit + "^{commit}");
  REQUIRE(obj);
  auto* c = reinterpret_cast<git_commit*>(obj.get());
  return git_commit_parentcount(c) == 0 ? std::string() : git::to_hex(*git_commit_parent_id(c, 0));
}

bool reachable_from(const std::filesystem::path& path, const std::string& commit,
                    const std::string& tip) {
  if (commit == tip) return true;
  auto repo = open(path);
  git_oid a, b;
  ok(git_oid_fromstr(&a, commit.c_str()), "oid");
  ok(git_oid_fromstr(&b, tip.c_str()), "oid");
  return git_graph_descendant_of(repo.get(), &b, &a) == 1;
}

std::map<std::string, std::string> snapshot_tree(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file())
      out[std::filesystem::relative(it->path(), dir).string()] = read_file(it->path());
  }
  return out;
}

ConstraintsRepos::ConstraintsRepos() {
  bare_repo_from_bundle(fixture("real-constraints/pymssql-2023.bundle"), remote);
  clone_repo(remote, clone);
}

std::string commit_on(const std::filesystem::path& path, const std::string& parent,
                      const std::string& file, const std::string& content,
                      const std::string& refname) {
  auto repo = open(path);
  auto parent_obj = revparse(repo.get(), parent + "^{commit}");
  REQUIRE(parent_obj);
  auto* parent_commit = reinterpret_cast<git_commit*>(parent_obj.get());
  git_tree* base = nullptr;
  ok(git_commit_tree(&base, parent_commit), "tree");
  git::TreePtr base_owned(base);
  git_treebuilder* b = nullptr;
  ok(git_treebuilder_new(&b, repo.get(), base), "builder");
  git::TreeBuilderPtr builder(b);
  git_oid blob, tree_oid, commit;
  ok(git_blob_create_from_buffer(&blob, repo.get(), content.data(), content.size()), "blob");
  ok(git_treebuilder_insert(nullptr, b, file.c_str(), &blob, GIT_FILEMODE_BLOB), "insert");
  ok(git_treebuilder_write(&tree_oid, b), "write tree");
  git_tree* tree = nullptr;
  ok(git_tree_lookup(&tree, repo.get(), &tree_oid), "tree");
  git::TreePtr tree_owned(tree);
  git_signature* sig = nullptr;
  ok(git_signature_now(&sig, "test", "test@localhost"), "sig");
  git::SignaturePtr sig_owned(sig);
  const git_commit* parents[] = {parent_commit};
  ok(git_commit_create(&commit, repo.get(), refname.c_str(), sig, sig, nullptr, "diverged\n", tree,
                       1, parents),
     "commit");
  return git::to_hex(commit);
}

std::string annotated_tag(const std::filesystem::path& path, const std::string& name,
                          const std::string& rev) {
  auto repo = open(path);
  auto obj = revparse(repo.get(), rev + "^{commit}");
  REQUIRE(obj);
  git_signature* sig = nullptr;
  ok(git_signature_now(&sig, "test", "test@localhost"), "sig");
  git::SignaturePtr sig_owned(sig);
  git_oid oid;
  ok(git_tag_create(&oid, repo.get(), name.c_str(), obj.get(), sig,
                    ("Constraints for " + name + "\n").c_str(), 1),
     "tag");
  return git::to_hex(oid);
}

const std::vector<std::string>& bundle_versions() {
  static const std::vector<std::string> v{"2.5.1", "2.5.2", "2.5.3", "2.6.0",
                                          "2.6.1", "2.6.2", "2.6.3"};
  return v;
}

} // namespace breeze::test

namespace breeze::test {

std::string init_repo_with_commit(const std::filesystem::path& dir, std::int64_t when) {
  git_repository* raw = nullptr;
  ok(git_repository_init(&raw, dir.c_str(), 0), "init");
  git::RepositoryPtr repo(raw);
  git_treebuilder* b = nullptr;
  ok(git_treebuilder_new(&b, repo.get(), nullptr), "builder");
  git::TreeBuilderPtr builder(b);
  git_oid tree_oid, commit;
  ok(git_treebuilder_write(&tree_oid, b), "write tree");
  git_tree* tree = nullptr;
  ok(git_tree_lookup(&tree, repo.get(), &tree_oid), "tree");
  git::TreePtr tree_owned(tree);
  git_signature* sig = nullptr;
  ok(git_signature_new(&sig, "test", "test@localhost", when, 0), "sig");
  git::SignaturePtr sig_owned(sig);
  ok(git_commit_create(&commit, repo.get(), "HEAD", sig, sig, nullptr, "sources\n", tree, 0,
                       nullptr),
     "commit");
  return git::to_hex(commit);
}

void init_repo_tracking(const std::filesystem::path& dir, const std::vector<std::string>& paths) {
  git_repository* raw = nullptr;
  ok(git_repository_init(&raw, dir.c_str(), 0), "init");
  git::RepositoryPtr repo(raw);
  git_index* raw_index = nullptr;
  ok(git_repository_index(&raw_index, repo.get()), "index");
  git::IndexPtr index(raw_index);
  for (const auto& p : paths)
    ok(git_index_add_bypath(index.get(), p.c_str()), "add");
  ok(git_index_write(index.get()), "write index");
}

} // namespace breeze::test
