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
/**
 * Imports that reach past another area's index.ts (its door), each with why it stays. Besides
 * these, two rules: the CLI may take a module of src/github/ that reaches no @actions/* package
 * (github's index.ts carries @actions/core, which the CLI must not): see `offActions`; and a
 * command's settings table (`<area>/settings.ts`) may be imported on its own, since the generator
 * (`npm run settings`) and other tables read the tables without the commands behind them.
 */
const PAST_THE_DOOR: Record<string, string> = {
  'actions/tables.ts -> settings/action-yml.ts': "the generator's YAML document code is not part of settings' door: no bundle needs it",
  'actions/tables.ts -> settings/config-schema.ts': "the schema generator's text code (a type only, here) is not part of settings' door: no bundle needs it",
  'budgets/check.ts -> compat/document.ts': "reading an inspect document: compat/index.ts would bring the operator tables (about 130 KiB) into every action bundle that checks budgets",
  'report/docs.ts -> compat/document.ts': "reading compat and inspect documents: compat/index.ts would bring the operator tables into the report action's bundle",
  'dashboard/chart.ts -> report/escape.ts': "the escaping alone: report/index.ts would bring the whole report (about 40 KiB) into the history action's bundle",
  'dashboard/index.ts -> report/escape.ts': "the escaping alone: report/index.ts would bring the whole report (about 40 KiB) into the history action's bundle",
  'agent/dispatch.ts -> github/dispatch.ts': 'the agent runs in the CLI, which must not carry the @actions/* of github/index.ts (serve work)',
  'agent/latency.ts -> bench/device.ts': 'in the serve work (agent/): to go through bench/index.ts with it',
  'cli/agent-report.ts -> agent/metrics.ts': 'in the serve work (agent/): agent/index.ts does not export the metrics registry yet',
  'cli/agent-report.ts -> agent/report.ts': 'in the serve work (agent/): agent/index.ts does not export the Reporter yet',
  'cli/serve.ts -> drift/make.ts': 'in the serve work (drift/): drift/index.ts does not export profileModel yet',
};

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

/** The local files `from` reaches, itself included. */
function reach(graph: Map<string, SourceFile>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length) {
    const f = graph.get(todo.pop()!);
    if (!f || seen.has(f.path)) continue;
    seen.add(f.path);
    todo.push(...f.local);
  }
  return seen;
}

/** `file -> imported file` for every import into another area's module other than its index.ts. */
export function pastTheDoor(graph: Map<string, SourceFile>): string[] {
  return [...graph.values()].flatMap((f) =>
    [...new Set(f.local)].filter((t) => t.includes('/') && areaOf(t) !== areaOf(f.path) && t !== `${areaOf(t)}/index.ts`).map((t) => `${f.path} -> ${t}`));
}

/** An import of a command's settings table alone. */
const settingsTable = (line: string) => line.split(' -> ')[1].endsWith('/settings.ts');

/** A CLI import of a github/ module that reaches no @actions/* package (github/index.ts would). */
function offActions(graph: Map<string, SourceFile>, line: string): boolean {
  const [from, to] = line.split(' -> ');
  if (areaOf(from) !== 'cli' || areaOf(to) !== 'github') return false;
  return [...reach(graph, to)].every((f) => !graph.get(f)!.packages.some((p) => p.startsWith('@actions/')));
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

  it("reaches into another area only through its index.ts, but for the exceptions PAST_THE_DOOR explains", () => {
    const past = pastTheDoor(graph);
    expect(past.filter((line) => !(line in PAST_THE_DOOR) && !offActions(graph, line) && !settingsTable(line))).toEqual([]);
    // An exception no import needs any more is taken off the list.
    expect(Object.keys(PAST_THE_DOOR).filter((line) => !past.includes(line))).toEqual([]);
  });

  it('finds an import past the door when there is one (the check can fail)', () => {
    const file = (path: string, local: string[], packages: string[] = []): [string, SourceFile] => [path, { path, local, packages, unresolved: [] }];
    const g = new Map([
      file('report/check.ts', ['budgets/types.ts', 'budgets/index.ts', 'report/escape.ts', 'errors.ts']),
      file('budgets/index.ts', ['budgets/types.ts']),
      file('budgets/types.ts', []),
      file('report/escape.ts', []),
      file('errors.ts', []),
      file('cli/x.ts', ['github/log.ts', 'github/post.ts']),
      file('github/log.ts', []),
      file('github/post.ts', ['github/api.ts']),
      file('github/api.ts', [], ['@actions/core']),
    ]);
    expect(pastTheDoor(g)).toEqual(['report/check.ts -> budgets/types.ts', 'cli/x.ts -> github/log.ts', 'cli/x.ts -> github/post.ts']);
    expect(pastTheDoor(g).filter((line) => !offActions(g, line))).toEqual(['report/check.ts -> budgets/types.ts', 'cli/x.ts -> github/post.ts']);
    expect(['actions/tables.ts -> bench/settings.ts', 'cli/x.ts -> bench/options.ts'].filter((line) => !settingsTable(line))).toEqual(['cli/x.ts -> bench/options.ts']);
  });

  it('keeps @actions/* in src/github and src/actions', () => {
    const users = [...graph.values()].filter((f) => f.packages.some((p) => p.startsWith('@actions/'))).map((f) => f.path);
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((p) => !ACTIONS_TOOLKIT.includes(areaOf(p)))).toEqual([]);
  });

  it('fails an action in one place: setFailed only in runAction (github/index.ts), which maps an ExitError to one line', () => {
    const callers = [...graph.values()].filter((f) => /\bsetFailed\(/.test(readFileSync(join(SRC, f.path), 'utf8'))).map((f) => f.path);
    expect(callers).toEqual(['github/index.ts']);
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
