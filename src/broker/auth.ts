// Who a request speaks for. Each agent has its own token, HMAC-SHA256(session token, agent id) in
// hex, handed only to its own pane; the session token (dashboard, `status`, the user) may read
// every inbox and publish as any agent. The agent tokens are derived, not stored: the broker
// recomputes them from the session token it already holds, and nothing new is saved. They guard
// against an agent that confuses its id with another's (agents run as the same user, so one set
// on harm could read the session token from the private state file anyway).
import { createHmac } from 'node:crypto';
import { bearerProblem } from './http-parse.js';

/** The token of one agent of the session whose token is `sessionToken`. */
export function agentToken(sessionToken: string, agentId: string): string {
  return createHmac('sha256', sessionToken).update(agentId, 'utf8').digest('hex');
}

/** The holder of a valid token: the session (anyone) or one agent. */
export type Principal = { kind: 'session' } | { kind: 'agent'; agentId: string };

export class Credentials {
  private readonly agents: [agentId: string, token: string][];

  constructor(
    private readonly sessionToken: string,
    rosterIds: readonly string[],
  ) {
    this.agents = rosterIds.map((id) => [id, agentToken(sessionToken, id)]);
  }

  /** The principal of an `Authorization` header, or why it is refused (for a 401). */
  principalOf(header: string | undefined): { ok: true; principal: Principal } | { ok: false; error: string } {
    const problem = bearerProblem(header, this.sessionToken);
    if (problem === undefined) return { ok: true, principal: { kind: 'session' } };
    if (problem !== 'invalid bearer token') return { ok: false, error: problem };
    for (const [agentId, token] of this.agents) {
      if (bearerProblem(header, token) === undefined)
        return { ok: true, principal: { kind: 'agent', agentId } };
    }
    return { ok: false, error: problem };
  }
}

/** Why `principal` may not act as `agentId` (for a 403), or undefined when it may. */
export function actingProblem(principal: Principal | null, agentId: string): string | undefined {
  if (principal === null || principal.kind === 'session' || principal.agentId === agentId) return undefined;
  return `this token belongs to agent '${principal.agentId}', not '${agentId}'`;
}
