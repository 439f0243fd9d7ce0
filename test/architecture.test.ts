// The layers of src/ (docs/development.md, "Layers"): no import cycle between files or between
// areas, the bottom layers import only each other, @actions/* only in src/github and src/actions,
// nothing imports an entry point, and the CLI (its import graph and its bundle) carries no
// @actions/* package. The graph is read from the sources: every static, type-only, re-export and
// dynamic import with a literal specifier.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Areas that import only each other: the shared ideas everything else builds on. */
const BOTTOM = ['errors', 'units', 'version', 'names', 'documents', 'tensors', 'settings'];
/** What an area may import besides the bottom layers; areas not named here are not limited. */
const MAY_IMPORT: Record<string, string[]> = {
  model: [],
  stats: [],
  results: ['model', 'stats'],
  config: [],
  git: [],
  devices: [],
};
const ENTRY_POINTS = ['cli', 'actions'];
const ACTIONS_TOOLKIT = ['github', 'actions'];

interface SourceFile {
  /** Path relative to src/, e.g. `bench/index.ts`. */
  path: string;
  /** Files of src/ it imports, relative to src/. */
  local: string[];
  /** Packages it imports (bare specifiers). */
  packages: string[];
  /** Relative specifiers that name no file. */
  unresolved: string[];
}

const IMPORT = /^\s*(?:import|export)\s[^;'"`]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

export function importGraph(src = SRC): Map<string, SourceFile> {
  const graph = new Map<string, SourceFile>();
  for (const file of sourceFiles(src)) {
    const entry: SourceFile = { path: relative(src, file), local: [], packages: [], unresolved: [] };
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith('.')) {
        entry.packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        continue;
      }
      const target = resolve(dirname(file), spec);
      const ts = target.replace(/\.js$/, '.ts');
      if (ts.endsWith('.ts') && existsSync(ts) && ts.startsWith(src)) entry.local.push(relative(src, ts));
      else if (!existsSync(target)) entry.unresolved.push(spec);
      // Anything else is data outside src/ (schemas/*.json): not a module of the graph.
    }
    graph.set(entry.path, entry);
  }
  return graph;
}

/** The area of a file: its folder under src/, or its name for a file at the top (errors.ts). */
export const areaOf = (path: string) => (path.includes('/') ? path.split('/')[0] : path.replace(/\.ts$/, ''));

/** Strongly connected components with more than one member (or a self-loop): the cycles. */
export function cycles(edges: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

const graph = importGraph();
const areaEdges = new Map<string, string[]>();
for (const f of graph.values()) {
  const from = areaOf(f.path);
  const to = new Set(areaEdges.get(from) ?? []);
  for (const t of f.local) if (areaOf(t) !== from) to.add(areaOf(t));
  areaEdges.set(from, [...to]);
}
/** `file -> imported file` lines for every import that breaks `allowed`. */
const violations = (allowed: (from: string, to: string) => boolean) =>
  [...graph.values()].flatMap((f) => f.local.filter((t) => !allowed(f.path, t)).map((t) => `${f.path} -> ${t}`));

describe('the import graph of src/', () => {
  it('is read whole: every relative import names a file', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('cli/index.ts')?.local.length).toBeGreaterThan(5);
    expect([...graph.values()].flatMap((f) => f.unresolved.map((s) => `${f.path}: ${s}`))).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const edges = new Map([...graph.values()].map((f) => [f.path, f.local]));
    expect(cycles(edges).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('has no cycle between areas', () => {
    expect(cycles(areaEdges).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(cycles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts']]);
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('keeps the bottom layers at the bottom: they import only each other', () => {
    expect(violations((from, to) => !BOTTOM.includes(areaOf(from)) || BOTTOM.includes(areaOf(to)))).toEqual([]);
  });

  it.each(Object.entries(MAY_IMPORT))('lets %s import only the bottom layers and %j', (area, allowed) => {
    expect([...graph.values()].some((f) => areaOf(f.path) === area)).toBe(true);
    expect(violations((from, to) => areaOf(from) !== area || [area, ...BOTTOM, ...allowed].includes(areaOf(to)))).toEqual([]);
  });

  it('has no area import an entry point (src/cli, src/actions)', () => {
    expect(violations((from, to) => !ENTRY_POINTS.includes(areaOf(to)) || areaOf(from) === areaOf(to))).toEqual([]);
  });

  it('keeps @actions/* in src/github and src/actions', () => {
    const users = [...graph.values()].filter((f) => f.packages.some((p) => p.startsWith('@actions/'))).map((f) => f.path);
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((p) => !ACTIONS_TOOLKIT.includes(areaOf(p)))).toEqual([]);
  });
});

describe('the CLI', () => {
  it('imports no @actions/* package, directly or through what it imports', () => {
    const seen = new Set<string>();
    const todo = ['cli/index.ts'];
    const via: string[] = [];
    while (todo.length) {
      const file = graph.get(todo.pop()!)!;
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      via.push(...file.packages.filter((p) => p.startsWith('@actions/')).map((p) => `${file.path} imports ${p}`));
      todo.push(...file.local);
    }
    expect(seen.size).toBeGreaterThan(100);
    expect(via).toEqual([]);
  });

  it('bundle (dist/cli/index.js) carries no @actions/* module', () => {
    const bundle = join(ROOT, 'dist', 'cli', 'index.js');
    expect(existsSync(bundle), `${bundle} is missing: run npm run build`).toBe(true);
    const text = readFileSync(bundle, 'utf8');
    expect(text).toMatch(/node_modules\/commander\//);
    expect([...new Set(text.match(/node_modules\/@actions\/[a-z-]+/g) ?? [])]).toEqual([]);
  });
});
