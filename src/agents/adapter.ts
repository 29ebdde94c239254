// What git-paw knows about one AI CLI, in one place: how its instructions reach it, what it adds
// to the CLI's command line and environment to report state, how its hook payloads map to agent
// states, and which screen texts mean it is waiting or busy. The launch path and the broker ask
// the adapter; nothing else branches on a CLI's name.
import type { AgentState } from './state.js';

/** The state a hook payload stands for, with a short reason. */
export interface HookSignal {
  state: AgentState;
  detail: string;
}

/** A text on the pane's screen that means the CLI is in a state (checked in order). */
export interface ScreenRule {
  pattern: RegExp;
  state: 'waiting' | 'working' | 'error';
  /** Shown as the state's detail, e.g. `permission dialog` or `trust screen`. */
  detail: string;
}

/** What a launch knows about one agent when it asks the adapter how to start its CLI. */
export interface IntegrationInput {
  worktreePath: string;
  branch: string;
  agentId: string;
  /**
   * A directory only this agent's generated files live in, outside the worktree and outside any
   * world-writable directory (under the user's data dir, mode 0700).
   */
  privateDir: string;
  /** The session's broker, when it runs; the pane holds its token in GIT_PAW_BROKER_TOKEN. */
  brokerUrl?: string;
  /** This agent's MCP endpoint on the broker, when `[broker] mcp` is on (same token). */
  mcpUrl?: string;
  /** The environment the CLI will see (HOME, XDG dirs, the user's own settings paths). */
  env: NodeJS.ProcessEnv;
}

/** A file git-paw writes for an agent. */
export interface GeneratedFile {
  /** Absolute path: inside the worktree (kept out of git, removed on purge) or in privateDir. */
  path: string;
  content: string;
}

/** What the launch adds to one agent's pane. */
export interface Integration {
  /** Words appended to the CLI's command (the launch shell-quotes them). */
  args: string[];
  /** Variables only this pane gets. */
  env: Record<string, string>;
  /** Files written before the CLI starts, and again on recovery. */
  files: GeneratedFile[];
}

export interface AgentAdapter {
  /** The CLI name this adapter is for (`generic` for custom CLIs). */
  readonly cli: string;
  /** How git-paw's instructions reach the CLI (for the README's table and `--why`). */
  readonly instructions: string;
  /** Whether git-paw wires the broker's MCP tools into this CLI (its AGENTS.md then names them). */
  readonly mcp: boolean;
  /** What the launch adds to the pane so the CLI reads its instructions and reports state. */
  integrate(input: IntegrationInput): Integration;
  /**
   * The state a hook payload posted to the broker stands for; `ignored` for a known event that
   * says nothing about the agent (e.g. a side turn the CLI runs for itself); undefined for a
   * payload this CLI never sends (the broker answers 400 and changes nothing).
   */
  hookSignal(payload: unknown): HookSignal | 'ignored' | undefined;
  /** Screen texts, most specific first. */
  readonly screenRules: readonly ScreenRule[];
}

/** Reads a string member of a JSON object, or '' (hook payloads are untrusted input). */
export function stringField(payload: unknown, key: string): string {
  if (typeof payload !== 'object' || payload === null) return '';
  const value = (payload as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

/** `label: tool`, or the label alone when the payload named no tool. */
export function withTool(label: string, tool: string): string {
  return tool === '' ? label : `${label}: ${tool}`;
}
