// `git paw send <agent|branch> <text>` and `git paw send --all <text>`: types a prompt into the
// agents' panes without attaching, and reports per agent whether it arrived (`delivered`, or
// `not delivered after N s` and exit 1), confirmed by the agent's own signal through the
// session's broker. An agent waiting on a dialog, or without its CLI in front, is not typed into.
import { fetchSignals } from '../broker/client/why.js';
import { brokerUrl, isSessionBroker, probeBroker, type BrokerStatusAgent } from '../broker/client.js';
import { shellInFront } from '../broker/watcher.js';
import { isAgentState } from '../agents/state.js';
import { matchAgent } from '../attention/match.js';
import { rosterOf } from '../attention/agents.js';
import { brokerTargetOf } from '../session/broker-target.js';
import { resolveRepo } from '../git/repo.js';
import { corruptStateError, findSession } from '../session/store.js';
import { deliver, refusalOf, type DeliveryTarget } from '../send/deliver.js';
import { BrokerError, PawError, SessionError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

/** A hook's word that a prompt was submitted (Claude Code's UserPromptSubmit, Gemini CLI's BeforeAgent). */
const PROMPT_SUBMITTED = 'prompt submitted';

export interface SendFlags {
  all?: boolean;
  timeout?: string;
}

interface AgentPane {
  paneId: string;
  cliInFront: boolean;
}

async function tmux(args: string[], input?: string): Promise<string> {
  const result = await systemRunner.run('tmux', args, input === undefined ? {} : { input });
  if (result.code !== 0) throw new PawError(`tmux ${args[0] ?? ''} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Each agent's pane in the session, and whether its CLI (not the shell) runs in front. */
async function agentPanes(session: string): Promise<Map<string, AgentPane>> {
  const out = await tmux([
    'list-panes', '-s', '-t', `=${session}`, '-F', '#{@paw_agent}\t#{pane_id}\t#{pane_pid}\t#{pane_current_command}',
  ]); // prettier-ignore
  const panes = new Map<string, AgentPane>();
  for (const line of out.split('\n')) {
    const [agentId = '', paneId = '', pid = '', command = ''] = line.split('\t');
    if (agentId === '' || panes.has(agentId)) continue;
    panes.set(agentId, { paneId, cliInFront: !shellInFront(Number(pid), command) });
  }
  return panes;
}

function paneTarget(
  paneId: string,
  url: string,
  agentId: string,
  token: string | undefined,
  wasWorking: boolean,
): DeliveryTarget {
  const buffer = `paw-send-${process.pid}-${paneId.slice(1)}`;
  return {
    screen: () => tmux(['capture-pane', '-p', '-J', '-t', paneId]),
    async paste(text) {
      // A bracketed paste (when the CLI asked for one) keeps a multi-line prompt in one piece.
      await tmux(['load-buffer', '-b', buffer, '-'], text.replace(/\n+$/, ''));
      await tmux(['paste-buffer', '-p', '-d', '-b', buffer, '-t', paneId]);
    },
    async enter() {
      await tmux(['send-keys', '-t', paneId, 'Enter']);
    },
    async submitted(sinceMs) {
      const answer = await fetchSignals(url, agentId, token);
      if (answer.kind === 'unknown') return false;
      return answer.doc.signals.some((signal) => {
        if (Date.parse(signal.last_at) < sinceMs) return false;
        if (signal.state === 'working') {
          return (
            (signal.outcome === 'decided' && Date.parse(signal.at) >= sinceMs) ||
            (signal.source === 'hook' && signal.detail === PROMPT_SUBMITTED)
          );
        }
        // A turn too short to be seen working (Codex reports only its end): the end of a turn
        // that began after the text was sent to an agent that was not busy.
        return !wasWorking && signal.source === 'hook' && signal.state === 'idle';
      });
    },
  };
}

function timeoutOf(flag: string | undefined): number {
  if (flag === undefined) return 30;
  const seconds = Number(flag);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new PawError(`--timeout must be a number of seconds above 0, got '${flag}'`, { exitCode: 2 });
  }
  return seconds;
}

export async function runSend(args: string[], flags: SendFlags): Promise<void> {
  const [first, ...rest] = args;
  const name = flags.all ? undefined : first;
  const text = (flags.all ? args : rest).join(' ');
  if (text.trim() === '')
    throw new PawError('nothing to send', { hint: 'git paw send <agent|branch> <text>', exitCode: 2 });
  const seconds = timeoutOf(flags.timeout);

  const repo = await resolveRepo(systemRunner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (lookup.kind === 'none')
    throw new SessionError('no session for this repo', { hint: 'start one with `git paw start`' });
  const { state } = lookup;
  const roster = rosterOf(state);
  const chosen = name === undefined ? roster : [matchAgent(roster, name, state.session_name)];

  const target = brokerTargetOf(state);
  if (target === undefined) {
    throw new BrokerError('this session runs without a broker, so no delivery can be confirmed', {
      hint: 'remove `enabled = false` from [broker] in .git-paw/config.toml, then start the session again',
    });
  }
  const url = brokerUrl(target.bind, target.port);
  const probe = await probeBroker(url, { timeoutMs: 2_000 });
  if (!isSessionBroker(probe, { session: state.session_name, repoPath: state.repo_path })) {
    throw new BrokerError(`the session's broker at ${url} does not answer`, {
      hint: 'run `git paw status` to bring it back',
    });
  }
  const reported = new Map<string, BrokerStatusAgent>(
    probe.status.agents.map((agent) => [agent.agent_id, agent]),
  );
  const panes = await agentPanes(state.session_name);

  const plans = chosen.map((agent) => {
    const pane = panes.get(agent.agentId);
    const entry = reported.get(agent.agentId);
    const observed = {
      state: isAgentState(entry?.state) ? entry.state : 'not_started',
      detail: entry?.state_detail ?? '',
    } as const;
    const refusal =
      pane === undefined ? 'it has no pane in the session' : refusalOf(observed, pane.cliInFront);
    return { agent, pane, refusal, wasWorking: observed.state === 'working' };
  });
  const [single] = plans;
  if (name !== undefined && single?.refusal !== undefined) {
    throw new PawError(`not typing into ${single.agent.agentId}: ${single.refusal}`, {
      hint: `look at its pane first: git paw jump ${single.agent.agentId}`,
    });
  }
  const outcomes = await Promise.all(
    plans.map(async ({ agent, pane, refusal, wasWorking }) => {
      if (pane === undefined || refusal !== undefined) return `${agent.agentId}: not sent: ${refusal ?? ''}`;
      const target = paneTarget(pane.paneId, url, agent.agentId, state.broker_token, wasWorking);
      const delivered = await deliver(target, text, { timeoutMs: seconds * 1000 });
      return `${agent.agentId}: ${delivered ? 'delivered' : `not delivered after ${seconds} s`}`;
    }),
  );
  for (const line of outcomes) say(line);
  if (outcomes.some((line) => !line.endsWith(': delivered'))) process.exitCode = 1;
}
