// Where a session's broker is, read from its saved state: what status, the dashboard, the demo and
// the broker's revival all need before they talk to it.
import type { SessionState } from './schema.js';

/** Where a session's broker listens, and who it says it is. */
export interface BrokerTarget {
  bind: string;
  port: number;
  session: string;
  repoPath: string;
}

export function brokerTargetOf(state: SessionState): BrokerTarget | undefined {
  if (state.broker_port === undefined || state.broker_bind === undefined) return undefined;
  return {
    bind: state.broker_bind,
    port: state.broker_port,
    session: state.session_name,
    repoPath: state.repo_path,
  };
}
