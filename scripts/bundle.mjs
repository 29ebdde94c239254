// Second build step: bundles tsc's output (build/) into the shipped dist/. Node 20's ES-module
// loader pays about a third of a millisecond per file, so what a plain `git paw start` loads —
// ~50 modules — comes in three chunks: what dist/cli.js imports itself (all `--version` needs),
// what `status` also loads, and the rest of the start path. Everything else is split where it is
// first imported dynamically, so heavy libraries (ink, react, yaml, @clack) still load only
// in the commands that use them. The entry points keep their paths: dist/cli.js (the bin, whose
// first lines are a sh prologue), dist/broker/serve.js, dist/broker/watchdog.js and
// dist/demo/agent.js (scripts git-paw runs by path).
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'rolldown';

const ENTRIES = {
  cli: 'build/cli.js',
  'broker/serve': 'build/broker/server/serve.js',
  'broker/watchdog': 'build/broker/server/watch.js',
  'demo/agent': 'build/demo/agent.js',
};
/** The modules whose static imports (recursively, rolldown's default) form the start chunk. */
const START_PATH = /\/build\/(commands\/start|launch\/start|launch\/launch)\.js$/;
/** What dist/cli.js itself imports statically: a chunk of its own, so `--version` loads only that. */
const CLI_IMPORTS = /\/build\/util\/(errors|self|ca-certs)\.js$/;
/**
 * What the broker's processes (the server, and its watchdog) share with the CLI paths: a chunk
 * of their own, so neither loads the start or status chunk (~170 KB, ~20 ms of each process's
 * start-up). The build fails when either would load them again.
 */
const BROKER_SHARED = /\/build\/(util\/(schema|fs|process)|attention\/kinds)\.js$/;
/**
 * The agent adapters, which the broker's server needs (hook payloads, screen rules) as much as a
 * launch: a chunk of their own, so the server does not load the start chunk for them.
 */
const ADAPTERS = /\/build\/agents\/adapters\/index\.js$/;
/** What `git paw status` loads (its static imports); start loads them too. */
const STATUS_PATH = /\/build\/commands\/status\.js$/;

/** Modules whose chunks the broker's processes must never load: the CLI's start and status paths. */
const CLI_ONLY = /\/build\/(commands\/(start|status)|launch\/launch)\.js$/;
/** The broker's process entries: the server and its watchdog. */
const BROKER_ENTRIES = [/\/build\/broker\/server\/serve\.js$/, /\/build\/broker\/server\/watch\.js$/];

/** Every chunk a chunk loads before it runs (its static imports, recursively). */
function staticClosure(chunk, byName) {
  const seen = new Set();
  const visit = (current) => {
    if (seen.has(current.fileName)) return;
    seen.add(current.fileName);
    for (const name of current.imports) {
      const next = byName.get(name);
      if (next) visit(next);
    }
  };
  visit(chunk);
  return [...seen].map((name) => byName.get(name));
}

/** Throws when a broker process would load a CLI-only chunk at start-up. */
function checkBrokerChunks(output) {
  const chunks = output.filter((item) => item.type === 'chunk');
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  for (const pattern of BROKER_ENTRIES) {
    const entry = chunks.find((chunk) => pattern.test(chunk.facadeModuleId ?? ''));
    if (!entry) throw new Error(`bundle: no chunk for ${pattern}`);
    for (const chunk of staticClosure(entry, byName)) {
      const cliOnly = chunk.moduleIds.find((id) => CLI_ONLY.test(id));
      if (cliOnly)
        throw new Error(
          `bundle: ${entry.fileName} loads ${chunk.fileName}, which holds ${cliOnly}; ` +
            'give the module that pulls it in a chunk group of its own (BROKER_SHARED)',
        );
    }
  }
}

const NODE_HASHBANG = '#!/usr/bin/env node';
const { SET_EXTRA_CA_CERTS_ASIDE_SH } = await import('../build/util/ca-certs.js');
/**
 * The bin's first two lines, in place of node's hashbang: sh moves NODE_EXTRA_CA_CERTS aside (the
 * CLI puts it back; src/util/ca-certs.ts says why) and runs node on this same file, for which the
 * second line is a string and a comment.
 */
const CLI_PROLOGUE = [
  '#!/bin/sh',
  `":" //; ${SET_EXTRA_CA_CERTS_ASIDE_SH}; exec node "$0" "$@"`,
].join('\n');

function withCliPrologue(path) {
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith(`${NODE_HASHBANG}\n`)) throw new Error(`bundle: ${path} does not start with ${NODE_HASHBANG}`);
  writeFileSync(path, CLI_PROLOGUE + text.slice(NODE_HASHBANG.length));
}

rmSync('dist', { recursive: true, force: true });
const { output } = await build({
  input: ENTRIES,
  // Packages and node: builtins stay imports; only our own modules are bundled.
  external: [/^[^./]/],
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    codeSplitting: {
      groups: [
        { name: 'errors', test: CLI_IMPORTS, priority: 2 },
        { name: 'shared', test: BROKER_SHARED, priority: 2 },
        { name: 'adapters', test: ADAPTERS, priority: 2 },
        { name: 'status', test: STATUS_PATH, priority: 1 },
        { name: 'start', test: START_PATH },
      ],
    },
  },
});
withCliPrologue('dist/cli.js');
for (const entry of ['dist/cli.js', 'dist/demo/agent.js']) chmodSync(entry, 0o755);
checkBrokerChunks(output);
