// examples/workflows/edgeml-drift.yml run as GitHub runs it (test/workflow-runner.ts) on
// repository_dispatch events against the GitHub API stand-in, whose every request is checked
// against GitHub's OpenAPI description: one issue per model and metric, opened once, updated and
// reopened after, never duplicated; the payload's strings escaped; a malformed event refused.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { tempDir } from './helpers.js';
import { ArtifactStore, runWorkflow, type Trigger, type WorkflowRun } from './workflow-runner.js';

const REPO = 'acme/models';
let gh: GitHubServer;
let origin: string;
const store = new ArtifactStore();
let runId = 500;

const payload = (over: Record<string, unknown> = {}) => ({
  model: 'digits', version: '1.3.0', sha256: 'a'.repeat(64), cohort: 'beta', metric: 'outputs.output', score: 0.4321,
  windows: 3, devices: ['d1', 'd2'], devicesTotal: 2, at: '2026-12-01T10:00:00.000Z', ...over,
});
const dispatch = (client_payload: Record<string, unknown>): Trigger => ({
  name: 'repository_dispatch', payload: { action: 'edgeml-drift', client_payload, repository: { full_name: REPO } }, sha: 'HEAD', ref: 'refs/heads/main',
});
const run = (client_payload: Record<string, unknown>) => runWorkflow('edgeml-drift.yml', { gh, repo: REPO, origin, event: dispatch(client_payload), runId: runId++, store });
const why = (r: WorkflowRun) => r.jobs.flatMap((j) => j.steps.map((s) => `${s.name}: ${s.status}\n${s.log}`)).join('\n');

beforeAll(async () => {
  gh = await startGitHubServer();
  origin = tempDir('edgeml-origin-');
  execFileSync('git', ['-C', origin, 'init', '-q', '-b', 'main']);
  writeFileSync(join(origin, 'README.md'), 'models\n');
  execFileSync('git', ['-C', origin, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--allow-empty', '-m', 'base']);
});
afterAll(async () => gh?.close());

describe('edgeml-drift.yml', () => {
  test('the first dispatch opens the issue with the drift table; later ones update it, reopen it when closed, never duplicate it', async () => {
    const first = await run(payload());
    expect(first.conclusion, why(first) + gh.violations.join('\n')).toBe('success');
    expect(gh.issues).toHaveLength(1);
    const issue = gh.issues[0];
    expect(issue).toMatchObject({ repo: REPO, number: 1, title: 'Drift: digits outputs.output', labels: ['edgeml-drift'], state: 'open' });
    expect(issue.body.startsWith('<!-- edgeml-drift:digits:outputs.output -->')).toBe(true);
    expect(issue.body).toContain('| digits | 1&#46;3&#46;0 | aaaaaaaaaaaa | beta | outputs&#46;output | 0.432 | 3 | 2 |');
    expect(issue.body).toContain('#### Where to start retraining');
    expect(issue.body).toContain('Devices: `d1`, `d2`');
    const again = await run(payload({ score: 0.9, windows: 5 }));
    expect(again.conclusion, why(again)).toBe('success');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0].body).toContain('| 0.900 | 5 |');
    gh.issues[0].state = 'closed';
    expect((await run(payload({ score: 0.5 }))).conclusion).toBe('success');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]).toMatchObject({ state: 'open' });
    // Another metric of the same model is another issue.
    expect((await run(payload({ metric: 'inputs.pixels' }))).conclusion).toBe('success');
    expect(gh.issues.map((i) => i.title)).toEqual(['Drift: digits outputs.output', 'Drift: digits inputs.pixels']);
    expect(gh.violations).toEqual([]);
  });

  test('the payload\'s strings are escaped; a malformed payload fails the job with one line and opens nothing', async () => {
    const hostile = await run(payload({ model: 'x<img src=y>|z', cohort: '**bold**', devices: ['`rm -rf`'] }));
    expect(hostile.conclusion, why(hostile)).toBe('success');
    const body = gh.issues[gh.issues.length - 1].body;
    expect(body).not.toContain('<img');
    expect(body).not.toMatch(/\| x[^|]*\|z/);
    const before = gh.issues.length;
    const bad = await run(payload({ sha256: 'nope' }));
    expect(bad.conclusion).toBe('failure');
    const step = bad.jobs[0].steps.find((s) => s.name === 'Open or update the drift issue')!;
    expect(step.log.trim().split('\n').pop()).toMatch(/^edgeml: error: \S+event\.json: client_payload\.sha256 must be 64 hex digits; the dispatch comes from 'edgeml drift --dispatch'$/);
    expect(gh.issues).toHaveLength(before);
    expect(gh.violations).toEqual([]);
  });
});
