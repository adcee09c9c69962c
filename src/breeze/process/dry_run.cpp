#include <breeze/process/dry_run.hpp>

#include <breeze/process/secrets.hpp>

namespace breeze::process {

Expected<ProcessResult> DryRunRunner::run(const ProcessSpec& spec) {
  if (!spec.changes_state) return m_inner.run(spec);
  m_out << printable(spec, m_env) << "\n" << std::flush;
  ProcessResult result;
  result.dry_run = true;
  return result;
}

} // namespace breeze::process
