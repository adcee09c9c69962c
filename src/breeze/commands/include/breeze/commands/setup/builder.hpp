#pragma once

#include <breeze/commands/context.hpp>
#include <breeze/docker/buildx.hpp>

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace breeze::commands::setup {

/// Flags of `breeze setup builder`.
struct SetupBuilderOptions {
  std::string name = "airflow_cache";
  std::vector<std::string> append; ///< remote nodes, tcp://HOST:PORT (or HOST:PORT)
  std::string platforms;           ///< --platforms, passed to buildx as --platform
};

/// The buildx commands that bring builder `existing` (nullopt: missing) to `opts`: create when
/// missing, then one append per node not present yet (pure).
[[nodiscard]] std::vector<std::vector<std::string>>
plan_builder_changes(const SetupBuilderOptions& opts,
                     const std::optional<docker::BuilderInfo>& existing, const std::string& docker);

/// `setup builder`: gives the command its options and action (cli/command_table.cpp creates it).
void register_setup_builder(CLI::App& cmd, Context& ctx);

} // namespace breeze::commands::setup
