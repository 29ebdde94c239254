// CLI resolution for spec launches (`--cli`, `paw_cli`, `default_spec_cli`, the picker), on specs scanned
// from real files and CLIs detected from a real PATH of fake executables.
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { detectClis } from '../../src/clis/detect.js';
import type { CliInfo } from '../../src/clis/known.js';
import { emptyConfig, type PawConfig } from '../../src/config/schema.js';
import { assignSpecClis } from '../../src/specs/assign-cli.js';
import { scanSpecs } from '../../src/specs/scan.js';
import type { SpecEntry } from '../../src/specs/types.js';
import { CliNotFoundError } from '../../src/util/errors.js';

let root: string;
let clis: CliInfo[];
const config: PawConfig = { ...emptyConfig(), specs: { dir: 'specs', type: 'markdown' } };

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-spec-cli-')));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const name of ['claude', 'gemini']) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, name), 0o755);
  }
  clis = detectClis(emptyConfig(), bin).clis;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function spec(file: string, frontmatter: string): void {
  const path = join(root, 'specs', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `---\npaw_status: pending\n${frontmatter}---\nwork\n`);
}

async function scanned(): Promise<SpecEntry[]> {
  return (await scanSpecs(root, config)).specs;
}

const noPrompt = () => Promise.reject(new Error('the picker must not be shown'));

function summary(result: { spec: SpecEntry; cli: CliInfo }[]): string[] {
  return result.map(({ spec, cli }) => `${spec.branch} → ${cli.name}`);
}

describe('assignSpecClis', () => {
  it('paw_cli and default_spec_cli, no prompt, sorted order kept (gemini NOT moved first)', async () => {
    spec('a.md', '');
    spec('b.md', 'paw_cli: gemini\n');
    const result = await assignSpecClis({ specs: await scanned(), defaultSpecCli: 'claude', clis, pick: noPrompt });
    expect(summary(result)).toEqual(['spec/a → claude', 'spec/b → gemini']);
    expect(result[0]?.cli.path).toBe(join(root, 'bin', 'claude'));
  });

  it('an unknown paw_cli fails before any prompt', async () => {
    spec('a.md', 'paw_cli: nonexistent\n');
    spec('b.md', '');
    const pick = vi.fn(noPrompt);
    const attempt = assignSpecClis({ specs: await scanned(), clis, pick });
    await expect(attempt).rejects.toThrow(CliNotFoundError);
    await expect(attempt).rejects.toThrow("CLI 'nonexistent' not found in config");
    expect(pick).not.toHaveBeenCalled();
  });

  it('an unknown --cli fails the same way', async () => {
    spec('a.md', '');
    await expect(assignSpecClis({ specs: await scanned(), cliFlag: 'nonexistent', clis, pick: noPrompt })).rejects.toThrow(
      "CLI 'nonexistent' not found in config",
    );
  });

  it('without --cli, paw_cli or defaults the single picker is asked, and its failure propagates', async () => {
    spec('a.md', '');
    const pick = vi.fn(() => Promise.reject(new Error('Interactive prompt failed')));
    await expect(assignSpecClis({ specs: await scanned(), clis, pick })).rejects.toThrow('Interactive prompt failed');
    expect(pick).toHaveBeenCalledTimes(1);
    expect(pick).toHaveBeenCalledWith(undefined);
  });

  it('--cli overrides every paw_cli and never prompts', async () => {
    spec('a.md', 'paw_cli: gemini\n');
    spec('b.md', '');
    const result = await assignSpecClis({ specs: await scanned(), cliFlag: 'claude', defaultSpecCli: 'gemini', clis, pick: noPrompt });
    expect(summary(result)).toEqual(['spec/a → claude', 'spec/b → claude']);
  });

  it('asks once for all remaining specs, with default_cli pre-selected only when it is available', async () => {
    spec('a.md', '');
    spec('b.md', 'paw_cli: claude\n');
    spec('c.md', '');
    const gemini = clis.find((cli) => cli.name === 'gemini');
    if (!gemini) throw new Error('fake gemini not detected');
    const pick = vi.fn((_default?: string) => Promise.resolve(gemini));
    const result = await assignSpecClis({ specs: await scanned(), defaultCli: 'claude', clis, pick });
    expect(summary(result)).toEqual(['spec/a → gemini', 'spec/b → claude', 'spec/c → gemini']);
    expect(pick.mock.calls).toEqual([['claude']]);

    pick.mockClear();
    await assignSpecClis({ specs: await scanned(), defaultCli: 'not-installed', clis, pick });
    expect(pick.mock.calls).toEqual([[undefined]]);
  });

  it('does not prompt or check default_spec_cli when every spec names its CLI', async () => {
    spec('a.md', 'paw_cli: gemini\n');
    const result = await assignSpecClis({ specs: await scanned(), defaultSpecCli: 'nonexistent', clis, pick: noPrompt });
    expect(summary(result)).toEqual(['spec/a → gemini']);
  });

  it('rejects an unknown default_spec_cli when it is needed', async () => {
    spec('a.md', '');
    await expect(assignSpecClis({ specs: await scanned(), defaultSpecCli: 'nope', clis, pick: noPrompt })).rejects.toThrow(
      "CLI 'nope' not found in config",
    );
  });

  it('returns nothing for no specs without prompting', async () => {
    expect(await assignSpecClis({ specs: [], clis, pick: noPrompt })).toEqual([]);
  });
});
