#pragma once

#include <breeze/base/env.hpp>
#include <breeze/process/runner.hpp>

#include <ostream>

namespace breeze::process {

/// --dry-run: prints every state-changing command (copy-pasteable, secrets masked) to `out`
/// instead of running it, and returns a successful result marked dry_run. Read-only commands
/// (spec.changes_state == false) still run through `inner`, so plans can be computed for real.
class DryRunRunner final : public Runner {
public:
  DryRunRunner(Runner& inner, std::ostream& out, EnvLookup env)
      : m_inner(inner), m_out(out), m_env(std::move(env)) {}
  [[nodiscard]] Expected<ProcessResult> run(const ProcessSpec& spec) override;

private:
  Runner& m_inner;
  std::ostream& m_out;
  EnvLookup m_env;
};

} // namespace breeze::process
