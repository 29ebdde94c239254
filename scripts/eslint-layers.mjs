// A local ESLint rule that keeps the layers of src/ apart and the module graph acyclic:
// - `util/` is the bottom layer: it imports no domain folder;
// - what runs in the broker's own processes (src/broker/server/ and the shared modules directly in
//   src/broker/) never imports CLI-side code (the commands, the entry point, the launch, the
//   dashboard, the pickers, src/broker/client/);
// - no module reaches itself through its runtime imports (type-only imports are erased, so they
//   cannot form a load-order cycle and are ignored).
// The import graph is read from the files with a regex once per lint process: a few ms for src/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** What the broker's processes load: broker/server/ and the shared modules at the top of broker/. */
const isBrokerServerSide = (path) => path.startsWith('broker/') && !path.startsWith('broker/client/');
const CLI_SIDE = [
  /^cli\.ts$/,
  /^commands\//,
  /^launch\//,
  /^dashboard\//,
  /^selection\//,
  /^broker\/client\//,
];

/** Why `from` (relative to src/) may not import `to`, or undefined. */
function layerProblem(from, to) {
  if (from.startsWith('util/') && !to.startsWith('util/')) return `util/ imports no domain folder (${to})`;
  if (isBrokerServerSide(from) && CLI_SIDE.some((pattern) => pattern.test(to)))
    return `the broker server never imports CLI-side code (${to})`;
  return undefined;
}

/** src-relative path of a relative import from `file`, or undefined when it leaves src/. */
function target(file, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const absolute = resolve(dirname(file), specifier).replace(/\.js$/, '');
  for (const candidate of [`${absolute}.ts`, `${absolute}.tsx`]) {
    if (existsSync(candidate)) {
      const inside = relative(SRC, candidate);
      return inside.startsWith('..') ? undefined : inside;
    }
  }
  return undefined;
}

const RUNTIME_IMPORT =
  /^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

let graph;
function importGraph() {
  if (graph) return graph;
  graph = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        const edges = new Set();
        for (const match of text.matchAll(RUNTIME_IMPORT)) {
          const to = target(path, match[1] ?? match[2]);
          if (to) edges.add(to);
        }
        graph.set(relative(SRC, path), edges);
      }
    }
  };
  walk(SRC);
  return graph;
}

/** A path of runtime imports from `start` back to itself, or undefined. */
function cycleThrough(start) {
  const edges = importGraph();
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [node, path] = stack.pop();
    for (const next of edges.get(node) ?? []) {
      if (next === start) return [...path, start];
      if (!seen.has(next)) {
        seen.add(next);
        stack.push([next, [...path, next]]);
      }
    }
  }
  return undefined;
}

export const layersRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'layer boundaries and import cycles in src/' } },
  create(context) {
    const from = relative(SRC, context.filename);
    if (from.startsWith('..')) return {};
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const to = target(context.filename, specifier);
      const problem = to && layerProblem(from, to);
      if (problem) context.report({ node, message: problem });
    };
    return {
      ImportDeclaration: (node) => node.importKind !== 'type' && check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.value),
      'Program:exit': (node) => {
        const cycle = cycleThrough(from);
        if (cycle) context.report({ node, message: `import cycle: ${cycle.join(' -> ')}` });
      },
    };
  },
};
