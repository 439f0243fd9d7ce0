// A small runner for our composite actions, step by step from their action.yml as GitHub's runner
// does: `run` steps with `shell: bash`, `env` with ${{ inputs.x }} / ${{ steps.id.outputs.y }} /
// ${{ github.* }} expressions, `if` conditions (==, !=, &&, ||, parentheses, the status functions,
// contains/startsWith/endsWith/format/join/toJSON/fromJSON), step outputs through GITHUB_OUTPUT.
// `uses: actions/cache@v5` is simulated as a cache miss. test/workflow-runner.ts runs whole
// workflows with the same expressions.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { actionNodeBin, tempDir } from './helpers.js';

const NODE_BIN = actionNodeBin();

interface Step { id?: string; name?: string; if?: string; uses?: string; shell?: string; run?: string; env?: Record<string, string>; with?: Record<string, string> }
interface ActionYml { inputs: Record<string, { default?: string }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } }

export interface Context {
  inputs: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>;
  github: Record<string, unknown>;
  /** Workflow jobs add matrix, needs, secrets, env, runner, vars. */
  [context: string]: unknown;
}

function lookup(ctx: Context, path: string): unknown {
  let v: unknown = ctx;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** GitHub's loose equality: strings compared case-insensitively, numbers as numbers. */
function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a ?? '').toLowerCase() === String(b ?? '').toLowerCase();
}

const asText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  contains: (hay, needle) => (Array.isArray(hay) ? hay.some((x) => equal(x, needle)) : asText(hay).toLowerCase().includes(asText(needle).toLowerCase())),
  startswith: (s, p) => asText(s).toLowerCase().startsWith(asText(p).toLowerCase()),
  endswith: (s, p) => asText(s).toLowerCase().endsWith(asText(p).toLowerCase()),
  format: (f, ...args) => asText(f).replace(/\{(\d+)\}/g, (_, i: string) => asText(args[Number(i)])),
  join: (a, sep = ',') => (Array.isArray(a) ? a.map(asText).join(asText(sep)) : asText(a)),
  tojson: (v) => JSON.stringify(v, null, 2),
  fromjson: (v) => JSON.parse(asText(v)),
};

/** Job or step status for the status functions: a failed earlier step (or needed job), a cancelled run. */
export interface Status { failed: boolean; cancelled?: boolean }

/** Evaluates the expression subset our action.yml files and example workflows use. */
export function evaluate(expr: string, ctx: Context, failed: boolean | Status = false): unknown {
  const status: Status = typeof failed === 'boolean' ? { failed } : failed;
  const tokens = expr.match(/'(?:[^']|'')*'|&&|\|\||==|!=|<=|>=|[<>(),!]|\d+(?:\.\d+)?|[A-Za-z_][\w.-]*(?:\.\*)?/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): unknown => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`expression ends early: ${expr}`);
    if (t === '(') {
      const v = or();
      i++; // ')'
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (peek() === '(') {
      i++;
      const args: unknown[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') i++;
      }
      i++; // ')'
      const name = t.toLowerCase();
      if (name === 'always') return true;
      if (name === 'success') return !status.failed && !status.cancelled;
      if (name === 'failure') return status.failed;
      if (name === 'cancelled') return !!status.cancelled;
      const fn = FUNCTIONS[name];
      if (!fn) throw new Error(`runner: function ${t}() is not simulated`);
      return fn(...args);
    }
    return lookup(ctx, t) ?? '';
  };
  const cmp = (): unknown => {
    const a = primary();
    if (peek() === '==' || peek() === '!=') {
      const op = tokens[i++];
      const eq = equal(a, primary());
      return op === '==' ? eq : !eq;
    }
    return a;
  };
  const and = (): unknown => {
    let v = cmp();
    while (peek() === '&&') {
      i++;
      const r = cmp();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  function or(): unknown {
    let v = and();
    while (peek() === '||') {
      i++;
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  return or();
}

/** Whether a step or job with condition `cond` runs: without a status function, success() is implied. */
export function willRun(cond: string | undefined, ctx: Context, status: Status): boolean {
  const expr = cond ? String(cond).trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1') : 'success()';
  const explicit = /\b(always|failure|cancelled|success)\s*\(\)/.test(expr);
  return explicit ? truthy(evaluate(expr, ctx, status)) : !status.failed && !status.cancelled && truthy(evaluate(expr, ctx, status));
}

export const truthy = (v: unknown) => v !== '' && v !== false && v !== undefined && v !== null && v !== 0;

/** `${{ expr }}` substituted in a string. */
export function interpolate(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, e: string) => asText(evaluate(e, ctx)));
}

/** A step's outputs from its GITHUB_OUTPUT file (`name=value` and `name<<EOF` blocks); none when it is gone. */
export function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]] = m[3];
  for (const line of text.split('\n')) {
    const m = /^([^=<\s]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export interface CompositeRun {
  outputs: Record<string, string>;
  steps: Array<{ name: string; ran: boolean; status: number | null; stdout: string; stderr: string }>;
  failed: boolean;
  summary: string;
}

/** A step's process; asynchronous, so servers in this process (the GitHub API stand-in) answer it. */
function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // `run: node ...` steps get the action Node (Node 24 in .ci/run), as a runner's PATH would give.
    const path = NODE_BIN ? `${NODE_BIN}${delimiter}${env.PATH ?? ''}` : env.PATH;
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env: { ...env, ...(path ? { PATH: path } : {}) }, timeout: 300_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs actionDir/action.yml as a `uses:` step would, in `cwd`, with runner env `env`. */
export async function runComposite(actionDir: string, inputs: Record<string, string>, github: Record<string, unknown>, env: Record<string, string>, cwd: string): Promise<CompositeRun> {
  const action = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
  const ctx: Context = { inputs: {}, steps: {}, github: { ...github, action_path: actionDir } };
  for (const [name, spec] of Object.entries(action.inputs)) ctx.inputs[name] = inputs[name] ?? interpolate(spec.default ?? '', ctx);
  const work = tempDir('edgeml-composite-');
  const summaryFile = join(work, 'summary.md');
  writeFileSync(summaryFile, '');
  const steps: CompositeRun['steps'] = [];
  let failed = false;
  for (const [n, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${n + 1}`;
    if (!willRun(step.if, ctx, { failed })) {
      steps.push({ name, ran: false, status: null, stdout: '', stderr: '' });
      continue;
    }
    if (step.uses) {
      if (!/^actions\/cache@/.test(step.uses)) throw new Error(`composite runner: ${step.uses} is not simulated`);
      if (step.id) ctx.steps[step.id] = { outputs: { 'cache-hit': '' }, outcome: 'success' }; // a cache miss
      steps.push({ name, ran: true, status: 0, stdout: '', stderr: '' });
      continue;
    }
    if (step.shell !== 'bash') throw new Error(`composite runner: step '${name}' uses shell ${step.shell}`);
    const outFile = join(work, `output-${n}`);
    writeFileSync(outFile, '');
    const stepEnv: Record<string, string> = { ...env, GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTION_PATH: actionDir };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(String(v), ctx);
    const script = join(work, `step-${n}.sh`);
    writeFileSync(script, interpolate(step.run ?? '', ctx));
    const r = await bash(script, cwd, stepEnv);
    steps.push({ name, ran: true, status: r.status, stdout: r.stdout, stderr: r.stderr });
    if (step.id) ctx.steps[step.id] = { outputs: readOutputs(outFile), outcome: r.status === 0 ? 'success' : 'failure' };
    if (r.status !== 0) failed = true;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, o]) => [k, interpolate(o.value, ctx)]));
  return { outputs, steps, failed, summary: readFileSync(summaryFile, 'utf8') };
}
