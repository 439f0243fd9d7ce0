// The root action end to end, as the runner runs it: its composite steps executed in order from
// action.yml (test/composite.ts), the built bundles, a pull_request event payload, a git
// repository with a base commit, and the GitHub API stand-in: one comment, updated on re-runs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComposite } from './composite.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { ROOT, tempDir } from './helpers.js';

const REPO = 'acme/models';
const CONFIG = `version: 1
models:
  digits:
    path: models/mlp.onnx
    data: [pixels=models/test_inputs.npy]
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
`;

let gh: GitHubServer;
beforeAll(async () => {
  gh = await startGitHubServer();
});
afterAll(async () => gh.close());

function repository(): { dir: string; sha: string } {
  const dir = tempDir('edgeml-e2e-');
  mkdirSync(join(dir, 'models'));
  for (const f of ['mlp.onnx', 'test_inputs.npy', 'test_labels.npy']) copyFileSync(join(ROOT, 'examples/digits', f), join(dir, 'models', f));
  writeFileSync(join(dir, 'edgeml.yml'), CONFIG);
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

function runRoot(dir: string, event: { name: string; payload: object }) {
  const eventPath = join(tempDir('edgeml-event-'), 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GITHUB_EVENT_NAME: event.name, GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: REPO, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '42',
    GITHUB_WORKFLOW: 'edgeml', GITHUB_JOB: 'edgeml', GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', CI: 'true',
  };
  // runtime-dir: this checkout's node_modules already holds onnxruntime-node (no download here).
  return runComposite(ROOT, { 'runtime-dir': ROOT }, { event: event.payload, token: 'ghs_test', event_name: event.name }, env, dir);
}

describe('the all-in-one action (root action.yml)', () => {
  it('on a pull request: measures against the base commit, posts one comment, and updates it on a re-run', async () => {
    const { dir, sha } = repository();
    const event = { name: 'pull_request', payload: { pull_request: { number: 7, base: { sha }, head: { sha } } } };
    const first = await runRoot(dir, event);
    const why = first.steps.map((s) => `${s.name}: ${s.ran ? s.status : 'skipped'}\n${s.stderr}`).join('\n');
    expect(first.failed, why).toBe(false);
    expect(first.steps.map((s) => [s.name, s.ran])).toEqual([
      ['Locate ONNX Runtime', true], ['Restore ONNX Runtime from the cache', false], ['Install ONNX Runtime', false], ['edgeml run', true],
    ]);
    // Base and head are the same file: never fail; a 3 s comparison may stay undecided.
    expect(['pass', 'inconclusive']).toContain(first.outputs.verdict);
    expect(existsSync(first.outputs.report)).toBe(true);
    expect(existsSync(join(first.outputs.out, 'compare/digits.json'))).toBe(true);
    // The output's old name (until 0.3.0): the same folder.
    expect(first.outputs.results).toBe(first.outputs.out);
    const comments = gh.issueComments(`${REPO}#7`);
    expect(comments).toHaveLength(1);
    // The comment is the report run wrote, byte for byte, under the marker line; so is the job summary.
    const written = readFileSync(first.outputs.report, 'utf8');
    expect(comments[0].body).toBe(`<!-- edgeml-report:edgeml/edgeml -->\n${written}`);
    expect(comments[0].body).toContain('base → head');
    expect(first.outputs['comment-url']).toBe(comments[0].html_url);
    expect(first.summary).toContain('edgeml report');

    const again = await runRoot(dir, event);
    expect(again.failed).toBe(false);
    expect(gh.issueComments(`${REPO}#7`)).toHaveLength(1);
    expect(gh.createdIds).toHaveLength(1);
    expect(gh.violations).toEqual([]);
  });

  it('on a push: no base, no comment, the report in the job summary; a failed budget fails the action', async () => {
    const { dir } = repository();
    writeFileSync(join(dir, 'edgeml.yml'), CONFIG.replace('latency.p90: 1s', 'latency.p90: 1ns'));
    const before = gh.comments.size;
    const r = await runRoot(dir, { name: 'push', payload: { ref: 'refs/heads/main' } });
    expect(r.failed).toBe(true);
    expect(r.steps.find((s) => s.name === 'edgeml run')?.status).toBe(1);
    // The failing run still published its report before exiting 1.
    expect(r.summary).toContain(readFileSync(r.outputs.report, 'utf8').trim());
    expect(r.outputs.verdict).toBe('fail');
    expect(r.summary).toMatch(/edgeml report: \*\*fail\*\*/);
    expect(gh.comments.size).toBe(before);
    expect(readFileSync(r.outputs.report, 'utf8')).toContain('latency');
  });
});
