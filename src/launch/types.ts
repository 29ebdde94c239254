// The vocabulary of the launch path: what a caller asks for (agents), the settings that shape
// the session, and the seams it runs through.
import type { BrokerSettings } from '../broker/client/session.js';
import type { BootstrapSettings, PortSettings } from '../config/effective.js';
import type { ResolvedSkill } from '../broker/client/skill.js';
import type { RepoInfo } from '../git/repo.js';
import type { CommandRunner } from '../util/exec.js';

/**
 * What `git paw start` (and `git paw` alone) was asked for: one shape from the command line,
 * parsed by commander or by the fast path in cli.ts, down to the launch.
 */
export interface StartFlags {
  cli?: string;
  branches?: string[];
  /** Branches and CLI from a `[presets.<name>]` entry. */
  preset?: string;
  fromSpecs?: boolean;
  dryRun?: boolean;
  /** False with `--no-attach`. */
  attach: boolean;
  /** `--rerun-setup`: run `[worktree] setup` in every pane, also in worktrees that exist already. */
  rerunSetup?: boolean;
}

/** A CLI as chosen for a pane: `name` for labels/state, `command` is the shell text to run. */
export interface CliChoice {
  name: string;
  command: string;
}

/** One agent to launch: a branch and the CLI to run in its worktree. */
export interface AgentRequest {
  branch: string;
  cli: CliChoice;
  /** Spec prompt (from-specs), written into the worktree's AGENTS.md. */
  specText?: string;
  /** Files this agent owns (from-specs), written into the worktree's AGENTS.md. */
  ownedFiles?: string[];
}

/** The session's broker (`[broker] enabled`) and the coordination skill, resolved once per launch. */
export interface LaunchBrokerSettings extends BrokerSettings {
  skill: ResolvedSkill;
  /** The skill for agents whose CLI has git-paw's MCP tools; absent with `[broker] mcp = false`. */
  mcpSkill?: ResolvedSkill;
}

export interface LaunchSettings {
  mouse: boolean;
  /** Pipe every agent pane into `.git-paw/logs/<session>/<branch>.log`. */
  logging: boolean;
  /** Present when the session runs a broker: dashboard pane 0, env, skill in AGENTS.md. */
  broker?: LaunchBrokerSettings;
  /** CLIs configured with `integrate = false`: launched with no flags, hooks or settings layers. */
  plainClis?: readonly string[];
  /** `[tmux] jump_key`: the key bound to `git paw next` once the session is up. */
  jumpKey?: string;
  /** `[worktree]`: files copied and linked into each new worktree, setup run before its CLI. */
  bootstrap?: BootstrapSettings;
  /** `[ports]`: each agent's own block of ports. */
  ports?: PortSettings;
}

export interface LaunchContext {
  runner: CommandRunner;
  repo: RepoInfo;
  /** Environment that locates the sessions dir (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
}
