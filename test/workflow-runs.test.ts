// The pull-request example workflows run job by job (test/workflow-runner.ts) against the GitHub
// API stand-in, on a git repository with a base commit and a pull request: the same repository's
// PR (edgeml-pr.yml, shallow checkout), a fork's PR through the fork-safe pair (edgeml-measure.yml
// with a read-only token and no secrets, then edgeml-report.yml on workflow_run, including
// artifacts that lie about their pull request), and the device matrix (edgeml-devices.yml) with
// one device that never ran and on a fork's PR. One comment each time, never a red check for a fork;
// the fork's comment is the report the measure run rendered, operator compatibility included.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../src/report/index.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { ROOT, tempDir } from './helpers.js';
import { ArtifactStore, filesIn, runWorkflow, type Trigger, type WorkflowRun } from './workflow-runner.js';

const REPO = 'acme/models';
const FORK = 'mallory/models';
const CONFIG = `version: 1
models:
  digits:
    path: models/mlp.onnx
    data: [pixels=models/test_inputs.npy]
inspect: [nnapi, tensorrt]
benchmark:
  warmup: 2
  min-iterations: 70
  min-duration: 300ms
  max-duration: 5s
compare:
  min-duration: 200ms
  max-duration: 3s
  min-rounds: 2
datasets:
  test:
    inputs: models/test_inputs.npy
    labels: models/test_labels.npy
budgets:
  - model: digits
    limits:
      latency.p90: 1s
      accuracy.top1: 95%
      compat.nnapi.unsupported: 0
`;

let gh: GitHubServer;
let origin: { dir: string; base: string; head: string; merge: string };
const store = new ArtifactStore();
let nextRun = 100;

/** github.com/acme/models: main at the base commit, pull request 7 on top (refs/pull/7/head and /merge). */
function makeOrigin(): typeof origin {
  const dir = tempDir('edgeml-origin-');
  mkdirSync(join(dir, 'models'));
  for (const f of ['mlp.onnx', 'test_inputs.npy', 'test_labels.npy']) copyFileSync(join(ROOT, 'examples/digits', f), join(dir, 'models', f));
  writeFileSync(join(dir, 'edgeml.yml'), CONFIG);
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  const base = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'feature');
  writeFileSync(join(dir, 'edgeml.yml'), `${CONFIG}# tuned in the pull request\n`);
  git('commit', '-q', '-am', 'head');
  const head = git('rev-parse', 'HEAD');
  const merge = git('commit-tree', `${head}^{tree}`, '-p', base, '-p', head, '-m', 'Merge head into base');
  git('update-ref', 'refs/pull/7/head', head);
  git('update-ref', 'refs/pull/7/merge', merge);
  git('checkout', '-q', 'main');
  // As on GitHub: a commit reachable from a ref may be fetched by its id (the base, by `edgeml run`).
  git('config', 'uploadpack.allowAnySHA1InWant', 'true');
  return { dir, base, head, merge };
}

function pullRequest(headRepo: string): Trigger {
  const pr = {
    number: 7, state: 'open',
    head: { sha: origin.head, ref: 'feature', repo: { full_name: headRepo } },
    base: { sha: origin.base, ref: 'main', repo: { full_name: REPO } },
  };
  return { name: 'pull_request', payload: { action: 'synchronize', number: 7, pull_request: pr, repository: { full_name: REPO } }, sha: origin.merge, ref: 'refs/pull/7/merge' };
}

function workflowRun(measured: WorkflowRun, pullRequests: number[] = []): Trigger {
  const run = {
    id: measured.runId, name: measured.name, event: 'pull_request', status: 'completed', conclusion: measured.conclusion,
    head_sha: origin.head, head_branch: 'feature', pull_requests: pullRequests.map((number) => ({ number })),
  };
  return { name: 'workflow_run', payload: { action: 'completed', workflow_run: run, repository: { full_name: REPO } }, sha: origin.base, ref: 'refs/heads/main' };
}

const run = (file: string, event: Trigger, extra: { cancel?: (job: string, m: Record<string, string>) => boolean } = {}) =>
  runWorkflow(file, { gh, repo: REPO, origin: origin.dir, event, runId: nextRun++, store, secrets: { EDGEML_BETA_KEY: 'secret' }, rootInputs: { 'runtime-dir': ROOT }, ...extra });

/** Why a run went wrong, for the assertion message. */
const why = (r: WorkflowRun) => r.jobs.map((j) => `${j.name}: ${j.result}\n${j.steps.map((s) => `  ${s.name}: ${s.ran ? s.status : 'skipped'}${s.status ? `\n${s.log}` : ''}`).join('\n')}`).join('\n');
const job = (r: WorkflowRun, name: string) => r.jobs.find((j) => j.name === name)!;
const comments = (marker: string, pr = 7) => gh.issueComments(`${REPO}#${pr}`).filter((c) => c.body.startsWith(`<!-- edgeml-report:${marker} -->`));
const errors = (r: WorkflowRun) => r.jobs.flatMap((j) => j.annotations.filter((a) => a.level === 'error').map((a) => `${j.name}: ${a.message}`));
/** The shape of a report: its model headings and table header rows (cells without their padding). */
const shape = (body: string) => body.split('\n').filter((l) => /^#### |^\| target /.test(l)).map((l) => l.split('|').map((c) => c.trim()).join('|'));

beforeAll(async () => {
  gh = await startGitHubServer();
  origin = makeOrigin();
  gh.pulls.set(`${REPO}#7`, origin.head);
});
afterAll(async () => gh.close());

describe('edgeml-pr.yml on the repository\'s own pull request', () => {
  it('checks out one commit deep, fetches the base itself, compares, and keeps one comment', async () => {
    const r = await run('edgeml-pr.yml', pullRequest(REPO));
    expect(r.conclusion, why(r)).toBe('success');
    const ws = job(r, 'edgeml').workspace!;
    expect(execFileSync('git', ['-C', ws, 'rev-parse', '--is-shallow-repository'], { encoding: 'utf8' }).trim()).toBe('true');
    expect(execFileSync('git', ['-C', ws, 'cat-file', '-t', origin.base], { encoding: 'utf8' }).trim()).toBe('commit');
    expect(filesIn(store.path(r.runId, 'edgeml-results')!)).toEqual(expect.arrayContaining(['results/digits-source.json', 'compare/digits.json', 'check/digits.json', 'report.md']));
    const [comment, ...more] = comments('edgeml/edgeml');
    expect(more).toEqual([]);
    expect(comment.body).toContain('base → head');
    expect(comment.body).toContain('#### Budgets');
    expect(gh.violations).toEqual([]);
  });
});

describe('the fork-safe pair on a fork\'s pull request', () => {
  let measured: WorkflowRun;

  it('edgeml-measure.yml runs edgeml run with a read-only token and no secrets, uploads results and the PR, never comments', async () => {
    const before = gh.requests.length;
    measured = await run('edgeml-measure.yml', pullRequest(FORK));
    expect(measured.conclusion, why(measured)).toBe('success');
    expect(gh.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([]);
    const pr = store.path(measured.runId, 'edgeml-pr')!;
    expect(readFileSync(join(pr, 'number'), 'utf8').trim()).toBe('7');
    expect(readFileSync(join(pr, 'head-sha'), 'utf8').trim()).toBe(origin.head);
    expect(filesIn(store.path(measured.runId, 'edgeml-results')!)).toEqual(expect.arrayContaining(['results/digits-source.json', 'compare/digits.json', 'check/digits.json', 'compat/digits.json']));
    expect(comments('edgeml-measure')).toEqual([]);
  });

  it('edgeml-report.yml on workflow_run posts the report a same-repository PR gets, once, updated on a re-run', async () => {
    const r = await run('edgeml-report.yml', workflowRun(measured));
    expect(r.conclusion, why(r)).toBe('success');
    const [comment, ...more] = comments('edgeml-measure');
    expect(more).toEqual([]);
    expect(comment.body).toContain('base → head');
    expect(comment.body).not.toContain('Not reported');
    expect(shape(comment.body)).toEqual(shape(comments('edgeml/edgeml')[0].body));
    // Byte for byte the report the measure run rendered from memory, compatibility and vs base included.
    const rendered = readFileSync(join(store.path(measured.runId, 'edgeml-results')!, 'report.md'), 'utf8');
    expect(comment.body).toBe(`<!-- edgeml-report:edgeml-measure -->\n${rendered}`);
    expect(comment.body).toMatch(/#### Operator compatibility: digits\n\n\| target +\| runs whole .*\| vs base +\|/);
    expect(comment.body).toMatch(/\| nnapi +\| ✅ yes +\| 5\/5 \(100%\) .*\| unchanged +\|/);
    expect(comment.body).toMatch(/✅ pass +\| compat&#46;nnapi&#46;unsupported /);
    expect(errors(r)).toEqual([]);

    const again = await run('edgeml-report.yml', workflowRun(measured));
    expect(again.conclusion, why(again)).toBe('success');
    expect(comments('edgeml-measure').map((c) => c.id)).toEqual([comment.id]);
    expect(gh.violations).toEqual([]);
  });

  it('refuses an artifact that claims another pull request, or another head commit', async () => {
    gh.pulls.set(`${REPO}#8`, 'f'.repeat(40));
    const pr = store.path(measured.runId, 'edgeml-pr')!;
    writeFileSync(join(pr, 'number'), '8\n');
    const other = await run('edgeml-report.yml', workflowRun(measured));
    expect(other.conclusion, why(other)).toBe('success');
    expect(gh.issueComments(`${REPO}#8`)).toEqual([]);
    expect(job(other, 'report').annotations.map((a) => a.message).join('\n')).toMatch(/pull request #8 has head f{12}, not/);

    // The repository's own branch: GitHub names the run's pull request, and 8 is not it.
    const named = await run('edgeml-report.yml', workflowRun(measured, [7]));
    expect(gh.issueComments(`${REPO}#8`)).toEqual([]);
    expect(job(named, 'report').annotations.map((a) => a.message).join('\n')).toContain('pr-number 8 is not a pull request of the run that triggered this one (#7)');

    writeFileSync(join(pr, 'number'), '7\n');
    writeFileSync(join(pr, 'head-sha'), `${'a'.repeat(40)}\n`);
    const sha = await run('edgeml-report.yml', workflowRun(measured));
    expect(sha.conclusion).toBe('failure');
    expect(errors(sha).join('\n')).toContain(`but the measure run tested ${origin.head}: not reporting`);
    expect(job(sha, 'report').steps.find((s) => /actions\/report@/.test(s.name))?.ran).toBe(false);
    writeFileSync(join(pr, 'head-sha'), `${origin.head}\n`);
    expect(comments('edgeml-measure')).toHaveLength(1);
    expect(gh.violations).toEqual([]);
  });

  it('reports a measure run that failed before writing results: the device did not report, no failing glob', async () => {
    // Such a run uploaded only edgeml-pr (its first step).
    const failed: WorkflowRun = { ...measured, runId: nextRun++, conclusion: 'failure' };
    store.list(failed.runId).set('edgeml-pr', store.path(measured.runId, 'edgeml-pr')!);
    const r = await run('edgeml-report.yml', workflowRun(failed));
    expect(r.conclusion, why(r)).toBe('success');
    const [comment, ...more] = comments('edgeml-measure');
    expect(more).toEqual([]);
    expect(comment.body).toContain('**Not reported** (1 device): ubuntu&#45;latest: no results');
    expect(comment.body).toContain('> No device reported results.');
    expect(errors(r)).toEqual([]);
    // A cancelled run gets no report at all.
    const cancelled = await run('edgeml-report.yml', workflowRun({ ...failed, conclusion: 'cancelled' }));
    expect(cancelled.jobs.map((j) => [j.name, j.result])).toEqual([['report', 'skipped']]);
  });
});

describe('edgeml-devices.yml: a device matrix merged into one comment', () => {
  it('names the device that never ran, merges results, comparisons and budgets of the others', async () => {
    const r = await run('edgeml-devices.yml', pullRequest(REPO), { cancel: (id, m) => id === 'devices' && m.device === 'rpi5' });
    expect(r.jobs.map((j) => [j.name, j.result])).toEqual([
      ['hosted', 'success'], ['devices (jetson-orin)', 'success'], ['devices (rpi5)', 'cancelled'], ['devices (x86-nuc)', 'success'], ['report', 'success'],
    ]);
    expect(job(r, 'devices (jetson-orin)').runsOn).toEqual(['self-hosted', 'jetson-orin']);
    const [comment, ...more] = comments('devices');
    expect(more).toEqual([]);
    const body = comment.body;
    for (const d of ['ubuntu-latest', 'jetson-orin', 'x86-nuc']) expect(body).toContain(`| ${escapeMarkdown(d)} `);
    expect(body).toMatch(/Not reported\*\* \(1 device\): rpi5: no results/);
    // Three devices compared with the base; budgets judged per device; a missing device is no pass.
    const verdicts = /comparisons: ([^·]+)/.exec(body)?.[1] ?? '';
    expect([...verdicts.matchAll(/(\d+) /g)].reduce((n, m) => n + Number(m[1]), 0)).toBe(3);
    expect(body).toContain('3 devices');
    // Each device uploaded the model's compat document: one compatibility table.
    expect(body.match(/#### Operator compatibility: digits\n/g)).toHaveLength(1);
    expect(body).not.toMatch(/edgeml report: \*\*pass\*\*/);
    expect(errors(r)).toEqual([]);
    expect(gh.violations).toEqual([]);
  });

  it('on a fork\'s pull request: the hosted runner\'s results with a note, no comment (read-only token), no red check', async () => {
    const before = comments('devices').map((c) => [c.id, c.body]);
    const r = await run('edgeml-devices.yml', pullRequest(FORK));
    expect(r.jobs.map((j) => [j.name, j.result])).toEqual([['hosted', 'success'], ['devices', 'skipped'], ['report', 'success']]);
    expect(r.conclusion).toBe('success');
    expect(errors(r)).toEqual([]);
    const report = job(r, 'report');
    expect(report.summary).toMatch(/Not reported\*\* \(3 devices\): jetson&#45;orin, rpi5, x86&#45;nuc: not measured: this pull request comes from a fork/);
    expect(report.summary).toContain('The results below are from ubuntu&#45;latest only.');
    expect(report.annotations.map((a) => a.message).join('\n')).toMatch(/cannot comment on pull request #7 \(403/);
    expect(comments('devices').map((c) => [c.id, c.body])).toEqual(before);
    expect(gh.violations).toEqual([]);
  });
});
