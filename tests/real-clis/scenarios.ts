// What the suite shows for each real CLI, in one session per CLI (a launch costs seconds): the
// model gets the agent's assignment and its branch's own instructions, the worktree stays clean,
// git-paw's MCP tools are offered and callable with no prompt, and the agent's state on the
// broker follows what the CLI does — a turn, a permission dialog, an API error, an idle spell, the
// CLI quitting.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AFTER_TOOL_TEXT,
  allStrings,
  MARKERS,
  MCP_STATUS_ARGS,
  REPLY_TEXT,
} from '../helpers/mock-models/server.js';
import { pollUntil } from '../helpers/poll.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import {
  BRANCH,
  COMMITTED_MARKER,
  startRealCliSession,
  type RealCli,
  type RealCliSession,
} from './harness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the real CLIs are not there (registry out of reach outside CI), or '' when they are. */
    realClisSkip: string;
  }
}

export interface CliExpectations {
  /** The instruction files of the branch the CLI reads by itself (or through git-paw). */
  ownFiles: string[];
  /** What `state_detail` says while the CLI asks permission to run a shell command. */
  permissionDetail: RegExp;
  /** The permission dialog's text. */
  dialog: RegExp;
  /** The scripted API error of this CLI's test. */
  errorMarker: string;
  /** A question the CLI asks after the API error, and the keys that close it. */
  errorDialog?: { pattern: RegExp; keys: string[] };
  /** git-paw's MCP tools as the CLI names them in the model's tool list. */
  mcpTools: string[];
  /** The command that quits the CLI. */
  quit: string;
}

/** How many times an idle agent's state is read, a few watcher ticks apart. */
const IDLE_READINGS = 12;
const IDLE_READING_INTERVAL_MS = 500;

export function describeRealCli(cli: RealCli, expected: CliExpectations): void {
  const skip = inject('realClisSkip') || (skipWithoutTmux ? 'tmux is not installed' : '');
  describe.skipIf(skip !== '')(`${cli} (real CLI) in a git-paw pane`, () => {
    let s: RealCliSession;

    beforeAll(async () => {
      s = await startRealCliSession(cli);
    }, 180_000);

    // A step that failed while the mock held a turn must not leave the CLI busy for the next one.
    afterEach(() => {
      s?.mock.release();
    });

    afterAll(async () => {
      await s?.close();
    }, 60_000);

    it('the model receives the assignment, the coordination instructions and the branch’s own instructions', async () => {
      await s.submit('Say hello to the team.');
      await s.waitForScreen(new RegExp(REPLY_TEXT));
      const main = s.mock.requests.filter((r) => r.answered === 'text' && r.prompt.includes('Say hello'));
      expect(main.length).toBeGreaterThan(0);
      const told = allStrings(main[0]?.body);
      expect(told).toContain('## git-paw Session Assignment');
      expect(told).toContain(`- **Branch:** \`${BRANCH}\``);
      expect(told).toContain(`You are agent \`${s.agentId}\``);
      expect(told).toContain('## Coordination Skills');
      for (const file of expected.ownFiles) expect(told).toContain(COMMITTED_MARKER[file]);
    });

    it('leaves git status of the worktree clean', () => {
      expect(s.sandbox.git(['status', '--porcelain', '--untracked-files=all'], s.worktree)).toBe('');
    });

    it('git-paw’s MCP tools are offered to the model, and its publish_status call reaches the broker with no permission prompt', async () => {
      const before = s.mock.requests.length;
      await s.submit(`Report your status. ${MARKERS.mcpPublish}`);
      // No key is pressed: a permission prompt for the tool would hold the turn, and the answer
      // that follows the tool's result would never come.
      await s.waitForScreen(new RegExp(AFTER_TOOL_TEXT), 60_000);
      const turn = s.mock.requests
        .slice(before)
        .filter((r) => r.answered !== 'side' && r.prompt.includes(MARKERS.mcpPublish));
      const last = turn.at(-1);
      expect(last?.tools).toEqual(expect.arrayContaining(expected.mcpTools));
      expect(last?.answered).toBe('tool-result');
      expect(allStrings(last?.body)).toMatch(/\{"seq":\d+\}/);
      const reported = await pollUntil(
        () => s.agent(),
        (a) => a.summary === MCP_STATUS_ARGS.message,
        { what: 'the status published through MCP on /status' },
      );
      expect(reported.status).toBe(MCP_STATUS_ARGS.status);
      await s.waitForState('idle');
    });

    it('a turn shows working on /status, then idle', async () => {
      s.mock.armHold();
      await s.submit(`Think about it. ${MARKERS.hold}`);
      await s.waitForState('working');
      await s.releaseHeldTurn();
      await s.waitForState('idle');
    });

    it('a shell command waiting for permission shows waiting with the tool; approving it goes back to working, then idle', async () => {
      s.mock.armHold();
      await s.submit(`Create the file. ${MARKERS.tool} ${MARKERS.holdAfterTool}`);
      const waiting = await s.waitForState('waiting', { detail: expected.permissionDetail });
      expect(waiting.state_detail).toMatch(expected.permissionDetail);
      await s.approve(expected.dialog);
      await s.waitForState('working');
      await s.releaseHeldTurn();
      await s.waitForState('idle');
      expect(existsSync(join(s.worktree, 'paw-tool-ran.txt'))).toBe(true);
    });

    it('an idle agent stays idle: its state does not change over several watcher ticks', async () => {
      const first = await s.waitForState('idle');
      const readings = [];
      for (let i = 0; i < IDLE_READINGS; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_READING_INTERVAL_MS));
        const now = await s.agent();
        readings.push(`${now.state} since ${now.state_since}`);
      }
      expect(readings).toEqual(
        Array.from({ length: IDLE_READINGS }, () => `idle since ${first.state_since}`),
      );
    });

    it('an API error from the model shows error', async () => {
      await s.submit(`Try again. ${expected.errorMarker}`);
      await s.waitForState('error');
    });

    it('quitting the CLI shows exited', async () => {
      const dialog = expected.errorDialog;
      if (dialog && dialog.pattern.test(s.screen())) {
        s.keys(...dialog.keys);
        await pollUntil(
          () => s.screen(),
          (text) => !dialog.pattern.test(text),
          {
            what: `${dialog.pattern} to close`,
          },
        );
      }
      await s.quit(expected.quit);
      await s.waitForState('exited');
    });
  });
}
