#include <support/catch.hpp>

#include <breeze/config/settings.hpp>

using namespace breeze;

TEST_CASE("github-token-hosts comes from breeze.yaml and BREEZE_GITHUB_TOKEN_HOSTS",
          "[unit][settings]") {
  config::Settings s;
  CHECK(s.github_token_hosts.empty());
  REQUIRE(config::apply_yaml(s, "github-token-hosts: [ghe.example.com]\n"));
  CHECK(s.github_token_hosts == std::vector<std::string>{"ghe.example.com"});
  REQUIRE(config::apply_env(s, [](const std::string& name) -> std::optional<std::string> {
    if (name == "BREEZE_GITHUB_TOKEN_HOSTS") return std::string("a.example, b.example");
    return std::nullopt;
  }));
  CHECK(s.github_token_hosts == std::vector<std::string>{"a.example", "b.example"});
}
