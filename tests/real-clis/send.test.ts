// `git paw send` into a real CLI (pinned, against the mock model): the command reports
// `delivered` only once the agent's own signal confirmed the prompt, and the model receives the
// prompt exactly once; an agent waiting on a permission dialog is refused and its dialog left alone.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MARKERS, REPLY_TEXT } from '../helpers/mock-models/server.js';
import { pollUntil } from '../helpers/poll.js';
import { runCli } from '../helpers/run-cli.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { startRealCliSession, type RealCli, type RealCliSession } from './harness.js';

const DIALOG: Record<RealCli, RegExp> = {
  claude: /Do you want to proceed\?/,
  codex: /Would you like to run the following command\?|Allow command\?/,
  gemini: /Allow execution|Apply this change\?/,
};

for (const cli of ['claude', 'codex', 'gemini'] as const) {
  const skip = inject('realClisSkip') || (skipWithoutTmux ? 'tmux is not installed' : '');
  describe.skipIf(skip !== '')(`git paw send into ${cli} (real CLI)`, () => {
    let s: RealCliSession;
    beforeAll(async () => {
      s = await startRealCliSession(cli);
    }, 180_000);
    afterAll(async () => {
      s?.mock.release();
      await s?.close();
    }, 60_000);

    const send = (...args: string[]) =>
      runCli(['send', ...args], { cwd: s.sandbox.repo, env: s.sandbox.env });
    const received = (prompt: string) =>
      s.mock.requests.filter((request) => request.answered !== 'side' && request.prompt.includes(prompt));

    it('reports delivered, and the model receives the prompt exactly once', async () => {
      const prompt = 'Say hello to the team from send.';
      const result = await send('feat', prompt);
      expect(result.stderr).toBe('');
      const why = await runCli(['status', '--why', s.agentId], { cwd: s.sandbox.repo, env: s.sandbox.env });
      expect(result.stdout, `${why.stdout}\n--- pane ---\n${s.screen()}`).toBe(`${s.agentId}: delivered\n`);
      expect(result.code).toBe(0);
      await s.waitForScreen(new RegExp(REPLY_TEXT));
      await s.waitForState('idle');
      // Every request of the turn repeats the prompt; the first one is its arrival.
      const firsts = received(prompt).filter(
        (request) => request.answered === 'text' || request.answered === 'tool',
      );
      expect(firsts.length, JSON.stringify(received(prompt).map((r) => r.answered))).toBe(1);
    });

    it('refuses to type into an agent waiting on a permission dialog', async () => {
      s.mock.armHold();
      await s.submit(`Create the file. ${MARKERS.tool} ${MARKERS.holdAfterTool}`);
      await s.waitForState('waiting');
      // The state can come from a hook a moment before the dialog is drawn.
      await s.waitForScreen(DIALOG[cli]);
      const before = s.screen();
      const result = await send(s.agentId, 'yes do it');
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')[0]).toMatch(
        new RegExp(
          `^error: not typing into ${s.agentId}: it is waiting on a dialog .*which typing would answer$`,
        ),
      );
      expect(DIALOG[cli].test(before)).toBe(true);
      expect(s.screen()).not.toContain('yes do it');
      await s.approve(DIALOG[cli]);
      await s.releaseHeldTurn();
      await pollUntil(
        () => s.agent(),
        (agent) => agent.state === 'idle',
        { timeoutMs: 30_000 },
      );
    });
  });
}
