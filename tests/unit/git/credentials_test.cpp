#include <support/catch.hpp>

#include <breeze/git/credentials.hpp>
#include <breeze/git/handle.hpp>
#include <breeze/git/repo_lock.hpp>

#include <breeze/base/files.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace breeze::git;

TEST_CASE("credential store lookup matches scheme and host", "[unit][git]") {
  const std::string store = "https://alice:s3cr%40t@github.com\nhttps://bob:pw@example.org\n";
  auto found = lookup_credential_store(store, "https://github.com/apache/airflow.git");
  REQUIRE(found);
  CHECK(found->first == "alice");
  CHECK(found->second == "s3cr@t");
  CHECK(!lookup_credential_store(store, "http://github.com/apache/airflow.git"));
  CHECK(!lookup_credential_store(store, "https://gitlab.com/x.git"));
  CHECK(!lookup_credential_store(store, "/local/path"));
}

TEST_CASE("the credential callback offers GITHUB_TOKEN for https, then gives up", "[unit][git]") {
  Library libgit2;
  Credentials creds{[](const std::string& name) -> std::optional<std::string> {
                      if (name == "GITHUB_TOKEN") return std::string("ghp_secret");
                      return std::nullopt;
                    },
                    "", 0};
  git_credential* cred = nullptr;
  REQUIRE(acquire_credential(&cred, "https://github.com/apache/airflow.git", nullptr,
                             GIT_CREDENTIAL_USERPASS_PLAINTEXT, &creds) == 0);
  REQUIRE(cred != nullptr);
  CHECK(git_credential_has_username(cred) == 1);
  CHECK(std::string(git_credential_get_username(cred)) == "x-access-token");
  git_credential_free(cred);
  cred = nullptr;
  CHECK(acquire_credential(&cred, "https://github.com/apache/airflow.git", nullptr,
                           GIT_CREDENTIAL_USERPASS_PLAINTEXT, &creds) == 0);
  git_credential_free(cred);
  cred = nullptr;
  // a rejected token is not offered forever
  CHECK(acquire_credential(&cred, "https://github.com/apache/airflow.git", nullptr,
                           GIT_CREDENTIAL_USERPASS_PLAINTEXT, &creds) == GIT_PASSTHROUGH);
}

TEST_CASE("the credential callback passes when it has nothing to offer", "[unit][git]") {
  Credentials none{[](const std::string&) { return std::optional<std::string>(); }, "", 0};
  git_credential* cred = nullptr;
  CHECK(acquire_credential(&cred, "https://github.com/x.git", nullptr,
                           GIT_CREDENTIAL_USERPASS_PLAINTEXT, &none) == GIT_PASSTHROUGH);
}

TEST_CASE("GITHUB_TOKEN goes to https://github.com and listed hosts only",
          "[unit][git][credentials]") {
  const std::vector<std::string> none;
  CHECK(token_offered("https://github.com/apache/airflow.git", none));
  CHECK(token_offered("https://GitHub.COM:443/apache/airflow.git", none));
  CHECK(token_offered("https://user@github.com/apache/airflow.git", none));
  CHECK(token_offered("HTTPS://github.com./apache/airflow.git", none));
  CHECK(!token_offered("http://github.com/apache/airflow.git", none));           // plain http
  CHECK(!token_offered("https://gitlab.com/apache/airflow.git", none));          // another host
  CHECK(!token_offered("https://github.com.evil.org/apache/airflow.git", none)); // a lookalike
  CHECK(!token_offered("https://evil.org#@github.com/x.git", none)); // userinfo trickery
  CHECK(!token_offered("https://evil.org?@github.com/x.git", none));
  CHECK(!token_offered("https://github.com@evil.org/x.git", none));
  CHECK(!token_offered("ssh://git@github.com/apache/airflow.git", none));
  CHECK(!token_offered("git://github.com/apache/airflow.git", none));
  CHECK(!token_offered("/local/path", none));
  CHECK(!token_offered("https://ghe.example.com/org/repo.git", none));
  CHECK(token_offered("https://ghe.example.com/org/repo.git", {"GHE.example.com"}));
  CHECK(!token_offered("http://ghe.example.com/org/repo.git", {"ghe.example.com"}));
  CHECK(!token_offered("https://127.0.0.1:8080/x.git", {""}));
}

TEST_CASE(
    "the credential callback keeps GITHUB_TOKEN from other hosts but still uses the store helper",
    "[unit][git][credentials]") {
  Library libgit2;
  breeze::files::TempDir home("breeze-home");
  { std::ofstream(home.path() / ".git-credentials") << "http://alice:pw@127.0.0.1:8080\n"; }
  Credentials creds{[&](const std::string& name) -> std::optional<std::string> {
                      if (name == "GITHUB_TOKEN") return std::string("ghp_secret");
                      if (name == "HOME") return home.path().string();
                      return std::nullopt;
                    },
                    "",
                    0,
                    {}};
  git_credential* cred = nullptr;
  CHECK(acquire_credential(&cred, "http://github.com/apache/airflow.git", nullptr,
                           GIT_CREDENTIAL_USERPASS_PLAINTEXT, &creds) == GIT_PASSTHROUGH);
  creds.attempts = 0;
  CHECK(acquire_credential(&cred, "https://example.org/x.git", nullptr,
                           GIT_CREDENTIAL_USERPASS_PLAINTEXT, &creds) == GIT_PASSTHROUGH);
  creds.attempts = 0;
  creds.helper = "store";
  REQUIRE(acquire_credential(&cred, "http://127.0.0.1:8080/x.git", nullptr,
                             GIT_CREDENTIAL_USERPASS_PLAINTEXT, &creds) == 0);
  CHECK(std::string(git_credential_get_username(cred)) == "alice");
  git_credential_free(cred);
}

TEST_CASE("libgit2 lock errors are recognised and turned into one line with rm", "[unit][git]") {
  CHECK(locked_file("failed to create locked file '/r/.git/packed-refs.lock': File exists") ==
        "/r/.git/packed-refs.lock");
  CHECK(locked_file("failed to lock file '/r/.git/index.lock' for writing: File exists") ==
        "/r/.git/index.lock");
  CHECK(!locked_file("reference 'refs/tags/x' not found"));
  const auto one = stale_lock_message({"/r/.git/index.lock"});
  CHECK(one.find('\n') == std::string::npos);
  CHECK(one.find("rm /r/.git/index.lock") != std::string::npos);
  const auto two = stale_lock_message({"/r/a b.lock", "/r/c.lock"});
  CHECK(two.find("rm '/r/a b.lock' /r/c.lock") != std::string::npos);
}

TEST_CASE("the repository lock admits one holder and names it", "[unit][git][lock]") {
  breeze::files::TempDir dir("breeze-lock");
  {
    auto first = RepoLock::acquire(dir.path());
    REQUIRE(first);
    CHECK(std::filesystem::exists(dir.path() / RepoLock::k_file_name));
    auto second = RepoLock::acquire(dir.path());
    REQUIRE(!second);
    CHECK(second.error().message.find("another breeze run (pid " + std::to_string(::getpid()) +
                                      ")") != std::string::npos);
    CHECK(second.error().message.find((dir.path() / RepoLock::k_file_name).string()) !=
          std::string::npos);
    auto moved = std::move(*first);
    CHECK(moved.path() == dir.path() / RepoLock::k_file_name);
  }
  CHECK(!std::filesystem::exists(dir.path() / RepoLock::k_file_name)); // released on scope exit
  // Only the lock file itself is left behind: no temp files.
  CHECK(std::filesystem::begin(std::filesystem::directory_iterator(dir.path())) ==
        std::filesystem::end(std::filesystem::directory_iterator(dir.path())));
}
