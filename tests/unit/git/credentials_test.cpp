#include <support/catch.hpp>

#include <breeze/git/credentials.hpp>

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
