#include <support/catch.hpp>

#include <breeze/git/credentials.hpp>
#include <breeze/git/handle.hpp>

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
  CHECK(acquire_credential(&cred, "https://github.com/apache/airflow.git", nullptr, GIT_CREDENTIAL_USERPASS_PLAINTEXT,
                           &creds) == 0);
  git_credential_free(cred);
  cred = nullptr;
  // a rejected token is not offered forever
  CHECK(acquire_credential(&cred, "https://github.com/apache/airflow.git", nullptr, GIT_CREDENTIAL_USERPASS_PLAINTEXT,
                           &creds) == GIT_PASSTHROUGH);
}

TEST_CASE("the credential callback passes when it has nothing to offer", "[unit][git]") {
  Credentials none{[](const std::string&) { return std::optional<std::string>(); }, "", 0};
  git_credential* cred = nullptr;
  CHECK(acquire_credential(&cred, "https://github.com/x.git", nullptr, GIT_CREDENTIAL_USERPASS_PLAINTEXT, &none) ==
        GIT_PASSTHROUGH);
}
