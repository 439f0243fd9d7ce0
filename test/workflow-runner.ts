// A small runner for whole example workflows, job by job as GitHub runs them: `needs` order, job
// `if` with needs.*.result and the status functions, a matrix (a job per combination, one of
// which a test may mark as never run, as when its runner is offline), the GITHUB_TOKEN with the
// job's permissions (read-only on a fork's pull request, where secrets are empty too), and steps:
// `run` in bash, our actions (composite ones through test/composite.ts, node24 ones from dist/),
// and the actions/* steps the examples use, played on this machine: checkout (git fetch from a
// local origin, one commit deep unless fetch-depth says otherwise), setup-node and cache (no-ops),
// upload-artifact and download-artifact (an artifact store per run, laid out as v4+ lay it out).
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { interpolate, readOutputs, runComposite, willRun, type Context } from './composite.js';
import type { GitHubServer } from './github-server.js';
import { ROOT, tempDir } from './helpers.js';

interface Step { id?: string; name?: string; if?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; with?: Record<string, unknown>; 'continue-on-error'?: boolean }
interface Job { name?: string; needs?: string | string[]; if?: string; 'runs-on': unknown; permissions?: Record<string, string>; env?: Record<string, string>; strategy?: { matrix?: Record<string, unknown[]> }; steps: Step[] }
interface Workflow { name: string; on: Record<string, unknown>; permissions?: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> }

export type Result = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRun { name: string; ran: boolean; status: number | null; log: string }
export interface JobRun {
  id: string;
  name: string;
  matrix?: Record<string, string>;
  runsOn?: unknown;
  result: Result;
  steps: StepRun[];
  summary: string;
  /** Workflow commands the steps printed: ::error::, ::warning::, ::notice::. */
  annotations: Array<{ level: string; message: string }>;
  workspace?: string;
}
export interface WorkflowRun { name: string; runId: number; conclusion: Result; jobs: JobRun[] }

/** One run's artifacts: name -> folder, per run id (the store outlives runs, as GitHub's does). */
export class ArtifactStore {
  readonly dir = tempDir('edgeml-artifacts-');
  private readonly runs = new Map<number, Map<string, string>>();
  list(runId: number): Map<string, string> {
    if (!this.runs.has(runId)) this.runs.set(runId, new Map());
    return this.runs.get(runId)!;
  }
  /** The folder of one artifact (to read it, or to tamper with it as a fork's workflow could). */
  path(runId: number, name: string): string | undefined {
    return this.runs.get(runId)?.get(name);
  }
}

export interface Trigger {
  name: string;
  payload: Record<string, unknown>;
  /** The commit and ref GitHub checks out for the event (the merge commit of a pull request). */
  sha: string;
  ref: string;
}

export interface RunOptions {
  gh: GitHubServer;
  /** owner/repo of the base repository. */
  repo: string;
  /** The git repository playing github.com/<repo> (refs/pull/N/merge and /head included). */
  origin: string;
  event: Trigger;
  runId: number;
  store: ArtifactStore;
  secrets?: Record<string, string>;
  /** Values put in place of the workflow's `env:` (this machine's broker instead of broker.example). */
  env?: Record<string, string>;
  /** A matrix job that never runs (cancelled; its runner offline). */
  cancel?: (job: string, matrix: Record<string, string>) => boolean;
  /** What this machine stands for on the runner: onnxruntime-node already installed (a cache hit). */
  rootInputs?: Record<string, string>;
}

const WRITE_COMMENTS = (p: Record<string, string>) => p['pull-requests'] === 'write' || p.issues === 'write';

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ status: number | null; log: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, timeout: 300_000 });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, log }));
  });
}

const annotationsOf = (log: string) => [...log.matchAll(/^::(error|warning|notice)[^:]*::(.*)$/gm)].map((m) => ({ level: m[1], message: m[2] }));

/** An artifact-name glob (`*` any run of characters) as a regular expression. */
const nameGlob = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** upload-artifact: the paths' least common ancestor is the artifact's root (a single folder: its contents). */
function upload(store: ArtifactStore, runId: number, w: Record<string, string>, cwd: string): string {
  const name = w.name || 'artifact';
  const paths = (w.path ?? '').split('\n').map((p) => p.trim()).filter(Boolean).map((p) => (isAbsolute(p) ? p : resolve(cwd, p)));
  if (!paths.length) throw new Error('Input required and not supplied: path');
  if (paths.some((p) => /[*?[]/.test(p))) throw new Error(`runner: upload-artifact path globs are not simulated (${w.path})`);
  const found = paths.filter((p) => existsSync(p));
  if (!found.length) {
    const mode = w['if-no-files-found'] || 'warn';
    if (mode === 'error') throw new Error(`No files were found with the provided path: ${w.path}. No artifacts will be uploaded.`);
    return `${mode === 'warn' ? '::warning::' : ''}No files were found with the provided path: ${w.path}. No artifacts will be uploaded.`;
  }
  const runs = store.list(runId);
  if (runs.has(name)) throw new Error(`Failed to CreateArtifact: an artifact with this name already exists on the workflow run (${name})`);
  const roots = found.map((p) => (statSync(p).isDirectory() ? p : dirname(p)));
  let root = roots[0];
  while (!roots.every((r) => r === root || r.startsWith(root + sep))) root = dirname(root);
  const dest = join(store.dir, String(runId), name);
  for (const p of found) cpSync(p, join(dest, relative(root, p)), { recursive: true });
  runs.set(name, dest);
  return `Artifact ${name} uploaded`;
}

/** download-artifact: by name (missing: an error), or a pattern (none: nothing); one artifact into `path`, several into path/<name>. */
function download(store: ArtifactStore, runId: number, w: Record<string, string>, cwd: string, permissions: Record<string, string>): string {
  let from = runId;
  if (w['run-id']) {
    if (!w['github-token']) throw new Error('runner: run-id needs github-token');
    if (!['read', 'write'].includes(permissions.actions ?? '')) throw new Error('Resource not accessible by integration (the job needs permissions: actions: read)');
    from = Number(w['run-id']);
  }
  const all = store.list(from);
  const path = resolve(cwd, w.path || '.');
  let chosen: string[];
  if (w.name) {
    if (!all.has(w.name)) throw new Error(`Artifact '${w.name}' not found`);
    chosen = [w.name];
  } else {
    chosen = [...all.keys()].filter((n) => !w.pattern || nameGlob(w.pattern).test(n));
  }
  const single = !!w.name || w['merge-multiple'] === 'true' || chosen.length === 1;
  for (const n of chosen) cpSync(all.get(n)!, single ? path : join(path, n), { recursive: true });
  return `Total of ${chosen.length} artifact(s) downloaded`;
}

/** actions/checkout of this repository: the event's ref, fetched one commit deep (fetch-depth: 0 fetches all). */
function checkout(o: RunOptions, w: Record<string, string>, workspace: string): string {
  if (w.repository === 'edge-ml-actions/edge-ml-actions' && w.path) {
    // This suite itself, as built here (its dist/ is what the CLI steps run).
    symlinkSync(ROOT, resolve(workspace, w.path));
    return `linked ${w.path} to this repository's build`;
  }
  if (w.repository && w.repository !== o.repo) throw new Error(`runner: checkout of another repository (${w.repository}) is not simulated`);
  const dir = resolve(workspace, w.path || '.');
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const depth = w['fetch-depth'] === undefined || w['fetch-depth'] === '' ? 1 : Number(w['fetch-depth']);
  git('init', '-q');
  git('remote', 'add', 'origin', `file://${o.origin}`);
  const ref = w.ref || o.event.ref;
  git('fetch', '-q', '--no-tags', ...(depth > 0 ? [`--depth=${depth}`] : []), 'origin', `+${ref}:refs/remotes/origin/checkout`, ...(depth > 0 ? [] : ['+refs/heads/*:refs/remotes/origin/*']));
  git('checkout', '-q', '--detach', 'refs/remotes/origin/checkout');
  return `checked out ${ref} at ${git('rev-parse', 'HEAD').trim()} (${depth > 0 ? `depth ${depth}` : 'full history'})`;
}

/** A node24 action of this repository: its bundle with INPUT_* env, defaults from its action.yml. */
async function nodeAction(dir: string, meta: { inputs?: Record<string, { default?: string }>; runs: { main: string } }, given: Record<string, string>, ctx: Context, env: Record<string, string>, cwd: string) {
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = given[name] ?? interpolate(String(spec.default ?? ''), ctx);
  const script = join(tempDir('edgeml-step-'), 'node.sh');
  writeFileSync(script, `exec node ${JSON.stringify(resolve(dir, meta.runs.main))}\n`);
  return bash(script, cwd, { ...env, ...inputEnv });
}

function combinations(matrix: Record<string, unknown[]> | undefined): Array<Record<string, string>> {
  if (!matrix) return [{}];
  return Object.entries(matrix).reduce<Array<Record<string, string>>>((acc, [k, values]) => acc.flatMap((m) => values.map((v) => ({ ...m, [k]: String(v) }))), [{}]);
}

function order(jobs: Record<string, Job>): string[] {
  const done: string[] = [];
  const visit = (id: string) => {
    if (done.includes(id)) return;
    for (const n of [jobs[id].needs ?? []].flat()) visit(n);
    done.push(id);
  };
  Object.keys(jobs).forEach(visit);
  return done;
}

/** Runs every job of examples/workflows/<file> for one event. */
export async function runWorkflow(file: string, o: RunOptions): Promise<WorkflowRun> {
  const wf = parse(readFileSync(join(ROOT, 'examples/workflows', file), 'utf8')) as Workflow;
  if (!(o.event.name in wf.on)) throw new Error(`${file} does not run on ${o.event.name}`);
  if (o.event.name === 'workflow_run') {
    const wanted = (wf.on.workflow_run as { workflows?: string[] }).workflows ?? [];
    const from = (o.event.payload.workflow_run as { name?: string }).name ?? '';
    if (!wanted.includes(from)) throw new Error(`${file} does not follow runs of '${from}' (only ${wanted.join(', ')})`);
  }
  const pr = o.event.payload.pull_request as { head?: { repo?: { full_name?: string } } } | undefined;
  const fork = o.event.name === 'pull_request' && pr?.head?.repo?.full_name !== o.repo;
  const eventPath = join(tempDir('edgeml-event-'), 'event.json');
  writeFileSync(eventPath, JSON.stringify(o.event.payload));
  const results: Record<string, { result: Result }> = {};
  const jobs: JobRun[] = [];

  for (const id of order(wf.jobs)) {
    const job = wf.jobs[id];
    const needs = [job.needs ?? []].flat();
    const needCtx = Object.fromEntries(needs.map((n) => [n, { result: results[n].result, outputs: {} }]));
    const github = {
      event: o.event.payload, event_name: o.event.name, repository: o.repo, repository_owner: o.repo.split('/')[0], run_id: String(o.runId),
      sha: o.event.sha, ref: o.event.ref, workflow: wf.name, job: id, server_url: 'https://github.com', api_url: o.gh.url,
    };
    const jobCtx: Context = { inputs: {}, steps: {}, github, needs: needCtx, vars: {} };
    const status = { failed: needs.some((n) => ['failure', 'cancelled'].includes(results[n].result)) };
    const skippedNeed = needs.some((n) => results[n].result === 'skipped');
    if (!willRun(job.if, jobCtx, status) || (skippedNeed && !/\b(always|failure|cancelled)\s*\(\)/.test(job.if ?? ''))) {
      results[id] = { result: 'skipped' };
      jobs.push({ id, name: id, result: 'skipped', steps: [], summary: '', annotations: [] });
      continue;
    }
    const runs: JobRun[] = [];
    for (const matrix of combinations(job.strategy?.matrix)) {
      const name = Object.keys(matrix).length ? `${id} (${Object.values(matrix).join(', ')})` : id;
      if (o.cancel?.(id, matrix)) {
        runs.push({ id, name, matrix, result: 'cancelled', steps: [], summary: '', annotations: [] });
        continue;
      }
      runs.push(await runJob(wf, id, job, matrix, name, o, { fork, eventPath, needCtx }));
    }
    jobs.push(...runs);
    const all = runs.map((r) => r.result);
    results[id] = { result: all.includes('failure') ? 'failure' : all.includes('cancelled') ? 'cancelled' : 'success' };
  }
  const all = Object.values(results).map((r) => r.result);
  return { name: wf.name, runId: o.runId, jobs, conclusion: all.includes('failure') ? 'failure' : all.includes('cancelled') ? 'cancelled' : 'success' };
}

async function runJob(wf: Workflow, id: string, job: Job, matrix: Record<string, string>, name: string, o: RunOptions, run: { fork: boolean; eventPath: string; needCtx: Record<string, unknown> }): Promise<JobRun> {
  const workspace = tempDir('edgeml-workspace-');
  const temp = tempDir('edgeml-runner-temp-');
  const permissions = job.permissions ?? wf.permissions ?? {};
  const token = `ghs_run${o.runId}_${name.replace(/\W+/g, '_')}`;
  if (run.fork || !WRITE_COMMENTS(permissions)) o.gh.readOnly.add(token);
  const github = {
    event: o.event.payload, event_name: o.event.name, repository: o.repo, repository_owner: o.repo.split('/')[0], run_id: String(o.runId),
    sha: o.event.sha, ref: o.event.ref, workflow: wf.name, job: id, workspace, token, server_url: 'https://github.com', api_url: o.gh.url,
  };
  const ctx: Context = { inputs: {}, steps: {}, github, matrix, needs: run.needCtx, secrets: run.fork ? {} : { GITHUB_TOKEN: token, ...o.secrets }, vars: {}, env: {} };
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: o.event.name, GITHUB_EVENT_PATH: run.eventPath,
    GITHUB_REPOSITORY: o.repo, GITHUB_REPOSITORY_OWNER: o.repo.split('/')[0], GITHUB_API_URL: o.gh.url, GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: String(o.runId), GITHUB_WORKFLOW: wf.name, GITHUB_JOB: id, GITHUB_WORKSPACE: workspace, GITHUB_SHA: o.event.sha, GITHUB_REF: o.event.ref,
    RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', RUNNER_NAME: `runner-${name}`, RUNNER_TEMP: temp,
  };
  const jobEnv = { ...base };
  for (const [k, v] of Object.entries({ ...wf.env, ...job.env, ...o.env })) jobEnv[k] = interpolate(String(v), ctx);
  ctx.env = jobEnv;
  const summaryFile = join(temp, 'summary.md');
  writeFileSync(summaryFile, '');
  const out: JobRun = { id, name, matrix, runsOn: JSON.parse(interpolate(JSON.stringify(job['runs-on']), ctx)), result: 'success', steps: [], summary: '', annotations: [], workspace };
  let failed = false;
  for (const [n, step] of job.steps.entries()) {
    const stepName = step.name ?? step.id ?? step.uses ?? `step ${n + 1}`;
    if (!willRun(step.if, ctx, { failed })) {
      out.steps.push({ name: stepName, ran: false, status: null, log: '' });
      continue;
    }
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
    const env: Record<string, string> = { ...jobEnv, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: join(temp, `output-${n}`) };
    writeFileSync(env.GITHUB_OUTPUT, '');
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = interpolate(String(v), ctx);
    let status: number | null = 0;
    let log = '';
    let outputs: Record<string, string> = {};
    try {
      if (step.run !== undefined) {
        const script = join(temp, `step-${n}.sh`);
        writeFileSync(script, interpolate(step.run, ctx));
        ({ status, log } = await bash(script, workspace, env));
        outputs = readOutputs(env.GITHUB_OUTPUT);
      } else if (/^actions\/checkout@/.test(step.uses ?? '')) log = checkout(o, w, workspace);
      else if (/^actions\/(setup-node|cache)@/.test(step.uses ?? '')) log = 'simulated: nothing to do on this machine';
      else if (/^actions\/upload-artifact@/.test(step.uses ?? '')) log = upload(o.store, o.runId, w, workspace);
      else if (/^actions\/download-artifact@/.test(step.uses ?? '')) log = download(o.store, o.runId, w, workspace, permissions);
      else if (/^edge-ml-actions\/edge-ml-actions(\/actions\/[\w-]+)?@/.test(step.uses ?? '')) {
        const sub = /^edge-ml-actions\/edge-ml-actions(?:\/(actions\/[\w-]+))?@/.exec(step.uses!)![1] ?? '';
        const dir = join(ROOT, sub);
        const meta = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as { inputs?: Record<string, { default?: string }>; runs: { using: string; main: string } };
        if (meta.runs.using === 'composite') {
          const r = await runComposite(dir, { ...(sub ? {} : o.rootInputs), ...w }, github, env, workspace);
          status = r.failed ? 1 : 0;
          log = r.steps.map((s) => `${s.name}: ${s.ran ? s.status : 'skipped'}\n${s.stdout}${s.stderr}`).join('\n');
          outputs = r.outputs;
          writeFileSync(summaryFile, readFileSync(summaryFile, 'utf8') + r.summary);
        } else {
          ({ status, log } = await nodeAction(dir, meta, w, { ...ctx, github: { ...github, action_path: dir } }, env, workspace));
          outputs = readOutputs(env.GITHUB_OUTPUT);
        }
      } else throw new Error(`runner: ${step.uses} is not simulated`);
    } catch (e) {
      if (/^runner:/.test((e as Error).message)) throw e;
      status = 1;
      log += `::error::${(e as Error).message}\n`;
    }
    out.steps.push({ name: stepName, ran: true, status, log });
    out.annotations.push(...annotationsOf(log));
    const ok = status === 0 || !!step['continue-on-error'];
    if (step.id) ctx.steps[step.id] = { outputs, outcome: status === 0 ? 'success' : 'failure' };
    if (!ok) failed = true;
  }
  out.result = failed ? 'failure' : 'success';
  out.summary = readFileSync(summaryFile, 'utf8');
  return out;
}

/** Files under a folder, relative to it, sorted (what an artifact holds). */
export function filesIn(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [relative(dir, join(d, e.name))]));
  return existsSync(dir) ? walk(dir).sort() : [];
}
