// Second build step: bundles tsc's output (build/) into the shipped dist/. Node 20's ES-module
// loader pays about a third of a millisecond per file, so what a plain `git paw start` loads —
// ~50 modules — comes in three chunks: what dist/cli.js imports itself (all `--version` needs),
// what `status` also loads, and the rest of the start path. Everything else is split where it is
// first imported dynamically, so heavy libraries (ink, react, yaml, @clack) still load only
// in the commands that use them. The entry points keep their paths: dist/cli.js (the bin),
// dist/broker/serve.js and dist/demo/agent.js (scripts git-paw runs by path).
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'rolldown';

const ENTRIES = {
  cli: 'build/cli.js',
  'broker/serve': 'build/broker/server/serve.js',
  'demo/agent': 'build/demo/agent.js',
};
/** The modules whose static imports (recursively, rolldown's default) form the start chunk. */
const START_PATH = /\/build\/(commands\/start|launch\/start|launch\/launch)\.js$/;
/** What dist/cli.js itself imports statically: a chunk of its own, so `--version` loads only that. */
const CLI_IMPORTS = /\/build\/util\/(errors|self)\.js$/;
/**
 * What the broker's two processes (supervisor and server, started by every launch with a broker)
 * share with the CLI paths: a chunk of their own, so neither loads the start or status chunk.
 */
const BROKER_SHARED = /\/build\/util\/schema\.js$/;
/**
 * The agent adapters, which the broker's server needs (hook payloads, screen rules) as much as a
 * launch: a chunk of their own, so the server does not load the start chunk for them.
 */
const ADAPTERS = /\/build\/agents\/adapters\/index\.js$/;
/** What `git paw status` loads (its static imports); start loads them too. */
const STATUS_PATH = /\/build\/commands\/status\.js$/;

rmSync('dist', { recursive: true, force: true });
await build({
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
for (const entry of ['dist/cli.js', 'dist/demo/agent.js']) chmodSync(entry, 0o755);
