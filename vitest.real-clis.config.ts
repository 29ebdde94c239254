// The real-CLI suite: pinned Claude Code, Codex and Gemini CLI in git-paw panes against mock model
// servers. Slow (each file launches a real CLI), so it runs on its own after the fast suite:
// `npm run test:real-clis`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/real-clis/**/*.test.ts'],
    globalSetup: ['tests/real-clis/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/real-clis.json' }]]
      : ['default'],
  },
});
